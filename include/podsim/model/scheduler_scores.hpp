#pragma once
// The Score half of a kube-scheduler cycle as plain functions, each returning 0..MaxNodeScore
// the way the default plugins compute it (integer arithmetic where they use it, so ties and
// truncation match). Weights and the choice between nodes live in scheduler.cpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "podsim/model/resources.hpp"

namespace podsim::model {

inline constexpr std::int64_t kMaxNodeScore = 100;  // framework.MaxNodeScore

/// What scoring counts for a pod that requests nothing: 100m cpu and 200 MiB memory
/// (DefaultMilliCPURequest, DefaultMemoryRequest), per resource. The real code applies this per
/// container; a pod here is one request.
Resources non_zero_requests(const Resources& request);

/// NodeResourcesFit LeastAllocated, cpu and memory weight 1: per resource
/// (allocatable - requested) * 100 / allocatable (0 if over), then the integer mean.
/// `requested` includes the pod being scheduled.
/// Example: allocatable {4000m, 8Gi}, requested {1000m, 2Gi}: (75 + 75) / 2 = 75.
inline std::int64_t least_allocated_score(const Resources& requested, const Resources& allocatable);

/// NodeResourcesFit MostAllocated: per resource requested * 100 / allocatable (requested capped
/// at allocatable), then the integer mean. Packs pods onto busy nodes.
inline std::int64_t most_allocated_score(const Resources& requested, const Resources& allocatable);

/// NodeResourcesBalancedAllocation: (1 - |cpu fraction - memory fraction| / 2) * 100, each
/// fraction capped at 1, truncated. Prefers nodes whose cpu and memory fill evenly.
inline std::int64_t balanced_allocation_score(const Resources& requested,
                                              const Resources& allocatable);

/// ImageLocality thresholds: below 23 MiB an image is not worth preferring a node for; above
/// 1000 MiB per container everything scores the same [K-IMGLOC].
inline constexpr std::int64_t kImageLocalityMinThreshold = 23LL * 1024 * 1024;
inline constexpr std::int64_t kImageLocalityMaxContainerThreshold = 1000LL * 1024 * 1024;

/// One image's contribution: its size scaled by how many nodes already have it, so a pod does
/// not herd onto the one node with a rare image: int64(size * nodes_with_image / total_nodes).
std::int64_t scaled_image_score(std::uint64_t image_bytes, std::uint32_t nodes_with_image,
                                std::uint32_t total_nodes);

/// ImageLocality: the sum of the scaled sizes of the pod's images present on the node, clamped to
/// [23 MiB, 1000 MiB * containers] and mapped linearly onto 0..100 (integer division).
/// Example: sum 523 MiB, 1 container: 100 * 500 / 977 = 51.
std::int64_t image_locality_score(std::int64_t sum_of_scaled_scores, std::size_t num_containers);

/// PodTopologySpread's system default hostname constraint (maxSkew 3, ScheduleAnyway): the raw
/// score of a node is round(matching_pods * log(scored_nodes + 2) + (maxSkew - 1)), lower is
/// better; normalize_pod_topology_spread_scores turns it into 0..100, higher is better.
inline constexpr std::int32_t kSystemDefaultHostnameMaxSkew = 3;
double topology_normalizing_weight(std::size_t scored_nodes);
std::int64_t pod_topology_spread_raw_score(std::uint32_t matching_pods_on_node, double weight);
/// NormalizeScore: 100 * (max + min - s) / max over the scored nodes (100 for all if max is 0).
void normalize_pod_topology_spread_scores(std::span<std::int64_t> scores);

// ---- Inline definitions: these run for every scored node of every cycle. ------------------

namespace detail {

// n * 100 / d truncated, for 0 <= n <= d. Through double when exact: n*100 and d are then exact
// doubles, and an inexact quotient lies at least 1/d >= 2^-46 from any integer, more than the
// rounding error near 100, so truncating the rounded quotient gives the integer result. A
// 64-bit integer division costs several times a double one, and this runs per scored node.
inline std::int64_t percent_of(std::int64_t n, std::int64_t d) {
  constexpr std::int64_t kExact = std::int64_t{1} << 46;
  if (d < kExact) {
    return static_cast<std::int64_t>(static_cast<double>(n * kMaxNodeScore) /
                                     static_cast<double>(d));
  }
  return n * kMaxNodeScore / d;
}

inline std::int64_t least_requested(std::int64_t requested, std::int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return percent_of(capacity - requested, capacity);
}

inline std::int64_t most_requested(std::int64_t requested, std::int64_t capacity) {
  if (capacity == 0) return 0;
  return percent_of(std::min(requested, capacity), capacity);
}

// Weight 1 per resource; a resource the node has none of is left out of the mean, as the
// plugin skips allocatable == 0.
template <class PerResource>
std::int64_t weighted_mean(const Resources& requested, const Resources& allocatable,
                           PerResource per_resource) {
  std::int64_t sum = 0;
  std::int64_t weights = 0;
  if (allocatable.cpu_millis != 0) {
    sum += per_resource(requested.cpu_millis, allocatable.cpu_millis);
    ++weights;
  }
  if (allocatable.memory_bytes != 0) {
    sum += per_resource(requested.memory_bytes, allocatable.memory_bytes);
    ++weights;
  }
  if (weights == 2) return sum / 2;
  return sum;  // one resource: its score; none: 0
}

}  // namespace detail

inline std::int64_t least_allocated_score(const Resources& requested,
                                          const Resources& allocatable) {
  return detail::weighted_mean(requested, allocatable, detail::least_requested);
}

inline std::int64_t most_allocated_score(const Resources& requested, const Resources& allocatable) {
  return detail::weighted_mean(requested, allocatable, detail::most_requested);
}

inline std::int64_t balanced_allocation_score(const Resources& requested,
                                              const Resources& allocatable) {
  double fractions[2];
  int n = 0;
  if (allocatable.cpu_millis != 0) {
    fractions[n++] = std::min(1.0, static_cast<double>(requested.cpu_millis) /
                                       static_cast<double>(allocatable.cpu_millis));
  }
  if (allocatable.memory_bytes != 0) {
    fractions[n++] = std::min(1.0, static_cast<double>(requested.memory_bytes) /
                                       static_cast<double>(allocatable.memory_bytes));
  }
  // The standard deviation of two values is half their distance; of one value, zero.
  const double std_dev = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
  return static_cast<std::int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

}  // namespace podsim::model
