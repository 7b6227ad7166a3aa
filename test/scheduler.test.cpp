// kube-scheduler model: filter/score helpers against hand-worked values from the real formulas,
// and the queue, cycle and binding behaviour against hand-worked timelines.
#include "podsim/model/scheduler.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <utility>
#include <vector>

#include "podsim/model/client_rate_limiter.hpp"
#include "podsim/model/interned_lists.hpp"
#include "podsim/model/scheduler_filter.hpp"
#include "podsim/model/scheduler_scores.hpp"
#include "podsim/model/spread_counts.hpp"
#include "podsim/sim.hpp"

using namespace podsim;
using namespace podsim::model;

namespace {

constexpr std::int64_t MiB = 1024 * 1024;
constexpr std::int64_t GiB = 1024 * MiB;

std::vector<Node> make_nodes(std::uint32_t count, std::int64_t cpu_millis, std::int64_t memory,
                             std::uint32_t max_pods = 110) {
  std::vector<Node> nodes(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    nodes[i].id = i;
    nodes[i].shape.allocatable = {cpu_millis, memory};
    nodes[i].shape.max_pods = max_pods;
  }
  return nodes;
}

// Instant cycles and binds, no client limit, first-examined tie break: timelines are hand-workable.
SchedulerConfig instant_config() {
  SchedulerConfig c;
  c.cycle_cost = sim::dist::constant(0);
  c.binding_latency = sim::dist::constant(0);
  c.qps = 0;
  c.random_tie_break = false;
  return c;
}

class FakeInventory final : public ImageInventory {
 public:
  void add(NodeId node, ImageId image) {
    if (present_.size() <= image) {
      present_.resize(image + 1);
      counts_.resize(image + 1);
    }
    if (present_[image].size() <= node) present_[image].resize(node + 1);
    if (!present_[image][node]) ++counts_[image];
    present_[image][node] = 1;
  }
  bool node_has_image(NodeId node, ImageId image) const override {
    return image < present_.size() && node < present_[image].size() && present_[image][node];
  }
  std::uint32_t nodes_with_image(ImageId image) const override {
    return image < counts_.size() ? counts_[image] : 0;
  }

 private:
  std::vector<std::vector<char>> present_;  // [image][node]
  std::vector<std::uint32_t> counts_;
};

struct BindLog {
  std::vector<std::pair<PodId, NodeId>> binds;
  std::vector<double> times;
};

void record_binds(Scheduler& s, sim::Simulation& sim, BindLog& log) {
  s.set_on_bound([&sim, &log](PodId pod, NodeId node) {
    log.binds.emplace_back(pod, node);
    log.times.push_back(sim.now().seconds());
  });
}

sim::Time at_s(double s) {
  return sim::Time::zero() + sim::seconds(s);
}

// A pod request without designated initializers (GCC's -Wmissing-field-initializers flags them).
SchedulingRequest make_pod(PodId id, Resources requests, int priority = 0,
                           std::uint32_t spread_group = 0, std::vector<ImageId> images = {}) {
  SchedulingRequest r;
  r.pod = id;
  r.requests = requests;
  r.priority = priority;
  r.spread_group = spread_group;
  r.images = std::move(images);
  return r;
}

}  // namespace

TEST_CASE("scheduler: numFeasibleNodesToFind follows schedule_one.go", "[scheduler]") {
  // Fewer than 100 nodes: all of them.
  CHECK(num_feasible_nodes_to_find(0, 0) == 0);
  CHECK(num_feasible_nodes_to_find(50, 0) == 50);
  CHECK(num_feasible_nodes_to_find(99, 0) == 99);
  // Adaptive: 50 - 100/125 = 50 % of 100 = 50, raised to the 100 minimum.
  CHECK(num_feasible_nodes_to_find(100, 0) == 100);
  // 50 - 150/125 = 49 %: 73, raised to 100.
  CHECK(num_feasible_nodes_to_find(150, 0) == 100);
  // 50 - 500/125 = 46 %: 230.
  CHECK(num_feasible_nodes_to_find(500, 0) == 230);
  // 50 - 1000/125 = 42 %: 420.
  CHECK(num_feasible_nodes_to_find(1000, 0) == 420);
  // 50 - 5000/125 = 10 %: 500.
  CHECK(num_feasible_nodes_to_find(5000, 0) == 500);
  // 50 - 6000/125 = 2 %, floored at 5 %: 300.
  CHECK(num_feasible_nodes_to_find(6000, 0) == 300);
  // 50 - 80 < 5: 5 % of 10000 = 500.
  CHECK(num_feasible_nodes_to_find(10000, 0) == 500);
  // Configured: 10 % of 1000 = 100; 5 % of 1000 = 50 -> 100; 30 % of 2000 = 600; >= 100 % all.
  CHECK(num_feasible_nodes_to_find(1000, 10) == 100);
  CHECK(num_feasible_nodes_to_find(1000, 5) == 100);
  CHECK(num_feasible_nodes_to_find(2000, 30) == 600);
  CHECK(num_feasible_nodes_to_find(1000, 100) == 1000);
  // A configured 3 % is not floored at 5 % (the floor is for the adaptive value): 3 % of 10000.
  CHECK(num_feasible_nodes_to_find(10000, 3) == 300);
}

