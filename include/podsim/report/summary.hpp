#pragma once
// The numbers every report shows, computed once from an ExperimentResult: per variant and metric
// the mean with its 95% Student-t interval and type-7 percentiles over replications, each stage's
// share of pod time, the stalled count, and the paired comparisons. summary.json, stages.csv and
// the terminal report all print this struct, so they cannot disagree.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/experiment/result.hpp"
#include "podsim/model/span.hpp"

namespace podsim::report {

inline constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

/// One metric of one variant over its replications. Only finite values count (a NaN metric is
/// "undefined in that replication"); undefined statistics are NaN (null in JSON).
struct MetricSummary {
  std::size_t n = 0;  // replications with a finite value
  double mean = kUndefined;
  double ci_lower = kUndefined;  // 95% Student-t interval for the mean; NaN when n < 2
  double ci_upper = kUndefined;
  double p50 = kUndefined;  // type-7 quantiles over replications
  double p90 = kUndefined;
  double p99 = kUndefined;
  double stddev = kUndefined;  // sample standard deviation; NaN when n < 2
  double min = kUndefined;
  double max = kUndefined;

  double half_width() const { return 0.5 * (ci_upper - ci_lower); }
};

/// One stage of one variant.
struct StageSummary {
  model::Stage stage = model::Stage::scheduling;
  double mean_seconds = 0;  // seconds in this stage per replication (summed over pods)
  /// This stage's seconds over all stages' seconds, both summed over replications; NaN when the
  /// variant recorded no stage time at all.
  double share = kUndefined;
  /// This stage's time on the creation critical paths of new pods over all their critical-path
  /// time (summed over replications); NaN when no pod was created.
  double critical_path_share = kUndefined;
  /// The same over the critical paths of the releases' in-place updates; NaN when no pod was
  /// updated in place.
  double in_place_critical_path_share = kUndefined;
};

struct VariantSummary {
  std::string name;
  std::string description;
  std::size_t replications = 0;                  // replications run
  std::map<std::string, MetricSummary> metrics;  // every metric any replication reported
  std::vector<StageSummary> stages;              // one per Summary::stages, same order
  std::size_t stalled = 0;                       // replications with ReplicationResult::stalled

  /// nullptr when the variant has no such metric.
  const MetricSummary* metric(std::string_view name) const;
};

/// Candidate against baseline on one metric, paired by replication index (common random
/// numbers), over the replications where both have a finite value.
struct ComparisonSummary {
  std::string baseline;
  std::string candidate;
  std::string metric;
  std::size_t n = 0;  // pairs
  double baseline_mean = kUndefined;
  double candidate_mean = kUndefined;
  /// candidate_mean / baseline_mean - 1 (-0.3: 30% lower) and its delta-method 95% interval
  /// (see sim::paired_comparison); NaN when the baseline mean is 0, bounds NaN when n < 2.
  double relative_change = kUndefined;
  double ci_lower = kUndefined;
  double ci_upper = kUndefined;
  /// Mean of candidate - baseline and its 95% Student-t interval.
  double difference = kUndefined;
  double difference_ci_lower = kUndefined;
  double difference_ci_upper = kUndefined;
};

struct Summary {
  std::string scenario;
  std::string file;
  std::uint64_t seed = 0;
  std::uint32_t replications = 0;
  /// Every stage with time in any replication of any variant, in enum order, so that each
  /// variant lists the same stages (with share 0 where it spent none).
  std::vector<model::Stage> stages;
  std::vector<VariantSummary> variants;  // scenario order
  /// For each ComparisonSpec (or every other variant against the first when the result has none),
  /// each metric both variants report, by name.
  std::vector<ComparisonSummary> comparisons;

  /// nullptr when there is no such variant.
  const VariantSummary* variant(std::string_view name) const;
};

/// Computes the summary. Throws std::invalid_argument for input no report could print honestly:
/// two variants with one name, a replication index twice in a variant, or a comparison naming a
/// variant that does not exist.
Summary summarize(const experiment::ExperimentResult& result);

}  // namespace podsim::report
