#pragma once
// kube-scheduler: a priority queue of pending pods, one scheduling cycle at a time (Filter on a
// rotating sample of nodes, Score, pick the best, assume), asynchronous binding limited by the
// scheduler's API client QPS, and unschedulable pods retried with per-pod backoff or when the
// cluster frees capacity.
//
//   Scheduler scheduler(sim, nodes, &catalog, &inventory, SchedulerConfig{}, stream);
//   scheduler.set_on_bound([&](PodId pod, NodeId node) { start_kubelet(pod, node); });
//   SchedulingRequest web;  web.pod = 7;  web.requests = {500, 1 << 30};  web.images = {web_v2};
//   scheduler.submit(web);
//   ...
//   scheduler.pod_deleted(7);  // frees the reservation, retries pods that did not fit
//
// Facts and defaults: domain-reference.md section 4 [K-SONE][K-SCFG][K-IMGLOC][K-PTS].

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "podsim/model/client_rate_limiter.hpp"
#include "podsim/model/image.hpp"
#include "podsim/model/image_inventory.hpp"
#include "podsim/model/interned_lists.hpp"
#include "podsim/model/node.hpp"
#include "podsim/model/resources.hpp"
#include "podsim/model/scheduler_filter.hpp"
#include "podsim/model/spread_counts.hpp"
#include "podsim/sim/distribution.hpp"
#include "podsim/sim/random.hpp"
#include "podsim/sim/simulation.hpp"
#include "podsim/sim/timer.hpp"

namespace podsim::model {

/// What the scheduler needs to know about a pod.
struct SchedulingRequest {
  PodId pod = 0;
  Resources requests;
  std::vector<PoolId> eligible_pools;  // empty = any pool (the cluster maps nodeSelector to pools)
  std::vector<ImageId> images;         // one per container (init + regular), for ImageLocality
  int priority = 0;                    // higher is scheduled first (PrioritySort)
  std::uint32_t spread_group = 0;      // pods of one workload; 0 = none (no default spreading)
};

enum class ScoringStrategy { LeastAllocated, MostAllocated };

/// When a pod that did not fit is tried again. A failed cycle has filtered every node, and only
/// a cluster event (node_added, node_updated, capacity_freed, pod_deleted of a pod holding
/// capacity) can change what the filters say; so in both modes an unschedulable pod stays parked,
/// as in the real queue's unschedulablePods, until such an event moves it to the active queue,
/// or to backoff until its backoff expires (MoveAllToActiveOrBackoffQueue). A retry whose outcome
/// cannot differ is never made: a pod that can never fit leaves nothing queued, so
/// Simulation::run() returns.
///
/// podMaxInUnschedulablePodsDuration (the 5 min flush) is not modelled: here its retry could
/// only repeat the same failure, since every event that can change the outcome already moves
/// the pod. What that leaves out is the scheduler time those futile cycles take (one cycle per
/// unschedulable pod every 5 min).
enum class UnschedulableRetry {
  /// Kept for existing configurations: once its backoff expires, if a cluster event has
  /// happened since its last failure; the same as on_cluster_event.
  after_backoff,
  /// On a cluster event, respecting the backoff.
  on_cluster_event,
};

struct SchedulerConfig {
  /// 0 = adaptive (the default since v1.14); a per-profile value overrides it [K-SCFG].
  std::int32_t percentageOfNodesToScore = 0;
  ScoringStrategy scoringStrategy = ScoringStrategy::LeastAllocated;

  /// Score plugin weights of the default profile (v1.26-1.28 list) [K-SCFG].
  std::int64_t NodeResourcesFit = 1;
  std::int64_t NodeResourcesBalancedAllocation = 1;
  std::int64_t ImageLocality = 1;
  std::int64_t PodTopologySpread = 2;

  /// Seconds per scheduling cycle (one pod at a time). Default 10 ms: ~100 pods/s, the
  /// throughput of the 5,000-node perf test (kubernetes PR #74041) and close to scheduler_perf's
  /// 90 pods/s thresholds (PR #126871); KWOK measurements give p50 10-20 ms
  /// (latency-figures.md section 5).
  sim::DistributionPtr cycle_cost = sim::dist::constant(0.010);
  /// Seconds of the POST pods/binding round trip once the client lets it go. Default 5 ms is an
  /// assumption: no published figure; the mutating-API SLO only bounds p99 at 1 s [C-SLO].
  sim::DistributionPtr binding_latency = sim::dist::constant(0.005);

  /// The scheduler's API client: clientConnection.qps=50, burst=100 [K-SCFG]. Every bind is one
  /// request. qps <= 0 = unlimited.
  double qps = 50;
  std::int32_t burst = 100;

  /// podInitialBackoffSeconds=1, podMaxBackoffSeconds=10 [K-SCFG]: 1 s doubling per attempt.
  sim::Duration podInitialBackoff = sim::seconds(1);
  sim::Duration podMaxBackoff = sim::seconds(10);
  UnschedulableRetry unschedulable_retry = UnschedulableRetry::after_backoff;
  /// podMaxInUnschedulablePodsDuration (5 min, kube-scheduler >= v1.22). Not used: see
  /// UnschedulableRetry for why the flush's retry is not modelled.
  sim::Duration podMaxInUnschedulablePodsDuration = sim::seconds(300);

