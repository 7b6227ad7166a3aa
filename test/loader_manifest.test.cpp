// Kubernetes manifests into model specs. Expected values are the API defaults and webhook rules of
// domain-reference §1.1 (Deployment), §2.2 and §2.10 (CloneSet), §3.5 (probes), worked by hand.

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "podsim/loader/manifest.hpp"
#include "podsim/loader/pod_template_spec.hpp"
#include "podsim/loader/yaml_reader.hpp"
#include "podsim/model/template_diff.hpp"

using podsim::loader::canonical_yaml;
using podsim::loader::ImageResolver;
using podsim::loader::LoadError;
using podsim::loader::Node;
using podsim::loader::parse_yaml;
using podsim::loader::read_cloneset;
using podsim::loader::read_deployment;
namespace model = podsim::model;
namespace loader = podsim::loader;

namespace {

// The scenario's image catalog, as the caller would resolve references.
const ImageResolver kImages = [](const Node& at, const std::string& ref) -> model::ImageId {
  static const std::map<std::string, model::ImageId> ids{
      {"registry.example.com/web:v1", 1},      {"registry.example.com/web:v2", 2},
      {"registry.example.com/api:v7", 3},      {"registry.example.com/api-migrate:v7", 4},
      {"registry.example.com/envoy:1.30", 5},  {"registry.example.com/cart:v3", 6},
      {"registry.example.com/cart:latest", 7}, {"web:v1", 8}};
  const auto it = ids.find(ref);
  if (it == ids.end()) at.fail(fmt::format("unknown image '{}'", ref));
  return it->second;
};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const LoadError& e) {
    return e.what();
  }
  return "no error";
}

std::string canonical(const char* yaml) {
  return canonical_yaml(YAML::Load(yaml));
}

double seconds(const podsim::sim::DistributionPtr& d) {
  REQUIRE(d != nullptr);
  return d->quantile(0.5);
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("A Deployment that sets nothing gets the apps/v1 defaults", "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "metadata:\n"
      "  name: web\n"
      "  namespace: shop\n"
      "  labels:\n"
      "    app: web\n"
      "spec:\n"
      "  selector:\n"
      "    matchLabels:\n"
      "      app: web\n"
      "  template:\n"
      "    metadata:\n"
      "      creationTimestamp: null\n"
      "      labels:\n"
      "        app: web\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: web\n"
      "          image: registry.example.com/web:v1\n",
      "web.yaml");
  const auto read = read_deployment(doc, kImages);
  const model::DeploymentSpec& d = read.spec;
  CHECK(d.name == "web");
  CHECK(d.replicas == 1);
  CHECK(d.strategy == model::DeploymentStrategyType::RollingUpdate);
  CHECK(d.maxSurge == model::IntOrPercent::percent(25));
  CHECK(d.maxUnavailable == model::IntOrPercent::percent(25));
  // §1.1: with 10 replicas, surge ceil(2.5) = 3 and unavailable floor(2.5) = 2.
  CHECK(d.maxSurge.scaled(10, true) == 3);
  CHECK(d.maxUnavailable.scaled(10, false) == 2);
  CHECK(d.minReadySeconds == 0);
  CHECK(d.progressDeadlineSeconds == 600);
  CHECK_FALSE(d.paused);

  const model::PodTemplate& t = d.template_;
  CHECK(t.terminationGracePeriodSeconds == 30);
  CHECK(t.priority == 0);
  CHECK(t.nodeSelector.empty());
  CHECK(t.labels == std::map<std::string, std::string>{{"app", "web"}});
  CHECK(t.annotations.empty());
  CHECK(t.other_fields.empty());  // creationTimestamp: null is an unset field
  CHECK(t.initContainers.empty());
  REQUIRE(t.containers.size() == 1);
  const model::ContainerSpec& c = t.containers[0];
  CHECK(c.name == "web");
  CHECK(c.image == 1);
  CHECK(c.imagePullPolicy == model::ImagePullPolicy::IfNotPresent);  // tagged, not latest
  CHECK(c.requests == model::Resources{});
  CHECK_FALSE(c.readinessProbe.has_value());
  CHECK(c.preStop == nullptr);
  CHECK(c.env.empty());
  CHECK(c.other_fields.empty());

  CHECK(read.ignored_fields ==
        std::vector<std::string>{"metadata.namespace", "metadata.labels", "spec.selector"});
}

