// `cluster:`: node pools, kube-scheduler, kubelet/containerd image pulls, controller processes.
// Defaults are the model's own (each cited where the model sets it); this file only says which
// YAML key fills which field.
#include <fmt/format.h>

#include <array>
#include <limits>

#include "podsim/loader/distribution_spec.hpp"
#include "podsim/loader/suggest.hpp"
#include "scenario_sections.hpp"

namespace podsim::loader::sections {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kI32 = std::numeric_limits<std::int32_t>::max();

std::uint32_t as_u32(const Node& node, std::int64_t min = 0) {
  return static_cast<std::uint32_t>(node.as_int(min, kU32));
}

model::NodeShape read_shape(const Node& shape) {
  shape.check_keys(
      {"cpu", "memory", "max_pods", "nic", "image_disk", "unpack_throughput", "unpack_workers"});
  model::NodeShape s;  // defaults: node.hpp
  s.allocatable.cpu_millis = shape.required("cpu").as_cpu_millis();
  s.allocatable.memory_bytes = shape.required("memory").as_memory_bytes();
  if (s.allocatable.cpu_millis == 0) shape.required("cpu").fail("must be > 0");
  if (s.allocatable.memory_bytes == 0) shape.required("memory").fail("must be > 0");
  if (const auto n = shape.find("max_pods")) s.max_pods = as_u32(*n, 1);
  if (const auto n = shape.find("nic")) s.nic_bytes_per_s = n->as_bandwidth();
  if (const auto n = shape.find("image_disk")) {
    const std::int64_t bytes = n->as_byte_size();
    if (bytes <= 0) n->fail(fmt::format("must be > 0, got {}", n->scalar()));
    s.image_disk_bytes = static_cast<std::uint64_t>(bytes);
  }
  if (const auto n = shape.find("unpack_throughput")) s.unpack_bytes_per_s = n->as_bandwidth();
  if (const auto n = shape.find("unpack_workers")) s.unpack_workers = as_u32(*n, 1);
  return s;
}

std::map<std::string, std::string> read_labels(const Node& labels) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : unique_entries(labels)) out[key] = value.scalar();
  return out;
}

// Per-stage overrides of StageProfile::defaults(), by stage name.
model::StageProfile read_stages(const Node& stages) {
  model::StageProfile profile = model::StageProfile::defaults();
  stages.check_keys(model::StageProfile::kStages);
  for (const auto& [stage, value] : unique_entries(stages))
    profile.set(stage, parse_distribution(value));
  return profile;
}

model::NodePoolSpec read_pool(const std::string& name, const Node& pool,
                              const model::ImageCatalog& catalog) {
  pool.check_keys({"kind", "nodes", "instances", "shape", "labels", "autoscaling",
                   "image_cache_snapshot", "stages"});
  model::NodePoolSpec spec;
  spec.name = name;
  const std::string kind = pool.has("kind")
                               ? pool.required("kind").as_choice({"regular", "elastic"})
                               : std::string("regular");
  spec.kind = kind == "elastic" ? model::NodePoolKind::elastic : model::NodePoolKind::regular;
  const bool elastic = spec.kind == model::NodePoolKind::elastic;

  // The count key says what is counted: nodes of a regular pool, instances of an elastic one.
  const std::string_view count_key = elastic ? "instances" : "nodes";
  const std::string_view other_key = elastic ? "nodes" : "instances";
  if (pool.has(other_key)) {
    throw LoadError(
        pool.key_location(other_key),
        fmt::format("{}: {} pool counts {}, not {} (write '{}: N')", pool.path(),
                    elastic ? "an elastic" : "a regular", count_key, other_key, count_key));
  }
  if (const auto n = pool.find(count_key)) {
    spec.count = as_u32(*n);
  } else if (elastic || !pool.has("autoscaling")) {
    pool.fail_missing(count_key);
  }
  spec.shape = read_shape(pool.required("shape"));
  if (const auto n = pool.find("labels")) spec.labels = read_labels(*n);
  if (const auto n = pool.find("stages")) spec.profile = read_stages(*n);

  if (const auto n = pool.find("autoscaling")) {
    if (elastic) {
      throw LoadError(pool.key_location("autoscaling"),
                      fmt::format("{}: autoscaling is for regular pools; an elastic pool boots an "
                                  "instance per pod (set 'instances' to cap them)",
                                  pool.path()));
    }
    n->check_keys({"min", "max", "provisioning_delay"});
    model::AutoscalingSpec a;
    a.min_nodes = as_u32(n->required("min"));
    a.max_nodes = as_u32(n->required("max"));
    if (a.max_nodes < a.min_nodes) {
      n->required("max").fail(fmt::format("must be >= min ({}), got {}", a.min_nodes, a.max_nodes));
    }
    // No published node-provisioning figure (latency-figures §10): the scenario must give one.
    a.provisioning_delay = parse_distribution(n->required("provisioning_delay"));
    spec.autoscaling = std::move(a);
  }
  if (const auto n = pool.find("image_cache_snapshot")) {
    if (!elastic) {
      throw LoadError(pool.key_location("image_cache_snapshot"),
                      fmt::format("{}: image_cache_snapshot is for elastic pools (a regular node "
                                  "starts with an empty image cache)",
                                  pool.path()));
    }
    for (const auto& item : n->items()) {
      spec.image_cache_snapshot.push_back(find_image(catalog, item, item.as<std::string>()));
    }
  }
  return spec;
}

