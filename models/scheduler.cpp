#include "podsim/model/scheduler.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>

#include "podsim/model/scheduler_scores.hpp"

namespace podsim::model {

namespace {

// Heap orders: std::push_heap keeps the "largest" on top.
struct ActiveLess {  // PrioritySort: higher priority first, then earlier queue time
  template <class E>
  bool operator()(const E& a, const E& b) const {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.queued_ns != b.queued_ns) return a.queued_ns > b.queued_ns;
    return a.sequence > b.sequence;
  }
};
struct WakeLater {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.at_ns != b.at_ns ? a.at_ns > b.at_ns : a.sequence > b.sequence;
  }
};

// Purposes of the per-pod random streams (stable: changing them changes results).
constexpr std::uint32_t kCycleCostStream = 1;
constexpr std::uint32_t kBindingStream = 2;
constexpr std::uint32_t kTieStream = 3;

// A spread group on at least 1/kDenseSpreadRatio of the nodes gets a per-node count array
// (memory: at most kDenseSpreadRatio counts per (group, node) pair it holds).
constexpr std::size_t kDenseSpreadRatio = 32;

sim::Duration draw(const sim::DistributionPtr& dist, sim::RandomStream stream) {
  return dist ? sim::seconds(dist->sample(stream)) : sim::Duration{};
}

}  // namespace

Scheduler::Scheduler(sim::Simulation& sim, std::vector<Node>& nodes, const ImageCatalog* catalog,
                     const ImageInventory* inventory, SchedulerConfig config,
                     sim::RandomStream random)
    : sim_(sim),
      nodes_(nodes),
      catalog_(catalog),
      inventory_(inventory),
      config_(std::move(config)),
      random_(random),
      client_(config_.qps, config_.burst),
      cycle_timer_(sim, [this] { finish_cycle(); }),
      wake_timer_(sim, [this] { on_wake(); }) {
  grow_node_tables();
}

void Scheduler::submit(SchedulingRequest request) {
  const PodId pod = request.pod;
  auto [it, inserted] = pods_.try_emplace(pod);
  if (!inserted)
    throw std::invalid_argument("scheduler: pod " + std::to_string(pod) + " submitted twice");
  PodEntry& entry = it->second;
  entry.request = std::move(request);
  entry.submitted_at = sim_.now();
  activate(entry);
}

void Scheduler::activate(PodEntry& entry) {
  entry.phase = Phase::active;
  entry.generation = ++next_generation_;
  entry.queued_at = sim_.now();
  active_.push_back(ActiveEntry{entry.request.priority, entry.queued_at.ns(), sequence_++,
                                entry.request.pod, entry.generation});
  std::push_heap(active_.begin(), active_.end(), ActiveLess{});
  maybe_start_cycle();
}

sim::RandomStream Scheduler::pod_stream(const PodEntry& entry, std::uint32_t purpose) const {
  return random_.child(purpose).child(entry.request.pod).child(entry.attempts);
}

// One cycle at a time: the scheduling cycle is serial in kube-scheduler (section 4.4).
void Scheduler::maybe_start_cycle() {
  if (cycle_pod_) return;
  while (!active_.empty()) {
    std::pop_heap(active_.begin(), active_.end(), ActiveLess{});
    const ActiveEntry top = active_.back();
    active_.pop_back();
    auto it = pods_.find(top.pod);
    if (it == pods_.end() || it->second.generation != top.generation ||
        it->second.phase != Phase::active) {
      continue;  // deleted or moved since it was queued
    }
    PodEntry& entry = it->second;
    entry.phase = Phase::in_cycle;
    ++entry.attempts;
    ++counters_.cycles;
    cycle_pod_ = top.pod;
    cycle_timer_.schedule_in(draw(config_.cycle_cost, pod_stream(entry, kCycleCostStream)));
    return;
  }
}