  /// The real selectHost picks uniformly among the best-scored nodes (reservoir sampling);
  /// false picks the first of them in the order the cycle examined nodes (for hand-worked tests).
  bool random_tie_break = true;
};

struct SchedulerCounters {
  std::uint64_t cycles = 0;                  // scheduling attempts
  std::uint64_t binds = 0;                   // pods bound
  std::uint64_t unschedulable_attempts = 0;  // cycles that found no feasible node
  /// Per bound pod, in bind order: queue + cycles + backoff + binding, submit() to bound.
  std::vector<sim::Duration> scheduling_latencies;
};

class Scheduler {
 public:
  using BoundCallback = std::function<void(PodId, NodeId)>;

  /// `nodes` is the cluster's node table, indexed by NodeId; it may grow (call node_added). The
  /// scheduler reserves requests in it. `inventory` may be null (no ImageLocality); image sizes
  /// come from `catalog` (compressed bytes: containerd reports the content size of the blobs).
  /// `random` seeds per-pod streams (cycle cost, binding latency, ties) so that variants of a
  /// comparison see the same draws for the same pod and attempt.
  Scheduler(sim::Simulation& sim, std::vector<Node>& nodes, const ImageCatalog* catalog,
            const ImageInventory* inventory, SchedulerConfig config, sim::RandomStream random);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Called when a pod's binding completes (PodScheduled=True, spec.nodeName set).
  void set_on_bound(BoundCallback on_bound) { on_bound_ = std::move(on_bound); }

  /// Adds a pending pod to the active queue. Throws std::invalid_argument if the pod is known.
  void submit(const SchedulingRequest& request);

  /// The pod is gone (deleted before binding, or its termination completed). Frees what the
  /// scheduler reserved on the node (callers must not release it themselves) and, if that was
  /// capacity, retries unschedulable pods as capacity_freed() does.
  void pod_deleted(PodId pod);

  /// Something freed capacity outside the scheduler's knowledge (a node grew, a reservation
  /// was lowered): moves unschedulable pods to the active queue, or to backoff if their
  /// backoff has not expired (MoveAllToActiveOrBackoffQueue).
  void capacity_freed() { move_all_to_active_or_backoff(); }
  /// A node joined or became ready (it must already be in the node table).
  void node_added(NodeId node);
  /// A node's ready flag, pool, maxPods or allocatable changed. The scheduler filters and scores
  /// from its own compact copy of each node (as kube-scheduler works from its cache, fed by
  /// informers), refreshed here, in node_added and when the table grows.
  void node_updated(NodeId node);

  const SchedulerCounters& counters() const { return counters_; }
  std::size_t pending_pods() const;  // waiting in any queue or in a cycle
  bool is_bound(PodId pod) const;
  /// The node a bound or binding pod was assumed on.
  std::optional<NodeId> assigned_node(PodId pod) const;
  /// The FailedScheduling message of the pod's last failed attempt, if any.
  std::optional<std::string> last_failure(PodId pod) const;
  /// Pods of `spread_group` the scheduler has placed on `node` (assumed or bound).
  std::uint32_t spread_group_pods(NodeId node, std::uint32_t spread_group) const;
  const SchedulerConfig& config() const { return config_; }

 private:
  enum class Phase { active, in_cycle, backoff, unschedulable, binding, bound };
  // A SchedulingRequest with its pool and image lists interned: pods of one template share them.
  struct StoredRequest {
    PodId pod = 0;
    Resources requests;
    int priority = 0;
    std::uint32_t spread_group = 0;
    std::uint32_t eligible_pools = 0;  // in pool_lists_
    std::uint32_t images = 0;          // in image_lists_
  };
  struct PodEntry {
    StoredRequest request;
    Phase phase = Phase::active;
    std::uint32_t attempts = 0;
    std::uint32_t generation = 0;  // renewed on every queue move; older heap entries are stale
    sim::Time submitted_at;
    sim::Time queued_at;
    sim::Time backoff_until;
    NodeId node = 0;
    std::optional<FitError> last_failure;
  };
  struct ActiveEntry {
    PodId pod;
    std::uint32_t generation;
  };
  struct WakeEntry {
    std::int64_t at_ns;
    std::uint64_t sequence;
    PodId pod;
    std::uint32_t generation;
  };

  void activate(PodEntry& entry);
  void maybe_start_cycle();
  bool start_cycle(const ActiveEntry& top);
  void finish_cycle();
  void schedule_one(PodEntry& entry);
  /// Fills the node's HotRow cache for the request and pools of memo_epoch_.
  void refresh_memo(NodeId node, const Resources& request, std::span<const PoolId> pools);
  const std::uint32_t* dense_spread_counts(std::uint32_t group);
  void sparse_spread_counts(std::uint32_t group, std::uint32_t count, NodeId first);
  void add_image_locality(std::span<const ImageId> images, std::span<const NodeId> nodes);
  void assume(PodEntry& entry, NodeId node);
  void unreserve(PodEntry& entry);
  void finish_binding(PodId pod, std::uint32_t generation);
  void mark_unschedulable(PodEntry& entry, FitError failure);
  void push_wake(PodEntry& entry, sim::Time at);
  void on_wake();
  void move_all_to_active_or_backoff();
  sim::Duration backoff_duration(std::uint32_t attempts) const;
  void grow_node_tables();
  sim::RandomStream pod_stream(const PodEntry& entry, std::uint32_t purpose) const;