TEST_CASE("scheduler: NodeResourcesFit and BalancedAllocation scores", "[scheduler]") {
  const Resources alloc{4000, 8 * GiB};
  // LeastAllocated: cpu (4000-1000)*100/4000 = 75, memory (8-2)*100/8 = 75 -> 75.
  CHECK(least_allocated_score({1000, 2 * GiB}, alloc) == 75);
  // cpu 25, memory 75 -> 50.
  CHECK(least_allocated_score({3000, 2 * GiB}, alloc) == 50);
  // cpu over capacity scores 0, memory 75 -> 75/2 = 37 (integer).
  CHECK(least_allocated_score({5000, 2 * GiB}, alloc) == 37);
  // Truncation: 2000*100/3000 = 66 for both.
  CHECK(least_allocated_score({1000, 1000}, {3000, 3000}) == 66);
  // MostAllocated: 25 and 25 -> 25; 75 and 75 -> 75; cpu capped at 100, memory 25 -> 62.
  CHECK(most_allocated_score({1000, 2 * GiB}, alloc) == 25);
  CHECK(most_allocated_score({3000, 6 * GiB}, alloc) == 75);
  CHECK(most_allocated_score({5000, 2 * GiB}, alloc) == 62);
  CHECK(most_allocated_score({1000, 1000}, {3000, 3000}) == 33);
  // Balanced: equal fractions 0.25/0.25 -> 100; 0.75 vs 0.25 -> (1 - 0.25) * 100 = 75.
  CHECK(balanced_allocation_score({1000, 2 * GiB}, alloc) == 100);
  CHECK(balanced_allocation_score({3000, 2 * GiB}, alloc) == 75);
  // Zero requests count as 100m / 200 MiB for scoring.
  CHECK(non_zero_requests({0, 0}) == Resources{100, 200 * MiB});
  CHECK(non_zero_requests({50, 0}) == Resources{50, 200 * MiB});
}

TEST_CASE("scheduler: ImageLocality score incl. both thresholds", "[scheduler]") {
  // 500 MiB on 5 of 10 nodes: scaled 250 MiB; 100 * (250 - 23) / (1000 - 23) = 22700/977 = 23.
  const std::int64_t scaled = scaled_image_score(500 * MiB, 5, 10);
  CHECK(scaled == 250 * MiB);
  CHECK(image_locality_score(scaled, 1) == 23);
  // Min threshold: 40 MiB on 5 of 10 -> 20 MiB < 23 MiB -> 0.
  CHECK(image_locality_score(scaled_image_score(40 * MiB, 5, 10), 1) == 0);
  // Max threshold: 3000 MiB everywhere > 1000 MiB for one container -> 100.
  CHECK(image_locality_score(scaled_image_score(3000 * MiB, 10, 10), 1) == 100);
  // Two containers: max threshold 2000 MiB; 2 x 500 MiB everywhere = 1000 MiB:
  // 100 * 977 / 1977 = 49.
  CHECK(image_locality_score(2 * scaled_image_score(500 * MiB, 10, 10), 2) == 49);
  // The header's example: 523 MiB, one container: 100 * 500 / 977 = 51.
  CHECK(image_locality_score(523 * MiB, 1) == 51);
  CHECK(image_locality_score(0, 0) == 0);
}