// The decision is taken at the end of the cycle's cost, against the node table as it is then,
// and assumed at once: no later cycle can see the node without this pod.
void Scheduler::finish_cycle() {
  const PodId pod = *cycle_pod_;
  cycle_pod_.reset();
  auto it = pods_.find(pod);
  if (it != pods_.end() && it->second.phase == Phase::in_cycle) schedule_one(it->second);
  maybe_start_cycle();
}

void Scheduler::grow_node_tables() {
  const std::size_t old_size = rows_.size();
  if (old_size >= nodes_.size()) return;
  non_zero_extra_.resize(nodes_.size());
  rows_.resize(nodes_.size());
  hot_rows_.resize(nodes_.size());
  feasible_stamp_.resize(nodes_.size(), 0);
  feasible_slot_.resize(nodes_.size(), 0);
  for (auto& [group, counts] : dense_spread_) counts.resize(nodes_.size(), 0);
  for (std::size_t id = old_size; id < nodes_.size(); ++id) refresh_row(static_cast<NodeId>(id));
}

void Scheduler::refresh_row(NodeId id) {
  const Node& node = nodes_[id];
  rows_[id].view = FilterView{node.ready,          node.pool,      node.pods,
                              node.shape.max_pods, node.requested, node.shape.allocatable};
  rows_[id].non_zero_requested = node.requested + non_zero_extra_[id];
  row_changed(id);
}

void Scheduler::row_changed(NodeId id) {
  const FilterView& view = rows_[id].view;
  HotRow& row = hot_rows_[id];
  row.free_cpu_millis = view.allocatable.cpu_millis - view.requested.cpu_millis;
  row.free_memory_bytes = view.allocatable.memory_bytes - view.requested.memory_bytes;
  row.pool = view.pool;
  row.ready = view.ready;
  row.pods_full = view.pods + 1 > view.max_pods;
  row.score_epoch = 0;
}

void Scheduler::node_updated(NodeId node) {
  grow_node_tables();
  if (node < rows_.size()) refresh_row(node);
  move_all_to_active_or_backoff();
}

