#include "podsim/sim/distribution.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace podsim::sim {
namespace {

namespace bmp = boost::math::policies;
// promote_double<false>: compute in double, not long double, whose width differs between
// platforms (80-bit x87, 128-bit software, 64-bit MSVC) and would change results across them.
// overflow -> +-inf instead of throwing, so that quantile(1) is simply infinite.
using MathPolicy = bmp::policy<bmp::promote_double<false>, bmp::overflow_error<bmp::ignore_error>>;

// Extremes of RandomStream::uniform01(); a mixture hands its components uniforms in this range.
constexpr double kSmallestUniform = 1.0 / 9007199254740992.0;  // 2^-53
constexpr double kLargestUniform = 1.0 - kSmallestUniform;

// ---- validation ------------------------------------------------------------------------------

[[noreturn]] void fail(std::string_view what, std::string_view param, std::string_view rule,
                       double got) {
  throw std::invalid_argument(fmt::format("{}: {} must be {}, got {}", what, param, rule, got));
}

void require_positive(std::string_view what, std::string_view param, double value) {
  if (!(value > 0) || !std::isfinite(value)) fail(what, param, "a finite number > 0", value);
}

void require_non_negative(std::string_view what, std::string_view param, double value) {
  if (!(value >= 0) || !std::isfinite(value)) fail(what, param, "a finite number >= 0", value);
}

void require_finite(std::string_view what, std::string_view param, double value) {
  if (!std::isfinite(value)) fail(what, param, "finite", value);
}

void require_component(std::string_view what, std::string_view param, const DistributionPtr& d) {
  if (!d) throw std::invalid_argument(fmt::format("{}: {} must not be null", what, param));
}

// ---- standard normal -------------------------------------------------------------------------

// Phi^{-1}(u). Each half uses the tail probability it can represent exactly (u or 1 - u, both
// exact for our uniforms), so the upper tail keeps full precision; the sign flips exactly at 0.5,
// so the result stays non-decreasing.
double standard_normal_quantile(double u) {
  if (u <= 0.5) return -std::numbers::sqrt2 * boost::math::erfc_inv(2 * u, MathPolicy());
  return std::numbers::sqrt2 * boost::math::erfc_inv(2 * (1 - u), MathPolicy());
}

// P(Z > z) = erfc(z / sqrt 2) / 2.
double standard_normal_upper_tail(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

// ---- the distributions -----------------------------------------------------------------------

class Constant final : public Distribution {
 public:
  explicit Constant(double value) : value_(value) {}
  std::string describe() const override { return fmt::format("constant({})", value_); }

 private:
  double do_quantile(double, double) const override { return value_; }
  double do_cdf(double x, double) const override { return x >= value_ ? 1.0 : 0.0; }
  std::optional<double> do_mean(double) const override { return value_; }
  double value_;
};

class Uniform final : public Distribution {
 public:
  Uniform(double lo, double hi) : lo_(lo), hi_(hi), width_(hi - lo) {}
  std::string describe() const override { return fmt::format("uniform({}, {})", lo_, hi_); }

 private:
  double do_quantile(double u, double) const override { return std::min(lo_ + u * width_, hi_); }
  double do_cdf(double x, double) const override {
    if (x < lo_) return 0;
    if (x >= hi_) return 1;
    return (x - lo_) / width_;
  }
  std::optional<double> do_mean(double) const override { return 0.5 * (lo_ + hi_); }
  double lo_, hi_, width_;
};

class Exponential final : public Distribution {
 public:
  explicit Exponential(double mean) : mean_(mean) {}
  std::string describe() const override { return fmt::format("exponential(mean={})", mean_); }

 private:
  double do_quantile(double u, double) const override { return -mean_ * std::log1p(-u); }
  double do_cdf(double x, double) const override { return x <= 0 ? 0.0 : -std::expm1(-x / mean_); }
  std::optional<double> do_mean(double) const override { return mean_; }
  double mean_;
};

// Normal(mu, sigma) given X >= 0. With a = -mu/sigma the standardised lower bound and
// Q the upper tail, P(X > x) = Q((x - mu)/sigma) / Q(a); inverting the upper tail keeps
// precision where latencies matter (the right tail).
class TruncatedNormal final : public Distribution {
 public:
  TruncatedNormal(double mu, double sigma)
      : mu_(mu), sigma_(sigma), tail_at_zero_(standard_normal_upper_tail(-mu / sigma)) {}
  std::string describe() const override {
    return fmt::format("normal(mu={}, sigma={}, truncated at 0)", mu_, sigma_);
  }

 private:
  double do_quantile(double u, double) const override {
    const double tail = (1 - u) * tail_at_zero_;
    const double z = std::numbers::sqrt2 * boost::math::erfc_inv(2 * tail, MathPolicy());
    return std::max(0.0, mu_ + sigma_ * z);
  }
  double do_cdf(double x, double) const override {
    if (x <= 0) return 0;
    return 1 - standard_normal_upper_tail((x - mu_) / sigma_) / tail_at_zero_;
  }
  std::optional<double> do_mean(double) const override {
    // E[X | X >= 0] = mu + sigma * phi(a) / Q(a), a = -mu/sigma.
    const double a = -mu_ / sigma_;
    const double density = std::exp(-0.5 * a * a) / std::sqrt(2 * std::numbers::pi);
    return mu_ + sigma_ * density / tail_at_zero_;
  }
  double mu_, sigma_, tail_at_zero_;
};

class Lognormal final : public Distribution {
 public:
  // `description` echoes the parameters the user gave (mu or median, p90, ...).
  Lognormal(double mu, double sigma, std::string description)
      : mu_(mu), sigma_(sigma), description_(std::move(description)) {}
  std::string describe() const override { return description_; }

 private:
  double do_quantile(double u, double) const override {
    return std::exp(mu_ + sigma_ * standard_normal_quantile(u));
  }
  double do_cdf(double x, double) const override {
    if (x <= 0) return 0;
    return 1 - standard_normal_upper_tail((std::log(x) - mu_) / sigma_);
  }
  std::optional<double> do_mean(double) const override {
    return std::exp(mu_ + 0.5 * sigma_ * sigma_);
  }
  double mu_, sigma_;
  std::string description_;
};

class Gamma final : public Distribution {
 public:
  Gamma(double shape, double scale) : shape_(shape), scale_(scale) {}
  std::string describe() const override {
    return fmt::format("gamma(shape={}, scale={})", shape_, scale_);
  }

 private:
  double do_quantile(double u, double) const override {
    return scale_ * boost::math::gamma_p_inv(shape_, u, MathPolicy());
  }
  double do_cdf(double x, double) const override {
    return x <= 0 ? 0.0 : boost::math::gamma_p(shape_, x / scale_, MathPolicy());
  }
  std::optional<double> do_mean(double) const override { return shape_ * scale_; }
  double shape_, scale_;
};

class Weibull final : public Distribution {
 public:
  Weibull(double shape, double scale) : shape_(shape), scale_(scale), inverse_shape_(1 / shape) {}
  std::string describe() const override {
    return fmt::format("weibull(shape={}, scale={})", shape_, scale_);
  }

 private:
  double do_quantile(double u, double) const override {
    return scale_ * std::pow(-std::log1p(-u), inverse_shape_);
  }
  double do_cdf(double x, double) const override {
    return x <= 0 ? 0.0 : -std::expm1(-std::pow(x / scale_, shape_));
  }
  std::optional<double> do_mean(double) const override {
    return scale_ * boost::math::tgamma(1 + inverse_shape_, MathPolicy());
  }
  double shape_, scale_, inverse_shape_;
};

// Quantile function linear between knots (p_i, v_i), p from 0 to 1, v non-decreasing. Backs both
// the empirical distribution (knots at p = i/(n-1), found by index) and quantile tables (found by
// binary search).
class PiecewiseLinearQuantile final : public Distribution {
 public:
  PiecewiseLinearQuantile(std::vector<double> p, std::vector<double> v, bool evenly_spaced,
                          std::string description)
      : p_(std::move(p)),
        v_(std::move(v)),
        evenly_spaced_(evenly_spaced),
        description_(std::move(description)) {}
  std::string describe() const override { return description_; }

 private:
  double do_quantile(double u, double) const override {
    const std::size_t last_segment = p_.size() - 2;
    std::size_t i;
    double fraction;
    if (evenly_spaced_) {
      const double h = u * static_cast<double>(last_segment + 1);
      i = std::min(static_cast<std::size_t>(h), last_segment);
      fraction = h - static_cast<double>(i);
    } else {
      const auto above = std::upper_bound(p_.begin() + 1, p_.end() - 1, u);
      i = static_cast<std::size_t>(above - p_.begin()) - 1;
      fraction = (u - p_[i]) / (p_[i + 1] - p_[i]);
    }
    fraction = std::clamp(fraction, 0.0, 1.0);
    // The min keeps rounding from stepping past the next knot (monotone across knots).
    return std::min(v_[i] + fraction * (v_[i + 1] - v_[i]), v_[i + 1]);
  }
  double do_cdf(double x, double) const override {
    if (x < v_.front()) return 0;
    if (x >= v_.back()) return 1;
    // The last knot with v_i <= x; then v_i <= x < v_{i+1} (flat runs are jumps of the CDF).
    const auto i =
        static_cast<std::size_t>(std::upper_bound(v_.begin(), v_.end(), x) - v_.begin()) - 1;
    return p_[i] + (p_[i + 1] - p_[i]) * (x - v_[i]) / (v_[i + 1] - v_[i]);
  }
  std::optional<double> do_mean(double) const override {
    // Integral of the quantile function over [0, 1]: trapezoids.
    double mean = 0;
    for (std::size_t i = 0; i + 1 < p_.size(); ++i) {
      mean += (p_[i + 1] - p_[i]) * 0.5 * (v_[i] + v_[i + 1]);
    }
    return mean;
  }
  std::vector<double> p_, v_;
  bool evenly_spaced_;
  std::string description_;
};

class Mixture final : public Distribution {
 public:
  Mixture(std::vector<double> weights, std::vector<DistributionPtr> components)
      : weights_(std::move(weights)), components_(std::move(components)) {
    double total = 0;
    for (const double w : weights_) total += w;
    double running = 0;
    for (auto& w : weights_) {
      w /= total;
      running += w;
      slice_end_.push_back(std::min(running, 1.0));
    }
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (weights_[i] > 0) last_positive_ = i;
    }
    slice_end_[last_positive_] = 1.0;  // no gap left by rounding
    for (std::size_t i = last_positive_ + 1; i < slice_end_.size(); ++i) slice_end_[i] = 1.0;
  }
  std::string describe() const override {
    std::string text = "mixture(";
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (i > 0) text += ", ";
      text += fmt::format("{}: {}", weights_[i], components_[i]->describe());
    }
    return text + ")";
  }