model::SchedulerConfig read_scheduler(const Node& s) {
  // podMaxInUnschedulablePodsDuration is not offered: the model does not use it (scheduler.hpp).
  s.check_keys({"percentageOfNodesToScore", "scoringStrategy", "pluginWeights",
                "podInitialBackoffSeconds", "podMaxBackoffSeconds", "clientConnection",
                "cycle_cost", "binding_latency", "random_tie_break"});
  model::SchedulerConfig c;  // defaults: scheduler.hpp, domain-reference §4 [K-SCFG]
  if (const auto n = s.find("percentageOfNodesToScore")) {
    c.percentageOfNodesToScore = static_cast<std::int32_t>(n->as_int(0, 100));
  }
  if (const auto n = s.find("scoringStrategy")) {
    // KubeSchedulerConfiguration writes NodeResourcesFitArgs.scoringStrategy.type; the bare
    // type is accepted too.
    Node type = *n;
    if (n->is_map()) {
      n->check_keys({"type"});
      type = n->required("type");
    }
    c.scoringStrategy = type.as_choice({"LeastAllocated", "MostAllocated"}) == "MostAllocated"
                            ? model::ScoringStrategy::MostAllocated
                            : model::ScoringStrategy::LeastAllocated;
  }
  if (const auto n = s.find("pluginWeights")) {
    n->check_keys({"NodeResourcesFit", "NodeResourcesBalancedAllocation", "ImageLocality",
                   "PodTopologySpread"});
    // kube-scheduler accepts score weights 1..100 (0 disables a plugin's score here).
    if (const auto w = n->find("NodeResourcesFit")) c.NodeResourcesFit = w->as_int(0, 100);
    if (const auto w = n->find("NodeResourcesBalancedAllocation")) {
      c.NodeResourcesBalancedAllocation = w->as_int(0, 100);
    }
    if (const auto w = n->find("ImageLocality")) c.ImageLocality = w->as_int(0, 100);
    if (const auto w = n->find("PodTopologySpread")) c.PodTopologySpread = w->as_int(0, 100);
  }
  if (const auto n = s.find("podInitialBackoffSeconds")) {
    c.podInitialBackoff = sim::seconds(static_cast<double>(n->as_int(1, kI32)));
  }
  if (const auto n = s.find("podMaxBackoffSeconds")) {
    c.podMaxBackoff = sim::seconds(static_cast<double>(n->as_int(1, kI32)));
  }
  if (c.podMaxBackoff < c.podInitialBackoff) {
    // kube-scheduler's validation: podMaxBackoffSeconds >= podInitialBackoffSeconds.
    const Node at = s.find("podMaxBackoffSeconds").value_or(s.required("podInitialBackoffSeconds"));
    at.fail(fmt::format("podMaxBackoffSeconds ({}) must be >= podInitialBackoffSeconds ({})",
                        format_duration(c.podMaxBackoff), format_duration(c.podInitialBackoff)));
  }
  if (const auto n = s.find("clientConnection")) {
    n->check_keys({"qps", "burst"});
    if (const auto q = n->find("qps")) c.qps = q->as_number(0, kInf);  // 0: unlimited
    if (const auto b = n->find("burst")) c.burst = static_cast<std::int32_t>(b->as_int(1, kI32));
  }
  if (const auto n = s.find("cycle_cost")) c.cycle_cost = parse_distribution(*n);
  if (const auto n = s.find("binding_latency")) c.binding_latency = parse_distribution(*n);
  if (const auto n = s.find("random_tie_break")) c.random_tie_break = n->as<bool>();
  return c;
}