void Scheduler::schedule_one(PodEntry& entry) {
  grow_node_tables();
  const SchedulingRequest& req = entry.request;
  const auto num_nodes = static_cast<std::uint32_t>(nodes_.size());
  FitError failure;
  failure.num_all_nodes = num_nodes;
  if (num_nodes == 0) {
    mark_unschedulable(entry, failure);
    return;
  }

  // Filter from nextStartNodeIndex until enough feasible nodes are found; a cycle that finds
  // none has looked at every node, so its FitError counts all of them.
  const std::uint32_t wanted =
      num_feasible_nodes_to_find(num_nodes, config_.percentageOfNodesToScore);
  const std::uint32_t start = next_start_node_index_ % num_nodes;
  std::uint32_t processed = 0;
  feasible_.clear();
  if (feasible_epoch_ == UINT32_MAX) {  // wrapped: forget every stamp
    std::fill(feasible_stamp_.begin(), feasible_stamp_.end(), 0);
    feasible_epoch_ = 0;
  }
  ++feasible_epoch_;
  while (processed < num_nodes && feasible_.size() < wanted) {
    NodeId id = start + processed;
    if (id >= num_nodes) id -= num_nodes;
    ++processed;
    const FilterResult result = filter_fields(hot_rows_[id], req.requests, req.eligible_pools);
    if (result == 0) {
      feasible_stamp_[id] = feasible_epoch_;
      feasible_slot_[id] = static_cast<std::uint32_t>(feasible_.size());
      feasible_.push_back(id);
    } else {
      failure.add(result);
    }
  }
  next_start_node_index_ = (start + processed) % num_nodes;
  if (feasible_.empty()) {
    mark_unschedulable(entry, failure);
    return;
  }

  // Score. With one feasible node the real scheduler skips scoring; so do we.
  const std::size_t count = feasible_.size();
  scores_.assign(count, 0);
  if (count > 1) {
    const Resources pod_non_zero = non_zero_requests(req.requests);
    const bool least_allocated = config_.scoringStrategy == ScoringStrategy::LeastAllocated;
    if (memo_epoch_ == 0 || req.requests != memo_request_) {
      if (memo_epoch_ == UINT32_MAX) {  // wrapped: forget every cached score
        for (HotRow& row : hot_rows_) row.score_epoch = 0;
        memo_epoch_ = 0;
      }
      ++memo_epoch_;
      memo_request_ = req.requests;
    }
    for (std::size_t i = 0; i < count; ++i) {
      HotRow& memo = hot_rows_[feasible_[i]];
      if (memo.score_epoch != memo_epoch_) {
        const NodeRow& row = rows_[feasible_[i]];
        const Resources& alloc = row.view.allocatable;
        const Resources scored = row.non_zero_requested + pod_non_zero;
        const std::int64_t fit = least_allocated ? least_allocated_score(scored, alloc)
                                                 : most_allocated_score(scored, alloc);
        // BalancedAllocation counts actual requests (useRequested), not the non-zero defaults.
        const std::int64_t balanced =
            balanced_allocation_score(row.view.requested + req.requests, alloc);
        memo.score =
            config_.NodeResourcesFit * fit + config_.NodeResourcesBalancedAllocation * balanced;
        memo.score_epoch = memo_epoch_;
      }
      scores_[i] = memo.score;
    }
    if (inventory_ != nullptr && catalog_ != nullptr && !req.images.empty() &&
        config_.ImageLocality != 0) {
      // An image's scaled size does not depend on the node: once per cycle. An image no node
      // holds, or whose scaled size is 0, adds nothing to any node's sum.
      image_scaled_.resize(req.images.size());
      bool any = false;
      for (std::size_t j = 0; j < req.images.size(); ++j) {
        const std::uint32_t holders = inventory_->nodes_with_image(req.images[j]);
        image_scaled_[j] =
            scaled_image_score(catalog_->image(req.images[j]).compressed_bytes, holders, num_nodes);
        if (holders == 0) image_scaled_[j] = 0;
        any = any || image_scaled_[j] != 0;
      }
      if (any) {
        image_sums_.assign(count, 0);
        image_present_.resize(count);
        for (std::size_t j = 0; j < req.images.size(); ++j) {
          const std::int64_t scaled = image_scaled_[j];
          if (scaled == 0) continue;
          inventory_->nodes_have_image(req.images[j], feasible_, image_present_);
          for (std::size_t i = 0; i < count; ++i) {
            if (image_present_[i] != 0) image_sums_[i] += scaled;
          }
        }
        // A node without any of the images scores 0 (the sum is clamped up to minThreshold).
        std::int64_t last_sum = -1;
        std::int64_t last_score = 0;
        for (std::size_t i = 0; i < count; ++i) {
          const std::int64_t sum = image_sums_[i];
          if (sum <= 0) continue;
          if (sum != last_sum) {
            last_sum = sum;
            last_score = config_.ImageLocality * image_locality_score(sum, req.images.size());
          }
          scores_[i] += last_score;
        }
      }
    }
    if (req.spread_group != 0 && config_.PodTopologySpread != 0) {
      // Counts for the sampled nodes: for a group on many nodes, from its per-node counts in
      // node order; else walk the group's own node list, which is short.
      spread_hits_.clear();
      std::uint32_t min_pods = UINT32_MAX;
      std::uint32_t max_pods = 0;
      const auto hit = [&](std::uint32_t index, std::uint32_t pods) {
        spread_hits_.emplace_back(index, pods);
        min_pods = std::min(min_pods, pods);
        max_pods = std::max(max_pods, pods);
      };
      const auto group_nodes = spread_counts_.nodes_of(req.spread_group);
      auto dense = dense_spread_.find(req.spread_group);
      if (dense == dense_spread_.end() && group_nodes.size() * kDenseSpreadRatio >= num_nodes) {
        std::vector<std::uint32_t> counts(nodes_.size(), 0);
        for (const auto& [node, pods] : group_nodes) counts[node] = pods;
        dense = dense_spread_.emplace(req.spread_group, std::move(counts)).first;
      }
      if (dense != dense_spread_.end()) {
        const std::uint32_t* counts = dense->second.data();
        for (std::size_t i = 0; i < count; ++i) {
          const std::uint32_t pods = counts[feasible_[i]];
          if (pods != 0) hit(static_cast<std::uint32_t>(i), pods);
        }
      } else {
        // The group's few nodes: those this cycle found feasible, by their stamps.
        for (const auto& [node, pods] : group_nodes) {
          if (pods == 0 || node >= num_nodes || feasible_stamp_[node] != feasible_epoch_) continue;
          hit(feasible_slot_[node], pods);
        }
      }
      if (spread_hits_.size() < count) min_pods = 0;  // some sampled node holds none
      // The raw score is non-decreasing in the pod count, so its extremes over the sampled
      // nodes are those of the extreme counts; normalizing is then per node as the plugin does.
      const double weight = topology_normalizing_weight(count);
      const std::int64_t min_raw = pod_topology_spread_raw_score(min_pods, weight);
      const std::int64_t max_raw =
          std::max<std::int64_t>(0, pod_topology_spread_raw_score(max_pods, weight));
      const auto normalized = [&](std::uint32_t pods) {
        const std::int64_t raw = pod_topology_spread_raw_score(pods, weight);
        return max_raw == 0 ? kMaxNodeScore : detail::percent_of(max_raw + min_raw - raw, max_raw);
      };
      const std::int64_t zero_term = config_.PodTopologySpread * normalized(0);
      for (std::size_t i = 0; i < count; ++i) scores_[i] += zero_term;
      std::uint32_t last_pods = 0;
      std::int64_t last_delta = 0;
      for (const auto& [index, pods] : spread_hits_) {
        if (pods != last_pods) {
          last_pods = pods;
          last_delta = config_.PodTopologySpread * normalized(pods) - zero_term;
        }
        scores_[index] += last_delta;
      }
    }
  }

  // selectHost: the highest total; among equals the real scheduler keeps each of k tied nodes
  // with probability 1/k (reservoir sampling), i.e. picks uniformly; one draw does the same
  // here. Without random ties: the first tied node in the order the cycle examined them.
  std::size_t best = 0;
  std::uint32_t ties = 1;
  for (std::size_t i = 1; i < count; ++i) {
    if (scores_[i] > scores_[best]) {
      best = i;
      ties = 1;
    } else if (scores_[i] == scores_[best]) {
      ++ties;
    }
  }
  if (ties > 1 && config_.random_tie_break) {
    sim::RandomStream tie_stream = pod_stream(entry, kTieStream);
    auto pick = static_cast<std::uint32_t>(tie_stream.uniform01() * ties);
    const std::int64_t top = scores_[best];
    for (std::size_t i = best;; ++i) {
      if (scores_[i] == top && pick-- == 0) {
        best = i;
        break;
      }
    }
  }
  assume(entry, feasible_[best]);
}