 private:
  double do_quantile(double u, double size_bytes) const override {
    // The first slice ending above u; zero-weight slices are empty and never chosen.
    auto i = static_cast<std::size_t>(std::upper_bound(slice_end_.begin(), slice_end_.end(), u) -
                                      slice_end_.begin());
    if (i > last_positive_) i = last_positive_;
    const double start = i == 0 ? 0.0 : slice_end_[i - 1];
    const double width = slice_end_[i] - start;
    const double within = width > 0 ? (u - start) / width : 0.5;  // width 0: only by rounding
    return components_[i]->quantile(std::clamp(within, kSmallestUniform, kLargestUniform),
                                    size_bytes);
  }
  double do_cdf(double x, double size_bytes) const override {
    double cdf = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (weights_[i] > 0) cdf += weights_[i] * components_[i]->cdf(x, size_bytes);
    }
    return std::min(cdf, 1.0);
  }
  std::optional<double> do_mean(double size_bytes) const override {
    double mean = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (weights_[i] == 0) continue;
      const auto component_mean = components_[i]->mean(size_bytes);
      if (!component_mean) return std::nullopt;
      mean += weights_[i] * *component_mean;
    }
    return mean;
  }
  std::vector<double> weights_;  // normalised
  std::vector<double> slice_end_;
  std::vector<DistributionPtr> components_;
  std::size_t last_positive_ = 0;
};

