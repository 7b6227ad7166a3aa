// The cluster: pools and nodes, the controller API, scheduling hand-off and the autoscaler.
// The pod lifecycle itself is in pod_lifecycle.cpp.
#include "podsim/model/cluster.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "pod_runtime.hpp"
#include "podsim/sim/wait.hpp"

namespace podsim::model {

std::string_view to_string(PodPhase phase) {
  switch (phase) {
    case PodPhase::scheduling:
      return "scheduling";
    case PodPhase::starting:
      return "starting";
    case PodPhase::running:
      return "running";
    case PodPhase::terminating:
      return "terminating";
    case PodPhase::terminated:
      return "terminated";
    case PodPhase::stalled:
      return "stalled";
  }
  return "unknown";
}

namespace {
std::string describe(const Resources& r) {
  return "cpu=" + std::to_string(r.cpu_millis) + "m memory=" + std::to_string(r.memory_bytes);
}
}  // namespace

Cluster::Cluster(sim::Simulation& sim, const ImageCatalog& catalog, ClusterConfig config)
    : sim_(sim),
      catalog_(catalog),
      config_(std::move(config)),
      root_(config_.seed),
      net_(sim),
      puller_(sim, net_, catalog, config_.image_pull),
      scheduler_(sim, nodes_, &catalog, &puller_, config_.scheduler, root_.child("scheduler")),
      autoscaler_timer_(sim, [this] { autoscale(); }),
      never_(sim) {
  pool_state_.resize(config_.pools.size());
  for (PoolId p = 0; p < config_.pools.size(); ++p) {
    NodePoolSpec& spec = config_.pools[p];
    if (spec.kind == NodePoolKind::elastic) {
      if (spec.count == 0) {
        throw std::invalid_argument("pool " + spec.name + ": an elastic pool needs count > 0");
      }
      if (spec.autoscaling) {
        throw std::invalid_argument("pool " + spec.name + ": an elastic pool does not autoscale");
      }
      // The scheduler sees one virtual node (as virtual-kubelet shows it) able to hold `count`
      // instances; each pod then gets an instance of its own.
      Node v;
      v.id = static_cast<NodeId>(nodes_.size());
      v.pool = p;
      v.name = spec.name + "-virtual";
      v.shape = spec.shape;
      v.shape.allocatable.cpu_millis *= spec.count;
      v.shape.allocatable.memory_bytes *= spec.count;
      v.shape.max_pods = spec.count;
      v.labels = spec.labels;
      nodes_.push_back(std::move(v));
      ips_.emplace_back(nodes_.back().id);
      pool_state_[p].virtual_node = nodes_.back().id;
      scheduler_.node_added(nodes_.back().id);
      continue;
    }
    if (spec.autoscaling) {
      const AutoscalingSpec& a = *spec.autoscaling;
      if (a.max_nodes < a.min_nodes || !a.provisioning_delay) {
        throw std::invalid_argument("pool " + spec.name +
                                    ": autoscaling needs min_nodes <= max_nodes and a "
                                    "provisioning_delay");
      }
      spec.count = std::clamp(spec.count, a.min_nodes, a.max_nodes);
    }
    for (std::uint32_t i = 0; i < spec.count; ++i) scheduler_.node_added(add_node(p, true));
  }
  scheduler_.set_on_bound([this](PodId pod, NodeId node) { on_bound(pod, node); });
}

Cluster::~Cluster() {
  sim_.destroy_processes();
}

NodeId Cluster::take_instance(PoolId pool) {
  // A terminated instance's slot is reused, so that a long run does not grow the node table:
  // reset to a fresh instance (empty image cache, new name); one still busy (a lazy pull's
  // background rest) waits for a later pod.
  std::vector<NodeId>& free = pool_state_[pool].free_instances;
  for (auto it = free.begin(); it != free.end(); ++it) {
    const NodeId id = *it;
    if (!puller_.reset_node(id)) continue;
    free.erase(it);
    const NodePoolSpec& spec = config_.pools[pool];
    nodes_[id].name = spec.name + "-" + std::to_string(pool_state_[pool].next_ordinal++);
    ips_[id] = NodeIpAllocator(id);
    return id;
  }
  return add_node(pool, false);
}

NodeId Cluster::add_node(PoolId pool, bool ready) {
  const NodePoolSpec& spec = config_.pools[pool];
  Node n;
  n.id = static_cast<NodeId>(nodes_.size());
  n.pool = pool;
  n.name = spec.name + "-" + std::to_string(pool_state_[pool].next_ordinal++);
  n.shape = spec.shape;
  n.labels = spec.labels;
  n.ready = ready;
  if (!ready) n.shape.max_pods = 0;  // an elastic instance: never a scheduling target
  nodes_.push_back(std::move(n));
  ips_.emplace_back(nodes_.back().id);
  puller_.add_node(nodes_.back().id, spec.shape);
  return nodes_.back().id;
}

std::uint32_t Cluster::ready_nodes(PoolId pool) const {
  return static_cast<std::uint32_t>(std::count_if(nodes_.begin(), nodes_.end(), [&](const Node& n) {
    return n.pool == pool && n.ready && !pool_state_[pool].virtual_node;
  }));
}

Cluster::PoolList Cluster::eligible_pools(const PodTemplate& tmpl) const {
  PoolList out;
  for (PoolId p = 0; p < config_.pools.size(); ++p) {
    const auto& labels = config_.pools[p].labels;
    const bool match =
        std::all_of(tmpl.nodeSelector.begin(), tmpl.nodeSelector.end(), [&](const auto& kv) {
          auto it = labels.find(kv.first);
          return it != labels.end() && it->second == kv.second;
        });
    if (match) out.push_back(p);
  }
  return out;
}

std::string Cluster::unplaceable_reason(const PodTemplate& tmpl,
                                        std::span<const PoolId> pools) const {
  if (pools.empty()) {
    std::string sel;
    for (const auto& [k, v] : tmpl.nodeSelector) sel += (sel.empty() ? "" : ",") + k + "=" + v;
    return "no node pool matches nodeSelector {" + sel + "}";
  }
  std::string names;
  for (PoolId p : pools) names += (names.empty() ? "" : ", ") + config_.pools[p].name;
  return "pod requests " + describe(tmpl.effective_requests()) +
         ", more than one node of any eligible pool offers (" + names + ")";
}

PodId Cluster::create_pod(const PodTemplate& tmpl, PodOwner owner) {
  return create_pod(std::make_shared<const PodTemplate>(tmpl), std::move(owner));
}

PodId Cluster::create_pod(std::shared_ptr<const PodTemplate> spec, PodOwner owner) {
  const PodTemplate& tmpl = *spec;
  const auto id = static_cast<PodId>(pods_.size());
  auto rt = std::make_unique<PodRuntime>(sim_);
  Pod& pod = rt->pod;
  pod.id = id;
  pod.name = owner.name.empty() ? "pod-" + std::to_string(id) : owner.name;
  pod.owner = std::move(owner);
  pod.spec = std::move(spec);
  pod.created_at = sim_.now();
  pod.containers.resize(tmpl.containers.size());
  for (std::size_t i = 0; i < tmpl.containers.size(); ++i) {
    pod.containers[i].image = tmpl.containers[i].image;
  }
  pod.init_containers.resize(tmpl.initContainers.size());
  for (std::size_t j = 0; j < tmpl.initContainers.size(); ++j) {
    pod.init_containers[j].image = tmpl.initContainers[j].image;
  }
  rt->runs.resize(tmpl.initContainers.size() + tmpl.containers.size());
  for (PodRuntime::Run& r : rt->runs) r.want_start = true;
  rt->initialized = tmpl.initContainers.empty();
  rt->status_timer.cluster = this;
  rt->status_timer.rt = rt.get();
  rt->stream_key = root_.child("pod").child(pod.name).key();

  // Pools the pod can ever fit in (a node of the pool's shape holds it).
  const Resources req = tmpl.effective_requests();
  const PoolList matching = eligible_pools(tmpl);
  for (PoolId p : matching) {
    const NodeShape& shape = config_.pools[p].shape;
    if (req.fits_in(shape.allocatable) && shape.max_pods > 0) rt->pools.push_back(p);
  }

  PodRuntime& ref = *rt;
  pods_.push_back(std::move(rt));
  claimed_.push_back(false);
  ++recorder_.counters().pods_created;
  ref.process = sim_.start(lifecycle(ref));
  return id;
}

void Cluster::interrupt(PodRuntime& rt) {
  if (sim_.interrupt(rt.process)) rt.interrupt_pending = true;
}

void Cluster::delete_pod(PodId id) {
  PodRuntime& rt = *pods_.at(id);
  if (rt.pod.deletion_requested || rt.pod.phase == PodPhase::terminated) return;
  rt.pod.deletion_requested = true;
  interrupt(rt);
}

bool Cluster::update_in_place(PodId id, const std::vector<ContainerImageUpdate>& images,
                              InPlaceUpdateOptions options) {
  PodRuntime& rt = *pods_.at(id);
  Pod& pod = rt.pod;
  std::vector<std::pair<std::size_t, ImageId>> changes;
  for (const ContainerImageUpdate& u : images) {
    const std::size_t i = pod.spec->container_index(u.container);
    if (pod.spec->containers[i].image != u.image) changes.emplace_back(i, u.image);
  }
  if (pod.phase != PodPhase::running || pod.deletion_requested || pod.updating_in_place ||
      changes.empty()) {
    return false;
  }
  std::sort(changes.begin(), changes.end());  // the kubelet starts containers in spec order
  rt.update = std::move(changes);
  rt.update_options = options;
  pod.owner.revision = options.revision;
  pod.updating_in_place = true;
  rt.gate_closed = true;  // until its containers are killed: the pod must not turn Ready again
  // CloneSet writes InPlaceUpdateReady=False and Ready=False in one status update
  // (domain-reference §2.6 step 1): the pod leaves the endpoints at once.
  set_not_ready(rt);
  interrupt(rt);
  return true;
}

const Pod& Cluster::pod(PodId id) const {
  return pods_.at(id)->pod;
}

std::optional<std::string> Cluster::scheduling_failure(PodId pod) const {
  return scheduler_.last_failure(pod);
}

void Cluster::on_bound(PodId id, NodeId node) {
  PodRuntime& rt = *pods_.at(id);
  rt.pod.node = node;
  rt.profile = &config_.pools[nodes_[node].pool].profile;
  rt.wake.trigger();
}

void Cluster::notify(PodRuntime& rt, PodEvent e) {
  const PodId id = rt.pod.id;
  // By index: a listener may add listeners.
  for (std::size_t i = 0; i < listeners_.size(); ++i) listeners_[i](id, e);
}

void Cluster::set_not_ready(PodRuntime& rt) {
  Pod& pod = rt.pod;
  const bool was_ready = pod.ready;
  pod.ready = false;
  pod.available = false;
  pod.ready_since.reset();
  rt.available_at = PodRuntime::kNever;
  rt.serving_on_at = PodRuntime::kNever;  // a propagation under way is overtaken
  if (!was_ready) return;
  if (pod.serving && rt.serving_off_at == PodRuntime::kNever) {
    // The EndpointSlice controller and then kube-proxy drop the endpoint asynchronously to the
    // kubelet (domain-reference §1.6): it keeps serving until then, while preStop and SIGTERM
    // (or an in-place restart) already run.
    const sim::Time t = sim_.now();
    const sim::Duration d = sample(rt, profile(rt).get("endpoint_removal"), "endpoint_removal",
                                   Span::kPodLevel, rt.removals++);
    record(rt, Stage::endpoint_removal, Span::kPodLevel, t, t + d);
    rt.serving_off_at = t + d;
    if (d <= sim::Duration{}) {
      pod.serving = false;
      rt.serving_off_at = PodRuntime::kNever;
    } else {
      arm_status(rt, rt.serving_off_at);
    }
  }
  notify(rt, PodEvent::not_ready);
}

// ---- cluster-autoscaler -------------------------------------------------------------------
// Deliberately simple and deterministic: every scan_interval while pods wait, pods that failed
// a scheduling attempt and are not yet promised a node are packed first-fit, in pod id order,
// into new nodes of the first eligible autoscaling pool with headroom. A promise lapses when
// its node joins: a pod still pending then is looked at again by the next scan.

void Cluster::arm_autoscaler() {
  if (autoscaler_armed_) return;
  const bool any = std::any_of(config_.pools.begin(), config_.pools.end(),
                               [](const NodePoolSpec& p) { return p.autoscaling.has_value(); });
  if (!any) return;
  autoscaler_armed_ = true;
  autoscaler_timer_.schedule_in(config_.autoscaler_scan_interval);
}

void Cluster::autoscale() {
  autoscaler_armed_ = false;
  struct Planned {
    Resources used;
    std::uint32_t pods = 0;
    std::vector<PodId> claimed;
  };
  std::vector<std::vector<Planned>> plan(config_.pools.size());
  std::vector<std::uint32_t> existing(config_.pools.size());
  for (PoolId p = 0; p < config_.pools.size(); ++p) existing[p] = ready_nodes(p);
  auto headroom = [&](PoolId p) {
    const auto& a = config_.pools[p].autoscaling;
    return a && existing[p] + pool_state_[p].provisioning + plan[p].size() < a->max_nodes;
  };

  bool keep_watching = false;
  for (const auto& rt : pods_) {
    const Pod& pod = rt->pod;
    if (pod.phase != PodPhase::scheduling || pod.deletion_requested || claimed_[pod.id]) continue;
    if (!scheduler_.last_failure(pod.id)) {
      keep_watching = true;  // not tried yet
      continue;
    }
    const Resources req = pod.spec->effective_requests();
    for (PoolId p : rt->pools) {
      const NodePoolSpec& spec = config_.pools[p];
      if (!spec.autoscaling) continue;
      Planned* target = nullptr;
      for (Planned& n : plan[p]) {
        if (n.pods < spec.shape.max_pods && (n.used + req).fits_in(spec.shape.allocatable)) {
          target = &n;
          break;
        }
      }
      if (target == nullptr && headroom(p)) target = &plan[p].emplace_back();
      if (target == nullptr) continue;
      target->used += req;
      ++target->pods;
      target->claimed.push_back(pod.id);
      claimed_[pod.id] = true;
      break;
    }
    if (!claimed_[pod.id]) {
      for (PoolId p : rt->pools) keep_watching = keep_watching || headroom(p);
    }
  }

  for (PoolId p = 0; p < plan.size(); ++p) {
    for (Planned& n : plan[p]) {
      const std::uint32_t ordinal = pool_state_[p].next_ordinal + pool_state_[p].provisioning;
      ++pool_state_[p].provisioning;
      sim::RandomStream s = root_.child("autoscaler").child(p).child(ordinal);
      const sim::Duration delay =
          sim::seconds(config_.pools[p].autoscaling->provisioning_delay->sample(s));
      sim_.call_in(delay, [this, p, claimed = std::move(n.claimed)]() mutable {
        node_provisioned(p, std::move(claimed));
      });
    }
  }
  if (keep_watching) arm_autoscaler();
}

void Cluster::node_provisioned(PoolId pool, std::vector<PodId> claimed) {
  --pool_state_[pool].provisioning;
  const NodeId id = add_node(pool, true);
  ++recorder_.counters().nodes_provisioned;
  for (PodId p : claimed) claimed_[p] = false;
  scheduler_.node_added(id);
  arm_autoscaler();
}

}  // namespace podsim::model
