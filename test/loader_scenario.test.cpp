#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "podsim/loader/scenario_reader.hpp"

namespace fs = std::filesystem;
namespace experiment = podsim::experiment;
namespace model = podsim::model;
namespace sim = podsim::sim;
using podsim::loader::load_scenario;
using podsim::loader::LoadError;
using podsim::loader::LoadOptions;

namespace {

// A fresh directory per test under the system temp dir, removed at the end. The random suffix
// keeps concurrent test runs (other build directories, ctest -j) apart.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              fs::path("podsim-scenario-" + name + "-" + std::to_string(std::random_device{}()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& relative, const std::string& text) const {
    const fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const experiment::Variant& variant(const experiment::Scenario& s, const std::string& name) {
  for (const auto& v : s.variants) {
    if (v.name == name) return v;
  }
  FAIL("no variant " << name);
  throw;
}

template <class Spec>
const Spec& workload(const experiment::World& w, const std::string& name) {
  for (const auto& spec : w.workloads) {
    if (const auto* s = std::get_if<Spec>(&spec); s && s->name == name) return *s;
  }
  FAIL("no workload " << name);
  throw;
}

double constant_of(const sim::DistributionPtr& d) {
  REQUIRE(d);
  REQUIRE(d->quantile(0.1) == d->quantile(0.9));
  return d->quantile(0.5);
}

std::string image_name(const experiment::World& w, model::ImageId id) {
  return w.catalog.image(id).name;
}

// The scenario used by most tests: one inline CloneSet, one Deployment from a multi-document file.
constexpr const char* kApiManifest = R"(apiVersion: v1
kind: Service
metadata: {name: api}
spec: {ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: other
spec:
  template:
    spec:
      containers: [{name: other, image: registry.example.com/web:v1}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: api}
    spec:
      initContainers:
        - name: migrate
          image: registry.example.com/base:v1
      containers:
        - name: api
          image: registry.example.com/api:v1
          resources:
            requests: {cpu: "1", memory: 2Gi}
)";

constexpr const char* kScenario = R"(name: small
description: two apps on two pools
seed: 7
replications: 3
max_time: 2h
cluster:
  pools:
    workers:
      nodes: 4
      shape: {cpu: 16, memory: 64Gi, max_pods: 50, nic: 25Gbps, image_disk: 200Gi,
              unpack_throughput: 300MB/s, unpack_workers: 2}
      labels: {pool: workers}
      autoscaling: {min: 2, max: 10, provisioning_delay: 90s}
      stages:
        sandbox: 300ms
        app_start: {uniform: {min: 1s, max: 3s}}
    eci:
      kind: elastic
      instances: 100
      shape: {cpu: 4, memory: 8Gi}
      image_cache_snapshot: [registry.example.com/base:v1]
  scheduler:
    percentageOfNodesToScore: 50
    scoringStrategy: {type: MostAllocated}
    podInitialBackoffSeconds: 2
    podMaxBackoffSeconds: 20
    clientConnection: {qps: 100, burst: 200}
    cycle_cost: 20ms
  image_pull:
    serializeImagePulls: false
    maxParallelImagePulls: 4
    registry_bandwidth: 1GB/s
    request_latency: 40ms
    peer_to_peer: true
    max_uploads_per_peer: 3
    imageGCHighThresholdPercent: 90
    imageGCLowThresholdPercent: 70
  controllers:
    kruise-manager: {api_qps: 100, api_burst: 200, api_latency: 20ms, sync_delay: 1ms}
images:
  registry.example.com/base:v1:
    layers:
      - {size: 100MB, unpacked: 250MB, digest: "sha256:base0"}
  registry.example.com/web:v1:
    layers:
      - {size: 100MB, unpacked: 250MB, digest: "sha256:base0"}
      - {size: 50MB}
    lazy_pull: 0.25
  registry.example.com/web:v2:
    from: registry.example.com/web:v1
  registry.example.com/api:v1:
    generate: {size: 1GB, base_share: 0.5, base_layers: 2, app_layers: 2}
workloads:
  web:
    apiVersion: apps.kruise.io/v1alpha1
    kind: CloneSet
    spec:
      replicas: 10
      updateStrategy: {type: ReCreate, maxUnavailable: 2}
      template:
        spec:
          containers:
            - name: web
              image: registry.example.com/web:v1
              resources: {requests: {cpu: 500m, memory: 1Gi}}
    behavior:
      web: {app_start: 2s, shutdown: 1s}
  api:
    manifest: apps/api.yaml
    behavior:
      migrate: {run_time: 5s}
releases:
  - name: web-v2
    workload: web
    at: 60s
    images: {web: registry.example.com/web:v2}
    batches: 3
    batch_pause: 30s
    prewarm: {parallelism: 5, lead: 1m}
  - workload: api
    replicas: 6
variants:
  recreate: {description: recreate pods}
  inplace:
    description: in place
    set:
      workloads.web.spec.updateStrategy.type: InPlaceIfPossible
      workloads.api.spec.replicas: 4
compare:
  - [recreate, inplace]
)";

}  // namespace