TEST_CASE("A Deployment with percentages, sidecars, probes and fields podsim does not model",
          "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "metadata:\n"
      "  name: api\n"
      "  annotations:\n"
      "    deployment.kubernetes.io/revision: \"3\"\n"
      "spec:\n"
      "  replicas: 10\n"
      "  minReadySeconds: 5\n"
      "  progressDeadlineSeconds: 300\n"
      "  revisionHistoryLimit: 5\n"
      "  selector: {matchLabels: {app: api}}\n"
      "  strategy:\n"
      "    type: RollingUpdate\n"
      "    rollingUpdate:\n"
      "      maxSurge: 50%\n"
      "      maxUnavailable: 0\n"
      "  template:\n"
      "    metadata:\n"
      "      labels: {app: api, tier: backend}\n"
      "      annotations: {prometheus.io/scrape: \"true\"}\n"
      "    spec:\n"
      "      terminationGracePeriodSeconds: 45\n"
      "      priority: 1000\n"
      "      nodeSelector:\n"
      "        pool: general\n"
      "      volumes:\n"
      "        - name: config\n"
      "          configMap: {name: api-config}\n"
      "      initContainers:\n"
      "        - name: migrate\n"
      "          image: registry.example.com/api-migrate:v7\n"
      "          resources:\n"
      "            requests: {cpu: 100m, memory: 64Mi}\n"
      "        - name: proxy\n"
      "          image: registry.example.com/envoy:1.30\n"
      "          restartPolicy: Always\n"
      "          resources:\n"
      "            limits: {cpu: 200m, memory: 128Mi}\n"
      "      containers:\n"
      "        - name: api\n"
      "          image: registry.example.com/api:v7\n"
      "          imagePullPolicy: Always\n"
      "          command: [\"/api\", \"--port=8080\"]\n"
      "          ports:\n"
      "            - containerPort: 8080\n"
      "          env:\n"
      "            - name: LOG_LEVEL\n"
      "              value: info\n"
      "            - name: POD_NAME\n"
      "              valueFrom:\n"
      "                fieldRef: {fieldPath: metadata.name}\n"
      "          resources:\n"
      "            requests:\n"
      "              cpu: 500m\n"
      "              memory: 1.5Gi\n"
      "              ephemeral-storage: 1Gi\n"
      "            limits:\n"
      "              memory: 2Gi\n"
      "          readinessProbe:\n"
      "            httpGet: {path: /ready, port: 8080}\n"
      "            initialDelaySeconds: 5\n"
      "            periodSeconds: 2\n"
      "          lifecycle:\n"
      "            preStop:\n"
      "              exec:\n"
      "                command: [\"sh\", \"-c\", \"sleep 15\"]\n",
      "api.yaml");
  const auto read = read_deployment(doc, kImages);
  const model::DeploymentSpec& d = read.spec;
  CHECK(d.replicas == 10);
  CHECK(d.minReadySeconds == 5);
  CHECK(d.progressDeadlineSeconds == 300);
  CHECK(d.maxSurge == model::IntOrPercent::percent(50));
  CHECK(d.maxUnavailable == model::IntOrPercent::integer(0));
  CHECK(d.maxSurge.scaled(10, true) == 5);

  const model::PodTemplate& t = d.template_;
  CHECK(t.terminationGracePeriodSeconds == 45);
  CHECK(t.priority == 1000);
  CHECK(t.nodeSelector == std::map<std::string, std::string>{{"pool", "general"}});
  CHECK(t.labels == std::map<std::string, std::string>{{"app", "api"}, {"tier", "backend"}});
  CHECK(t.annotations == std::map<std::string, std::string>{{"prometheus.io/scrape", "true"}});
  CHECK(t.other_fields ==
        std::map<std::string, std::string>{
            {"volumes", canonical("[{name: config, configMap: {name: api-config}}]")}});

  REQUIRE(t.initContainers.size() == 2);
  const model::InitContainerSpec& migrate = t.initContainers[0];
  CHECK(migrate.name == "migrate");
  CHECK(migrate.image == 4);
  CHECK_FALSE(migrate.sidecar);
  CHECK(migrate.requests == model::Resources{100, 64LL << 20});
  CHECK(migrate.imagePullPolicy == model::ImagePullPolicy::IfNotPresent);
  const model::InitContainerSpec& proxy = t.initContainers[1];
  CHECK(proxy.sidecar);
  // Requests default to limits (SetDefaults_Pod).
  CHECK(proxy.requests == model::Resources{200, 128LL << 20});
  CHECK(proxy.other_fields == std::map<std::string, std::string>{
                                  {"resources.limits", canonical("{cpu: 200m, memory: 128Mi}")}});

  REQUIRE(t.containers.size() == 1);
  const model::ContainerSpec& c = t.containers[0];
  CHECK(c.image == 3);
  CHECK(c.imagePullPolicy == model::ImagePullPolicy::Always);
  // memory request given: the 2Gi limit does not replace it.
  CHECK(c.requests == model::Resources{500, 1610612736});
  REQUIRE(c.readinessProbe.has_value());
  CHECK(c.readinessProbe->initialDelaySeconds == 5);
  CHECK(c.readinessProbe->periodSeconds == 2);
  CHECK(c.readinessProbe->timeoutSeconds == 1);
  CHECK(c.readinessProbe->successThreshold == 1);
  CHECK(c.readinessProbe->failureThreshold == 3);
  CHECK(seconds(c.preStop) == 15);
  CHECK(c.env ==
        std::map<std::string, std::string>{
            {"LOG_LEVEL", "info"},
            {"POD_NAME", "valueFrom: " + canonical("{fieldRef: {fieldPath: metadata.name}}")}});
  CHECK(c.other_fields ==
        std::map<std::string, std::string>{
            {"command", canonical("[/api, '--port=8080']")},
            {"ports", canonical("[{containerPort: 8080}]")},
            {"resources.requests.ephemeral-storage", canonical("1Gi")},
            {"resources.limits", canonical("{memory: 2Gi}")},
            {"readinessProbe.httpGet", canonical("{path: /ready, port: 8080}")},
            {"lifecycle.preStop", canonical("{exec: {command: [sh, -c, sleep 15]}}")}});

  const auto& ignored = read.ignored_fields;
  for (const char* path :
       {"metadata.annotations.deployment.kubernetes.io/revision", "spec.revisionHistoryLimit",
        "spec.selector", "spec.template.spec.volumes",
        "spec.template.spec.initContainers[1].resources.limits",
        "spec.template.spec.containers[0].command", "spec.template.spec.containers[0].ports",
        "spec.template.spec.containers[0].resources.requests.ephemeral-storage",
        "spec.template.spec.containers[0].resources.limits",
        "spec.template.spec.containers[0].readinessProbe.httpGet"}) {
    INFO(path);
    CHECK(contains(ignored, path));
  }
  // Timed, so read: not listed as ignored.
  CHECK_FALSE(contains(ignored, "spec.template.spec.containers[0].lifecycle.preStop"));
  CHECK(ignored.size() == 10);
}

TEST_CASE("A change to a field podsim does not model shows in other_fields", "[loader]") {
  const auto with_command = [](const char* command) {
    const std::string text = fmt::format(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: web\n          image: web:v1\n"
        "          command: {}\n",
        command);
    return read_deployment(parse_yaml(text, "web.yaml"), kImages).spec.template_.containers[0];
  };
  // The same command written in block or flow style, quoted or not: no change.
  CHECK(with_command("[\"/app\", serve]").other_fields ==
        with_command("\n            - /app\n            - \"serve\"").other_fields);
  CHECK(with_command("[/app, serve]").other_fields != with_command("[/app, run]").other_fields);
}

TEST_CASE("Startup and liveness probes, and a native sidecar's probes, are read", "[loader]") {
  const auto read = [](const std::string& liveness_period) {
    const std::string text =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    spec:\n"
        "      initContainers:\n"
        "        - name: proxy\n"
        "          image: registry.example.com/envoy:1.30\n"
        "          restartPolicy: Always\n"
        "          startupProbe: {tcpSocket: {port: 9901}, periodSeconds: 1, "
        "failureThreshold: 30}\n"
        "          readinessProbe: {httpGet: {path: /ready, port: 9901}, successThreshold: 2}\n"
        "          livenessProbe: {exec: {command: [pgrep, envoy]}, "
        "terminationGracePeriodSeconds: 3}\n"
        "      containers:\n"
        "        - name: web\n"
        "          image: web:v1\n"
        "          startupProbe:\n"
        "            httpGet: {path: /started, port: 8080}\n"
        "            periodSeconds: 2\n"
        "            failureThreshold: 60\n"
        "            successThreshold: 1\n"
        "          livenessProbe:\n"
        "            grpc: {port: 9090}\n"
        "            initialDelaySeconds: 7\n"
        "            periodSeconds: " +
        liveness_period +
        "\n"
        "            timeoutSeconds: 4\n"
        "            terminationGracePeriodSeconds: 12\n";
    return read_deployment(parse_yaml(text, "web.yaml"), kImages);
  };
  const auto a = read("5");
  const model::PodTemplate& t = a.spec.template_;
  const model::ContainerSpec& web = t.containers[0];
  CHECK_FALSE(web.readinessProbe.has_value());
  REQUIRE(web.startupProbe.has_value());
  CHECK(web.startupProbe->initialDelaySeconds == 0);
  CHECK(web.startupProbe->periodSeconds == 2);
  CHECK(web.startupProbe->timeoutSeconds == 1);
  CHECK(web.startupProbe->successThreshold == 1);
  CHECK(web.startupProbe->failureThreshold == 60);
  CHECK_FALSE(web.startupProbe->terminationGracePeriodSeconds.has_value());
  REQUIRE(web.livenessProbe.has_value());
  CHECK(web.livenessProbe->initialDelaySeconds == 7);
  CHECK(web.livenessProbe->periodSeconds == 5);
  CHECK(web.livenessProbe->timeoutSeconds == 4);
  CHECK(web.livenessProbe->failureThreshold == 3);
  CHECK(web.livenessProbe->terminationGracePeriodSeconds == 12);
  // Kept whole, so that template_diff sees any change of them.
  CHECK(web.other_fields ==
        std::map<std::string, std::string>{
            {"startupProbe", canonical("{httpGet: {path: /started, port: 8080}, periodSeconds: 2, "
                                       "failureThreshold: 60, successThreshold: 1}")},
            {"livenessProbe", canonical("{grpc: {port: 9090}, initialDelaySeconds: 7, "
                                        "periodSeconds: 5, timeoutSeconds: 4, "
                                        "terminationGracePeriodSeconds: 12}")}});

  const model::InitContainerSpec& proxy = t.initContainers[0];
  CHECK(proxy.sidecar);
  REQUIRE(proxy.startupProbe.has_value());
  CHECK(proxy.startupProbe->periodSeconds == 1);
  CHECK(proxy.startupProbe->failureThreshold == 30);
  REQUIRE(proxy.readinessProbe.has_value());
  CHECK(proxy.readinessProbe->successThreshold == 2);  // allowed for readiness
  CHECK(proxy.readinessProbe->periodSeconds == 10);
  REQUIRE(proxy.livenessProbe.has_value());
  CHECK(proxy.livenessProbe->terminationGracePeriodSeconds == 3);
  CHECK(proxy.other_fields.size() == 3);
  CHECK(proxy.other_fields.at("readinessProbe") ==
        canonical("{httpGet: {path: /ready, port: 9901}, successThreshold: 2}"));

  // Read, so not listed as ignored; only how each handler probes is.
  const auto& ignored = a.ignored_fields;
  for (const char* path : {"spec.template.spec.initContainers[0].startupProbe.tcpSocket",
                           "spec.template.spec.initContainers[0].readinessProbe.httpGet",
                           "spec.template.spec.initContainers[0].livenessProbe.exec",
                           "spec.template.spec.containers[0].startupProbe.httpGet",
                           "spec.template.spec.containers[0].livenessProbe.grpc"}) {
    INFO(path);
    CHECK(contains(ignored, path));
  }
  CHECK(ignored.size() == 5);

  // A change of probe settings is a spec change, which no in-place update applies.
  const auto d = model::diff_templates(t, read("6").spec.template_);
  CHECK(d.other_changes ==
        std::vector<model::TemplateChange>{
            {model::TemplateChangeOp::replace, "spec.containers[web].livenessProbe"}});
  CHECK_FALSE(d.in_place_possible());
  CHECK(model::diff_templates(t, read("5").spec.template_).empty());
}

