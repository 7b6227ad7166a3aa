#pragma once
// The world of one replication: node pools and nodes, the registry and network, the scheduler,
// the kubelets (one lifecycle process per pod) and the recorder. Workload controllers drive it
// through create_pod / delete_pod / update_in_place and react to pod events.
//
//   sim::Simulation sim;
//   Cluster cluster(sim, catalog, config);
//   cluster.add_listener([&](PodId pod, PodEvent e) { ... });
//   PodId p = cluster.create_pod(web_template, PodOwner{.workload = 1, .name = "web-0"});
//   sim.run();
//   cluster.pod(p).ready;  cluster.recorder().spans();
//
// Facts: domain-reference.md §1.6 (termination), §3.1 (start pipeline), §3.2 (in-place image
// change), §3.3 (pull backoff, registryPullQPS), §3.5 (probes). Durations: each pool's
// StageProfile, the template's distributions.
//
// The kubelet side (pod_lifecycle.cpp): a pod worker syncs the pod as SyncPod does (init
// containers in order, a sidecar started before the next one, app containers in order; failed
// pulls and CrashLoopBackOff retried on the kubelet's backoffs), and a status manager turns
// startup, readiness and liveness probe results into container and pod readiness. A liveness or
// startup failure kills and restarts the container. Ready lost makes the endpoint go after
// endpoint_removal, while the pod keeps running or terminates. An elastic pool's instance slot
// (its node id) is reset and reused by a later pod once its pod has terminated.

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/model/image_puller.hpp"
#include "podsim/model/ip_allocator.hpp"
#include "podsim/model/node.hpp"
#include "podsim/model/node_pool.hpp"
#include "podsim/model/pod.hpp"
#include "podsim/model/pod_template.hpp"
#include "podsim/model/recorder.hpp"
#include "podsim/model/scheduler.hpp"
#include "podsim/sim/event.hpp"
#include "podsim/sim/flow_network.hpp"
#include "podsim/sim/random.hpp"
#include "podsim/sim/task.hpp"
#include "podsim/sim/timer.hpp"

namespace podsim::model {

struct ClusterConfig {
  std::vector<NodePoolSpec> pools;
  ImagePullConfig image_pull;
  SchedulerConfig scheduler;
  /// Root of every random stream of the replication.
  std::uint64_t seed = 1;
  /// cluster-autoscaler --scan-interval (its documented default, 10 s): how often it looks for
  /// unschedulable pods.
  sim::Duration autoscaler_scan_interval = sim::seconds(10);
};

/// One container's new image for update_in_place.
struct ContainerImageUpdate {
  std::string container;
  ImageId image = 0;
};

struct InPlaceUpdateOptions {
  /// CloneSet inPlaceUpdateStrategy.gracePeriodSeconds: the pod is not ready this long before
  /// its containers are restarted (domain-reference §2.6 step 2b).
  std::int32_t gracePeriodSeconds = 0;
  std::uint32_t revision = 0;  // the owner's new revision
};

class Cluster {
 public:
  using PodListener = std::function<void(PodId, PodEvent)>;

  /// The catalog must outlive the cluster. Throws std::invalid_argument on a bad pool.
  Cluster(sim::Simulation& sim, const ImageCatalog& catalog, ClusterConfig config);
  /// Destroys the simulation's processes first: pod lifecycles reference the cluster.
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // ---- Controller API ----------------------------------------------------------------------
  /// Creates a pod now and starts its lifecycle. A pod that can never be placed (larger than
  /// every node of its eligible pools, or no pool matches its nodeSelector) is created stalled.
  PodId create_pod(std::shared_ptr<const PodTemplate> tmpl, PodOwner owner = {});
  /// As above, for a template of its own (copied).
  PodId create_pod(const PodTemplate& tmpl, PodOwner owner = {});
  /// Deletes a pod in any phase: a pending pod leaves the scheduler, a starting pod's work
  /// (pulls included) is interrupted, running containers get preStop + SIGTERM. Deleting a
  /// terminating or terminated pod does nothing.
  void delete_pod(PodId pod);
  /// Restarts the containers whose image changes, in place (same node, sandbox and IP; init
  /// containers not re-run), after options.gracePeriodSeconds. The pod is not ready from this
  /// call on. False, changing nothing, unless the pod is running (all containers started), not
  /// deleted, not already updating, and some container's image actually changes. Throws
  /// std::out_of_range for an unknown container name.
  bool update_in_place(PodId pod, const std::vector<ContainerImageUpdate>& images,
                       InPlaceUpdateOptions options = {});
  /// Listeners are called synchronously, in the order added; they may call the API.
  void add_listener(PodListener listener) { listeners_.push_back(std::move(listener)); }

  // ---- Queries -----------------------------------------------------------------------------
  const Pod& pod(PodId id) const;
  std::size_t pod_count() const { return pods_.size(); }
  /// The scheduler's FailedScheduling message for a pending pod, if it failed an attempt.
  std::optional<std::string> scheduling_failure(PodId pod) const;

  const std::vector<Node>& nodes() const { return nodes_; }
  const NodePoolSpec& pool(PoolId id) const { return config_.pools.at(id); }
  std::size_t pool_count() const { return config_.pools.size(); }
  /// Nodes of the pool that are Ready (autoscaled ones once provisioned; not elastic instances).
  std::uint32_t ready_nodes(PoolId pool) const;

  Recorder& recorder() { return recorder_; }
  const Recorder& recorder() const { return recorder_; }
  ImagePuller& puller() { return puller_; }
  Scheduler& scheduler() { return scheduler_; }
  sim::FlowNetwork& network() { return net_; }
  sim::Simulation& simulation() { return sim_; }