void Scheduler::assume(PodEntry& entry, NodeId id) {
  const SchedulingRequest& req = entry.request;
  Node& node = nodes_[id];
  node.requested += req.requests;
  node.pods += 1;
  non_zero_extra_[id] += non_zero_requests(req.requests) - req.requests;
  rows_[id].view.requested = node.requested;
  rows_[id].view.pods = node.pods;
  rows_[id].non_zero_requested += non_zero_requests(req.requests);
  row_changed(id);
  if (req.spread_group != 0) {
    spread_counts_.add(req.spread_group, id);
    auto dense = dense_spread_.find(req.spread_group);
    if (dense != dense_spread_.end()) ++dense->second[id];
  }
  entry.phase = Phase::binding;
  entry.node = id;
  entry.generation = ++next_generation_;

  // Binding runs asynchronously; the POST waits for a client token first.
  const sim::Time sent = client_.reserve(sim_.now());
  const sim::Time bound = sent + draw(config_.binding_latency, pod_stream(entry, kBindingStream));
  const PodId pod = req.pod;
  const std::uint32_t generation = entry.generation;
  sim_.call_at(bound, [this, pod, generation] { finish_binding(pod, generation); });
}

void Scheduler::unreserve(PodEntry& entry) {
  const SchedulingRequest& req = entry.request;
  const NodeId id = entry.node;
  Node& node = nodes_[id];
  node.requested -= req.requests;
  node.pods -= 1;
  non_zero_extra_[id] -= non_zero_requests(req.requests) - req.requests;
  rows_[id].view.requested = node.requested;
  rows_[id].view.pods = node.pods;
  rows_[id].non_zero_requested -= non_zero_requests(req.requests);
  row_changed(id);
  if (req.spread_group != 0) {
    spread_counts_.remove(req.spread_group, id);
    auto dense = dense_spread_.find(req.spread_group);
    if (dense != dense_spread_.end() && dense->second[id] > 0) --dense->second[id];
  }
}