TEST_CASE("Canonical YAML sorts keys, drops styles and keeps the quotes that change a type",
          "[loader]") {
  CHECK(canonical("{b: [1, 2], a: x}") == "{a: x, b: [1, 2]}");
  CHECK(canonical("name: \"web\"\nport: 80\n") == canonical("{port: 80, name: web}"));
  CHECK(canonical("v: \"5\"") != canonical("v: 5"));
  CHECK(canonical("v: '5'") == "{v: \"5\"}");
  CHECK(canonical("v: \"on\"") == "{v: \"on\"}");  // a YAML 1.1 boolean unquoted
  CHECK(canonical("v: \"\"") == "{v: \"\"}");
  CHECK(canonical("a: ~") == "{a: ~}");
}

TEST_CASE("A CloneSet v1alpha1 that sets nothing gets the Kruise defaults", "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps.kruise.io/v1alpha1\n"
      "kind: CloneSet\n"
      "metadata:\n"
      "  name: cart\n"
      "spec:\n"
      "  selector: {matchLabels: {app: cart}}\n"
      "  template:\n"
      "    metadata: {labels: {app: cart}}\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: cart\n"
      "          image: registry.example.com/cart:latest\n",
      "cart.yaml");
  const model::CloneSetSpec c = read_cloneset(doc, kImages).spec;
  CHECK(c.replicas == 1);
  CHECK(c.type == model::CloneSetUpdateType::ReCreate);
  CHECK(c.partition == model::IntOrPercent::integer(0));
  CHECK(c.maxUnavailable == model::IntOrPercent::percent(20));
  CHECK(c.maxSurge == model::IntOrPercent::integer(0));
  // §2.2 worked numbers: 20% with maxSurge 0 rounds up.
  CHECK(c.maxUnavailable.scaled(10, true) == 2);
  CHECK(c.maxUnavailable.scaled(7, true) == 2);
  CHECK(c.maxUnavailable.scaled(3, true) == 1);
  CHECK_FALSE(c.paused);
  CHECK(c.gracePeriodSeconds == 0);
  CHECK_FALSE(c.priorityStrategy.has_value());
  CHECK(c.scatterStrategy.empty());
  CHECK(c.minReadySeconds == 0);
  CHECK_FALSE(c.scaleMaxUnavailable.has_value());
  CHECK_FALSE(c.progressDeadlineSeconds.has_value());
  // §2.10: the gate is off by default; parallelism 1, timeout 300 s, no minimum.
  CHECK_FALSE(c.imagePreDownload.enabled);
  CHECK(c.imagePreDownload.parallelism == 1);
  CHECK(c.imagePreDownload.timeoutSeconds == 300);
  CHECK(c.imagePreDownload.minUpdatedReadyPods == model::IntOrPercent::integer(0));
  // §3.3: :latest is pulled Always.
  CHECK(c.template_.containers.at(0).imagePullPolicy == model::ImagePullPolicy::Always);
}

TEST_CASE("A CloneSet v1alpha1 in place with partition, priority, scatter and pre-download",
          "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps.kruise.io/v1alpha1\n"
      "kind: CloneSet\n"
      "metadata:\n"
      "  name: cart\n"
      "  annotations:\n"
      "    apps.kruise.io/image-predownload-parallelism: \"5\"\n"
      "    apps.kruise.io/image-predownload-timeout-seconds: \"600\"\n"
      "    apps.kruise.io/image-predownload-min-updated-ready-pods: \"2\"\n"
      "    owner: team-cart\n"
      "spec:\n"
      "  replicas: 10\n"
      "  minReadySeconds: 10\n"
      "  progressDeadlineSeconds: 900\n"
      "  selector:\n"
      "    matchLabels: {app: cart}\n"
      "  scaleStrategy:\n"
      "    maxUnavailable: 2\n"
      "    podsToDelete: [cart-x7k2p]\n"
      "  updateStrategy:\n"
      "    type: InPlaceIfPossible\n"
      "    partition: \"40%\"\n"
      "    maxUnavailable: 30%\n"
      "    maxSurge: 1\n"
      "    inPlaceUpdateStrategy:\n"
      "      gracePeriodSeconds: 10\n"
      "    priorityStrategy:\n"
      "      weightPriority:\n"
      "        - weight: 50\n"
      "          matchSelector:\n"
      "            matchLabels: {zone: a}\n"
      "        - weight: 10\n"
      "          matchSelector:\n"
      "            matchLabels: {zone: b}\n"
      "    scatterStrategy:\n"
      "      - key: zone\n"
      "        value: a\n"
      "  lifecycle:\n"
      "    preDelete:\n"
      "      finalizersHandler: [example.com/drain]\n"
      "  template:\n"
      "    metadata:\n"
      "      labels: {app: cart}\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: cart\n"
      "          image: registry.example.com/cart:v3\n"
      "          readinessProbe:\n"
      "            tcpSocket: {port: 8080}\n"
      "            periodSeconds: 0\n"
      "          lifecycle:\n"
      "            preStop:\n"
      "              sleep: {seconds: 5}\n",
      "cart.yaml");
  const auto read = read_cloneset(doc, kImages);
  const model::CloneSetSpec& c = read.spec;
  CHECK(c.name == "cart");
  CHECK(c.replicas == 10);
  CHECK(c.type == model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(c.partition == model::IntOrPercent::percent(40));
  CHECK(c.partition.scaled(10, true) == 4);  // pods kept on the old revision
  CHECK(c.maxUnavailable == model::IntOrPercent::percent(30));
  CHECK(c.maxUnavailable.scaled(10, false) == 3);  // maxSurge > 0: rounds down
  CHECK(c.maxSurge == model::IntOrPercent::integer(1));
  CHECK(c.scaleMaxUnavailable == model::IntOrPercent::integer(2));
  CHECK(c.gracePeriodSeconds == 10);
  CHECK(c.minReadySeconds == 10);
  CHECK(c.progressDeadlineSeconds == 900);
  REQUIRE(c.priorityStrategy.has_value());
  REQUIRE(c.priorityStrategy->weightPriority.size() == 2);
  CHECK(c.priorityStrategy->weightPriority[0].weight == 50);
  CHECK(c.priorityStrategy->weightPriority[0].matchLabels ==
        std::map<std::string, std::string>{{"zone", "a"}});
  CHECK(c.priorityStrategy->weightPriority[1].weight == 10);
  CHECK(c.priorityStrategy->orderPriority.empty());
  REQUIRE(c.scatterStrategy.size() == 1);
  CHECK(c.scatterStrategy[0].key == "zone");
  CHECK(c.scatterStrategy[0].value == "a");
  CHECK_FALSE(c.imagePreDownload.enabled);  // a feature gate, not a manifest field
  CHECK(c.imagePreDownload.parallelism == 5);
  CHECK(c.imagePreDownload.timeoutSeconds == 600);
  CHECK(c.imagePreDownload.minUpdatedReadyPods == model::IntOrPercent::integer(2));

  const model::ContainerSpec& cart = c.template_.containers.at(0);
  REQUIRE(cart.readinessProbe.has_value());
  CHECK(cart.readinessProbe->periodSeconds == 10);  // 0 is unset: the API default
  CHECK(seconds(cart.preStop) == 5);

  const auto& ignored = read.ignored_fields;
  CHECK(contains(ignored, "metadata.annotations.owner"));
  CHECK_FALSE(
      contains(ignored, "metadata.annotations.apps.kruise.io/image-predownload-parallelism"));
  CHECK(contains(ignored, "spec.selector"));
  CHECK(contains(ignored, "spec.lifecycle"));
  CHECK(contains(ignored, "spec.scaleStrategy.podsToDelete"));
  CHECK(contains(ignored, "spec.template.spec.containers[0].readinessProbe.tcpSocket"));
}

