#include "podsim/loader/pod_template_spec.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "k8s_fields.hpp"
#include "podsim/sim/distribution.hpp"

namespace podsim::loader {
namespace {

using k8s::contains;
using k8s::field;
using k8s::remember;
using OtherFields = std::map<std::string, std::string>;
using Ignored = std::vector<std::string>;

// core/v1 PodSpec and Container as of Kubernetes 1.35 (kubernetes/api HEAD): keys outside these
// lists are newer fields and are kept, not rejected.
// clang-format off
constexpr auto kPodSpecFields = std::to_array<std::string_view>(
    {"volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
     "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
     "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName",
     "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext",
     "imagePullSecrets", "hostname", "subdomain", "affinity", "schedulerName", "tolerations",
     "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
     "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead",
     "topologySpreadConstraints", "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates",
     "resourceClaims", "resources", "hostnameOverride", "workloadRef", "schedulingGroup",
     "evictionResponders"});
constexpr auto kPodSpecRead = std::to_array<std::string_view>(
    {"initContainers", "containers", "restartPolicy", "terminationGracePeriodSeconds",
     "activeDeadlineSeconds", "nodeSelector", "priority"});

constexpr auto kContainerFields = std::to_array<std::string_view>(
    {"name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
     "resizePolicy", "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices",
     "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
     "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce",
     "tty"});
// clang-format on
constexpr auto kAppContainerRead = std::to_array<std::string_view>(
    {"name", "image", "imagePullPolicy", "resources", "env", "readinessProbe", "startupProbe",
     "livenessProbe", "lifecycle"});
constexpr auto kInitContainerRead = std::to_array<std::string_view>(
    {"name", "image", "imagePullPolicy", "resources", "env", "restartPolicy", "readinessProbe",
     "startupProbe", "livenessProbe"});

constexpr auto kProbeFields = std::to_array<std::string_view>(
    {"exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds",
     "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds"});
constexpr auto kProbeHandlers =
    std::to_array<std::string_view>({"exec", "httpGet", "tcpSocket", "grpc"});
constexpr auto kHookHandlers =
    std::to_array<std::string_view>({"exec", "httpGet", "tcpSocket", "sleep"});

// ---- container parts --------------------------------------------------------------------------

model::Resources read_resources(const Node& resources, OtherFields& other, Ignored& ignored) {
  resources.check_keys({"limits", "requests", "claims"});
  model::Resources requests;
  bool has_cpu = false, has_memory = false;
  if (const auto r = field(resources, "requests")) {
    for (const auto& [name, quantity] : r->entries()) {
      if (name == "cpu") {
        requests.cpu_millis = quantity.as_cpu_millis();
        has_cpu = true;
      } else if (name == "memory") {
        requests.memory_bytes = quantity.as_memory_bytes();
        has_memory = true;
      } else {
        remember(quantity, fmt::format("resources.requests.{}", name), other, ignored);
      }
    }
  }
  if (const auto limits = field(resources, "limits")) {
    // A pod's requests default to its limits, resource by resource (SetDefaults_Pod).
    if (const auto cpu = field(*limits, "cpu")) {
      const std::int64_t millis = cpu->as_cpu_millis();
      if (!has_cpu) requests.cpu_millis = millis;
    }
    if (const auto memory = field(*limits, "memory")) {
      const std::int64_t bytes = memory->as_memory_bytes();
      if (!has_memory) requests.memory_bytes = bytes;
    }
    remember(*limits, "resources.limits", other, ignored);
  }
  if (const auto claims = field(resources, "claims")) {
    remember(*claims, "resources.claims", other, ignored);
  }
  return requests;
}

// A probe timing field: 0 or absent takes the API default, as SetDefaults_Probe does.
std::int32_t probe_field(const Node& probe, std::string_view key, std::int32_t fallback) {
  const auto value = field(probe, key);
  if (!value) return fallback;
  const std::int32_t v = k8s::non_negative_int32(*value);
  return v == 0 ? fallback : v;
}

// Where a probe's handler goes in other_fields: an app container's readinessProbe keeps its
// handler alone, as template_diff compares its timings; every other probe (startupProbe,
// livenessProbe, a sidecar's probes), whose timings template_diff does not compare, keeps its
// whole canonical text under its field name, so that any change of it is a spec change.
enum class ProbeText { handler, whole };

// readinessProbe, startupProbe or livenessProbe (`kind` is the field name), validated as the API
// server validates it (validateProbe, validateStartupProbe, validateLivenessProbe).
model::Probe read_probe(const Node& probe, std::string_view kind, ProbeText text,
                        OtherFields& other, Ignored& ignored) {
  probe.check_keys(kProbeFields);
  const auto handler = k8s::one_of(probe, kProbeHandlers, "a probe");
  if (!handler) {
    probe.fail(
        "a probe needs a handler: exec, httpGet, tcpSocket or grpc (the API server rejects "
        "a probe without one)");
  }
  const Node action = *field(probe, *handler);
  if (text == ProbeText::handler) {
    remember(action, fmt::format("{}.{}", kind, *handler), other, ignored);
  } else {
    other[std::string(kind)] = canonical_yaml(probe.yaml());
    // How the handler probes is not modelled: probes succeed while the app serves.
    ignored.push_back(action.path());
  }
  const bool readiness = kind == "readinessProbe";
  const model::Probe defaults;
  model::Probe out;
  if (const auto grace = field(probe, "terminationGracePeriodSeconds")) {
    if (readiness) grace->fail("must not be set for readinessProbes (the API server rejects it)");
    out.terminationGracePeriodSeconds =
        static_cast<std::int32_t>(grace->as_int(1, std::numeric_limits<std::int32_t>::max()));
  }
  out.initialDelaySeconds = probe_field(probe, "initialDelaySeconds", 0);
  out.periodSeconds = probe_field(probe, "periodSeconds", defaults.periodSeconds);
  out.timeoutSeconds = probe_field(probe, "timeoutSeconds", defaults.timeoutSeconds);
  out.successThreshold = probe_field(probe, "successThreshold", defaults.successThreshold);
  out.failureThreshold = probe_field(probe, "failureThreshold", defaults.failureThreshold);
  if (!readiness && out.successThreshold != 1) {
    field(probe, "successThreshold")
        ->fail(fmt::format("must be 1 for {}s (the API server rejects any other value), got {}",
                           kind, out.successThreshold));
  }
  return out;
}

// The preStop hook's duration: a sleep is timed; any other hook is taken to return at once.
sim::DistributionPtr read_pre_stop(const Node& hook, OtherFields& other, Ignored& ignored) {
  hook.check_keys(kHookHandlers);
  const auto handler = k8s::one_of(hook, kHookHandlers, "a lifecycle hook");
  if (!handler) hook.fail("a lifecycle hook needs a handler: exec, httpGet, tcpSocket or sleep");
  // Kept whether timed or not: the hook is part of the spec a release may change, and the model's
  // preStop duration is not compared between templates.
  other["lifecycle.preStop"] = canonical_yaml(hook.yaml());
  const Node action = *field(hook, *handler);
  if (*handler == "exec") {
    action.check_keys({"command"});
    const auto command = action.required("command").as_vector<std::string>();
    if (const auto seconds = sleep_seconds(command)) return sim::dist::constant(*seconds);
  } else if (*handler == "sleep") {
    action.check_keys({"seconds"});
    const auto seconds =
        action.required("seconds").as_int(0, std::numeric_limits<std::int32_t>::max());
    return sim::dist::constant(static_cast<double>(seconds));
  }
  ignored.push_back(hook.path());
  return sim::dist::constant(0);
}

std::map<std::string, std::string> read_env(const Node& env) {
  std::map<std::string, std::string> out;
  for (const auto& var : env.items()) {
    var.check_keys({"name", "value", "valueFrom"});
    const auto name = var.required<std::string>("name");
    const auto value = field(var, "value");
    const auto from = field(var, "valueFrom");
    if (value && from && !value->scalar().empty()) {
      from->fail("may not be specified when `value` is not empty (the API server rejects both)");
    }
    // The last of two variables with one name wins, as in the container.
    if (from) {
      out[name] = fmt::format("valueFrom: {}", canonical_yaml(from->yaml()));
    } else {
      out[name] = value ? value->as<std::string>() : std::string();
    }
  }
  return out;
}

// What both kinds of container read: name, image, pull policy, requests, env; the rest kept.
template <class Container>
Container read_container(const Node& c, std::span<const std::string_view> read,
                         const ImageResolver& images, Ignored& ignored) {
  c.check_keys_open(kContainerFields);
  Container out;
  for (const auto& [key, value] : c.entries()) {
    if (!contains(read, key)) remember(value, key, out.other_fields, ignored);
  }
  out.name = c.required<std::string>("name");
  const Node image = c.required("image");
  const auto reference = image.as<std::string>();
  out.image = images(image, reference);
  if (const auto policy = field(c, "imagePullPolicy")) {
    const auto choice = policy->as_choice({"Always", "IfNotPresent", "Never"});
    out.imagePullPolicy = choice == "Always"         ? model::ImagePullPolicy::Always
                          : choice == "IfNotPresent" ? model::ImagePullPolicy::IfNotPresent
                                                     : model::ImagePullPolicy::Never;
  } else {
    out.imagePullPolicy = default_pull_policy(reference);
  }
  if (const auto resources = field(c, "resources")) {
    out.requests = read_resources(*resources, out.other_fields, ignored);
  }
  if (const auto env = field(c, "env")) out.env = read_env(*env);
  return out;
}

model::ContainerSpec read_app_container(const Node& c, const ImageResolver& images,
                                        Ignored& ignored) {
  auto out = read_container<model::ContainerSpec>(c, kAppContainerRead, images, ignored);
  if (const auto probe = field(c, "readinessProbe")) {
    out.readinessProbe =
        read_probe(*probe, "readinessProbe", ProbeText::handler, out.other_fields, ignored);
  }
  if (const auto probe = field(c, "startupProbe")) {
    out.startupProbe =
        read_probe(*probe, "startupProbe", ProbeText::whole, out.other_fields, ignored);
  }
  if (const auto probe = field(c, "livenessProbe")) {
    out.livenessProbe =
        read_probe(*probe, "livenessProbe", ProbeText::whole, out.other_fields, ignored);
  }
  if (const auto lifecycle = field(c, "lifecycle")) {
    lifecycle->check_keys({"postStart", "preStop", "stopSignal"});
    for (const auto& [key, value] : lifecycle->entries()) {
      if (key != "preStop") {
        remember(value, fmt::format("lifecycle.{}", key), out.other_fields, ignored);
      }
    }
    if (const auto hook = field(*lifecycle, "preStop")) {
      out.preStop = read_pre_stop(*hook, out.other_fields, ignored);
    }
  }
  return out;
}

model::InitContainerSpec read_init_container(const Node& c, const ImageResolver& images,
                                             Ignored& ignored) {
  auto out = read_container<model::InitContainerSpec>(c, kInitContainerRead, images, ignored);
  // restartPolicy: Always is the one value an init container takes: a native sidecar.
  if (const auto policy = field(c, "restartPolicy")) {
    policy->as_choice({"Always"});
    out.sidecar = true;
  }
  // A sidecar's probes work as an app container's; template_diff compares none of an init
  // container's probes, so each is kept whole in other_fields.
  for (const auto& [kind, probe] : {std::pair{"startupProbe", &out.startupProbe},
                                    std::pair{"readinessProbe", &out.readinessProbe},
                                    std::pair{"livenessProbe", &out.livenessProbe}}) {
    const auto node = field(c, kind);
    if (!node) continue;
    if (!out.sidecar) {
      node->fail(
          "may not be set for init containers without restartPolicy: Always (the API server "
          "rejects it)");
    }
    *probe = read_probe(*node, kind, ProbeText::whole, out.other_fields, ignored);
  }
  return out;
}

// ---- sleep commands ---------------------------------------------------------------------------

// "5", "2.5", ".5", "10s", "1m", "1h", "1d" as GNU sleep reads one argument.
std::optional<double> sleep_argument(std::string_view text) {
  constexpr std::pair<char, double> kUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  double unit = 1;
  for (const auto& [suffix, seconds] : kUnits) {
    if (!text.empty() && text.back() == suffix) {
      unit = seconds;
      text.remove_suffix(1);
      break;
    }
  }
  std::size_t digits = 0, dots = 0;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '.') {
      ++dots;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || dots > 1) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value * unit)) {
    return std::nullopt;
  }
  return value * unit;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

