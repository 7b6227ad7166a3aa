#include "podsim/model/scheduler_scores.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace podsim::model {

Resources non_zero_requests(const Resources& request) {
  Resources r = request;
  if (r.cpu_millis == 0) r.cpu_millis = 100;
  if (r.memory_bytes == 0) r.memory_bytes = 200LL * 1024 * 1024;
  return r;
}

std::int64_t scaled_image_score(std::uint64_t image_bytes, std::uint32_t nodes_with_image,
                                std::uint32_t total_nodes) {
  if (total_nodes == 0) return 0;
  const double spread = static_cast<double>(nodes_with_image) / static_cast<double>(total_nodes);
  return static_cast<std::int64_t>(static_cast<double>(image_bytes) * spread);
}

std::int64_t image_locality_score(std::int64_t sum_of_scaled_scores, std::size_t num_containers) {
  if (num_containers == 0) return 0;
  const std::int64_t max_threshold =
      kImageLocalityMaxContainerThreshold * static_cast<std::int64_t>(num_containers);
  const std::int64_t sum =
      std::clamp(sum_of_scaled_scores, kImageLocalityMinThreshold, max_threshold);
  return detail::percent_of(sum - kImageLocalityMinThreshold,
                            max_threshold - kImageLocalityMinThreshold);
}

double topology_normalizing_weight(std::size_t scored_nodes) {
  return std::log(static_cast<double>(scored_nodes + 2));
}

std::int64_t pod_topology_spread_raw_score(std::uint32_t matching_pods_on_node, double weight) {
  const double score = static_cast<double>(matching_pods_on_node) * weight +
                       static_cast<double>(kSystemDefaultHostnameMaxSkew - 1);
  // Go's math.Round (half away from zero) for a non-negative score, without a libm call.
  auto rounded = static_cast<std::int64_t>(score);
  if (score - static_cast<double>(rounded) >= 0.5) ++rounded;
  return rounded;
}

void normalize_pod_topology_spread_scores(std::span<std::int64_t> scores) {
  if (scores.empty()) return;
  std::int64_t min_score = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_score = 0;
  for (const std::int64_t s : scores) {
    min_score = std::min(min_score, s);
    max_score = std::max(max_score, s);
  }
  for (std::int64_t& s : scores) {
    // max + min - s lies in [min, max], so this is 100 * (max + min - s) / max, truncated.
    s = max_score == 0 ? kMaxNodeScore : detail::percent_of(max_score + min_score - s, max_score);
  }
}

}  // namespace podsim::model