TEST_CASE("A CloneSet in the v1beta1 layout", "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps.kruise.io/v1beta1\n"
      "kind: CloneSet\n"
      "metadata:\n"
      "  name: cart\n"
      "  annotations:\n"
      "    apps.kruise.io/image-predownload-parallelism: \"9\"\n"
      "spec:\n"
      "  replicas: 4\n"
      "  scaleStrategy: {enablePVCReuse: true}\n"
      "  updateStrategy:\n"
      "    type: RollingUpdate\n"
      "    rollingUpdate:\n"
      "      podUpdatePolicy: InPlaceOnly\n"
      "      partition: 12.5%\n"
      "      maxUnavailable: 1\n"
      "      paused: true\n"
      "      priorityStrategy:\n"
      "        orderPriority:\n"
      "          - orderedKey: priority\n"
      "      inPlaceUpdateStrategy:\n"
      "        gracePeriodSeconds: 5\n"
      "        imagePreDownloadParallelism: \"3\"\n"
      "        imagePreDownloadTimeoutSeconds: 120\n"
      "        imagePreDownloadMinUpdatedReadyPods: 1\n"
      "  template:\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: cart\n"
      "          image: registry.example.com/cart:v3\n",
      "cart.yaml");
  const auto read = read_cloneset(doc, kImages);
  const model::CloneSetSpec& c = read.spec;
  CHECK(c.type == model::CloneSetUpdateType::InPlaceOnly);
  CHECK(c.partition == model::IntOrPercent::percent(12.5));  // Kruise takes fractions here
  CHECK(c.partition.scaled(4, true) == 1);                   // ceil(0.5)
  CHECK(c.maxUnavailable == model::IntOrPercent::integer(1));
  CHECK(c.maxSurge == model::IntOrPercent::integer(0));
  CHECK(c.paused);
  REQUIRE(c.priorityStrategy.has_value());
  CHECK(c.priorityStrategy->orderPriority == std::vector<std::string>{"priority"});
  CHECK(c.gracePeriodSeconds == 5);
  // From the spec fields; the v1alpha1 annotation is ignored in v1beta1.
  CHECK(c.imagePreDownload.parallelism == 3);
  CHECK(c.imagePreDownload.timeoutSeconds == 120);
  CHECK(c.imagePreDownload.minUpdatedReadyPods == model::IntOrPercent::integer(1));
  CHECK(contains(read.ignored_fields,
                 "metadata.annotations.apps.kruise.io/image-predownload-parallelism"));
  CHECK(contains(read.ignored_fields, "spec.scaleStrategy.enablePVCReuse"));
}

TEST_CASE("The Kruise webhook rounds up when it checks maxUnavailable and maxSurge", "[loader]") {
  // 10% of 5 replicas is ceil(0.5) = 1: accepted, though the controller may round it down.
  const Node doc = parse_yaml(
      "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: cart}\nspec:\n"
      "  replicas: 5\n  updateStrategy: {maxUnavailable: 10%, maxSurge: 0}\n"
      "  template: {spec: {containers: [{name: cart, image: 'registry.example.com/cart:v3'}]}}\n",
      "cart.yaml");
  CHECK(read_cloneset(doc, kImages).spec.maxUnavailable == model::IntOrPercent::percent(10));
  // 0 replicas: nothing to update, no rule.
  const Node none = parse_yaml(
      "apiVersion: apps.kruise.io/v1alpha1\nkind: CloneSet\nmetadata: {name: cart}\nspec:\n"
      "  replicas: 0\n  updateStrategy: {maxUnavailable: 0}\n"
      "  template: {spec: {containers: [{name: cart, image: 'registry.example.com/cart:v3'}]}}\n",
      "cart.yaml");
  CHECK(read_cloneset(none, kImages).spec.replicas == 0);
}

TEST_CASE("A manifest inside a scenario reports scenario paths", "[loader]") {
  const Node scenario = parse_yaml(
      "workloads:\n"
      "  web:\n"
      "    apiVersion: apps/v1\n"
      "    kind: Deployment\n"
      "    metadata: {name: web}\n"
      "    spec:\n"
      "      replicas: lots\n"
      "      selector: {matchLabels: {app: web}}\n"
      "      template: {spec: {containers: [{name: web, image: 'web:v1'}]}}\n",
      "scenario.yaml");
  const Node web = scenario.required("workloads").required("web");
  CHECK(error_of([&] { loader::read_workload(web, kImages); }) ==
        "scenario.yaml:7:17: workloads.web.spec.replicas: expected an integer, got 'lots'");
}

TEST_CASE("Image pull policy defaults and preStop sleeps", "[loader]") {
  using loader::default_pull_policy;
  using model::ImagePullPolicy;
  CHECK(default_pull_policy("nginx") == ImagePullPolicy::Always);
  CHECK(default_pull_policy("nginx:latest") == ImagePullPolicy::Always);
  CHECK(default_pull_policy("nginx:1.25") == ImagePullPolicy::IfNotPresent);
  CHECK(default_pull_policy("registry:5000/app") == ImagePullPolicy::Always);  // a port, no tag
  CHECK(default_pull_policy("registry:5000/app:v1") == ImagePullPolicy::IfNotPresent);
  CHECK(default_pull_policy("app@sha256:0123abcd") == ImagePullPolicy::IfNotPresent);

  using loader::sleep_seconds;
  using V = std::vector<std::string>;
  CHECK(sleep_seconds(V{"sleep", "5"}) == 5.0);
  CHECK(sleep_seconds(V{"/bin/sleep", "2.5"}) == 2.5);
  CHECK(sleep_seconds(V{"sleep", ".5"}) == 0.5);
  CHECK(sleep_seconds(V{"sleep", "1d"}) == 86400.0);
  CHECK(sleep_seconds(V{"sh", "-c", "sleep 10"}) == 10.0);
  CHECK(sleep_seconds(V{"/bin/sh", "-c", " sleep 1m; "}) == 60.0);
  CHECK_FALSE(sleep_seconds(V{"sh", "-c", "sleep 5 && nginx -s quit"}).has_value());
  CHECK_FALSE(sleep_seconds(V{"sleep", "5", "6"}).has_value());
  CHECK_FALSE(sleep_seconds(V{"sleep", "abc"}).has_value());
  CHECK_FALSE(sleep_seconds(V{"sleep", "5.5.5"}).has_value());
  CHECK_FALSE(sleep_seconds(V{"sleep"}).has_value());
  CHECK_FALSE(sleep_seconds(V{"/app", "drain"}).has_value());
}