bool one_of_names(std::string_view word, std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    if (word == name) return true;
  }
  return false;
}

}  // namespace

model::ImagePullPolicy default_pull_policy(std::string_view image) {
  const std::size_t at = image.find('@');
  const bool digest = at != std::string_view::npos;
  const std::string_view name = image.substr(0, at);
  const std::size_t slash = name.rfind('/');
  const std::size_t colon = name.rfind(':');
  const bool tagged =
      colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  const std::string_view tag = tagged ? name.substr(colon + 1) : std::string_view();
  if (tag == "latest" || (!tagged && !digest)) return model::ImagePullPolicy::Always;
  return model::ImagePullPolicy::IfNotPresent;
}

std::optional<double> sleep_seconds(std::span<const std::string> command) {
  const auto is_sleep = [](std::string_view w) {
    return one_of_names(w, {"sleep", "/bin/sleep", "/usr/bin/sleep"});
  };
  if (command.size() == 2 && is_sleep(command[0])) return sleep_argument(command[1]);
  if (command.size() == 3 && command[1] == "-c" &&
      one_of_names(command[0],
                   {"sh", "/bin/sh", "/usr/bin/sh", "bash", "/bin/bash", "/usr/bin/bash"})) {
    std::string_view script = command[2];
    // "sleep 5", "sleep 5;", " sleep 5 ; "
    while (!script.empty() &&
           (std::isspace(static_cast<unsigned char>(script.back())) || script.back() == ';')) {
      script.remove_suffix(1);
    }
    const auto w = words(script);
    if (w.size() == 2 && is_sleep(w[0])) return sleep_argument(w[1]);
  }
  return std::nullopt;
}