TEST_CASE("Scenario: a complete file read into the experiment's structures", "[loader][scenario]") {
  TempDir dir("complete");
  dir.write("apps/api.yaml", kApiManifest);
  const fs::path file = dir.write("small.yaml", kScenario);
  std::vector<std::string> ignored;
  const experiment::Scenario s = load_scenario(file, {}, LoadOptions{.ignored_fields = &ignored});

  CHECK(s.name == "small");
  CHECK(s.description == "two apps on two pools");
  CHECK(s.file == file.string());
  CHECK(s.seed == 7);
  CHECK(s.replications == 3);
  REQUIRE(s.variants.size() == 2);
  CHECK(s.variants[0].name == "recreate");
  CHECK(s.variants[0].description == "recreate pods");
  CHECK(s.variants[1].name == "inplace");
  REQUIRE(s.comparisons.size() == 1);
  CHECK(s.comparisons[0].baseline == "recreate");
  CHECK(s.comparisons[0].candidate == "inplace");

  const experiment::World& w = s.variants[0].world;
  CHECK(w.max_time == sim::seconds(7200));

  // Cluster.
  REQUIRE(w.cluster.pools.size() == 2);
  const model::NodePoolSpec& workers = w.cluster.pools[0];
  CHECK(workers.name == "workers");
  CHECK(workers.kind == model::NodePoolKind::regular);
  CHECK(workers.count == 4);
  CHECK(workers.shape.allocatable == model::Resources{16000, 64LL << 30});
  CHECK(workers.shape.max_pods == 50);
  CHECK(workers.shape.nic_bytes_per_s == 25e9 / 8);
  CHECK(workers.shape.image_disk_bytes == 200ULL << 30);
  CHECK(workers.shape.unpack_bytes_per_s == 300e6);
  CHECK(workers.shape.unpack_workers == 2);
  CHECK(workers.labels == std::map<std::string, std::string>{{"pool", "workers"}});
  REQUIRE(workers.autoscaling);
  CHECK(workers.autoscaling->min_nodes == 2);
  CHECK(workers.autoscaling->max_nodes == 10);
  CHECK(constant_of(workers.autoscaling->provisioning_delay) == 90);
  CHECK(constant_of(workers.profile.get("sandbox")) == 0.3);
  CHECK(workers.profile.get("app_start")->quantile(0.5) == 2.0);
  // Stages left out keep the defaults (lognormal, median 0.35 s for container_start).
  CHECK(workers.profile.get("container_start")->quantile(0.5) == Approx(0.35));
  const model::NodePoolSpec& eci = w.cluster.pools[1];
  CHECK(eci.kind == model::NodePoolKind::elastic);
  CHECK(eci.count == 100);
  CHECK(eci.shape.max_pods == 110);  // defaults
  CHECK(eci.shape.nic_bytes_per_s == 1.25e9);
  REQUIRE(eci.image_cache_snapshot.size() == 1);
  CHECK(image_name(w, eci.image_cache_snapshot[0]) == "registry.example.com/base:v1");

  const model::SchedulerConfig& sched = w.cluster.scheduler;
  CHECK(sched.percentageOfNodesToScore == 50);
  CHECK(sched.scoringStrategy == model::ScoringStrategy::MostAllocated);
  CHECK(sched.podInitialBackoff == sim::seconds(2));
  CHECK(sched.podMaxBackoff == sim::seconds(20));
  CHECK(sched.qps == 100);
  CHECK(sched.burst == 200);
  CHECK(constant_of(sched.cycle_cost) == 0.02);
  CHECK(constant_of(sched.binding_latency) == 0.005);  // default

  const model::ImagePullConfig& pull = w.cluster.image_pull;
  CHECK_FALSE(pull.serializeImagePulls);
  CHECK(pull.maxParallelImagePulls == 4u);
  CHECK(pull.max_concurrent_downloads == 3);
  CHECK(pull.registry_bytes_per_s == 1e9);
  CHECK(pull.request_latency == sim::milliseconds(40));
  CHECK(pull.peer_to_peer);
  CHECK(pull.max_uploads_per_peer == 3);
  CHECK(pull.image_gc.imageGCHighThresholdPercent == 90);
  CHECK(pull.image_gc.imageGCLowThresholdPercent == 70);

  CHECK(w.controllers.kruise_manager.api_qps == 100);
  CHECK(w.controllers.kruise_manager.api_burst == 200);
  CHECK(w.controllers.kruise_manager.api_latency == sim::milliseconds(20));
  CHECK(w.controllers.kruise_manager.sync_delay == sim::milliseconds(1));
  CHECK(w.controllers.kube_controller_manager.api_qps == 20);  // default

  // Images: the base layer is shared by digest; web:v2 replaces web:v1's top layer.
  REQUIRE(w.catalog.image_count() == 4);
  const model::Image& web1 = w.catalog.image(w.catalog.find_image("registry.example.com/web:v1"));
  const model::Image& web2 = w.catalog.image(w.catalog.find_image("registry.example.com/web:v2"));
  const model::Image& base = w.catalog.image(w.catalog.find_image("registry.example.com/base:v1"));
  REQUIRE(web1.layers.size() == 2);
  CHECK(web1.layers[0] == base.layers[0]);
  CHECK(w.catalog.layer(web1.layers[1]).compressed_bytes == 50'000'000);
  CHECK(w.catalog.layer(web1.layers[1]).unpacked_bytes == 130'000'000);  // 2.6x by default
  REQUIRE(web2.layers.size() == 2);
  CHECK(web2.layers[0] == web1.layers[0]);
  CHECK(web2.layers[1] != web1.layers[1]);
  CHECK(web2.compressed_bytes == web1.compressed_bytes);
  const model::Image& api = w.catalog.image(w.catalog.find_image("registry.example.com/api:v1"));
  REQUIRE(api.layers.size() == 4);
  CHECK(api.compressed_bytes == 1'000'000'000);
  CHECK(w.catalog.layer(api.layers[0]).compressed_bytes == 250'000'000);
  REQUIRE(w.lazy_pull.size() == 1);
  CHECK(w.lazy_pull[0].first == web1.id);
  CHECK(w.lazy_pull[0].second == 0.25);

  // Workloads, in file order: the inline CloneSet, then the Deployment from the file.
  REQUIRE(w.workloads.size() == 2);
  const auto& web = workload<model::CloneSetSpec>(w, "web");
  CHECK(web.replicas == 10);
  CHECK(web.type == model::CloneSetUpdateType::ReCreate);
  CHECK(web.maxUnavailable == model::IntOrPercent::integer(2));
  REQUIRE(web.template_.containers.size() == 1);
  const model::ContainerSpec& web_c = web.template_.containers[0];
  CHECK(web_c.image == web1.id);
  CHECK(web_c.requests == model::Resources{500, 1LL << 30});
  CHECK(constant_of(web_c.app_start) == 2);
  CHECK(constant_of(web_c.shutdown) == 1);
  CHECK_FALSE(web_c.preStop);
  const auto& api_d = workload<model::DeploymentSpec>(w, "api");
  CHECK(api_d.replicas == 3);
  CHECK(api_d.maxSurge == model::IntOrPercent::integer(1));
  CHECK(api_d.maxUnavailable == model::IntOrPercent::integer(0));
  REQUIRE(api_d.template_.initContainers.size() == 1);
  CHECK(constant_of(api_d.template_.initContainers[0].run_time) == 5);
  CHECK(api_d.template_.containers[0].image == api.id);

  // Releases: batches of ceil(10 k / 3) pods leave partitions 6, 3, 0.
  REQUIRE(w.releases.size() == 2);
  const experiment::ReleasePlan& r1 = w.releases[0];
  CHECK(r1.spec.name == "web-v2");
  CHECK(r1.spec.workload == "web");
  CHECK(constant_of(r1.at) == 60);
  REQUIRE(r1.spec.new_template);
  CHECK(r1.spec.new_template->containers[0].image == web2.id);
  CHECK(constant_of(r1.spec.new_template->containers[0].app_start) == 2);  // behaviour kept
  CHECK_FALSE(r1.spec.replicas);
  CHECK(r1.spec.partition_steps ==
        std::vector<model::IntOrPercent>{model::IntOrPercent::integer(6),
                                         model::IntOrPercent::integer(3),
                                         model::IntOrPercent::integer(0)});
  CHECK(constant_of(r1.spec.batch_pause) == 30);
  CHECK(r1.spec.prewarm.enabled);
  CHECK(r1.spec.prewarm.parallelism == 5);
  CHECK(r1.spec.prewarm.lead == sim::seconds(60));
  const experiment::ReleasePlan& r2 = w.releases[1];
  CHECK(r2.spec.name == "release-2");
  CHECK(r2.spec.workload == "api");
  CHECK(r2.spec.replicas == 6);
  CHECK_FALSE(r2.spec.new_template);
  CHECK(r2.spec.partition_steps.empty());
  CHECK(constant_of(r2.at) == 0);

  // The variant's overrides reach the inline manifest and the one from the file.
  const experiment::World& inplace = variant(s, "inplace").world;
  CHECK(workload<model::CloneSetSpec>(inplace, "web").type ==
        model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(workload<model::DeploymentSpec>(inplace, "api").replicas == 4);
  CHECK(workload<model::DeploymentSpec>(w, "api").replicas == 3);

  // What podsim does not read is listed once (both variants read it), by its path in the tree.
  CHECK(ignored == std::vector<std::string>{"workloads.api.spec.revisionHistoryLimit"});
}

TEST_CASE("Scenario: --set applies to every variant, after the variant's own overrides",
          "[loader][scenario]") {
  TempDir dir("set");
  dir.write("apps/api.yaml", kApiManifest);
  const fs::path file = dir.write("small.yaml", kScenario);
  // Another manifest for api, named from the command line by an absolute path.
  std::string other = kApiManifest;
  other.replace(other.find("replicas: 3"), 11, "replicas: 12");
  const fs::path other_file = dir.write("elsewhere/api.yaml", other);

  const experiment::Scenario s =
      load_scenario(file, {"cluster.pools.workers.nodes=8", "workloads.api.spec.replicas=9",
                           "replications=2", "releases[0].at={uniform: {min: 1m, max: 2m}}"});
  CHECK(s.replications == 2);
  for (const auto& v : s.variants) {
    INFO(v.name);
    CHECK(v.world.cluster.pools[0].count == 8);
    // The variant inplace sets 4; the command line wins.
    CHECK(workload<model::DeploymentSpec>(v.world, "api").replicas == 9);
    CHECK(v.world.releases[0].at->quantile(0.5) == 90);
  }
  CHECK(workload<model::CloneSetSpec>(variant(s, "inplace").world, "web").type ==
        model::CloneSetUpdateType::InPlaceIfPossible);

  const experiment::Scenario swapped =
      load_scenario(file, {"workloads.api.manifest=" + other_file.string()});
  CHECK(workload<model::DeploymentSpec>(variant(swapped, "recreate").world, "api").replicas == 12);
  CHECK(workload<model::DeploymentSpec>(variant(swapped, "inplace").world, "api").replicas == 4);

  // Without variants, the scenario is one variant named base.
  std::string single = kScenario;
  single.erase(single.find("variants:"));
  const experiment::Scenario base = load_scenario(dir.write("single.yaml", single));
  REQUIRE(base.variants.size() == 1);
  CHECK(base.variants[0].name == "base");
  CHECK(base.comparisons.empty());
  CHECK(base.seed == 7);
}

namespace {

constexpr const char* kFleetScenario = R"(seed: 42
cluster:
  pools:
    bare: {nodes: 10, shape: {cpu: 64, memory: 256Gi}}
images:
  registry.example.com/proxy:v1:
    layers: [{size: 20MB}]
fleets:
  fn:
    count: 12
    template:
      apiVersion: apps.kruise.io/v1alpha1
      kind: CloneSet
      spec:
        replicas: 2
        updateStrategy: {type: ReCreate}
        template:
          spec:
            containers:
              - name: app
                image: app-image
                env: [{name: MODE, value: a}]
              - name: proxy
                image: registry.example.com/proxy:v1
      behavior:
        app: {app_start: 500ms}
    replicas: {lognormal: {median: 3, p90: 20}}
    images:
      registry: registry.example.com/apps
      size: {lognormal: {median: 200MB, p90: 1GB}}
      bases: 2
waves:
  - name: w1
    workloads: fn
    at: {uniform: {min: 0s, max: 10m}}
    batches: 2
  - name: w2
    workloads: [fn-0, fn-1, fn-2, fn-3]
    at: [1h, 2h, 3h, 4h]
    change:
      - {weight: 1, next_image: true}
      - {weight: 1, set: {"spec.containers[0].env[0].value": b}}
variants:
  recreate: {}
  inplace:
    set: {fleets.fn.template.spec.updateStrategy.type: InPlaceIfPossible}
)";

// What a fleet generated, in comparable form.
struct FleetApp {
  std::string name;
  std::int32_t replicas;
  std::string image;
  std::uint64_t image_bytes;
  std::string next_image;
  bool operator==(const FleetApp&) const = default;
};

std::vector<FleetApp> fleet_apps(const experiment::World& w) {
  std::vector<FleetApp> out;
  for (const auto& spec : w.workloads) {
    const auto& c = std::get<model::CloneSetSpec>(spec);
    const model::Image& image = w.catalog.image(c.template_.containers[0].image);
    std::string next;
    for (const auto& r : w.releases) {
      if (r.spec.name == "w1/" + c.name)
        next = image_name(w, r.spec.new_template->containers[0].image);
    }
    out.push_back({c.name, c.replicas, image.name, image.compressed_bytes, next});
  }
  return out;
}

}  // namespace

TEST_CASE("Scenario: a fleet's apps are the same in every load, variant and replication",
          "[loader][scenario]") {
  TempDir dir("fleet");
  const fs::path file = dir.write("fleet.yaml", kFleetScenario);
  const experiment::Scenario a = load_scenario(file);
  const experiment::Scenario b = load_scenario(file);
  const auto apps = fleet_apps(a.variants[0].world);
  REQUIRE(apps.size() == 12);
  CHECK(apps == fleet_apps(b.variants[0].world));
  CHECK(apps == fleet_apps(a.variants[1].world));

  const experiment::World& w = a.variants[0].world;
  bool mixed_replicas = false, mixed_sizes = false;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    INFO(apps[i].name);
    CHECK(apps[i].name == "fn-" + std::to_string(i));
    CHECK(apps[i].image == "registry.example.com/apps/fn-" + std::to_string(i) + ":v1");
    CHECK(apps[i].next_image == "registry.example.com/apps/fn-" + std::to_string(i) + ":v2");
    CHECK(apps[i].replicas >= 1);
    mixed_replicas = mixed_replicas || apps[i].replicas != apps[0].replicas;
    mixed_sizes = mixed_sizes || apps[i].image_bytes != apps[0].image_bytes;
    const auto& c = std::get<model::CloneSetSpec>(w.workloads[i]);
    // The sidecar keeps its image; behaviour applies to every app.
    CHECK(image_name(w, c.template_.containers[1].image) == "registry.example.com/proxy:v1");
    CHECK(constant_of(c.template_.containers[0].app_start) == 0.5);
  }
  CHECK(mixed_replicas);
  CHECK(mixed_sizes);
  // Apps k and k + 2 share their base (bases: 2), and the next version keeps it.
  const auto layers = [&](std::size_t app) {
    return w.catalog
        .image(std::get<model::CloneSetSpec>(w.workloads[app]).template_.containers[0].image)
        .layers;
  };
  CHECK(layers(0)[0] == layers(2)[0]);
  CHECK(layers(0)[0] != layers(1)[0]);

  // The variant's override reaches the fleet's template.
  CHECK(std::get<model::CloneSetSpec>(a.variants[1].world.workloads[5]).type ==
        model::CloneSetUpdateType::InPlaceIfPossible);

  // Waves: one release per app, batch steps from each app's replicas, times as written.
  REQUIRE(w.releases.size() == 12 + 4);
  for (std::size_t i = 0; i < 12; ++i) {
    const auto& r = w.releases[i].spec;
    CHECK(r.name == "w1/fn-" + std::to_string(i));
    const std::int32_t n = apps[i].replicas;
    const std::vector<model::IntOrPercent> steps =
        n == 1 ? std::vector{model::IntOrPercent::integer(0)}
               : std::vector{model::IntOrPercent::integer(n - (n + 1) / 2),
                             model::IntOrPercent::integer(0)};
    CHECK(r.partition_steps == steps);
    CHECK(w.releases[i].at->quantile(0.5) == 300);
  }
  int env_changes = 0, image_changes = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const experiment::ReleasePlan& r = w.releases[12 + i];
    CHECK(r.spec.name == "w2/fn-" + std::to_string(i));
    CHECK(constant_of(r.at) == 3600.0 * static_cast<double>(i + 1));
    const model::ContainerSpec& c = r.spec.new_template->containers[0];
    if (image_name(w, c.image) == apps[i].next_image) {
      ++image_changes;
      CHECK(c.env.at("MODE") == "a");
    } else {
      ++env_changes;
      CHECK(image_name(w, c.image) == apps[i].image);  // the app keeps its own image
      CHECK(c.env.at("MODE") == "b");
      CHECK(constant_of(c.app_start) == 0.5);
    }
  }
  CHECK(env_changes + image_changes == 4);
  // The choice is drawn from the seed, so the same in both variants.
  for (std::size_t i = 12; i < 16; ++i) {
    CHECK(a.variants[1].world.releases[i].spec.new_template->containers[0].image ==
          w.releases[i].spec.new_template->containers[0].image);
  }

  // Another seed draws other apps.
  const experiment::Scenario other = load_scenario(file, {"seed=43"});
  CHECK(fleet_apps(other.variants[0].world) != apps);
}