 private:
  struct PodRuntime;
  // A pod's eligible pools: one or two in practice, kept inline.
  using PoolList = boost::container::small_vector<PoolId, 2>;
  struct PoolState {
    std::optional<NodeId> virtual_node;  // elastic pools
    std::uint32_t provisioning = 0;      // autoscaled nodes on their way
    std::uint32_t next_ordinal = 0;      // for node names and provisioning streams
    std::vector<NodeId> free_instances;  // elastic: slots of terminated instances, for reuse
  };
  // EnsureImageExists: usable, retry after a backoff, stalled; or (before_pull) ask the puller.
  enum class PullOutcome { ok, retry, stalled, pull };

  // Cluster setup and nodes (cluster.cpp).
  NodeId add_node(PoolId pool, bool ready);
  PoolList eligible_pools(const PodTemplate& tmpl) const;
  std::string unplaceable_reason(const PodTemplate& tmpl, std::span<const PoolId> pools) const;
  void on_bound(PodId pod, NodeId node);
  void notify(PodRuntime& rt, PodEvent e);
  void arm_autoscaler();
  void interrupt(PodRuntime& rt);
  void autoscale();
  void node_provisioned(PoolId pool, std::vector<PodId> claimed);

  /// An elastic pool's instance for a new pod: a terminated one's slot, reset, or a new node.
  NodeId take_instance(PoolId pool);

  // The pod lifecycle (pod_lifecycle.cpp). Container k counts init containers first.
  sim::Process lifecycle(PodRuntime& rt);
  /// Stalled or unbound: waits for the deletion's interrupt.
  sim::Task<void> wait_for_deletion();
  /// Receives an interrupt that is pending (delivered at the next wait).
  sim::Task<void> take_interrupt();
  sim::Task<void> start_pod(PodRuntime& rt);
  sim::Task<void> pod_worker(PodRuntime& rt);
  /// One kubelet SyncPod; true if it failed (the pod worker retries after pod_sync_retry).
  sim::Task<bool> sync_pod(PodRuntime& rt);
  /// Starts container k (backoff check, pull, create, start); false if it did not start.
  sim::Task<bool> start_one(PodRuntime& rt, std::size_t k);
  /// EnsureImageExists for container k up to the pull: `pull` when the puller must be asked
  /// (with the failure draw for it), else why not (Never: present or stalled; backoff: retry).
  PullOutcome before_pull(PodRuntime& rt, std::size_t k, ImageId image, ImagePullPolicy policy,
                          std::uint32_t attempt, double& failure_draw);
  /// The rest of it once the puller answered a pull asked at `asked`: backoff, spans, pins.
  PullOutcome after_pull(PodRuntime& rt, std::size_t k, ImageId image, const PullResult& result,
                         sim::Time asked);
  void pin(PodRuntime& rt, ImageId image);
  /// Kills container k after a startup or liveness probe failure (restarted by the next sync).
  sim::Task<void> kill_for_restart(PodRuntime& rt, std::size_t k);
  void container_exited(PodRuntime& rt, std::size_t k, sim::Time at);
  sim::Task<void> update_containers(PodRuntime& rt);
  sim::Task<void> terminate(PodRuntime& rt);
  sim::Duration kill_time(PodRuntime& rt, std::size_t k, std::int32_t grace_seconds);
  /// Probe outcomes of container k's instance started now, its app serving at app_ready.
  void plan_probes(PodRuntime& rt, std::size_t k, sim::Time app_ready);
  /// The status manager: container and pod readiness, endpoints, availability, and the probe
  /// results that make the pod worker sync; re-arms the pod's status timer.
  void refresh_status(PodRuntime& rt);
  void arm_status(PodRuntime& rt, sim::Time at);
  void release(PodRuntime& rt);
  void stall(PodRuntime& rt, std::string reason);
  void set_not_ready(PodRuntime& rt);

  // A stage's label is hashed where its name is a literal, at compile time.
  sim::RandomStream stream(const PodRuntime& rt, sim::StreamLabel stage, std::int32_t container,
                           std::uint32_t attempt = 0) const;
  sim::Duration sample(const PodRuntime& rt, const sim::DistributionPtr& d, sim::StreamLabel stage,
                       std::int32_t container, std::uint32_t attempt = 0,
                       std::uint32_t draw = 0) const;
  const StageProfile& profile(const PodRuntime& rt) const;
  void record(const PodRuntime& rt, Stage stage, std::int32_t container, sim::Time start,
              sim::Time end);
  /// Spans whose end lies in the future (app start, readiness) wait here until the pod gets
  /// there; an interruption records them clipped to now.
  void defer(PodRuntime& rt, Stage stage, std::int32_t container, sim::Time start, sim::Time end);
  void flush_deferred(PodRuntime& rt, bool clip);

  sim::Simulation& sim_;
  const ImageCatalog& catalog_;
  ClusterConfig config_;
  sim::RandomStream root_;
  sim::FlowNetwork net_;
  std::vector<Node> nodes_;
  ImagePuller puller_;
  Scheduler scheduler_;
  SchedulingRequest submission_;  // reused by every pod's submission: submitting allocates nothing
  Recorder recorder_;
  std::vector<PoolState> pool_state_;
  std::vector<NodeIpAllocator> ips_;  // per node id
  std::vector<std::unique_ptr<PodRuntime>> pods_;
  std::vector<PodListener> listeners_;
  sim::Timer autoscaler_timer_;
  sim::Event never_;  // never triggered: stalled pods wait here until their deletion interrupts
  bool autoscaler_armed_ = false;
  std::vector<bool> claimed_;  // per pod: an autoscaled node on its way is meant for it
};

}  // namespace podsim::model