class Shifted final : public Distribution {
 public:
  Shifted(double offset, DistributionPtr base) : offset_(offset), base_(std::move(base)) {}
  std::string describe() const override {
    return fmt::format("shifted({}, {})", offset_, base_->describe());
  }

 private:
  double do_quantile(double u, double size_bytes) const override {
    return offset_ + base_->quantile(u, size_bytes);
  }
  double do_cdf(double x, double size_bytes) const override {
    return base_->cdf(x - offset_, size_bytes);
  }
  std::optional<double> do_mean(double size_bytes) const override {
    const auto base_mean = base_->mean(size_bytes);
    if (!base_mean) return std::nullopt;
    return offset_ + *base_mean;
  }
  double offset_;
  DistributionPtr base_;
};

class SizeAffine final : public Distribution {
 public:
  SizeAffine(DistributionPtr latency, double bytes_per_second)
      : latency_(std::move(latency)), bytes_per_second_(bytes_per_second) {}
  std::string describe() const override {
    return fmt::format("size_affine({}, bytes_per_second={})", latency_->describe(),
                       bytes_per_second_);
  }

 private:
  double transfer_time(double size_bytes) const {
    if (!(size_bytes >= 0) || !std::isfinite(size_bytes)) {
      fail("size_affine", "size_bytes", "a finite number >= 0", size_bytes);
    }
    return size_bytes / bytes_per_second_;
  }
  double do_quantile(double u, double size_bytes) const override {
    return latency_->quantile(u, size_bytes) + transfer_time(size_bytes);
  }
  double do_cdf(double x, double size_bytes) const override {
    return latency_->cdf(x - transfer_time(size_bytes), size_bytes);
  }
  std::optional<double> do_mean(double size_bytes) const override {
    const auto latency_mean = latency_->mean(size_bytes);
    if (!latency_mean) return std::nullopt;
    return *latency_mean + transfer_time(size_bytes);
  }
  DistributionPtr latency_;
  double bytes_per_second_;
};