TEST_CASE("scheduler: percent_of through double equals the integer formula", "[scheduler]") {
  // The fast path must give exactly n * 100 / d (Go's int64 arithmetic) for every n <= d.
  sim::RandomStream rng(99);
  for (int i = 0; i < 200000; ++i) {
    const auto d = static_cast<std::int64_t>(rng.next_u64() >> (18 + rng.next_u64() % 40)) + 1;
    const auto n = static_cast<std::int64_t>(rng.uniform01() * static_cast<double>(d));
    REQUIRE(detail::percent_of(n, d) == n * 100 / d);
  }
  // Exact multiples: 3/4 of 4 TiB is 75, not 74.
  CHECK(detail::percent_of(3 * 1024 * GiB, 4 * 1024 * GiB) == 75);
}

TEST_CASE("scheduler: SpreadCounts counts pods per group and node", "[scheduler]") {
  SpreadCounts counts;
  counts.add(7, 3);
  counts.add(7, 3);
  counts.add(7, 5);
  counts.add(8, 3);
  CHECK(counts.count(7, 3) == 2);
  CHECK(counts.count(7, 5) == 1);
  CHECK(counts.count(8, 3) == 1);
  CHECK(counts.count(9, 3) == 0);
  CHECK(counts.nodes_of(7).size() == 2);
  counts.remove(7, 3);
  counts.remove(7, 3);  // node 3 leaves group 7's list; node 5 moves into its place
  CHECK(counts.count(7, 3) == 0);
  REQUIRE(counts.nodes_of(7).size() == 1);
  CHECK(counts.nodes_of(7)[0] == SpreadCounts::Entry{5, 1});
  counts.remove(7, 3);  // nothing left: no-op
  CHECK(counts.count(7, 5) == 1);
}

TEST_CASE("scheduler: PodTopologySpread hostname score and normalization", "[scheduler]") {
  // 3 scored nodes: weight ln(5) = 1.609; counts 0, 1, 3 -> round(2), round(3.61), round(6.83)
  // = 2, 4, 7. Normalized 100 * (7 + 2 - s) / 7: 100, 71, 28.
  const double w = topology_normalizing_weight(3);
  CHECK(w == Approx(1.6094379));
  std::vector<std::int64_t> s{pod_topology_spread_raw_score(0, w),
                              pod_topology_spread_raw_score(1, w),
                              pod_topology_spread_raw_score(3, w)};
  CHECK(s == std::vector<std::int64_t>{2, 4, 7});
  normalize_pod_topology_spread_scores(s);
  CHECK(s == std::vector<std::int64_t>{100, 71, 28});
  // All equal: 100 * (2 + 2 - 2) / 2 = 100 each.
  std::vector<std::int64_t> equal{2, 2};
  normalize_pod_topology_spread_scores(equal);
  CHECK(equal == std::vector<std::int64_t>{100, 100});
}

TEST_CASE("scheduler: the filter halves the scheduler caches", "[scheduler]") {
  // 1000m and 1 GiB allocatable, 600m and 768 MiB requested, 1 of 2 pods: 400m and 256 MiB left.
  const FilterView view{true, 3, 1, 2, {600, 768 * MiB}, {1000, 1 * GiB}};
  const FilterFields fields = FilterFields::of(view);
  CHECK(fields.ready);
  CHECK(fields.pool == 3);
  CHECK_FALSE(fields.pods_full);  // 1 + 1 <= 2
  CHECK(fields.free_cpu_millis == 400);
  CHECK(fields.free_memory_bytes == 256 * MiB);

  const std::vector<PoolId> any;
  const std::vector<PoolId> pools_1_3{1, 3};
  const std::vector<PoolId> pool_7{7};
  CHECK(filter_placement(fields, any) == 0);
  CHECK(filter_placement(fields, pools_1_3) == 0);
  CHECK(filter_placement(fields, pool_7) == (1U << 1));
  CHECK(filter_resources(fields, {400, 256 * MiB}) == 0);  // exactly what is left
  CHECK(filter_resources(fields, {401, 256 * MiB + 1}) == ((1U << 3) | (1U << 4)));
  // Resources are the cached half: a node in another pool still reports them, filter_node not.
  CHECK(filter_resources(fields, {401, 0}) == (1U << 3));
  CHECK(filter_node(view, {401, 0}, pool_7) == (1U << 1));

  const FilterView full_not_ready{false, 3, 2, 2, {0, 0}, {1000, 1 * GiB}};
  const FilterFields other = FilterFields::of(full_not_ready);
  CHECK(other.pods_full);  // 2 + 1 > 2
  CHECK(filter_placement(other, any) == (1U << 0));
  CHECK(filter_resources(other, {0, 0}) == (1U << 2));
  CHECK(filter_node(full_not_ready, {0, 0}, any) == (1U << 0));  // the taint hides the rest
}

