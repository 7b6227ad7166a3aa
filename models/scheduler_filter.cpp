#include "podsim/model/scheduler_filter.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace podsim::model {

std::uint32_t num_feasible_nodes_to_find(std::uint32_t num_all_nodes,
                                         std::int32_t percentage_of_nodes_to_score) {
  if (num_all_nodes < kMinFeasibleNodesToFind || percentage_of_nodes_to_score >= 100) {
    return num_all_nodes;
  }
  std::int64_t percentage = percentage_of_nodes_to_score;
  if (percentage <= 0) {
    percentage = kBasePercentageOfNodesToScore - static_cast<std::int64_t>(num_all_nodes) / 125;
    percentage = std::max<std::int64_t>(percentage, kMinFeasibleNodesPercentageToFind);
  }
  const std::int64_t num_nodes = static_cast<std::int64_t>(num_all_nodes) * percentage / 100;
  return static_cast<std::uint32_t>(std::max<std::int64_t>(num_nodes, kMinFeasibleNodesToFind));
}

const char* filter_reason_text(FilterReason reason) {
  switch (reason) {
    // Taint message as TaintToleration words it since v1.24 (older: "had taint {...}, that
    // the pod didn't tolerate").
    case FilterReason::node_not_ready:
      return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }";
    case FilterReason::pool_mismatch:
      return "node(s) didn't match Pod's node affinity/selector";
    case FilterReason::too_many_pods:
      return "Too many pods";
    case FilterReason::insufficient_cpu:
      return "Insufficient cpu";
    case FilterReason::insufficient_memory:
      return "Insufficient memory";
  }
  return "unknown";
}

void FitError::add(FilterResult result) {
  for (std::size_t i = 0; i < kFilterReasonCount; ++i) {
    if ((result >> i) & 1U) ++reason_counts[i];
  }
}

std::string FitError::message() const {
  if (num_all_nodes == 0) return "no nodes available to schedule pods";
  std::vector<std::string> reasons;
  for (std::size_t i = 0; i < kFilterReasonCount; ++i) {
    if (reason_counts[i] == 0) continue;
    reasons.push_back(std::to_string(reason_counts[i]) + " " +
                      filter_reason_text(static_cast<FilterReason>(i)));
  }
  std::sort(reasons.begin(), reasons.end());  // Go's sort.Strings: bytewise, "10 x" < "2 y"
  std::string out = "0/" + std::to_string(num_all_nodes) + " nodes are available";
  if (!reasons.empty()) {
    out += ":";
    for (std::size_t i = 0; i < reasons.size(); ++i) out += (i == 0 ? " " : ", ") + reasons[i];
    out += ".";
  }
  return out;
}

}  // namespace podsim::model