  sim::Simulation& sim_;
  std::vector<Node>& nodes_;
  const ImageCatalog* catalog_;
  const ImageInventory* inventory_;
  SchedulerConfig config_;
  sim::RandomStream random_;
  BoundCallback on_bound_;
  ClientRateLimiter client_;

  std::unordered_map<PodId, PodEntry> pods_;
  InternedLists<PoolId> pool_lists_;
  InternedLists<ImageId> image_lists_;
  // The active queue. PrioritySort orders by priority, then queue time; a pod is queued at the
  // current time, after every pod queued before it, so within one priority the arrival order
  // is the queue order: one FIFO per priority, highest first (an emptied one stays for reuse).
  std::map<int, std::deque<ActiveEntry>, std::greater<>> active_;
  std::vector<WakeEntry> wakeups_;  // min-heap: backoff expiries and unschedulable flushes
  std::vector<std::pair<PodId, std::uint32_t>> unschedulable_;  // (pod, generation)
  std::vector<std::pair<PodId, std::uint32_t>> parked_scratch_;
  std::uint64_t sequence_ = 0;         // orders wake entries due at the same time
  std::uint32_t next_generation_ = 0;  // global, so a reused PodId never matches stale entries
  sim::Timer cycle_timer_;
  sim::Timer wake_timer_;
  sim::Time wake_timer_at_ = sim::Time::max();  // when wake_timer_ is queued for
  std::optional<PodId> cycle_pod_;
  std::uint32_t next_start_node_index_ = 0;  // nextStartNodeIndex: rotates the sample

  // Per node, what a cycle reads, in one cache line instead of three (Node carries names,
  // labels and kubelet settings): the filter fields and requests as scoring counts them.
  struct NodeRow {
    FilterView view;
    Resources non_zero_requested;  // requested with the non-zero defaults (scoring only)
  };
  // What a cycle reads per examined node: 16 bytes, so the nodes a cycle walks take few cache
  // lines. It caches, for the pod request and pool list of `memo_epoch`, the filter result and
  // the resource scores (NodeResourcesFit + BalancedAllocation, weighted): pure functions of
  // the NodeRow, the request and the pools, valid until the row changes (row_changed resets
  // memo_epoch to 0) or a cycle's request or pools differ from the last one's (a new epoch).
  struct HotRow {
    std::int64_t score = 0;
    // The memo's epoch (low 32 bits) and FilterResult (above): equal to the cycle's epoch
    // exactly when the memo is current and the node passes every filter, the common case a
    // cycle tests with one comparison.
    std::uint64_t memo = 0;
    std::uint32_t memo_epoch() const { return static_cast<std::uint32_t>(memo); }
    FilterResult filter() const { return static_cast<FilterResult>(memo >> 32); }
  };
  struct FilterPass;
  /// The filter pass over nodes [from, to) (see schedule_one); returns how many it examined.
  template <bool kDenseSpread>
  std::uint32_t filter_nodes(NodeId from, NodeId to, FilterPass& pass);
  void refresh_row(NodeId node);
  void row_changed(NodeId node);
  std::vector<NodeRow> rows_;
  std::vector<HotRow> hot_rows_;
  Resources memo_request_;
  std::uint32_t memo_pools_ = 0;  // index in pool_lists_
  std::uint32_t memo_epoch_ = 0;
  // Per spread group that occupies many nodes: its pod count per node, so a cycle reads the
  // counts of its sampled nodes in node order instead of walking the group's whole node list.
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> dense_spread_;
  std::vector<Resources> non_zero_extra_;  // non_zero_requested - requested, per node
  SpreadCounts spread_counts_;

  // Scratch reused by every cycle so that a cycle does not allocate; the first `count` entries
  // of feasible_, scores_ and spread_pods_ describe the cycle's feasible nodes.
  std::vector<NodeId> feasible_;
  // Per node: the cycle that last stamped it feasible (feasible_stamp_) and its index in
  // feasible_ then, so a cycle finds a sparse spread group's nodes among its sampled ones in
  // O(1) each instead of a binary search.
  std::vector<std::uint32_t> feasible_stamp_;
  std::vector<std::uint32_t> feasible_slot_;
  std::uint32_t feasible_epoch_ = 0;
  std::vector<std::int64_t> scores_;        // resource, image locality, then total scores
  std::vector<std::uint32_t> spread_pods_;  // pods of the cycle pod's spread group
  std::vector<std::int64_t> image_scaled_;
  std::vector<std::int64_t> image_sums_;
  std::vector<std::uint8_t> image_present_;

  SchedulerCounters counters_;
};

}  // namespace podsim::model