TEST_CASE("scheduler: interned lists share one copy per distinct list", "[scheduler]") {
  InternedLists<ImageId> lists;
  const std::uint32_t a = lists.intern({3, 4});
  const std::uint32_t empty = lists.intern({});
  const std::uint32_t b = lists.intern({4, 3});  // order matters: init before app containers
  CHECK(a == 0);
  CHECK(empty == 1);
  CHECK(b == 2);
  CHECK(lists.intern({3, 4}) == a);
  CHECK(lists.intern({}) == empty);
  CHECK(lists.size() == 3);
  const std::span<const ImageId> first = lists[a];
  CHECK(std::vector<ImageId>(first.begin(), first.end()) == std::vector<ImageId>{3, 4});
  CHECK(lists[empty].empty());
  // Spans stay valid while later lists are added.
  for (ImageId i = 0; i < 100; ++i) lists.intern({i, i, i});
  CHECK(lists[a].data() == first.data());
  CHECK(lists[b][0] == 4);
}

TEST_CASE("scheduler: filter reasons and the FailedScheduling message", "[scheduler]") {
  Node node;
  node.shape.allocatable = {1000, 1 * GiB};
  node.shape.max_pods = 2;
  node.requested = {1000, 512 * MiB};
  node.pods = 1;
  const std::vector<PoolId> any;
  CHECK(filter_node(node, {100, 0}, any) == (1U << 3));  // Insufficient cpu
  CHECK(filter_node(node, {100, 1 * GiB}, any) == ((1U << 3) | (1U << 4)));
  CHECK(filter_node(node, {0, 0}, any) == 0);  // requests nothing: fits a full node
  node.pods = 2;
  CHECK(filter_node(node, {0, 0}, any) == (1U << 2));  // Too many pods
  const std::vector<PoolId> pool7{7};
  CHECK(filter_node(node, {0, 0}, pool7) == (1U << 1));  // pool checked before resources
  node.ready = false;
  CHECK(filter_node(node, {0, 0}, pool7) == (1U << 0));  // taint checked first

  FitError e;
  e.num_all_nodes = 3;
  for (int i = 0; i < 3; ++i) e.add(1U << 3);
  CHECK(e.message() == "0/3 nodes are available: 3 Insufficient cpu.");
  // Sorted as strings, so "1 node(s)..." < "10 Insufficient cpu" < "2 Too many pods".
  FitError mixed;
  mixed.num_all_nodes = 13;
  for (int i = 0; i < 10; ++i) mixed.add(1U << 3);
  mixed.add(1U << 2);
  mixed.add(1U << 2);
  mixed.add(1U << 0);
  CHECK(mixed.message() ==
        "0/13 nodes are available: 1 node(s) had untolerated taint "
        "{node.kubernetes.io/not-ready: }, 10 Insufficient cpu, 2 Too many pods.");
  CHECK(FitError{}.message() == "no nodes available to schedule pods");
}

TEST_CASE("scheduler: client token bucket reserves like rate.Limiter", "[scheduler]") {
  ClientRateLimiter limiter(50, 100);
  // 100 tokens at once, then one every 1/50 s.
  for (int i = 0; i < 100; ++i) CHECK(limiter.reserve(sim::Time::zero()) == sim::Time::zero());
  CHECK(limiter.reserve(sim::Time::zero()) == at_s(0.02));
  CHECK(limiter.reserve(sim::Time::zero()) == at_s(0.04));
  // At 1 s the bucket has refilled 50 tokens on top of -2: 48 available.
  for (int i = 0; i < 48; ++i) CHECK(limiter.reserve(at_s(1)) == at_s(1));
  CHECK(limiter.reserve(at_s(1)) == at_s(1.02));
}