namespace {

struct BadCase {
  const char* what;
  std::string file;  // the file edited, relative to the scenario's directory
  std::string find;  // replaced by `replace` (first occurrence)
  std::string replace;
  std::string at;        // where the error is: this text's first occurrence in the edited file
  std::size_t skip = 0;  // characters into `at`
  std::vector<std::string> message;  // parts of the message, after the location
  std::vector<std::string> sets = {};
};

// "file:line:col" of `needle` in `text`.
std::string location_of(const fs::path& file, const std::string& text, const std::string& needle,
                        std::size_t skip) {
  const std::size_t pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  const std::size_t at = pos + skip;
  const std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const std::size_t line =
      static_cast<std::size_t>(
          std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) +
      1;
  const std::size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
  return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

}  // namespace

TEST_CASE("Scenario: two fleets generate base layers of their own", "[loader][scenario]") {
  const auto fleet = [](const char* name, const char* size) {
    return fmt::format(R"(  {}:
    count: 3
    template:
      apiVersion: apps.kruise.io/v1alpha1
      kind: CloneSet
      spec:
        replicas: 1
        template:
          spec:
            containers:
              - {{name: app, image: app-image}}
    images: {{size: {}, base_share: 0.5, base_layers: 2, app_layers: 1}}
)",
                       name, size);
  };
  TempDir dir("two-fleets");
  const fs::path file =
      dir.write("fleets.yaml",
                "seed: 1\ncluster:\n  pools:\n    bare: {nodes: 2, shape: {cpu: 64, memory: "
                "256Gi}}\nfleets:\n" +
                    fleet("svc", "100MB") + fleet("fn", "300MB"));
  const experiment::Scenario s = load_scenario(file);
  const experiment::World& w = s.variants[0].world;
  REQUIRE(w.workloads.size() == 6);
  const auto layers = [&](const std::string& app) {
    std::vector<std::string> out;
    for (const auto& spec : w.workloads) {
      const auto& c = std::get<model::CloneSetSpec>(spec);
      if (c.name != app) continue;
      for (const auto id : w.catalog.image(c.template_.containers[0].image).layers) {
        out.push_back(w.catalog.layer(id).digest);
      }
    }
    return out;
  };
  // The apps of one fleet share its base; the fleets share nothing.
  CHECK(layers("svc-0") == std::vector<std::string>{"sha256:svc-base-0-0", "sha256:svc-base-0-1",
                                                    "sha256:svc-0-v1-0"});
  CHECK(layers("fn-1") ==
        std::vector<std::string>{"sha256:fn-base-0-0", "sha256:fn-base-0-1", "sha256:fn-1-v1-0"});
  const auto bytes = [&](const std::string& digest) {
    for (std::size_t i = 0; i < w.catalog.layer_count(); ++i) {
      const model::Layer& l = w.catalog.layer(static_cast<model::LayerId>(i));
      if (l.digest == digest) return l.compressed_bytes;
    }
    return std::uint64_t{0};
  };
  CHECK(bytes("sha256:svc-base-0-0") == 25'000'000);
  CHECK(bytes("sha256:fn-base-0-0") == 75'000'000);
}

