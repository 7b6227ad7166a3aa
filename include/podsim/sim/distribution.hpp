#pragma once
// Probability distributions of non-negative durations (seconds), sampled by inverse CDF so that a
// single uniform drives each draw: a larger uniform never gives a smaller sample, which keeps
// common random numbers between the variants of a comparison as strong as possible.
// Reproducibility: the uniforms are bit-exact everywhere and the special functions run in double
// (no long double); the transforms call the C math library (log, exp, erfc, pow), so platforms
// whose libm rounds differently in the last bit (glibc vs Apple vs MSVC) may differ in that bit.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "podsim/sim/random.hpp"

namespace podsim::sim {

/// An immutable distribution over non-negative doubles, shared as `DistributionPtr`.
///
/// `size_bytes` is the size of the thing being processed (an image layer, say); only
/// `dist::size_affine` uses it, all the others ignore it and pass it on to their components.
///
/// Example:
///   DistributionPtr start = dist::lognormal_median_p90(1.2, 3.0);
///   double seconds = start->sample(stream);  // == start->quantile(u) for u = stream.uniform01()
class Distribution {
 public:
  virtual ~Distribution() = default;

  /// The inverse CDF at `u` in [0, 1] (throws std::invalid_argument outside). Non-decreasing in
  /// `u`; quantile(1) may be infinite. For a mixture this is the sampling transform (pick a
  /// component by `u`, then rescale `u` within that component's slice), not the inverse CDF.
  double quantile(double u, double size_bytes = 0) const;

  /// One draw: `quantile(stream.uniform01(), size_bytes)`; uses exactly one uniform.
  double sample(RandomStream& stream, double size_bytes = 0) const {
    return do_quantile(stream.uniform01(), size_bytes);
  }

  /// P(X <= x).
  double cdf(double x, double size_bytes = 0) const { return do_cdf(x, size_bytes); }

  /// The mean in closed form, where one exists.
  std::optional<double> mean(double size_bytes = 0) const { return do_mean(size_bytes); }

  /// A one-line description with parameters, e.g. "lognormal(median=1.2, sigma=0.5)".
  virtual std::string describe() const = 0;

 private:
  virtual double do_quantile(double u, double size_bytes) const = 0;
  virtual double do_cdf(double x, double size_bytes) const = 0;
  virtual std::optional<double> do_mean(double size_bytes) const = 0;
};

using DistributionPtr = std::shared_ptr<const Distribution>;

/// One point of a quantile table: `value` is the `p`-quantile.
struct QuantilePoint {
  double p;
  double value;
};

/// Factories. Each validates its parameters and throws std::invalid_argument naming the
/// distribution, the parameter and the bad value, e.g. "lognormal: sigma must be > 0, got -1".
namespace dist {

/// Always `value` (>= 0). Example: `dist::constant(0.5)`.
DistributionPtr constant(double value);

/// Uniform on [lo, hi], 0 <= lo <= hi. Example: `dist::uniform(1, 3)`.
DistributionPtr uniform(double lo, double hi);

/// Exponential with the given mean (> 0). Example: `dist::exponential(2.0)`.
DistributionPtr exponential(double mean);

/// Normal(mu, sigma) conditioned on X >= 0 (sigma > 0, mu/sigma >= -35), sampled by inverse CDF
/// on the truncated range. Example: `dist::truncated_normal(5, 1)`.
DistributionPtr truncated_normal(double mu, double sigma);

/// exp(Normal(mu, sigma)), sigma > 0. Example: `dist::lognormal(0.0, 0.5)` (median 1).
DistributionPtr lognormal(double mu, double sigma);

/// The lognormal with this median and 90th percentile (0 < median < p90).
/// Example: `dist::lognormal_median_p90(1.2, 3.0)`.
DistributionPtr lognormal_median_p90(double median, double p90);

/// The lognormal with this median and 99th percentile (0 < median < p99).
DistributionPtr lognormal_median_p99(double median, double p99);

/// Gamma with shape k > 0 and scale theta > 0 (mean k * theta). Example: `dist::gamma(2, 0.5)`.
DistributionPtr gamma(double shape, double scale);

/// Weibull with shape k > 0 and scale lambda > 0: CDF 1 - exp(-(x/lambda)^k).
DistributionPtr weibull(double shape, double scale);

/// The interpolated empirical distribution of `samples` (finite, >= 0, at least one): its
/// quantile function is the type-7 sample quantile (linear between order statistics, numpy's
/// default), so draws lie in [min, max]. Example: `dist::empirical({1.0, 2.0, 4.0})`.
DistributionPtr empirical(std::vector<double> samples);

/// Linear interpolation of a quantile table. Probabilities strictly increase from exactly 0 (the
/// minimum) to exactly 1 (the maximum); values are finite, >= 0 and non-decreasing.
/// Example: `dist::quantile_table({{0, 1.0}, {0.5, 2.0}, {0.9, 4.0}, {1, 10.0}})`.
DistributionPtr quantile_table(std::vector<QuantilePoint> points);

/// With probability weights[i] / sum(weights), a draw from components[i] (weights >= 0, sum > 0).
/// One uniform picks the component and, rescaled within the component's slice, drives its draw.
/// Example: `dist::mixture({0.9, 0.1}, {dist::constant(1), dist::exponential(30)})`.
DistributionPtr mixture(std::vector<double> weights, std::vector<DistributionPtr> components);

/// `offset` (>= 0) plus a draw from `base`. Example: `dist::shifted(0.5, dist::exponential(1))`.
DistributionPtr shifted(double offset, DistributionPtr base);

/// A draw from `latency` plus size_bytes / bytes_per_second (> 0): the time to fetch size_bytes.
/// Example: `dist::size_affine(dist::constant(0.2), 100e6)->sample(s, 50e6)` is 0.7.
DistributionPtr size_affine(DistributionPtr latency, double bytes_per_second);

}  // namespace dist
}  // namespace podsim::sim