TEST_CASE("client token bucket: TryAccept refuses instead of waiting", "[scheduler][image]") {
  // The kubelet's registryPullQPS bucket: qps 0.5, burst 2.
  ClientRateLimiter limiter(0.5, 2);
  CHECK(limiter.try_accept(at_s(0)));
  CHECK(limiter.try_accept(at_s(0)));
  CHECK_FALSE(limiter.try_accept(at_s(0)));
  CHECK_FALSE(limiter.try_accept(at_s(1)));  // 0.5 tokens
  CHECK(limiter.try_accept(at_s(2)));        // 1 token
  CHECK_FALSE(limiter.try_accept(at_s(2)));
  // Refills stop at the burst: 10 s later it holds 2, not 5.
  CHECK(limiter.try_accept(at_s(12)));
  CHECK(limiter.try_accept(at_s(12)));
  CHECK_FALSE(limiter.try_accept(at_s(12)));
  ClientRateLimiter unlimited(0, 0);
  for (int i = 0; i < 1000; ++i) CHECK(unlimited.try_accept(at_s(0)));
}

TEST_CASE("scheduler: cycles are serialized, throughput = 1 / cycle cost", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(4, 64000, 256 * GiB);
  SchedulerConfig config = instant_config();
  config.cycle_cost = sim::dist::constant(0.010);
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
  BindLog log;
  record_binds(scheduler, sim, log);
  for (PodId p = 0; p < 100; ++p) scheduler.submit(make_pod(p, {100, 100 * MiB}));
  sim.run();
  // Pod k binds at the end of its cycle: (k + 1) * 10 ms; 100 pods take 1 s (100 pods/s).
  REQUIRE(log.times.size() == 100);
  for (std::size_t k = 0; k < 100; ++k) {
    CHECK(log.times[k] == Approx(0.010 * static_cast<double>(k + 1)));
    CHECK(log.binds[k].first == k);  // same priority: FIFO
  }
  CHECK(scheduler.counters().cycles == 100);
  CHECK(scheduler.counters().binds == 100);
  // Latency of pod k: it waited k cycles and ran one.
  CHECK(scheduler.counters().scheduling_latencies[99] == sim::milliseconds(1000));
}

TEST_CASE("scheduler: higher priority goes first, then FIFO", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(1, 64000, 256 * GiB);
  SchedulerConfig config = instant_config();
  config.cycle_cost = sim::dist::constant(0.010);
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
  BindLog log;
  record_binds(scheduler, sim, log);
  // Pod 1 starts its cycle at once; 3 (priority 10) then overtakes 2 and 4.
  scheduler.submit(make_pod(1, {100, MiB}));
  scheduler.submit(make_pod(2, {100, MiB}));
  scheduler.submit(make_pod(3, {100, MiB}, 10));
  scheduler.submit(make_pod(4, {100, MiB}));
  sim.run();
  std::vector<PodId> order;
  for (const auto& b : log.binds) order.push_back(b.first);
  CHECK(order == std::vector<PodId>{1, 3, 2, 4});
}

TEST_CASE("scheduler: binding throughput cap holds", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(1, 1000000, 1000 * GiB, 1000);
  SchedulerConfig config = instant_config();
  config.qps = 50;
  config.burst = 100;
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
  BindLog log;
  record_binds(scheduler, sim, log);
  const int n = 300;
  for (int p = 0; p < n; ++p) {
    scheduler.submit(make_pod(static_cast<PodId>(p), {1, MiB}));
  }
  sim.run();
  REQUIRE(log.times.size() == static_cast<std::size_t>(n));
  // The k-th bind (1-based) needs k tokens: k <= 100 + 50 t, so t >= (k - 100) / 50.
  for (int k = 1; k <= n; ++k) {
    const double earliest = std::max(0.0, (k - 100) / 50.0);
    CHECK(log.times[static_cast<std::size_t>(k - 1)] >= earliest - 1e-9);
  }
  CHECK(log.times.back() == Approx(4.0));  // (300 - 100) / 50
}

TEST_CASE("scheduler: nextStartNodeIndex rotates the sample", "[scheduler]") {
  sim::Simulation sim;
  // 200 nodes: 50 - 200/125 = 49 % = 98, raised to 100 feasible nodes per cycle.
  auto nodes = make_nodes(200, 4000, 8 * GiB);
  Scheduler scheduler(sim, nodes, nullptr, nullptr, instant_config(), sim::RandomStream(1));
  for (PodId p = 0; p < 3; ++p) scheduler.submit(make_pod(p, {100, 100 * MiB}));
  sim.run();
  // Cycle 1 looks at 0..99 (all tie: first, node 0); cycle 2 at 100..199 (node 100); cycle 3
  // at 0..99 again, where node 0 now scores lower (node 1).
  CHECK(scheduler.assigned_node(0) == NodeId{0});
  CHECK(scheduler.assigned_node(1) == NodeId{100});
  CHECK(scheduler.assigned_node(2) == NodeId{1});
}