DistributionPtr lognormal_by_quantile(std::string_view param, double median, double p,
                                      double value_at_p) {
  require_positive("lognormal", "median", median);
  require_finite("lognormal", param, value_at_p);
  if (!(value_at_p > median)) {
    fail("lognormal", param, fmt::format("> median ({})", median), value_at_p);
  }
  // log X = mu + sigma Z with mu = log(median); value_at_p = median * exp(sigma z_p).
  const double sigma = std::log(value_at_p / median) / standard_normal_quantile(p);
  return std::make_shared<Lognormal>(
      std::log(median), sigma,
      fmt::format("lognormal(median={}, {}={}, sigma={:.6g})", median, param, value_at_p, sigma));
}

}  // namespace

double Distribution::quantile(double u, double size_bytes) const {
  if (!(u >= 0 && u <= 1)) {
    throw std::invalid_argument(fmt::format("quantile: u must be in [0, 1], got {}", u));
  }
  return do_quantile(u, size_bytes);
}

namespace dist {

DistributionPtr constant(double value) {
  require_non_negative("constant", "value", value);
  return std::make_shared<Constant>(value);
}

DistributionPtr uniform(double lo, double hi) {
  require_non_negative("uniform", "lo", lo);
  require_finite("uniform", "hi", hi);
  if (!(hi >= lo)) fail("uniform", "hi", fmt::format(">= lo ({})", lo), hi);
  return std::make_shared<Uniform>(lo, hi);
}

DistributionPtr exponential(double mean) {
  require_positive("exponential", "mean", mean);
  return std::make_shared<Exponential>(mean);
}

DistributionPtr truncated_normal(double mu, double sigma) {
  require_finite("normal", "mu", mu);
  require_positive("normal", "sigma", sigma);
  // Below -35 standard deviations the mass above 0 underflows a double.
  if (!(mu / sigma >= -35)) fail("normal", "mu/sigma", ">= -35", mu / sigma);
  return std::make_shared<TruncatedNormal>(mu, sigma);
}

DistributionPtr lognormal(double mu, double sigma) {
  require_finite("lognormal", "mu", mu);
  require_positive("lognormal", "sigma", sigma);
  return std::make_shared<Lognormal>(mu, sigma,
                                     fmt::format("lognormal(mu={}, sigma={})", mu, sigma));
}

DistributionPtr lognormal_median_p90(double median, double p90) {
  return lognormal_by_quantile("p90", median, 0.9, p90);
}

DistributionPtr lognormal_median_p99(double median, double p99) {
  return lognormal_by_quantile("p99", median, 0.99, p99);
}

DistributionPtr gamma(double shape, double scale) {
  require_positive("gamma", "shape", shape);
  require_positive("gamma", "scale", scale);
  return std::make_shared<Gamma>(shape, scale);
}

DistributionPtr weibull(double shape, double scale) {
  require_positive("weibull", "shape", shape);
  require_positive("weibull", "scale", scale);
  return std::make_shared<Weibull>(shape, scale);
}

DistributionPtr empirical(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("empirical: samples must not be empty");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    require_non_negative("empirical", fmt::format("sample {}", i), samples[i]);
  }
  std::sort(samples.begin(), samples.end());
  auto description = fmt::format("empirical(n={}, min={}, max={})", samples.size(), samples.front(),
                                 samples.back());
  if (samples.size() == 1) samples.push_back(samples.front());  // one sample: a constant
  const std::size_t n = samples.size();
  std::vector<double> p(n);
  for (std::size_t i = 0; i < n; ++i) {
    p[i] = static_cast<double>(i) / static_cast<double>(n - 1);
  }
  return std::make_shared<PiecewiseLinearQuantile>(std::move(p), std::move(samples), true,
                                                   std::move(description));
}