void Scheduler::finish_binding(PodId pod, std::uint32_t generation) {
  auto it = pods_.find(pod);
  if (it == pods_.end() || it->second.generation != generation ||
      it->second.phase != Phase::binding) {
    return;  // deleted while binding
  }
  PodEntry& entry = it->second;
  entry.phase = Phase::bound;
  ++counters_.binds;
  counters_.scheduling_latencies.push_back(sim_.now() - entry.submitted_at);
  if (on_bound_) on_bound_(pod, entry.node);
}

// The real queue parks the pod in unschedulablePods with its backoff clock started now
// (pInfo.Timestamp); a move request later sends it to activeQ or, still backing off, backoffQ.
void Scheduler::mark_unschedulable(PodEntry& entry, FitError failure) {
  ++counters_.unschedulable_attempts;
  entry.last_failure = failure;
  const sim::Time now = sim_.now();
  entry.backoff_until = now + backoff_duration(entry.attempts);
  entry.phase = Phase::unschedulable;
  entry.generation = ++next_generation_;
  entry.queued_at = now;
  unschedulable_.emplace_back(entry.request.pod, entry.generation);
  // Pods that left the pool by their own timer leave stale entries behind; drop them before
  // they outnumber the pods (amortized O(1) per failure).
  if (unschedulable_.size() > 2 * pods_.size() + 64) {
    std::erase_if(unschedulable_, [this](const std::pair<PodId, std::uint32_t>& e) {
      auto it = pods_.find(e.first);
      return it == pods_.end() || it->second.generation != e.second ||
             it->second.phase != Phase::unschedulable;
    });
  }
  // Parked without a timer: only a cluster event can change the outcome, and every one calls
  // move_all_to_active_or_backoff (see UnschedulableRetry). A timed retry before one would
  // fail the same way, and would keep the simulation alive forever.
}

sim::Duration Scheduler::backoff_duration(std::uint32_t attempts) const {
  // podInitialBackoffSeconds doubled for each attempt after the first, capped at
  // podMaxBackoffSeconds (calculateBackoffDuration).
  sim::Duration d = config_.podInitialBackoff;
  for (std::uint32_t i = 1; i < attempts; ++i) {
    if (d > config_.podMaxBackoff - d) return config_.podMaxBackoff;
    d += d;
  }
  return std::min(d, config_.podMaxBackoff);
}