TEST_CASE("scheduler: ImageLocality prefers the node that has the image", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(3, 4000, 8 * GiB);
  ImageCatalog catalog;
  const LayerId layer = catalog.add_layer("sha256:web", 500 * MiB, 1200 * MiB);
  const ImageId web = catalog.add_image("web:v2", {layer});
  FakeInventory inventory;
  inventory.add(2, web);
  Scheduler scheduler(sim, nodes, &catalog, &inventory, instant_config(), sim::RandomStream(1));
  // Resources tie everywhere; node 2 adds 100 * (500/3 - 23) / 977 = 14 MiB-points.
  scheduler.submit(make_pod(1, {500, GiB}, 0, 0, {web}));
  // Without the image the first examined node wins the tie: the first cycle examined all 3
  // nodes, so the start index is back at 0.
  scheduler.submit(make_pod(2, {500, GiB}));
  sim.run();
  CHECK(scheduler.assigned_node(1) == NodeId{2});
  CHECK(scheduler.assigned_node(2) == NodeId{0});
}

TEST_CASE("scheduler: spread group pods go to different nodes", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(3, 64000, 256 * GiB);
  SchedulerConfig config = instant_config();
  config.scoringStrategy = ScoringStrategy::MostAllocated;  // would pack without spreading
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
  for (PodId p = 0; p < 3; ++p) {
    scheduler.submit(make_pod(p, {100, 100 * MiB}, 0, 5));
  }
  sim.run();
  // MostAllocated differs by < 1 point between nodes; spread gives 2 * (100 - 60) points.
  std::set<NodeId> used;
  for (PodId p = 0; p < 3; ++p) used.insert(*scheduler.assigned_node(p));
  CHECK(used.size() == 3);
  CHECK(scheduler.spread_group_pods(0, 5) == 1);
}

TEST_CASE("scheduler: a node that becomes ready takes the waiting pod", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(2, 4000, 8 * GiB);
  nodes[1].ready = false;
  nodes[0].shape.allocatable = {100, 8 * GiB};
  SchedulerConfig config = instant_config();
  config.unschedulable_retry = UnschedulableRetry::on_cluster_event;
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
  scheduler.submit(make_pod(1, {1000, GiB}));
  sim.run_until(at_s(5));
  CHECK(scheduler.last_failure(1) ==
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
        "{node.kubernetes.io/not-ready: }.");
  nodes[1].ready = true;
  scheduler.node_updated(1);  // at 5 s, past the 1 s backoff: placed at once
  sim.run_until(at_s(5));
  CHECK(scheduler.assigned_node(1) == NodeId{1});
}

TEST_CASE("scheduler: pods-per-node limit holds", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(2, 64000, 256 * GiB, 3);
  Scheduler scheduler(sim, nodes, nullptr, nullptr, instant_config(), sim::RandomStream(1));
  for (PodId p = 0; p < 10; ++p) scheduler.submit(make_pod(p, {100, MiB}));
  sim.run_until(at_s(0.5));
  CHECK(scheduler.counters().binds == 6);
  CHECK(nodes[0].pods == 3);
  CHECK(nodes[1].pods == 3);
  CHECK(scheduler.pending_pods() == 4);
  CHECK(scheduler.last_failure(9) == "0/2 nodes are available: 2 Too many pods.");
}