DistributionPtr quantile_table(std::vector<QuantilePoint> points) {
  constexpr std::string_view what = "quantile_table";
  if (points.size() < 2) {
    throw std::invalid_argument(
        fmt::format("{}: needs at least 2 points (p = 0 and p = 1), got {}", what, points.size()));
  }
  std::vector<double> p, v;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto [prob, value] = points[i];
    require_non_negative(what, fmt::format("value at point {}", i), value);
    if (i == 0 && prob != 0) fail(what, "p of the first point", "0 (the minimum)", prob);
    if (i > 0) {
      if (!(prob > p.back())) {
        fail(what, fmt::format("p at point {}", i), fmt::format("> {} (increasing)", p.back()),
             prob);
      }
      if (!(value >= v.back())) {
        fail(what, fmt::format("value at point {}", i),
             fmt::format(">= {} (non-decreasing)", v.back()), value);
      }
    }
    p.push_back(prob);
    v.push_back(value);
  }
  if (p.back() != 1) fail(what, "p of the last point", "1 (the maximum)", p.back());
  std::string description = "quantile_table(";
  for (std::size_t i = 0; i < p.size(); ++i) {
    description += fmt::format("{}{}: {}", i == 0 ? "" : ", ", p[i], v[i]);
  }
  description += ")";
  return std::make_shared<PiecewiseLinearQuantile>(std::move(p), std::move(v), false,
                                                   std::move(description));
}

DistributionPtr mixture(std::vector<double> weights, std::vector<DistributionPtr> components) {
  if (weights.empty() || weights.size() != components.size()) {
    throw std::invalid_argument(fmt::format(
        "mixture: needs as many weights as components (at least one), got {} weights and {} "
        "components",
        weights.size(), components.size()));
  }
  double total = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    require_non_negative("mixture", fmt::format("weight {}", i), weights[i]);
    require_component("mixture", fmt::format("component {}", i), components[i]);
    total += weights[i];
  }
  if (!(total > 0)) fail("mixture", "the sum of weights", "> 0", total);
  return std::make_shared<Mixture>(std::move(weights), std::move(components));
}

DistributionPtr shifted(double offset, DistributionPtr base) {
  require_non_negative("shifted", "offset", offset);
  require_component("shifted", "base", base);
  return std::make_shared<Shifted>(offset, std::move(base));
}

DistributionPtr size_affine(DistributionPtr latency, double bytes_per_second) {
  require_component("size_affine", "latency", latency);
  require_positive("size_affine", "bytes_per_second", bytes_per_second);
  return std::make_shared<SizeAffine>(std::move(latency), bytes_per_second);
}

}  // namespace dist
}  // namespace podsim::sim