TEST_CASE("Unknown keys of PodSpec and Container are taken for newer fields", "[loader]") {
  // Not misspellings of a known field: kept, not rejected; a prefix is not a misspelling.
  const Node doc = parse_yaml(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
      "    spec:\n      schedulingHints: {gpu: none}\n      containers:\n        - name: web\n"
      "          image: web:v1\n          environment: prod\n",
      "web.yaml");
  const auto read = read_deployment(doc, kImages);
  CHECK(read.spec.template_.other_fields.at("schedulingHints") == canonical("{gpu: none}"));
  CHECK(read.spec.template_.containers.at(0).other_fields.at("environment") == "prod");
  CHECK(read.ignored_fields ==
        std::vector<std::string>{"spec.template.spec.schedulingHints",
                                 "spec.template.spec.containers[0].environment"});
}

TEST_CASE("A preStop hook podsim cannot time takes no time and is listed", "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
      "    spec:\n      containers:\n        - name: web\n          image: web:v1\n"
      "          lifecycle:\n            preStop:\n              httpGet: {path: /drain, port: "
      "80}\n",
      "web.yaml");
  const auto read = read_deployment(doc, kImages);
  const auto& c = read.spec.template_.containers.at(0);
  CHECK(seconds(c.preStop) == 0);
  CHECK(c.other_fields.at("lifecycle.preStop") == canonical("{httpGet: {path: /drain, port: 80}}"));
  CHECK(read.ignored_fields ==
        std::vector<std::string>{"spec.template.spec.containers[0].lifecycle.preStop"});
}

namespace {

// A Deployment with `spec` lines from line 6, container lines from line 11 (indent 10; indent 6
// makes them pod spec keys) and metadata lines after `name: web` (line 5 on, shifting the rest).
std::string deployment(const std::string& spec, const std::string& container = "",
                       const std::string& meta = "") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n" + meta + "spec:\n" +
         spec +
         "  template:\n    spec:\n      containers:\n        - name: web\n"
         "          image: web:v1\n" +
         container;
}

// A CloneSet with 5 replicas and `spec` lines from line 7 (metadata lines from line 5 shift it).
std::string cloneset(const std::string& spec, const std::string& meta = "",
                     const std::string& api = "apps.kruise.io/v1alpha1") {
  return "apiVersion: " + api + "\nkind: CloneSet\nmetadata:\n  name: cart\n" + meta +
         "spec:\n  replicas: 5\n" + spec +
         "  template:\n    spec:\n      containers:\n        - name: cart\n"
         "          image: registry.example.com/cart:v3\n";
}

}  // namespace