TEST_CASE("Scenario: behavior reaches app containers and native sidecars, probes included",
          "[loader][scenario]") {
  TempDir dir("behavior");
  const fs::path file = dir.write("behavior.yaml", R"(seed: 1
cluster:
  pools:
    bare: {nodes: 2, shape: {cpu: 64, memory: 256Gi}}
images:
  registry.example.com/proxy:v1: {layers: [{size: 20MB}]}
  registry.example.com/web:v1: {layers: [{size: 50MB}]}
workloads:
  web:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      replicas: 1
      template:
        spec:
          initContainers:
            - name: proxy
              image: registry.example.com/proxy:v1
              restartPolicy: Always
              livenessProbe: {tcpSocket: {port: 9901}, failureThreshold: 2}
          containers:
            - name: app
              image: registry.example.com/web:v1
              startupProbe: {httpGet: {path: /started, port: 8080}, failureThreshold: 30}
              livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}
    behavior:
      app: {hang_after: 30s}
      proxy: {hang_after: 1h}
)");
  const experiment::Scenario s = load_scenario(file);
  const auto& t = workload<model::DeploymentSpec>(s.variants[0].world, "web").template_;
  REQUIRE(t.containers[0].hang_after != nullptr);
  CHECK(t.containers[0].hang_after->quantile(0.5) == 30);
  REQUIRE(t.containers[0].startupProbe.has_value());
  CHECK(t.containers[0].startupProbe->failureThreshold == 30);
  REQUIRE(t.containers[0].livenessProbe.has_value());
  CHECK(t.containers[0].livenessProbe->periodSeconds == 5);
  REQUIRE(t.initContainers[0].hang_after != nullptr);
  CHECK(t.initContainers[0].hang_after->quantile(0.5) == 3600);
  REQUIRE(t.initContainers[0].livenessProbe.has_value());
  CHECK(t.initContainers[0].livenessProbe->failureThreshold == 2);
}

