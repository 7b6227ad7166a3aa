#pragma once
// `podsim bench flows`: the max-min flow network under a steady population of concurrent flows
// that all cross one shared link (a registry) and one of many edge links (node NICs).

#include <cstdint>
#include <vector>

namespace podsim::bench {

struct FlowBenchPoint {
  std::uint64_t concurrent_flows = 0;
  std::uint64_t edge_links = 0;
  std::uint64_t completed_flows = 0;
  double wall_s = 0;
  double flows_per_s = 0;  // completions (each also starts a flow) per wall second
  double us_per_completion = 0;
};

/// One point per size in `concurrent`, then (when flows_per_edge_link > 1) the largest size
/// again with one flow per edge link.
std::vector<FlowBenchPoint> run_flow_bench(const std::vector<std::uint64_t>& concurrent,
                                           std::uint64_t flows_per_edge_link,
                                           std::uint64_t completions);

}  // namespace podsim::bench