TEST_CASE("Bad Deployments give the file, line, column and bad value", "[loader]") {
  struct Case {
    std::string yaml;
    const char* message;
  };
  const std::string rolling = "  strategy:\n    rollingUpdate:\n";
  const std::vector<Case> cases{
      {deployment("  replicas: -1\n"),
       "d.yaml:6:13: spec.replicas: must be between 0 and 2147483647, got -1"},
      {deployment("  stratgy: {}\n"),
       "d.yaml:6:3: unknown key 'stratgy' in spec (did you mean 'strategy'?)"},
      {deployment("  strategy:\n    type: Rollingupdate\n"),
       "d.yaml:7:11: spec.strategy.type: unknown value 'Rollingupdate' (did you mean "
       "'RollingUpdate'?)"},
      {deployment(rolling + "      maxSurge: 1\n      maxUnavilable: 0\n"),
       "d.yaml:9:7: unknown key 'maxUnavilable' in spec.strategy.rollingUpdate (did you mean "
       "'maxUnavailable'?)"},
      {deployment(rolling + "      maxSurge: 0\n      maxUnavailable: 0%\n"),
       "d.yaml:9:23: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0 "
       "(no pod could ever be replaced), got '0%' and maxSurge '0'"},
      {deployment(rolling + "      maxUnavailable: 12.5%\n"),
       "d.yaml:8:23: spec.strategy.rollingUpdate.maxUnavailable: expected a whole percentage such "
       "as 25%, got '12.5%' (no fractions here)"},
      {deployment(rolling + "      maxSurge: \"5\"\n"),
       "d.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: expected an integer or a percentage "
       "such as 25%, got the string '5' (a number in quotes is a string, which the API server "
       "rejects: write 5 or '5%')"},
      {deployment(rolling + "      maxUnavailable: 150%\n"),
       "d.yaml:8:23: spec.strategy.rollingUpdate.maxUnavailable: must not be greater than 100%, "
       "got '150%'"},
      {deployment(rolling + "      maxSurge: -1\n"),
       "d.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: must not be negative, got -1"},
      {deployment(rolling + "      maxSurge: -10%\n"),
       "d.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: must not be negative, got '-10%'"},
      {deployment(rolling + "      maxSurge: 1.5\n"),
       "d.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: expected an integer or a percentage "
       "such as 25%, got '1.5'"},
      {deployment(rolling + "      maxSurge: 25 %\n"),
       "d.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: expected an integer or a percentage "
       "such as 25%, got '25 %'"},
      {deployment("  strategy:\n    type: Recreate\n    rollingUpdate:\n      maxSurge: 1\n"),
       "d.yaml:8:5: spec.strategy.rollingUpdate: may not be specified when strategy type is "
       "'Recreate' (the API server rejects it)"},
      {deployment("  minReadySeconds: 10\n  progressDeadlineSeconds: 10\n"),
       "d.yaml:7:28: spec.progressDeadlineSeconds: must be greater than minReadySeconds (10), got "
       "10"},
      {deployment("  minReadySeconds: 900\n"),
       "d.yaml:6:20: spec.minReadySeconds: must be less than progressDeadlineSeconds (600 by "
       "default), got 900"},
      {"apiVersion: extensions/v1beta1\n" + deployment("").substr(20),
       "d.yaml:1:13: apiVersion: podsim reads a Deployment as apps/v1, got 'extensions/v1beta1'"},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nsepc: {}\n",
       "d.yaml:5:1: unknown key 'sepc' at the top level (did you mean 'spec'?)"},
      {deployment("", "", "  lables: {app: web}\n"),
       "d.yaml:5:3: unknown key 'lables' in metadata (did you mean 'labels'?)"},
      {"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generateName: web-\nspec: {}\n",
       "d.yaml:4:3: missing required key 'name' in metadata"},
      {deployment("", "          imagePullPolicy: Sometimes\n"),
       "d.yaml:11:28: spec.template.spec.containers[0].imagePullPolicy: unknown value 'Sometimes' "
       "(allowed: Always, IfNotPresent, Never)"},
      {deployment("", "          imagePullPolicyy: Always\n"),
       "d.yaml:11:11: unknown key 'imagePullPolicyy' in spec.template.spec.containers[0] (did you "
       "mean 'imagePullPolicy'?)"},
      {deployment("", "          readinesProbe: {}\n"),
       "d.yaml:11:11: unknown key 'readinesProbe' in spec.template.spec.containers[0] (did you "
       "mean 'readinessProbe'?)"},
      {deployment("", "      nodeSelecter: {disk: ssd}\n"),
       "d.yaml:11:7: unknown key 'nodeSelecter' in spec.template.spec (did you mean "
       "'nodeSelector'?)"},
      {deployment("", "          volumeMount: []\n"),
       "d.yaml:11:11: unknown key 'volumeMount' in spec.template.spec.containers[0] (did you "
       "mean 'volumeMounts'?)"},
      {deployment("", "          Image: web:v2\n"),
       "d.yaml:11:11: unknown key 'Image' in spec.template.spec.containers[0] (did you mean "
       "'image'?)"},
      {deployment("", "      initContainer: []\n"),
       "d.yaml:11:7: unknown key 'initContainer' in spec.template.spec (did you mean "
       "'initContainers'?)"},
      {deployment("", "          resources:\n            requests:\n              cpu: 12Qi\n"),
       "d.yaml:13:20: spec.template.spec.containers[0].resources.requests.cpu: invalid quantity "
       "'12Qi': unknown suffix 'Qi' (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an "
       "exponent such as e3)"},
      {deployment("", "          resources:\n            request: {cpu: 1}\n"),
       "d.yaml:12:13: unknown key 'request' in spec.template.spec.containers[0].resources (did you "
       "mean 'requests'?)"},
      {deployment("",
                  "          readinessProbe:\n            tcpSocket: {port: 80}\n"
                  "            periodSeconds: -1\n"),
       "d.yaml:13:28: spec.template.spec.containers[0].readinessProbe.periodSeconds: must be "
       "between 0 and 2147483647, got -1"},
      {deployment("", "          readinessProbe:\n            periodSeconds: 5\n"),
       "d.yaml:12:13: spec.template.spec.containers[0].readinessProbe: a probe needs a handler: "
       "exec, httpGet, tcpSocket or grpc (the API server rejects a probe without one)"},
      {deployment("",
                  "          readinessProbe:\n            exec: {command: [cat, /ready]}\n"
                  "            terminationGracePeriodSeconds: 5\n"),
       "d.yaml:13:44: "
       "spec.template.spec.containers[0].readinessProbe.terminationGracePeriodSeconds: "
       "must not be set for readinessProbes (the API server rejects it)"},
      {deployment("",
                  "          startupProbe:\n            exec: {command: [cat, /started]}\n"
                  "            successThreshold: 2\n"),
       "d.yaml:13:31: spec.template.spec.containers[0].startupProbe.successThreshold: must be 1 "
       "for startupProbes (the API server rejects any other value), got 2"},
      {deployment("",
                  "          livenessProbe:\n            tcpSocket: {port: 80}\n"
                  "            successThreshold: 3\n"),
       "d.yaml:13:31: spec.template.spec.containers[0].livenessProbe.successThreshold: must be 1 "
       "for livenessProbes (the API server rejects any other value), got 3"},
      {deployment("",
                  "          livenessProbe:\n            tcpSocket: {port: 80}\n"
                  "            terminationGracePeriodSeconds: 0\n"),
       "d.yaml:13:44: "
       "spec.template.spec.containers[0].livenessProbe.terminationGracePeriodSeconds: must be "
       "between 1 and 2147483647, got 0"},
      {deployment("", "          startupProbe:\n            failureThreshold: 30\n"),
       "d.yaml:12:13: spec.template.spec.containers[0].startupProbe: a probe needs a handler: "
       "exec, httpGet, tcpSocket or grpc (the API server rejects a probe without one)"},
      {deployment("",
                  "          livenessProbe:\n            exec: {command: [true]}\n"
                  "            grpc: {port: 9090}\n"),
       "d.yaml:13:13: exec and grpc both set in "
       "spec.template.spec.containers[0].livenessProbe: a probe takes exactly one"},
      {deployment("",
                  "      initContainers:\n        - name: init\n          image: web:v1\n"
                  "          readinessProbe: {exec: {command: [true]}}\n"),
       "d.yaml:14:27: spec.template.spec.initContainers[0].readinessProbe: may not be set for "
       "init containers without restartPolicy: Always (the API server rejects it)"},
      {deployment("",
                  "      initContainers:\n        - name: init\n          image: web:v1\n"
                  "          livenessProbe:\n            exec: {command: [true]}\n"),
       "d.yaml:15:13: spec.template.spec.initContainers[0].livenessProbe: may not be set for "
       "init containers without restartPolicy: Always (the API server rejects it)"},
      {deployment("",
                  "      initContainers:\n        - name: proxy\n          image: web:v1\n"
                  "          restartPolicy: Always\n"
                  "          startupProbe: {tcpSocket: {port: 1}, successThreshold: 5}\n"),
       "d.yaml:15:66: spec.template.spec.initContainers[0].startupProbe.successThreshold: must "
       "be 1 for startupProbes (the API server rejects any other value), got 5"},
      {deployment("",
                  "      initContainers:\n        - name: proxy\n          image: web:v1\n"
                  "          restartPolicy: Always\n"
                  "          readinessProbe: {tcpSocket: {port: 1}, "
                  "terminationGracePeriodSeconds: 5}\n"),
       "d.yaml:15:81: "
       "spec.template.spec.initContainers[0].readinessProbe.terminationGracePeriodSeconds: "
       "must not be set for readinessProbes (the API server rejects it)"},
      {deployment("",
                  "          lifecycle:\n            preStop:\n"
                  "              exec: {command: [sleep, '5']}\n"
                  "              httpGet: {path: /stop, port: 80}\n"),
       "d.yaml:14:15: exec and httpGet both set in "
       "spec.template.spec.containers[0].lifecycle.preStop: a lifecycle hook takes exactly one"},
      {deployment("", "        - name: web\n          image: web:v1\n"),
       "d.yaml:11:17: spec.template.spec.containers[1].name: duplicate container name 'web' "
       "(first at line 9)"},
      {deployment("", "        - name: side\n          image: sidecar:v9\n"),
       "d.yaml:12:18: spec.template.spec.containers[1].image: unknown image 'sidecar:v9'"},
      {deployment("",
                  "      initContainers:\n        - name: init\n          image: web:v1\n"
                  "          restartPolicy: OnFailure\n"),
       "d.yaml:14:26: spec.template.spec.initContainers[0].restartPolicy: unknown value "
       "'OnFailure' (allowed: Always)"},
      {deployment("",
                  "          env:\n            - name: A\n              value: x\n"
                  "              valueFrom: {fieldRef: {fieldPath: metadata.name}}\n"),
       "d.yaml:14:26: spec.template.spec.containers[0].env[0].valueFrom: may not be specified "
       "when `value` is not empty (the API server rejects both)"},
      {deployment("", "      activeDeadlineSeconds: 60\n"),
       "d.yaml:11:30: spec.template.spec.activeDeadlineSeconds: is not supported in a "
       "Deployment's or CloneSet's pod template (the API server rejects it)"},
      {deployment("", "      restartPolicy: Never\n"),
       "d.yaml:11:22: spec.template.spec.restartPolicy: unknown value 'Never' (allowed: Always)"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    CHECK(error_of([&] { read_deployment(parse_yaml(c.yaml, "d.yaml"), kImages); }) == c.message);
  }
}