TEST_CASE("Scenario: bad input names file:line:col and the bad value", "[loader][scenario]") {
  const std::string scenario = "small.yaml", api = "apps/api.yaml";
  // One case per block (clang-format would put each field on a line of its own).
  // clang-format off
  const std::vector<BadCase> cases = {
      {"typo at the top level",
       scenario, "replications: 3", "replicatons: 3",
       "replicatons", 0,
       {"unknown key 'replicatons' at the top level (did you mean 'replications'?)"}},
      {"typo in a node shape",
       scenario, "unpack_workers: 2", "unpack_worker: 2",
       "unpack_worker", 0,
       {"unknown key 'unpack_worker' in cluster.pools.workers.shape (did you mean "
        "'unpack_workers'?)"}},
      {"bandwidth unit",
       scenario, "nic: 25Gbps", "nic: 25GBps",
       "25GBps", 0,
       {"cluster.pools.workers.shape.nic: ", "'25GBps'", "'GB/s'"}},
      {"byte size unit",
       scenario, "image_disk: 200Gi", "image_disk: 200Gx",
       "200Gx", 0,
       {"cluster.pools.workers.shape.image_disk: ", "'200Gx'"}},
      {"duration unit",
       scenario, "max_time: 2h", "max_time: 2 hours",
       "2 hours", 0,
       {"max_time: ", "'2 hours'"}},
      {"negative replicas inline",
       scenario, "replicas: 10", "replicas: -1",
       "-1", 0,
       {"workloads.web.spec.replicas: must be between 0 and 2147483647, got -1"}},
      {"negative replicas in a manifest file",
       api, "replicas: 3", "replicas: -3",
       "-3", 0,
       {"workloads.api.spec.replicas: must be between 0 and 2147483647, got -3"}},
      {"negative replicas in a variant",
       scenario, "workloads.api.spec.replicas: 4", "workloads.api.spec.replicas: -4",
       "-4", 0,
       {"workloads.api.spec.replicas: must be between 0 and 2147483647, got -4"}},
      {"negative replicas in a release",
       scenario, "replicas: 6", "replicas: -6",
       "-6", 0,
       {"releases[1].replicas: must be between 0 and 2147483647, got -6"}},
      {"unknown image in a manifest",
       scenario, "image: registry.example.com/web:v1\n              resources",
       "image: registry.example.com/web:v9\n              resources",
       "registry.example.com/web:v9", 0,
       {"containers[0].image: unknown image 'registry.example.com/web:v9' (did you mean "
        "'registry.example.com/web:v1'?)"}},
      {"unknown image in a release",
       scenario, "images: {web: registry.example.com/web:v2}",
       "images: {web: registry.example.com/wbe:v2}",
       "registry.example.com/wbe:v2", 0,
       {"releases[0].images.web: unknown image 'registry.example.com/wbe:v2'"}},
      {"unknown image in a snapshot",
       scenario, "image_cache_snapshot: [registry.example.com/base:v1]",
       "image_cache_snapshot: [registry.example.com/base:v7]",
       "registry.example.com/base:v7", 0,
       {"unknown image 'registry.example.com/base:v7'"}},
      {"unknown base image",
       scenario, "from: registry.example.com/web:v1", "from: registry.example.com/web:v0",
       "registry.example.com/web:v0", 0,
       {".from: unknown image 'registry.example.com/web:v0' (did you mean "
        "'registry.example.com/web:v1'?)"}},
      {"lazy_pull out of range",
       scenario, "lazy_pull: 0.25", "lazy_pull: 1.5",
       "1.5", 0,
       {"lazy_pull: must be between 0 and 1, got 1.5"}},
      {"unknown workload in a release",
       scenario, "workload: api", "workload: apii",
       "apii", 0,
       {"releases[1].workload: unknown workload 'apii' (did you mean 'api'?)"}},
      {"batches on a Deployment",
       scenario, "    replicas: 6\n", "    replicas: 6\n    batches: 2\n",
       "batches: 2", 0,
       {"releases[1].batches: ", "'api' is a Deployment"}},
      {"a release that changes nothing",
       scenario, "    replicas: 6\n", "    at: 1m\n",
       "- workload: api", 2,
       {"releases[1]: a release changes something"}},
      {"unknown stage",
       scenario, "sandbox: 300ms", "sandbx: 300ms",
       "sandbx", 0,
       {"unknown key 'sandbx' in cluster.pools.workers.stages (did you mean 'sandbox'?)"}},
      {"unknown distribution",
       scenario, "{uniform: {min: 1s, max: 3s}}", "{unifrom: {min: 1s, max: 3s}}",
       "unifrom", 0,
       {"unknown key 'unifrom' in cluster.pools.workers.stages.app_start (did you mean "
        "'uniform'?)"}},
      {"bad distribution bounds",
       scenario, "{uniform: {min: 1s, max: 3s}}", "{uniform: {min: 3s, max: 1s}}",
       "max: 1s", 5,
       {"stages.app_start.uniform.max: must be >= min (3s), got 1s"}},
      {"distribution without units",
       scenario, "provisioning_delay: 90s", "provisioning_delay: 90",
       "90}", 0,
       {"autoscaling.provisioning_delay: ", "'90'", "'90s'"}},
      {"elastic pool counted in nodes",
       scenario, "      instances: 100", "      nodes: 100",
       "nodes: 100", 0,
       {"cluster.pools.eci: an elastic pool counts instances, not nodes"}},
      {"parallel pulls while serialized",
       scenario, "serializeImagePulls: false", "serializeImagePulls: true",
       "maxParallelImagePulls: 4", 23,
       {"maxParallelImagePulls: needs serializeImagePulls: false"}},
      {"both a manifest file and an inline manifest",
       scenario, "    manifest: apps/api.yaml\n",
       "    manifest: apps/api.yaml\n    kind: Deployment\n",
       "kind: Deployment", 0,
       {"workloads.api: give either a manifest file", "not both"}},
      {"missing manifest file",
       scenario, "manifest: apps/api.yaml", "manifest: apps/apy.yaml",
       "apps/apy.yaml", 0,
       {"workloads.api.manifest: cannot read manifest", "apps/apy.yaml"}},
      {"unknown document",
       scenario, "    manifest: apps/api.yaml\n",
       "    manifest: apps/api.yaml\n    document: apj\n",
       "apj", 0,
       {"no Deployment or CloneSet named 'apj'", "did you mean 'api'?"}},
      {"behaviour of an unknown container",
       scenario, "      web: {app_start: 2s, shutdown: 1s}",
       "      wbe: {app_start: 2s, shutdown: 1s}",
       "wbe:", 0,
       {"workloads.web.behavior: no container 'wbe' in the pod template (did you mean 'web'?)"}},
      {"a misspelt podsim key in a workload",
       scenario, "    behavior:\n      migrate", "    behaviour:\n      migrate",
       "behaviour", 0,
       {"unknown key 'behaviour' in workloads.api (did you mean 'behavior'?)"}},
      {"a variant sets the seed",
       scenario, "      workloads.api.spec.replicas: 4", "      seed: 4",
       "seed: 4", 6,
       {"variants.inplace: 'seed' is the same for every variant"}},
      {"a variant's path misses",
       scenario, "workloads.api.spec.replicas: 4", "workloads.api.spec.replica.x: 4",
       "replica.x: 4", 11,
       {"cannot set 'workloads.api.spec.replica.x': no key 'replica' in workloads.api.spec (did "
        "you mean 'replicas'?)"}},
      {"two variants with one name",
       scenario, "  inplace:\n", "  recreate:\n",
       "recreate:\n    description: in place", 0,
       {"duplicate key 'recreate' in variants (first at line"}},
      {"unknown variant in compare",
       scenario, "[recreate, inplace]", "[recreate, inplac]",
       "inplac]", 0,
       {"compare[0][1]: unknown variant 'inplac' (did you mean 'inplace'?)"}},
  };
  // clang-format on

  for (const auto& c : cases) {
    SECTION(c.what) {
      TempDir dir("bad");
      std::string texts[2] = {kScenario, kApiManifest};
      std::string& edited = c.file == api ? texts[1] : texts[0];
      const std::size_t pos = edited.find(c.find);
      REQUIRE(pos != std::string::npos);
      edited.replace(pos, c.find.size(), c.replace);
      const fs::path file = dir.write(scenario, texts[0]);
      dir.write(api, texts[1]);
      const std::string expected = location_of(dir.path() / c.file, edited, c.at, c.skip);
      try {
        load_scenario(file, c.sets);
        FAIL("no error");
      } catch (const LoadError& e) {
        const std::string message = e.what();
        INFO(message);
        CHECK(message.rfind(expected, 0) == 0);
        for (const auto& part : c.message) CHECK(message.find(part) != std::string::npos);
      }
    }
  }
}