TEST_CASE("scheduler: unschedulable pod retries with backoff 1, 2, 4, 8, 10, 10 s", "[scheduler]") {
  sim::Simulation sim;
  auto nodes = make_nodes(1, 1000, 8 * GiB);
  Scheduler scheduler(sim, nodes, nullptr, nullptr, instant_config(), sim::RandomStream(1));
  BindLog log;
  record_binds(scheduler, sim, log);
  scheduler.submit(make_pod(1, {1000, GiB}));
  scheduler.submit(make_pod(2, {500, GiB}));
  // A cluster event during each backoff (capacity_freed at 0.5, 2, 5, 10, 20, 30, which frees
  // nothing) sends pod 2 back at its backoff's end: it fails at 0, then at 1, 3, 7, 15, 25, 35
  // (backoff 1, 2, 4, 8, 10, 10 s from each failure).
  for (const double t : {0.5, 2.0, 5.0, 10.0, 20.0, 30.0}) {
    sim.call_at(at_s(t), [&scheduler] { scheduler.capacity_freed(); });
  }
  const std::vector<std::pair<double, std::uint64_t>> expected{
      {0.5, 1}, {0.999, 1},  {1, 2},  {2.999, 2}, {3, 3},
      {7, 4},   {14.999, 4}, {15, 5}, {25, 6},    {35, 7}};
  for (const auto& [t, failures] : expected) {
    sim.run_until(at_s(t));
    INFO("t = " << t);
    CHECK(scheduler.counters().unschedulable_attempts == failures);
  }
  CHECK(scheduler.last_failure(2) == "0/1 nodes are available: 1 Insufficient cpu.");
  // Freeing capacity at 40 respects the backoff that runs until 45.
  sim.run_until(at_s(40));
  scheduler.pod_deleted(1);
  CHECK(nodes[0].requested == Resources{});
  sim.run();
  REQUIRE(log.binds.size() == 2);
  CHECK(log.binds[1] == std::pair<PodId, NodeId>{2, 0});
  CHECK(log.times[1] == Approx(45.0));
  CHECK(scheduler.counters().scheduling_latencies[1] == sim::seconds(45));
}

TEST_CASE("scheduler: a retry that cannot succeed waits for a cluster event", "[scheduler]") {
  // The default after_backoff mode. Pod 2 fails at 0; nothing changes afterwards, so its 1 s
  // backoff ends without a retry (the outcome could not differ) and nothing is left queued:
  // run() returns at 0 with one failed attempt.
  sim::Simulation sim;
  auto nodes = make_nodes(1, 1000, 8 * GiB);
  Scheduler scheduler(sim, nodes, nullptr, nullptr, instant_config(), sim::RandomStream(1));
  BindLog log;
  record_binds(scheduler, sim, log);
  scheduler.submit(make_pod(1, {1000, GiB}));
  scheduler.submit(make_pod(2, {500, GiB}));
  sim.run();
  CHECK(sim.now() == at_s(0));
  CHECK(scheduler.counters().unschedulable_attempts == 1);
  CHECK(scheduler.pending_pods() == 1);
  // A capacity event at 0.4, inside the backoff: the pod waits for the backoff (until 1) and
  // fails again there (backoff 2 s, until 3); then nothing more happens.
  sim.call_at(at_s(0.4), [&scheduler] { scheduler.capacity_freed(); });
  sim.run();
  CHECK(sim.now() == at_s(1));
  CHECK(scheduler.counters().unschedulable_attempts == 2);
  // A node joins at 100: long past the backoff, the pod is placed at once.
  sim.run_until(at_s(100));
  nodes.push_back(make_nodes(1, 4000, 8 * GiB)[0]);
  nodes.back().id = 1;
  scheduler.node_added(1);
  sim.run();
  REQUIRE(log.binds.size() == 2);
  CHECK(log.binds[1] == std::pair<PodId, NodeId>{2, 1});
  CHECK(log.times[1] == Approx(100.0));
  CHECK(scheduler.counters().unschedulable_attempts == 2);
}

TEST_CASE("scheduler: on_cluster_event retries wait for capacity or a node", "[scheduler]") {
  sim::Simulation sim;
  std::vector<Node> nodes = make_nodes(1, 1000, 8 * GiB);
  nodes.reserve(4);  // the scheduler holds the vector by reference; growth is fine either way
  SchedulerConfig config = instant_config();
  config.unschedulable_retry = UnschedulableRetry::on_cluster_event;
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
  BindLog log;
  record_binds(scheduler, sim, log);
  scheduler.submit(make_pod(1, {1000, GiB}));
  scheduler.submit(make_pod(2, {500, GiB}));
  // Fails at 0 (backoff to 1). A capacity event at 0.5 moves it to backoff: retried at 1, fails
  // (backoff to 3); then nothing happens, so it is not tried again before t = 100.
  sim.run_until(at_s(0.5));
  scheduler.capacity_freed();
  sim.run_until(at_s(100));
  CHECK(scheduler.counters().unschedulable_attempts == 2);
  // A node joins at 100: the backoff (until 3) is long over, so it is placed at once.
  nodes.push_back(make_nodes(1, 4000, 8 * GiB)[0]);
  nodes.back().id = 1;
  scheduler.node_added(1);
  sim.run();
  REQUIRE(log.binds.size() == 2);
  CHECK(log.binds[1] == std::pair<PodId, NodeId>{2, 1});
  CHECK(log.times[1] == Approx(100.0));
}