void Scheduler::push_wake(PodEntry& entry, sim::Time at) {
  wakeups_.push_back(WakeEntry{at.ns(), sequence_++, entry.request.pod, entry.generation});
  std::push_heap(wakeups_.begin(), wakeups_.end(), WakeLater{});
  if (at < wake_timer_at_) {
    wake_timer_at_ = at;
    wake_timer_.schedule_at(at);
  }
}

void Scheduler::on_wake() {
  const std::int64_t now = sim_.now().ns();
  wake_timer_at_ = sim::Time::max();
  while (!wakeups_.empty() && wakeups_.front().at_ns <= now) {
    std::pop_heap(wakeups_.begin(), wakeups_.end(), WakeLater{});
    const WakeEntry top = wakeups_.back();
    wakeups_.pop_back();
    auto it = pods_.find(top.pod);
    if (it == pods_.end() || it->second.generation != top.generation) continue;
    if (it->second.phase == Phase::backoff || it->second.phase == Phase::unschedulable) {
      activate(it->second);
    }
  }
  if (!wakeups_.empty()) {
    wake_timer_at_ = sim::Time::from_ns(wakeups_.front().at_ns);
    wake_timer_.schedule_at(wake_timer_at_);
  }
}

// MoveAllToActiveOrBackoffQueue: every parked pod leaves the unschedulable pool; those still in
// backoff wait for its end (the real backoffQ is polled every second; here it is exact).
void Scheduler::move_all_to_active_or_backoff() {
  std::vector<std::pair<PodId, std::uint32_t>>& parked = parked_scratch_;
  parked.clear();
  parked.swap(unschedulable_);  // both keep their capacity: no allocation per move
  const sim::Time now = sim_.now();
  for (const auto& [pod, generation] : parked) {
    auto it = pods_.find(pod);
    if (it == pods_.end() || it->second.generation != generation ||
        it->second.phase != Phase::unschedulable) {
      continue;
    }
    PodEntry& entry = it->second;
    if (entry.backoff_until <= now) {
      activate(entry);
    } else {
      entry.phase = Phase::backoff;
      entry.generation = ++next_generation_;
      push_wake(entry, entry.backoff_until);
    }
  }
}

void Scheduler::node_added(NodeId node) {
  if (node >= nodes_.size()) {
    throw std::out_of_range("scheduler: node_added(" + std::to_string(node) +
                            ") is not in the node table");
  }
  grow_node_tables();
  refresh_row(node);
  move_all_to_active_or_backoff();
}

void Scheduler::pod_deleted(PodId pod) {
  auto it = pods_.find(pod);
  if (it == pods_.end()) return;
  const bool held_capacity = it->second.phase == Phase::binding || it->second.phase == Phase::bound;
  if (held_capacity) unreserve(it->second);
  pods_.erase(it);  // queue entries of the pod go stale and are skipped
  if (held_capacity) move_all_to_active_or_backoff();
}

std::size_t Scheduler::pending_pods() const {
  return static_cast<std::size_t>(std::count_if(pods_.begin(), pods_.end(), [](const auto& p) {
    return p.second.phase != Phase::binding && p.second.phase != Phase::bound;
  }));
}

bool Scheduler::is_bound(PodId pod) const {
  auto it = pods_.find(pod);
  return it != pods_.end() && it->second.phase == Phase::bound;
}

std::optional<NodeId> Scheduler::assigned_node(PodId pod) const {
  auto it = pods_.find(pod);
  if (it == pods_.end()) return std::nullopt;
  if (it->second.phase != Phase::binding && it->second.phase != Phase::bound) return std::nullopt;
  return it->second.node;
}

std::optional<std::string> Scheduler::last_failure(PodId pod) const {
  auto it = pods_.find(pod);
  if (it == pods_.end() || !it->second.last_failure) return std::nullopt;
  return it->second.last_failure->message();
}

std::uint32_t Scheduler::spread_group_pods(NodeId node, std::uint32_t spread_group) const {
  return spread_counts_.count(spread_group, node);
}

}  // namespace podsim::model