TEST_CASE("Scenario: a bad --set names the argument", "[loader][scenario]") {
  TempDir dir("bad-set");
  dir.write("apps/api.yaml", kApiManifest);
  const fs::path file = dir.write("small.yaml", kScenario);
  const auto message = [&](const std::string& set) {
    try {
      load_scenario(file, {set});
    } catch (const LoadError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("workloads.web.spec.replicas=abc") ==
        "--set workloads.web.spec.replicas=abc: workloads.web.spec.replicas: expected an integer, "
        "got 'abc'");
  CHECK(message("cluster.pools.workers.nodes") ==
        "--set cluster.pools.workers.nodes: expected path=value, such as "
        "workloads.web.spec.replicas=5");
  CHECK(message("workloads.api.manifest=nowhere.yaml")
            .find("--set workloads.api.manifest=nowhere.yaml: workloads.api.manifest: cannot read "
                  "manifest 'nowhere.yaml'") == 0);
}

TEST_CASE("Scenario: fleets and waves reject what they cannot expand", "[loader][scenario]") {
  TempDir dir("bad-fleet");
  // The message for kFleetScenario with `find` replaced, checked to start at `at` (+ skip).
  const auto check = [&](const std::string& find, const std::string& replace, const std::string& at,
                         std::size_t skip, const std::string& message) {
    std::string text = kFleetScenario;
    const std::size_t pos = text.find(find);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, find.size(), replace);
    const fs::path file = dir.write("fleet.yaml", text);
    try {
      load_scenario(file);
      FAIL("no error");
    } catch (const LoadError& e) {
      // The message as given, or starting so when it ends in "...".
      const std::string expected = location_of(file, text, at, skip) + message;
      if (expected.ends_with("...")) {
        CHECK(std::string(e.what()).rfind(expected.substr(0, expected.size() - 3), 0) == 0);
      } else {
        CHECK(std::string(e.what()) == expected);
      }
    }
  };
  check("{lognormal: {median: 3, p90: 20}}", "{uniform: {min: -1, max: 3}}", "-1", 0,
        "fleets.fn.replicas.uniform.min: must be >= 0, got -1");
  check("size: {lognormal: {median: 200MB, p90: 1GB}}", "size: 2 GB", "2 GB", 0,
        "fleets.fn.images.size: invalid byte size '2 GB'...");
  check("workloads: fn\n", "workloads: fm\n", "fm\n", 0,
        "waves[0].workloads: unknown fleet or workload 'fm' (did you mean 'fn'?)");
  check("at: [1h, 2h, 3h, 4h]", "at: [1h, 2h]", "[1h, 2h]", 0,
        "waves[1].at: gives 2 times for 4 workloads");
  check("      bases: 2", "      template_image: nothing:v1", "app-image", 0,
        "fleets.fn.template.spec.template.spec.containers[0].image: unknown image 'app-image' "
        "(list it under images)");
  check("  - name: w1\n", "  - name: w1\n    partitions: [50%, 0]\n", "partitions", 0,
        "waves[0]: give batches or partitions, not both");
}