TEST_CASE("scheduler: a pod that never fits leaves nothing queued, in either mode", "[scheduler]") {
  // 2000m on a 1000m node. No podMaxInUnschedulablePodsDuration flush either: its retry could
  // only fail the same way (see UnschedulableRetry).
  for (const UnschedulableRetry mode :
       {UnschedulableRetry::after_backoff, UnschedulableRetry::on_cluster_event}) {
    sim::Simulation sim;
    auto nodes = make_nodes(1, 1000, 8 * GiB);
    SchedulerConfig config = instant_config();
    config.unschedulable_retry = mode;
    Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(1));
    scheduler.submit(make_pod(1, {2000, GiB}));
    sim.run();
    CHECK(sim.now() == at_s(0));
    CHECK(sim.pending_events() == 0);
    CHECK(scheduler.counters().unschedulable_attempts == 1);
    CHECK(scheduler.last_failure(1) == "0/1 nodes are available: 1 Insufficient cpu.");
  }
}

TEST_CASE("scheduler: never over-commits a node (randomized)", "[scheduler]") {
  sim::Simulation sim;
  sim::RandomStream rng(20240607);
  std::vector<Node> nodes = make_nodes(20, 0, 0);
  for (auto& n : nodes) {
    n.shape.allocatable = {1000 + static_cast<std::int64_t>(rng.uniform01() * 7000),
                           (1 + static_cast<std::int64_t>(rng.uniform01() * 15)) * GiB};
    n.shape.max_pods = 3 + static_cast<std::uint32_t>(rng.uniform01() * 10);
    n.pool = static_cast<PoolId>(rng.uniform01() * 3);
    n.ready = rng.uniform01() > 0.1;
  }
  SchedulerConfig config;  // defaults: 10 ms cycles, 5 ms binds, 50 qps, random ties
  Scheduler scheduler(sim, nodes, nullptr, nullptr, config, sim::RandomStream(7));
  std::vector<Resources> requests;
  scheduler.set_on_bound([&](PodId pod, NodeId) {
    // Bound pods live for a random while, then their deletion frees the capacity.
    if (rng.uniform01() < 0.7) {
      sim.call_in(sim::seconds(rng.uniform01() * 20),
                  [&scheduler, pod] { scheduler.pod_deleted(pod); });
    }
  });
  for (PodId p = 0; p < 600; ++p) {
    const Resources requests_p{static_cast<std::int64_t>(rng.uniform01() * 2000),
                               static_cast<std::int64_t>(rng.uniform01() * 4) * GiB};
    const int priority = static_cast<int>(rng.uniform01() * 3);
    SchedulingRequest r =
        make_pod(p, requests_p, priority, static_cast<std::uint32_t>(rng.uniform01() * 4));
    if (rng.uniform01() < 0.3) r.eligible_pools = {static_cast<PoolId>(rng.uniform01() * 3)};
    requests.push_back(r.requests);
    sim.call_at(at_s(rng.uniform01() * 30), [&scheduler, r] { scheduler.submit(r); });
  }
  std::uint64_t steps = 0;
  bool ok = true;
  while (sim.step() && sim.now() < at_s(600)) {
    ++steps;
    std::vector<Resources> sum(nodes.size());
    std::vector<std::uint32_t> pods(nodes.size());
    for (PodId p = 0; p < 600; ++p) {
      if (auto n = scheduler.assigned_node(p)) {
        sum[*n] += requests[p];
        ++pods[*n];
      }
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      // A not-ready node never receives a pod; nobody exceeds allocatable or maxPods; the node
      // table holds exactly what the scheduler assumed.
      ok = ok && nodes[i].requested.fits_in(nodes[i].shape.allocatable) &&
           nodes[i].pods <= nodes[i].shape.max_pods && nodes[i].requested == sum[i] &&
           nodes[i].pods == pods[i] && (nodes[i].ready || pods[i] == 0);
    }
    if (!ok) break;
  }
  CHECK(ok);
  CHECK(steps > 1000);
  CHECK(scheduler.counters().binds > 300);
  CHECK(scheduler.counters().unschedulable_attempts > 0);
}