TEST_CASE("Bad CloneSets give the file, line, column and bad value", "[loader]") {
  struct Case {
    std::string yaml;
    const char* message;
  };
  const std::string update = "  updateStrategy:\n";
  const std::string weights = update + "    priorityStrategy:\n      weightPriority:\n";
  const std::string beta = "apps.kruise.io/v1beta1";
  const std::vector<Case> cases{
      {cloneset("  updateStratgy:\n    type: InPlaceIfPossible\n"),
       "c.yaml:7:3: unknown key 'updateStratgy' in spec (did you mean 'updateStrategy'?)"},
      {cloneset(update + "    type: Inplaceifpossible\n"),
       "c.yaml:8:11: spec.updateStrategy.type: unknown value 'Inplaceifpossible' (did you mean "
       "'InPlaceIfPossible'?)"},
      {cloneset(update + "    type: Recreate\n"),
       "c.yaml:8:11: spec.updateStrategy.type: unknown value 'Recreate' (did you mean "
       "'ReCreate'?)"},
      {cloneset(update + "    type: OnDelete\n"),
       "c.yaml:8:11: spec.updateStrategy.type: OnDelete is not modelled by podsim (and the "
       "v1alpha1 webhook rejects it); use ReCreate, InPlaceIfPossible or InPlaceOnly"},
      {cloneset(update + "    type: InPlaceOnly\n    maxSurge: 1\n"),
       "c.yaml:9:15: spec.updateStrategy.maxSurge: can not use maxSurge with type InPlaceOnly, "
       "got '1'"},
      {cloneset(update + "    maxUnavailable: 0\n    maxSurge: 0%\n"),
       "c.yaml:8:21: spec.updateStrategy.maxUnavailable: maxUnavailable and maxSurge should not "
       "both be less than 1: with 5 replicas, maxUnavailable '0' gives 0 and maxSurge '0%' gives "
       "0"},
      {cloneset(update + "    maxUnavailable: 0\n"),
       "c.yaml:8:21: spec.updateStrategy.maxUnavailable: maxUnavailable and maxSurge should not "
       "both be less than 1: with 5 replicas, maxUnavailable '0' gives 0 and maxSurge '0' gives "
       "0"},
      {cloneset(update + "    partition: \"5\"\n"),
       "c.yaml:8:16: spec.updateStrategy.partition: expected an integer or a percentage such as "
       "25%, got the string '5' (a number in quotes is a string, which the API server rejects: "
       "write 5 or '5%')"},
      {cloneset(update + "    partition: -1\n"),
       "c.yaml:8:16: spec.updateStrategy.partition: must not be negative, got -1"},
      {cloneset(update + "    maxUnavailable: 12.5%\n"),
       "c.yaml:8:21: spec.updateStrategy.maxUnavailable: expected a whole percentage such as 25%, "
       "got '12.5%' (no fractions here)"},
      {cloneset(update + "    maxUnavilable: 1\n"),
       "c.yaml:8:5: unknown key 'maxUnavilable' in spec.updateStrategy (did you mean "
       "'maxUnavailable'?)"},
      {cloneset("  scaleStrategy:\n    maxUnavailble: 1\n"),
       "c.yaml:8:5: unknown key 'maxUnavailble' in spec.scaleStrategy (did you mean "
       "'maxUnavailable'?)"},
      {cloneset(weights + "        - weight: 50\n          matchSelector:\n"
                          "            matchLabels: {zone: a}\n"
                          "      orderPriority:\n        - orderedKey: tier\n"),
       "c.yaml:13:7: spec.updateStrategy.priorityStrategy.orderPriority: only one of "
       "weightPriority and orderPriority can be used"},
      {cloneset(weights + "        - weight: 101\n          matchSelector:\n"
                          "            matchLabels: {zone: a}\n"),
       "c.yaml:10:19: spec.updateStrategy.priorityStrategy.weightPriority[0].weight: must be "
       "between 0 and 100, got 101"},
      {cloneset(weights + "        - weight: 5\n          matchSelector:\n"
                          "            matchExpressions: []\n"),
       "c.yaml:12:13: spec.updateStrategy.priorityStrategy.weightPriority[0].matchSelector."
       "matchExpressions: not modelled by podsim: select the pods with matchLabels"},
      {cloneset(weights + "        - weight: 5\n          matchSelector: {}\n"),
       "c.yaml:11:26: spec.updateStrategy.priorityStrategy.weightPriority[0].matchSelector: "
       "selector can not be empty (the webhook rejects it)"},
      {cloneset(update + "    scatterStrategy:\n      - key: zone\n        value: a\n"
                         "      - key: zone\n        value: a\n"),
       "c.yaml:11:9: spec.updateStrategy.scatterStrategy[1]: duplicated key=zone value=a"},
      {cloneset(update + "    scatterStrategy:\n      - key: \"\"\n        value: a\n"),
       "c.yaml:9:14: spec.updateStrategy.scatterStrategy[0].key: key should not be empty"},
      {cloneset(update + "    inPlaceUpdateStrategy:\n      imagePreDownloadParallelism: 3\n"),
       "c.yaml:9:7: spec.updateStrategy.inPlaceUpdateStrategy.imagePreDownloadParallelism: is a "
       "v1beta1 field; a v1alpha1 CloneSet sets it with an annotation "
       "(apps.kruise.io/image-predownload-*)"},
      {cloneset("", "  annotations:\n    apps.kruise.io/image-predownload-parallelism: five\n"),
       "c.yaml:6:51: metadata.annotations.apps.kruise.io/image-predownload-parallelism: expected "
       "a whole number such as \"3\", got 'five'"},
      {cloneset("",
                "  annotations:\n"
                "    apps.kruise.io/image-predownload-min-updated-ready-pods: \"10.5%\"\n"),
       "c.yaml:6:62: metadata.annotations.apps.kruise.io/image-predownload-min-updated-ready-pods: "
       "expected a number of pods or a whole percentage such as \"50%\", got '10.5%'"},
      {cloneset("  minReadySeconds: 30\n  progressDeadlineSeconds: 20\n"),
       "c.yaml:8:28: spec.progressDeadlineSeconds: must be greater than minReadySeconds (30), got "
       "20"},
      {cloneset(update + "    rollingUpdate:\n      podUpdatePolicy: InPlaceOnly\n"
                         "      maxSurge: 1\n",
                "", beta),
       "c.yaml:10:17: spec.updateStrategy.rollingUpdate.maxSurge: can not use maxSurge with "
       "podUpdatePolicy InPlaceOnly, got '1'"},
      {cloneset(update + "    type: OnDelete\n", "", beta),
       "c.yaml:8:11: spec.updateStrategy.type: OnDelete is not modelled by podsim; use "
       "RollingUpdate"},
      {cloneset(update + "    type: InPlaceIfPossible\n", "", beta),
       "c.yaml:8:11: spec.updateStrategy.type: 'InPlaceIfPossible' goes in "
       "rollingUpdate.podUpdatePolicy in apps.kruise.io/v1beta1; type is RollingUpdate or "
       "OnDelete"},
      {cloneset(update + "    rollingUpdate:\n      inPlaceUpdateStrategy:\n"
                         "        imagePreDownloadParallelism: 50%\n",
                "", beta),
       "c.yaml:10:38: spec.updateStrategy.rollingUpdate.inPlaceUpdateStrategy."
       "imagePreDownloadParallelism: does not support a percentage, got '50%'"},
      {cloneset("", "", "apps.kruise.io/v1"),
       "c.yaml:1:13: apiVersion: podsim reads a CloneSet as apps.kruise.io/v1alpha1 or "
       "apps.kruise.io/v1beta1, got 'apps.kruise.io/v1'"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    CHECK(error_of([&] { read_cloneset(parse_yaml(c.yaml, "c.yaml"), kImages); }) == c.message);
  }
  std::string negative = cloneset("");
  negative.replace(negative.find("replicas: 5"), 11, "replicas: -3");
  CHECK(error_of([&] { read_cloneset(parse_yaml(negative, "c.yaml"), kImages); }) ==
        "c.yaml:6:13: spec.replicas: must be between 0 and 2147483647, got -3");
}

TEST_CASE("A multi-document file gives its workloads by kind and name", "[loader]") {
  const auto dir = std::filesystem::temp_directory_path() / "podsim_manifest_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "apps.yaml";
  {
    std::ofstream out(path);
    out << "apiVersion: v1\n"
           "kind: Service\n"
           "metadata:\n"
           "  name: web\n"
           "---\n"
           "apiVersion: apps/v1\n"
           "kind: Deployment\n"
           "metadata:\n"
           "  name: web\n"
           "spec:\n"
           "  replicas: 3\n"
           "  template:\n"
           "    spec:\n"
           "      containers:\n"
           "        - name: web\n"
           "          image: registry.example.com/web:v2\n"
           "---\n"
           "# only a comment\n"
           "---\n"
           "apiVersion: v1\n"
           "kind: List\n"
           "items:\n"
           "  - apiVersion: apps.kruise.io/v1alpha1\n"
           "    kind: CloneSet\n"
           "    metadata:\n"
           "      name: cart\n"
           "    spec:\n"
           "      replicas: 4\n"
           "      updateStrategy:\n"
           "        type: InPlaceIfPossible\n"
           "      template:\n"
           "        spec:\n"
           "          containers:\n"
           "            - name: cart\n"
           "              image: registry.example.com/cart:v3\n"
           "  - apiVersion: v1\n"
           "    kind: ConfigMap\n"
           "    metadata:\n"
           "      name: cart-config\n";
  }
  const auto docs = loader::load_workload_documents(path);
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].kind == loader::WorkloadKind::Deployment);
  CHECK(docs[0].name == "web");
  CHECK(docs[1].kind == loader::WorkloadKind::CloneSet);
  CHECK(docs[1].name == "cart");
  CHECK(docs[1].node.path() == "items[0]");

  const Node scenario = parse_yaml("workload: webb\nkind: cart\n", "scenario.yaml");
  const Node at = scenario.required("workload");
  CHECK(&loader::find_workload(docs, "web", std::nullopt, at) == &docs[0]);
  CHECK(&loader::find_workload(docs, "cart", loader::WorkloadKind::CloneSet, at) == &docs[1]);
  CHECK(error_of([&] { loader::find_workload(docs, "webb", std::nullopt, at); }) ==
        fmt::format("scenario.yaml:1:11: workload: no Deployment or CloneSet named 'webb' in {} "
                    "(did you mean 'web'?)",
                    path.string()));
  CHECK(error_of(
            [&] { loader::find_workload(docs, "cart", loader::WorkloadKind::Deployment, at); }) ==
        fmt::format("scenario.yaml:1:11: workload: no Deployment named 'cart' in {} (found: web)",
                    path.string()));

  const auto read = loader::read_workload(docs[1].node, kImages);
  const auto& cart = std::get<model::CloneSetSpec>(read.spec);
  CHECK(cart.replicas == 4);
  CHECK(cart.type == model::CloneSetUpdateType::InPlaceIfPossible);

  const auto all = loader::load_workloads(path, kImages);
  REQUIRE(all.size() == 2);
  CHECK(std::get<model::DeploymentSpec>(all[0].spec).replicas == 3);
  CHECK(std::get<model::DeploymentSpec>(all[0].spec).template_.containers.at(0).image == 2);
  CHECK(std::get<model::CloneSetSpec>(all[1].spec).name == "cart");
  std::filesystem::remove_all(dir);
}