model::PodTemplate read_pod_template(const Node& pod_template, const ImageResolver& images,
                                     std::vector<std::string>& ignored) {
  pod_template.check_keys({"metadata", "spec"});
  model::PodTemplate out;
  if (const auto meta = field(pod_template, "metadata")) {
    meta->check_keys(k8s::kObjectMetaFields);
    for (const auto& [key, value] : meta->entries()) {
      if (key == "labels") {
        out.labels = k8s::string_map(value);
      } else if (key == "annotations") {
        out.annotations = k8s::string_map(value);
      } else {
        remember(value, fmt::format("metadata.{}", key), out.other_fields, ignored);
      }
    }
  }

  const Node spec = pod_template.required("spec");
  spec.check_keys_open(kPodSpecFields);
  for (const auto& [key, value] : spec.entries()) {
    if (!contains(kPodSpecRead, key)) remember(value, key, out.other_fields, ignored);
  }
  if (const auto policy = field(spec, "restartPolicy")) policy->as_choice({"Always"});
  if (const auto deadline = field(spec, "activeDeadlineSeconds")) {
    deadline->fail(
        "is not supported in a Deployment's or CloneSet's pod template (the API server "
        "rejects it)");
  }
  if (const auto grace = field(spec, "terminationGracePeriodSeconds")) {
    out.terminationGracePeriodSeconds = k8s::non_negative_int32(*grace);
  }
  if (const auto selector = field(spec, "nodeSelector")) {
    out.nodeSelector = k8s::string_map(*selector);
  }
  if (const auto priority = field(spec, "priority")) out.priority = priority->as<int>();

  // Container names are unique across init and app containers.
  std::map<std::string, int> names;  // name -> line
  const auto check_name = [&](const Node& container, const std::string& name) {
    const Node at = container.required("name");
    const auto [it, added] = names.emplace(name, at.location().line);
    if (!added) {
      at.fail(fmt::format("duplicate container name '{}' (first at line {})", name, it->second));
    }
  };
  if (const auto init = field(spec, "initContainers")) {
    for (const auto& c : init->items()) {
      out.initContainers.push_back(read_init_container(c, images, ignored));
      check_name(c, out.initContainers.back().name);
    }
  }
  const auto containers = field(spec, "containers");
  if (!containers) spec.fail_missing("containers");
  for (const auto& c : containers->items()) {
    out.containers.push_back(read_app_container(c, images, ignored));
    check_name(c, out.containers.back().name);
  }
  if (out.containers.empty()) containers->fail("must have at least one container");
  return out;
}

}  // namespace podsim::loader
