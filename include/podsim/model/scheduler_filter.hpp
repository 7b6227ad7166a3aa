#pragma once
// The Filter half of a kube-scheduler cycle as plain functions: which nodes a pod fits on, how
// many feasible nodes a cycle looks for (numFeasibleNodesToFind), and the FailedScheduling
// message ("0/3 nodes are available: 3 Insufficient cpu.") when none fits.

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "podsim/model/node.hpp"
#include "podsim/model/resources.hpp"

namespace podsim::model {

/// Below this many nodes every node is filtered and scored (minFeasibleNodesToFind) [K-SONE].
inline constexpr std::uint32_t kMinFeasibleNodesToFind = 100;
/// The adaptive percentage never drops below this (minFeasibleNodesPercentageToFind) [K-SONE].
inline constexpr std::int32_t kMinFeasibleNodesPercentageToFind = 5;
/// Adaptive percentage at 0 nodes; it falls by one point per 125 nodes [K-SONE].
inline constexpr std::int32_t kBasePercentageOfNodesToScore = 50;

/// How many feasible nodes a cycle stops at, as schedule_one.go's numFeasibleNodesToFind:
/// percentageOfNodesToScore 0 means adaptive, max(50 - nodes/125, 5) percent; the result is at
/// least 100 and all nodes when there are fewer than 100 or the percentage is >= 100.
/// Example: `num_feasible_nodes_to_find(1000, 0) == 420` (42 %).
std::uint32_t num_feasible_nodes_to_find(std::uint32_t num_all_nodes,
                                         std::int32_t percentage_of_nodes_to_score);

/// Why a node rejected a pod. The order is the order of the default Filter plugins
/// (TaintToleration, NodeAffinity, NodeResourcesFit); a node that fails one plugin is not asked
/// by the later ones, but NodeResourcesFit reports every resource that is short.
enum class FilterReason : std::uint8_t {
  node_not_ready,  // the node.kubernetes.io/not-ready:NoSchedule taint
  pool_mismatch,   // nodeSelector/affinity, mapped to node pools by the cluster
  too_many_pods,   // pods >= maxPods
  insufficient_cpu,
  insufficient_memory,
};
inline constexpr std::size_t kFilterReasonCount = 5;

/// The text kube-scheduler puts in the FailedScheduling event for one reason.
const char* filter_reason_text(FilterReason reason);

/// Bit set of FilterReason (bit i = reason i); 0 means the pod fits.
using FilterResult = std::uint32_t;

/// The node fields the filters read (the scheduler keeps a compact copy per node, as the real
/// one keeps NodeInfo in its cache).
struct FilterView {
  bool ready;
  PoolId pool;
  std::uint32_t pods;
  std::uint32_t max_pods;
  Resources requested;
  Resources allocatable;
};

/// A node's fields as the filters read them: FilterView with maxPods and allocatable turned into
/// what is left for the pod.
struct FilterFields {
  bool ready;
  PoolId pool;
  bool pods_full;  // pods + 1 > maxPods
  std::int64_t free_cpu_millis;
  std::int64_t free_memory_bytes;

  static FilterFields of(const FilterView& node) {
    return FilterFields{node.ready, node.pool, node.pods + 1 > node.max_pods,
                        node.allocatable.cpu_millis - node.requested.cpu_millis,
                        node.allocatable.memory_bytes - node.requested.memory_bytes};
  }
};

/// The filters before NodeResourcesFit, on a row with `ready` and `pool`: the not-ready taint,
/// then the pod's pools (`eligible_pools` empty means any pool).
template <class Row>
FilterResult filter_placement(const Row& node, std::span<const PoolId> eligible_pools) {
  constexpr auto bit = [](FilterReason r) { return FilterResult{1} << static_cast<unsigned>(r); };
  if (!node.ready) return bit(FilterReason::node_not_ready);
  if (!eligible_pools.empty()) {
    bool match = false;
    for (const PoolId p : eligible_pools) match = match || p == node.pool;
    if (!match) return bit(FilterReason::pool_mismatch);
  }
  return 0;
}

/// NodeResourcesFit on FilterFields: every short resource is reported; cpu/memory only when the
/// pod requests them.
inline FilterResult filter_resources(const FilterFields& node, const Resources& request) {
  constexpr auto bit = [](FilterReason r) { return FilterResult{1} << static_cast<unsigned>(r); };
  FilterResult result = 0;
  if (node.pods_full) result |= bit(FilterReason::too_many_pods);
  if (request.cpu_millis > 0 && request.cpu_millis > node.free_cpu_millis) {
    result |= bit(FilterReason::insufficient_cpu);
  }
  if (request.memory_bytes > 0 && request.memory_bytes > node.free_memory_bytes) {
    result |= bit(FilterReason::insufficient_memory);
  }
  return result;
}

/// Runs the filters for one node: a node that fails one plugin is not asked by the later ones.
inline FilterResult filter_node(const FilterView& node, const Resources& request,
                                std::span<const PoolId> eligible_pools) {
  const FilterFields fields = FilterFields::of(node);
  const FilterResult placement = filter_placement(fields, eligible_pools);
  return placement != 0 ? placement : filter_resources(fields, request);
}

inline FilterResult filter_node(const Node& node, const Resources& request,
                                std::span<const PoolId> eligible_pools) {
  return filter_node(FilterView{node.ready, node.pool, node.pods, node.shape.max_pods,
                                node.requested, node.shape.allocatable},
                     request, eligible_pools);
}

/// Why a cycle found no feasible node: how many nodes gave each reason (a node may count
/// under several resource reasons).
struct FitError {
  std::uint32_t num_all_nodes = 0;
  std::array<std::uint32_t, kFilterReasonCount> reason_counts{};

  void add(FilterResult result);
  /// As FitError.Error(): "0/N nodes are available: " + the "count reason" strings sorted as
  /// strings and joined by ", ", then "."; "no nodes available to schedule pods" for an empty
  /// cluster. The "preemption: ..." suffix of newer versions is left out (no preemption here).
  std::string message() const;
};

}  // namespace podsim::model
