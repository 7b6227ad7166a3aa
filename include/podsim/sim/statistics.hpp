#pragma once
// Summary statistics for simulation output: running moments, exact sample quantiles,
// Student-t confidence intervals, paired comparisons under common random numbers and
// time-weighted averages. Undefined quantities (the mean of nothing, the variance of one value)
// are NaN rather than exceptions, so one empty metric does not abort a whole report.

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace podsim::sim {

/// Count, mean, variance, min and max in one pass (Welford), mergeable across replications.
/// Example: `RunningStats s; s.add(1); s.add(3); s.mean() == 2; s.variance() == 2`.
class RunningStats {
 public:
  void add(double x);
  /// Combines with the statistics of another set of values (Chan et al.'s parallel formula).
  void merge(const RunningStats& other);

  std::size_t count() const { return count_; }
  /// NaN when empty.
  double mean() const;
  /// Unbiased sample variance (divides by n - 1); NaN when count() < 2.
  double variance() const;
  double stddev() const;
  /// Standard error of the mean, stddev / sqrt(n); NaN when count() < 2.
  double standard_error() const;
  /// NaN when empty.
  double min() const;
  double max() const;

 private:
  std::size_t count_ = 0;
  double mean_ = 0;
  double sum_squared_deviations_ = 0;  // M2 in Welford's notation
  double min_ = 0;
  double max_ = 0;
};

/// The type-7 sample quantile of `sorted` (ascending) at q in [0, 1]: with h = (n - 1) q, linear
/// interpolation between the order statistics x[floor h] and x[floor h + 1] (numpy's default
/// "linear", R's type 7). NaN when empty; throws std::invalid_argument if q is outside [0, 1].
/// Example: `sorted_quantile({{1, 2, 3, 4}}, 0.9) == 3.7`.
double sorted_quantile(std::span<const double> sorted, double q);

/// All values of a metric, for exact quantiles, plus their running moments.
/// Example: `SampleSet s({1, 2, 3, 4}); s.quantile(0.5) == 2.5`.
class SampleSet {
 public:
  SampleSet() = default;
  explicit SampleSet(std::vector<double> values);

  void add(double x);

  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  /// In insertion order.
  const std::vector<double>& values() const { return values_; }
  const RunningStats& stats() const { return stats_; }
  double mean() const { return stats_.mean(); }

  /// The type-7 quantile (see sorted_quantile), q in [0, 1]: quantile(0.9) is the p90.
  /// Sorts a cached copy on first use after an add(), so concurrent first calls on one object
  /// need external synchronisation.
  double quantile(double q) const;

 private:
  std::vector<double> values_;
  RunningStats stats_;
  mutable std::vector<double> sorted_;  // valid when its size equals values_.size()
};

/// A two-sided confidence interval around `estimate`. When it cannot be computed (fewer than two
/// observations) `lower` and `upper` are NaN and defined() is false.
struct ConfidenceInterval {
  double estimate;
  double lower;
  double upper;
  double level;   // e.g. 0.95
  std::size_t n;  // observations behind it

  bool defined() const { return !std::isnan(lower) && !std::isnan(upper); }
  double half_width() const { return 0.5 * (upper - lower); }
};

/// The Student-t interval for the mean: mean +- t_{(1+level)/2, n-1} * stddev / sqrt(n).
/// level in (0, 1), else std::invalid_argument. Example: `student_t_ci(stats, 0.95)`.
ConfidenceInterval student_t_ci(const RunningStats& stats, double level = 0.95);

/// The comparison of a candidate with a baseline, replication by replication (pair i ran with
/// the same random numbers in both variants).
struct PairedComparison {
  double baseline_mean;
  double candidate_mean;
  /// Mean of candidate[i] - baseline[i] with its Student-t interval (n - 1 degrees of freedom).
  ConfidenceInterval difference;
  /// candidate_mean / baseline_mean - 1 (-0.3 is "30% faster"), interval by the delta method:
  /// with R = candidate_mean / baseline_mean and residuals z_i = candidate[i] - R baseline[i],
  /// se(R) = stddev(z) / (sqrt(n) |baseline_mean|) and the interval is
  /// (R - 1) +- t_{(1+level)/2, n-1} se(R). Unlike dividing the difference interval by the
  /// baseline mean, this accounts for the baseline mean being an estimate too.
  /// Undefined (NaN bounds) when the baseline mean is 0.
  ConfidenceInterval relative_change;
};

/// Compares equal-length per-replication results; throws std::invalid_argument if the lengths
/// differ. Example: `paired_comparison(recreate_seconds, in_place_seconds).relative_change`.
PairedComparison paired_comparison(std::span<const double> baseline,
                                   std::span<const double> candidate, double level = 0.95);

/// The time average of a piecewise-constant quantity, such as a queue length (Little's law).
/// Times are in any unit (seconds, say) and must not decrease.
///
/// Example:
///   TimeWeightedStats queue(0.0, 0.0);  // empty at t = 0
///   queue.set(2.0, 1);                  // one waiting from t = 2
///   queue.set(3.0, 0);                  // gone at t = 3
///   queue.mean(4.0) == 0.25;            // (1 * 1) / 4
class TimeWeightedStats {
 public:
  explicit TimeWeightedStats(double start_time = 0, double initial_value = 0);

  /// The quantity is `value` from `time` on; throws std::invalid_argument if time goes back.
  void set(double time, double value);
  /// Changes the quantity by `delta` at `time` (e.g. +1 on arrival, -1 on departure).
  void change_by(double time, double delta) { set(time, value_ + delta); }

  double value() const { return value_; }
  double start_time() const { return start_time_; }
  /// The integral of the quantity from the start to `end_time` (>= the last change).
  double integral(double end_time) const;
  /// integral(end_time) / (end_time - start); NaN when end_time equals the start.
  double mean(double end_time) const;
  /// The extremes of the values held so far, the initial one included.
  double min() const { return min_; }
  double max() const { return max_; }

 private:
  double start_time_;
  double last_time_;
  double value_;
  double area_ = 0;  // integral up to last_time_
  double min_;
  double max_;
};

}  // namespace podsim::sim