TEST_CASE("Workload documents: typos of a kind and duplicate names are errors", "[loader]") {
  const auto docs_of = [](const char* text) {
    return loader::workload_documents(podsim::loader::parse_yaml_documents(text, "apps.yaml"));
  };
  CHECK(error_of([&] {
          docs_of("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n");
        }) == "apps.yaml:2:7: kind: unknown kind 'Deploymnet' (did you mean 'Deployment'?)");
  CHECK(error_of([&] { docs_of("kind: cloneset\nmetadata: {name: web}\n"); }) ==
        "apps.yaml:1:7: kind: unknown kind 'cloneset' (did you mean 'CloneSet'?)");
  CHECK(error_of([&] {
          docs_of(
              "kind: Deployment\nmetadata: {name: web}\n---\nkind: Deployment\nmetadata: {name: "
              "web}\n");
        }) ==
        "apps.yaml:5:18: metadata.name: a second Deployment named 'web' (the first is at "
        "apps.yaml:2:18)");
  // Other kinds, even with a workload's name in them, are not podsim's business.
  CHECK(docs_of("kind: DeploymentConfig\nmetadata: {name: web}\n---\nkind: StatefulSet\n").empty());
  CHECK(error_of([&] { docs_of("- a\n- b\n"); }) ==
        "apps.yaml:1:1: expected a Kubernetes object (a mapping with apiVersion and kind), got a "
        "sequence");
}

TEST_CASE("Int-or-percent values as Kubernetes and Kruise write them", "[loader]") {
  using model::IntOrPercent;
  const auto value = [](const char* yaml, bool fractions) {
    return parse_yaml(fmt::format("v: {}\n", yaml), "v.yaml")
        .required("v")
        .as_int_or_percent(fractions);
  };
  CHECK(value("3", false) == IntOrPercent::integer(3));
  CHECK(value("0", false) == IntOrPercent::integer(0));
  CHECK(value("25%", false) == IntOrPercent::percent(25));
  CHECK(value("\"25%\"", false) == IntOrPercent::percent(25));
  CHECK(value("150%", false) == IntOrPercent::percent(150));  // maxSurge may pass 100%
  CHECK(value("12.5%", true) == IntOrPercent::percent(12.5));
  CHECK(value(".5%", true) == IntOrPercent::percent(0.5));
  CHECK(value("5.%", true) == IntOrPercent::percent(5));  // as Go's ParseFloat reads it
  struct Case {
    const char* yaml;
    const char* message;
  };
  const std::vector<Case> cases{
      {"2147483648", "v.yaml:1:4: v: must be <= 2147483647, got 2147483648"},
      {"1e2%", "v.yaml:1:4: v: expected an integer or a percentage such as 25%, got '1e2%'"},
      {"+5%", "v.yaml:1:4: v: expected an integer or a percentage such as 25%, got '+5%'"},
      {"'%'", "v.yaml:1:4: v: expected an integer or a percentage such as 25%, got the string '%'"},
      {"abc", "v.yaml:1:4: v: expected an integer or a percentage such as 25%, got 'abc'"},
      {"[1]", "v.yaml:1:4: v: expected an integer or a percentage such as 25%, got a sequence"},
      {"", "v.yaml:1:1: v: expected an integer or a percentage such as 25%, got an empty value"},
      {"'-3'", "v.yaml:1:4: v: must not be negative, got the string '-3'"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    CHECK(error_of([&] { value(c.yaml, true); }) == c.message);
  }
}

TEST_CASE("Reading a manifest leaves its tree as it was", "[loader]") {
  const Node doc = parse_yaml(
      "apiVersion: apps.kruise.io/v1beta1\nkind: CloneSet\nmetadata: {name: cart}\nspec:\n"
      "  updateStrategy:\n    rollingUpdate: {podUpdatePolicy: InPlaceIfPossible}\n"
      "  template: {spec: {containers: [{name: cart, image: 'registry.example.com/cart:v3'}]}}\n",
      "cart.yaml");
  const auto first = read_cloneset(doc, kImages);
  const auto second = read_cloneset(doc, kImages);
  CHECK(first.spec.type == model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(second.spec.type == model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(first.ignored_fields == second.ignored_fields);
}
