#include "podsim/model/scheduler.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>

#include "podsim/model/scheduler_scores.hpp"

namespace podsim::model {

namespace {

// The wake heap's order: std::push_heap keeps the "largest" on top.
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

// Spread terms computed once per cycle, for this many pod counts from the smallest sampled one;
// counts beyond are rare (many pods of one group on a node) and computed per node.
constexpr std::uint32_t kSpreadTermCache = 64;

constexpr NodeId kNoNode = UINT32_MAX;

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

void Scheduler::submit(const SchedulingRequest& request) {
  const PodId pod = request.pod;
  auto [it, inserted] = pods_.try_emplace(pod);
  if (!inserted)
    throw std::invalid_argument("scheduler: pod " + std::to_string(pod) + " submitted twice");
  PodEntry& entry = it->second;
  entry.request = StoredRequest{pod,
                                request.requests,
                                request.priority,
                                request.spread_group,
                                pool_lists_.intern(request.eligible_pools),
                                image_lists_.intern(request.images)};
  entry.submitted_at = sim_.now();
  activate(entry);
}

void Scheduler::activate(PodEntry& entry) {
  entry.phase = Phase::active;
  entry.generation = ++next_generation_;
  entry.queued_at = sim_.now();
  active_[entry.request.priority].push_back(ActiveEntry{entry.request.pod, entry.generation});
  maybe_start_cycle();
}

// random_.child(purpose).child(pod).child(attempts), without seeding the two streams between.
sim::RandomStream Scheduler::pod_stream(const PodEntry& entry, std::uint32_t purpose) const {
  return sim::RandomStream::derive(random_.key(), {purpose, entry.request.pod, entry.attempts});
}

// One cycle at a time: the scheduling cycle is serial in kube-scheduler (section 4.4).
void Scheduler::maybe_start_cycle() {
  if (cycle_pod_) return;
  for (auto& [priority, queue] : active_) {
    while (!queue.empty()) {
      const ActiveEntry top = queue.front();
      queue.pop_front();
      if (start_cycle(top)) return;
    }
  }
}

// Starts the cycle of a queued pod; false if the entry is stale.
bool Scheduler::start_cycle(const ActiveEntry& top) {
  auto it = pods_.find(top.pod);
  if (it == pods_.end() || it->second.generation != top.generation ||
      it->second.phase != Phase::active) {
    return false;  // deleted or moved since it was queued
  }
  PodEntry& entry = it->second;
  entry.phase = Phase::in_cycle;
  ++entry.attempts;
  ++counters_.cycles;
  cycle_pod_ = top.pod;
  cycle_timer_.schedule_in(draw(config_.cycle_cost, pod_stream(entry, kCycleCostStream)));
  return true;
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
  hot_rows_[id].memo = 0;
}

void Scheduler::node_updated(NodeId node) {
  grow_node_tables();
  if (node < rows_.size()) refresh_row(node);
  move_all_to_active_or_backoff();
}

void Scheduler::refresh_memo(NodeId id, const Resources& request, std::span<const PoolId> pools) {
  const NodeRow& row = rows_[id];
  HotRow& memo = hot_rows_[id];
  const FilterResult filter = filter_node(row.view, request, pools);
  memo.memo = static_cast<std::uint64_t>(filter) << 32 | memo_epoch_;
  if (filter != 0) return;  // scored only where the pod fits
  const Resources& alloc = row.view.allocatable;
  const Resources scored = row.non_zero_requested + non_zero_requests(request);
  const std::int64_t fit = config_.scoringStrategy == ScoringStrategy::LeastAllocated
                               ? least_allocated_score(scored, alloc)
                               : most_allocated_score(scored, alloc);
  // BalancedAllocation counts actual requests (useRequested), not the non-zero defaults.
  const std::int64_t balanced = balanced_allocation_score(row.view.requested + request, alloc);
  memo.score = config_.NodeResourcesFit * fit + config_.NodeResourcesBalancedAllocation * balanced;
}

// What the filter pass of one cycle reads and fills: the first `count` entries of feasible,
// scores and (with dense spread counts) spread_pods describe the feasible nodes found so far.
struct Scheduler::FilterPass {
  const Resources& request;
  std::span<const PoolId> pools;
  const std::uint32_t* dense_counts;
  NodeId* feasible;
  std::int64_t* scores;
  std::uint32_t* spread_pods;
  std::uint32_t wanted;
  std::uint32_t count;
  FitError failure;
};

// Locals and raw pointers: stores through them cannot alias the scheduler's fields, so the
// loop keeps everything in registers.
template <bool kDenseSpread>
std::uint32_t Scheduler::filter_nodes(NodeId from, NodeId to, FilterPass& pass) {
  const HotRow* const hot = hot_rows_.data();
  const std::uint64_t epoch = memo_epoch_;  // a feasible node's current memo: filter bits 0
  const std::uint32_t* const dense_counts = pass.dense_counts;
  NodeId* const feasible = pass.feasible;
  std::int64_t* const scores = pass.scores;
  std::uint32_t* const spread_pods = pass.spread_pods;
  const std::uint32_t wanted = pass.wanted;
  std::uint32_t count = pass.count;
  NodeId id = from;
  while (id < to && count < wanted) {
    // Each node adds at most one feasible node: up to `stop`, count cannot pass wanted.
    const NodeId stop = id + std::min(to - id, wanted - count);
    for (; id < stop; ++id) {
      const HotRow& row = hot[id];
      if (row.memo != epoch) [[unlikely]] {
        if (row.memo_epoch() != epoch) refresh_memo(id, pass.request, pass.pools);
        if (row.filter() != 0) {
          pass.failure.add(row.filter());
          continue;
        }
      }
      feasible[count] = id;
      scores[count] = row.score;
      if constexpr (kDenseSpread) spread_pods[count] = dense_counts[id];
      ++count;
    }
  }
  pass.count = count;
  return id - from;
}

// One pass filters the sampled nodes and gathers, per feasible node, its cached resource score
// and its spread group's pod count; a second pass adds the other scores and selects the host.
void Scheduler::schedule_one(PodEntry& entry) {
  grow_node_tables();
  const StoredRequest& req = entry.request;
  const auto num_nodes = static_cast<std::uint32_t>(nodes_.size());
  FitError failure;
  failure.num_all_nodes = num_nodes;
  if (num_nodes == 0) {
    mark_unschedulable(entry, failure);
    return;
  }

  if (memo_epoch_ == 0 || req.requests != memo_request_ || req.eligible_pools != memo_pools_) {
    if (memo_epoch_ == UINT32_MAX) {  // wrapped: forget every cached filter result and score
      for (HotRow& row : hot_rows_) row.memo = 0;
      memo_epoch_ = 0;
    }
    ++memo_epoch_;
    memo_request_ = req.requests;
    memo_pools_ = req.eligible_pools;
  }

  // Filter from nextStartNodeIndex until enough feasible nodes are found; a cycle that finds
  // none has looked at every node, so its FitError counts all of them.
  const std::uint32_t wanted =
      std::min(num_nodes, num_feasible_nodes_to_find(num_nodes, config_.percentageOfNodesToScore));
  const std::uint32_t start = next_start_node_index_ % num_nodes;
  feasible_.resize(wanted);
  scores_.resize(wanted);
  spread_pods_.resize(wanted);
  // A spread group on many nodes has per-node counts: read here, as the loop walks the nodes.
  const bool spread = req.spread_group != 0 && config_.PodTopologySpread != 0;
  FilterPass pass{.request = req.requests,
                  .pools = pool_lists_[req.eligible_pools],
                  .dense_counts = spread ? dense_spread_counts(req.spread_group) : nullptr,
                  .feasible = feasible_.data(),
                  .scores = scores_.data(),
                  .spread_pods = spread_pods_.data(),
                  .wanted = wanted,
                  .count = 0,
                  .failure = failure};
  // The nodes from `start` on, then those before it: two plain ranges, no wrap test per node.
  const auto filter = [&](NodeId from, NodeId to) {
    return pass.dense_counts != nullptr ? filter_nodes<true>(from, to, pass)
                                        : filter_nodes<false>(from, to, pass);
  };
  std::uint32_t processed = filter(start, num_nodes);
  if (pass.count < wanted) processed += filter(0, start);
  failure = pass.failure;
  const std::uint32_t count = pass.count;
  NodeId* const feasible = feasible_.data();
  std::int64_t* const scores = scores_.data();
  std::uint32_t* const spread_pods = spread_pods_.data();
  const std::span<const ImageId> images = image_lists_[req.images];
  next_start_node_index_ = (start + processed) % num_nodes;
  if (count == 0) {
    mark_unschedulable(entry, failure);
    return;
  }
  // With one feasible node the real scheduler skips scoring; so do we.
  if (count == 1) {
    assume(entry, feasible[0]);
    return;
  }

  if (inventory_ != nullptr && catalog_ != nullptr && !images.empty() &&
      config_.ImageLocality != 0) {
    add_image_locality(images, std::span<const NodeId>(feasible, count));
  }

  // PodTopologySpread: the raw score is non-decreasing in the pod count, so its extremes over
  // the sampled nodes are those of the extreme counts; normalizing is then per node as the
  // plugin does. Each distinct count's weighted term is computed once, in spread_terms.
  std::array<std::int64_t, kSpreadTermCache> spread_terms{};
  std::uint32_t cached_terms = 0;
  std::uint32_t min_pods = UINT32_MAX;
  std::uint32_t max_pods = 0;
  double weight = 0;
  std::int64_t min_raw = 0;
  std::int64_t max_raw = 0;
  const auto spread_term = [&](std::uint32_t pods) {
    const std::int64_t raw = pod_topology_spread_raw_score(pods, weight);
    return config_.PodTopologySpread *
           (max_raw == 0 ? kMaxNodeScore : detail::percent_of(max_raw + min_raw - raw, max_raw));
  };
  if (spread) {
    if (pass.dense_counts == nullptr) {
      sparse_spread_counts(req.spread_group, count, processed == count ? start : kNoNode);
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      min_pods = std::min(min_pods, spread_pods[i]);
      max_pods = std::max(max_pods, spread_pods[i]);
    }
    weight = topology_normalizing_weight(count);
    min_raw = pod_topology_spread_raw_score(min_pods, weight);
    max_raw = std::max<std::int64_t>(0, pod_topology_spread_raw_score(max_pods, weight));
    cached_terms = std::min<std::uint32_t>(max_pods - min_pods + 1, kSpreadTermCache);
    for (std::uint32_t k = 0; k < cached_terms; ++k) spread_terms[k] = spread_term(min_pods + k);
  }

  // selectHost: the highest total; among the k tied nodes the real scheduler keeps each with
  // probability 1/k (reservoir sampling), i.e. picks uniformly; one draw among the ties, in the
  // order the cycle examined them, does the same. Without random ties: the first of them.
  std::int64_t top = INT64_MIN;
  std::uint32_t num_ties = 0;
  const auto offer = [&](std::int64_t total) {
    if (total > top) {
      top = total;
      num_ties = 0;
    }
    num_ties += total == top ? 1 : 0;
  };
  if (spread && max_pods - min_pods < cached_terms) {
    for (std::uint32_t i = 0; i < count; ++i) {
      scores[i] += spread_terms[spread_pods[i] - min_pods];
      offer(scores[i]);
    }
  } else if (spread) {
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t k = spread_pods[i] - min_pods;
      scores[i] += k < cached_terms ? spread_terms[k] : spread_term(spread_pods[i]);
      offer(scores[i]);
    }
  } else {
    for (std::uint32_t i = 0; i < count; ++i) offer(scores[i]);
  }
  std::uint32_t rank = 0;  // of the chosen node among the ties
  if (num_ties > 1 && config_.random_tie_break) {
    sim::RandomStream tie_stream = pod_stream(entry, kTieStream);
    rank = static_cast<std::uint32_t>(tie_stream.uniform01() * num_ties);
  }
  // The tie of that rank. Counting instead of branching on each tie keeps the one branch
  // predictable: ties fall anywhere in the sample.
  std::uint32_t best = 0;
  for (std::uint32_t seen = 0;; ++best) {
    seen += scores[best] == top ? 1 : 0;
    if (seen > rank) break;
  }
  assume(entry, feasible[best]);
}

// The group's per-node pod counts once it occupies at least 1/kDenseSpreadRatio of the nodes,
// else null.
const std::uint32_t* Scheduler::dense_spread_counts(std::uint32_t group) {
  auto dense = dense_spread_.find(group);
  if (dense == dense_spread_.end()) {
    const auto group_nodes = spread_counts_.nodes_of(group);
    if (group_nodes.size() * kDenseSpreadRatio < nodes_.size()) return nullptr;
    std::vector<std::uint32_t> counts(nodes_.size(), 0);
    for (const auto& [node, pods] : group_nodes) counts[node] = pods;
    dense = dense_spread_.emplace(group, std::move(counts)).first;
  }
  return dense->second.data();
}

// For a group on few nodes: its pod count on each of the cycle's first `count` feasible nodes,
// into spread_pods_, by walking the group's own node list. When every examined node was
// feasible (`first` is then the first of them), a node's index among them is its distance from
// `first`; otherwise per-cycle stamps find them.
void Scheduler::sparse_spread_counts(std::uint32_t group, std::uint32_t count, NodeId first) {
  const auto num_nodes = static_cast<std::uint32_t>(nodes_.size());
  std::uint32_t* const pods_on = spread_pods_.data();
  const NodeId* const feasible = feasible_.data();
  std::fill_n(pods_on, count, 0);
  if (first != kNoNode) {
    for (const auto& [node, pods] : spread_counts_.nodes_of(group)) {
      if (node >= num_nodes) continue;
      const std::uint32_t index = node >= first ? node - first : node + (num_nodes - first);
      if (index < count) pods_on[index] = pods;
    }
    return;
  }
  if (feasible_epoch_ == UINT32_MAX) {  // wrapped: forget every stamp
    std::fill(feasible_stamp_.begin(), feasible_stamp_.end(), 0);
    feasible_epoch_ = 0;
  }
  const std::uint32_t epoch = ++feasible_epoch_;
  std::uint32_t* const stamp = feasible_stamp_.data();
  std::uint32_t* const slot = feasible_slot_.data();
  for (std::uint32_t i = 0; i < count; ++i) {
    stamp[feasible[i]] = epoch;
    slot[feasible[i]] = i;
  }
  for (const auto& [node, pods] : spread_counts_.nodes_of(group)) {
    if (node < num_nodes && stamp[node] == epoch) pods_on[slot[node]] = pods;
  }
}

// ImageLocality, added to scores_ for the first nodes.size() feasible nodes.
void Scheduler::add_image_locality(std::span<const ImageId> images, std::span<const NodeId> nodes) {
  // An image's scaled size does not depend on the node: once per cycle. An image no node
  // holds, or whose scaled size is 0, adds nothing to any node's sum.
  const auto num_nodes = static_cast<std::uint32_t>(nodes_.size());
  const std::size_t count = nodes.size();
  image_scaled_.resize(images.size());
  bool any = false;
  for (std::size_t j = 0; j < images.size(); ++j) {
    const std::uint32_t holders = inventory_->nodes_with_image(images[j]);
    image_scaled_[j] =
        scaled_image_score(catalog_->image(images[j]).compressed_bytes, holders, num_nodes);
    if (holders == 0) image_scaled_[j] = 0;
    any = any || image_scaled_[j] != 0;
  }
  if (!any) return;
  image_sums_.assign(count, 0);
  image_present_.resize(count);
  for (std::size_t j = 0; j < images.size(); ++j) {
    const std::int64_t scaled = image_scaled_[j];
    if (scaled == 0) continue;
    inventory_->nodes_have_image(images[j], nodes, image_present_);
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
      last_score = config_.ImageLocality * image_locality_score(sum, images.size());
    }
    scores_[i] += last_score;
  }
}

void Scheduler::assume(PodEntry& entry, NodeId id) {
  const StoredRequest& req = entry.request;
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
  const StoredRequest& req = entry.request;
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