model::ImagePullConfig read_image_pull(const Node& p) {
  p.check_keys({"serializeImagePulls", "maxParallelImagePulls", "registryPullQPS", "registryBurst",
                "max_concurrent_downloads", "download_limit_scope", "registry_bandwidth",
                "request_latency", "pull_failure_probability", "peer_to_peer",
                "max_uploads_per_peer", "imageGCHighThresholdPercent",
                "imageGCLowThresholdPercent"});
  model::ImagePullConfig c;  // defaults: image_puller.hpp, domain-reference §3.3, §3.4
  if (const auto n = p.find("serializeImagePulls")) c.serializeImagePulls = n->as<bool>();
  if (const auto n = p.find("maxParallelImagePulls")) {
    const std::uint32_t v = as_u32(*n, 1);
    // The kubelet refuses maxParallelImagePulls > 1 while pulls are serialized [K-KCFG].
    if (c.serializeImagePulls && v > 1) {
      n->fail(fmt::format("needs serializeImagePulls: false (got {} with serialized pulls)", v));
    }
    c.maxParallelImagePulls = v;
  }
  if (const auto n = p.find("registryPullQPS"))
    c.registryPullQPS = n->as_number(0, kInf);  // 0: none
  if (const auto n = p.find("registryBurst")) {
    c.registryBurst = static_cast<std::int32_t>(n->as_int(0, kI32));
    // A limited bucket that holds no token would refuse every pull.
    if (c.registryPullQPS > 0 && c.registryBurst == 0)
      n->fail("must be >= 1 while registryPullQPS > 0");
  }
  if (const auto n = p.find("max_concurrent_downloads")) c.max_concurrent_downloads = as_u32(*n, 1);
  if (const auto n = p.find("download_limit_scope")) {
    c.download_limit_scope = n->as_choice({"per_pull", "per_node"}) == "per_node"
                                 ? model::DownloadLimitScope::per_node
                                 : model::DownloadLimitScope::per_pull;
  }
  if (const auto n = p.find("registry_bandwidth")) c.registry_bytes_per_s = n->as_bandwidth();
  // A fixed duration: ImagePullConfig's sampled latency has no per-replication stream.
  if (const auto n = p.find("request_latency")) c.request_latency = n->as<sim::Duration>();
  if (const auto n = p.find("pull_failure_probability")) {
    c.pull_failure_probability = n->as_number(0, 1);
  }
  if (const auto n = p.find("peer_to_peer")) c.peer_to_peer = n->as<bool>();
  if (const auto n = p.find("max_uploads_per_peer")) c.max_uploads_per_peer = as_u32(*n);
  if (const auto n = p.find("imageGCHighThresholdPercent")) {
    c.image_gc.imageGCHighThresholdPercent = static_cast<std::uint32_t>(n->as_int(0, 100));
  }
  if (const auto n = p.find("imageGCLowThresholdPercent")) {
    c.image_gc.imageGCLowThresholdPercent = static_cast<std::uint32_t>(n->as_int(0, 100));
  }
  if (c.image_gc.imageGCLowThresholdPercent > c.image_gc.imageGCHighThresholdPercent) {
    const Node at =
        p.find("imageGCLowThresholdPercent").value_or(p.required("imageGCHighThresholdPercent"));
    at.fail(
        fmt::format("imageGCLowThresholdPercent ({}) must be <= imageGCHighThresholdPercent ({})",
                    c.image_gc.imageGCLowThresholdPercent, c.image_gc.imageGCHighThresholdPercent));
  }
  return c;
}

void read_controller(const Node& n, model::ControllerConfig& c) {
  n.check_keys({"api_qps", "api_burst", "api_latency", "sync_delay", "burst_replicas"});
  if (const auto v = n.find("api_qps")) c.api_qps = v->as_number(0, kInf);  // 0: unlimited
  if (const auto v = n.find("api_burst"))
    c.api_burst = static_cast<std::int32_t>(v->as_int(1, kI32));
  if (const auto v = n.find("api_latency")) c.api_latency = v->as<sim::Duration>();
  if (const auto v = n.find("sync_delay")) c.sync_delay = v->as<sim::Duration>();
  if (const auto v = n.find("burst_replicas")) {
    c.burst_replicas = static_cast<std::int32_t>(v->as_int(1, kI32));
  }
}

}  // namespace

model::ClusterConfig read_cluster(const Node& cluster, const model::ImageCatalog& catalog) {
  cluster.check_keys(
      {"pools", "scheduler", "image_pull", "controllers", "autoscaler_scan_interval"});
  model::ClusterConfig config;
  const Node pools = cluster.required("pools");
  const auto entries = unique_entries(pools);
  if (entries.empty()) pools.fail("a cluster needs at least one pool");
  for (const auto& [name, pool] : entries) config.pools.push_back(read_pool(name, pool, catalog));
  if (const auto n = cluster.find("scheduler")) config.scheduler = read_scheduler(*n);
  if (const auto n = cluster.find("image_pull")) config.image_pull = read_image_pull(*n);
  if (const auto n = cluster.find("autoscaler_scan_interval")) {
    config.autoscaler_scan_interval = n->as<sim::Duration>();
    if (config.autoscaler_scan_interval <= sim::Duration{}) n->fail("must be > 0");
  }
  return config;
}

model::ControllerManagerConfig read_controllers(const Node& cluster) {
  model::ControllerManagerConfig config;  // defaults: controller_config.hpp
  const auto controllers = cluster.find("controllers");
  if (!controllers) return config;
  controllers->check_keys({"kube-controller-manager", "kruise-manager"});
  if (const auto n = controllers->find("kube-controller-manager")) {
    read_controller(*n, config.kube_controller_manager);
  }
  if (const auto n = controllers->find("kruise-manager"))
    read_controller(*n, config.kruise_manager);
  return config;
}

}  // namespace podsim::loader::sections
