#include "flow_bench.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "podsim/sim.hpp"
#include "podsim/sim/flow_network.hpp"
#include "podsim/sim/random.hpp"

namespace podsim::bench {

namespace {

// A flow that, when it completes, starts the next one on a random edge link.
struct Relay final : sim::FlowNetwork::Flow {
  sim::FlowNetwork* net = nullptr;
  sim::RandomStream* rng = nullptr;
  std::vector<sim::FlowNetwork::LinkId>* edges = nullptr;
  sim::FlowNetwork::LinkId core = 0;
  std::uint64_t* remaining_starts = nullptr;
  void launch() {
    const auto edge = (*edges)[rng->next_u64() % edges->size()];
    const double bytes = 1e6 * (0.5 + rng->uniform01());  // 0.5 to 1.5 MB
    net->start(*this, bytes, {core, edge});
  }
  void on_complete() override {
    if (*remaining_starts > 0) {
      --*remaining_starts;
      launch();
    }
  }
};

}  // namespace

namespace {

FlowBenchPoint run_point(std::uint64_t n, std::uint64_t flows_per_edge_link,
                         std::uint64_t completions) {
  sim::Simulation sim;
  sim::FlowNetwork net(sim);
  sim::RandomStream rng(7);
  const auto core = net.add_link(1.25e9 * static_cast<double>(n) / 100, "core");
  std::vector<sim::FlowNetwork::LinkId> edges;
  const std::uint64_t edge_count = std::max<std::uint64_t>(1, n / flows_per_edge_link);
  for (std::uint64_t e = 0; e < edge_count; ++e) edges.push_back(net.add_link(1.25e9, "edge"));
  std::uint64_t remaining = completions;
  std::vector<std::unique_ptr<Relay>> relays;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto r = std::make_unique<Relay>();
    r->net = &net;
    r->rng = &rng;
    r->edges = &edges;
    r->core = core;
    r->remaining_starts = &remaining;
    r->launch();
    relays.push_back(std::move(r));
  }
  const auto start = std::chrono::steady_clock::now();
  while (remaining > 0 && sim.step()) {
  }
  FlowBenchPoint p;
  p.concurrent_flows = n;
  p.edge_links = edge_count;
  p.completed_flows = completions;
  p.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.flows_per_s = static_cast<double>(completions) / p.wall_s;
  p.us_per_completion = p.wall_s * 1e6 / static_cast<double>(completions);
  return p;
}

}  // namespace

// The requested sizes, then the largest one again with one flow per edge link (as many route
// classes as flows: the case where the cost of a change must not grow with the classes).
std::vector<FlowBenchPoint> run_flow_bench(const std::vector<std::uint64_t>& concurrent,
                                           std::uint64_t flows_per_edge_link,
                                           std::uint64_t completions) {
  std::vector<FlowBenchPoint> out;
  for (std::uint64_t n : concurrent) out.push_back(run_point(n, flows_per_edge_link, completions));
  if (!concurrent.empty() && flows_per_edge_link > 1) {
    const std::uint64_t n = *std::max_element(concurrent.begin(), concurrent.end());
    out.push_back(run_point(n, 1, completions));
  }
  return out;
}

}  // namespace podsim::bench
