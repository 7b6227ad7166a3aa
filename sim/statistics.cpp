#include "podsim/sim/statistics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace podsim::sim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Double precision throughout: long double differs between platforms (see distribution.cpp).
using MathPolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

void require_level(double level) {
  if (!(level > 0 && level < 1)) {
    throw std::invalid_argument(
        fmt::format("confidence interval: level must be in (0, 1), got {}", level));
  }
}

// t_{(1+level)/2, n-1}, the two-sided critical value; n >= 2.
double t_critical(std::size_t n, double level) {
  const boost::math::students_t_distribution<double, MathPolicy> t(static_cast<double>(n - 1));
  return boost::math::quantile(t, 0.5 * (1 + level));
}

}  // namespace

// ---- RunningStats ----------------------------------------------------------------------------

void RunningStats::add(double x) {
  ++count_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  sum_squared_deviations_ += delta * (x - mean_);
  if (count_ == 1) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
}

void RunningStats::merge(const RunningStats& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const auto n_a = static_cast<double>(count_);
  const auto n_b = static_cast<double>(other.count_);
  const double n = n_a + n_b;
  const double delta = other.mean_ - mean_;
  mean_ += delta * n_b / n;
  sum_squared_deviations_ += other.sum_squared_deviations_ + delta * delta * n_a * n_b / n;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double RunningStats::mean() const {
  return count_ == 0 ? kNaN : mean_;
}

double RunningStats::variance() const {
  return count_ < 2 ? kNaN : sum_squared_deviations_ / static_cast<double>(count_ - 1);
}

double RunningStats::stddev() const {
  return std::sqrt(variance());
}

double RunningStats::standard_error() const {
  return stddev() / std::sqrt(static_cast<double>(count_));
}

double RunningStats::min() const {
  return count_ == 0 ? kNaN : min_;
}
double RunningStats::max() const {
  return count_ == 0 ? kNaN : max_;
}

// ---- quantiles -------------------------------------------------------------------------------

double sorted_quantile(std::span<const double> sorted, double q) {
  if (!(q >= 0 && q <= 1)) {
    throw std::invalid_argument(fmt::format("quantile: q must be in [0, 1], got {}", q));
  }
  if (sorted.empty()) return kNaN;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(h);  // floor: h >= 0
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

SampleSet::SampleSet(std::vector<double> values) : values_(std::move(values)) {
  for (const double x : values_) stats_.add(x);
}

void SampleSet::add(double x) {
  values_.push_back(x);
  stats_.add(x);
}

double SampleSet::quantile(double q) const {
  if (sorted_.size() != values_.size()) {
    sorted_ = values_;
    std::sort(sorted_.begin(), sorted_.end());
  }
  return sorted_quantile(sorted_, q);
}

// ---- confidence intervals --------------------------------------------------------------------

ConfidenceInterval student_t_ci(const RunningStats& stats, double level) {
  require_level(level);
  ConfidenceInterval ci{stats.mean(), kNaN, kNaN, level, stats.count()};
  if (stats.count() < 2) return ci;
  const double half_width = t_critical(stats.count(), level) * stats.standard_error();
  ci.lower = ci.estimate - half_width;
  ci.upper = ci.estimate + half_width;
  return ci;
}

PairedComparison paired_comparison(std::span<const double> baseline,
                                   std::span<const double> candidate, double level) {
  require_level(level);
  if (baseline.size() != candidate.size()) {
    throw std::invalid_argument(fmt::format(
        "paired_comparison: baseline and candidate must have the same length, got {} and {}",
        baseline.size(), candidate.size()));
  }
  const std::size_t n = baseline.size();
  RunningStats base, cand, difference;
  for (std::size_t i = 0; i < n; ++i) {
    base.add(baseline[i]);
    cand.add(candidate[i]);
    difference.add(candidate[i] - baseline[i]);
  }
  PairedComparison result{base.mean(), cand.mean(), student_t_ci(difference, level),
                          ConfidenceInterval{kNaN, kNaN, kNaN, level, n}};

  if (n == 0 || base.mean() == 0) return result;
  const double ratio = cand.mean() / base.mean();
  result.relative_change.estimate = ratio - 1;
  if (n < 2) return result;
  RunningStats residuals;  // z_i = c_i - R b_i, mean 0 by construction
  for (std::size_t i = 0; i < n; ++i) residuals.add(candidate[i] - ratio * baseline[i]);
  const double standard_error = residuals.standard_error() / std::abs(base.mean());
  const double half_width = t_critical(n, level) * standard_error;
  result.relative_change.lower = ratio - 1 - half_width;
  result.relative_change.upper = ratio - 1 + half_width;
  return result;
}

// ---- TimeWeightedStats -----------------------------------------------------------------------

TimeWeightedStats::TimeWeightedStats(double start_time, double initial_value)
    : start_time_(start_time),
      last_time_(start_time),
      value_(initial_value),
      min_(initial_value),
      max_(initial_value) {}

void TimeWeightedStats::set(double time, double value) {
  if (!(time >= last_time_)) {
    throw std::invalid_argument(
        fmt::format("TimeWeightedStats: time must not go back, got {} after {}", time, last_time_));
  }
  area_ += value_ * (time - last_time_);
  last_time_ = time;
  value_ = value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

double TimeWeightedStats::integral(double end_time) const {
  if (!(end_time >= last_time_)) {
    throw std::invalid_argument(
        fmt::format("TimeWeightedStats: end_time must be >= the last change, got {} before {}",
                    end_time, last_time_));
  }
  return area_ + value_ * (end_time - last_time_);
}

double TimeWeightedStats::mean(double end_time) const {
  const double area = integral(end_time);
  return end_time == start_time_ ? kNaN : area / (end_time - start_time_);
}

}  // namespace podsim::sim
