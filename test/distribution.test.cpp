#include "podsim/sim/distribution.hpp"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "podsim/sim/random.hpp"

using Catch::Matchers::Contains;
using podsim::sim::DistributionPtr;
using podsim::sim::RandomStream;
namespace dist = podsim::sim::dist;

namespace {

constexpr int kSamples = 20000;
// Kolmogorov-Smirnov critical value for alpha = 0.001 (asymptotic 1.949 / sqrt(n)).
const double kKsCritical = 1.95 / std::sqrt(double{kSamples});

std::vector<double> draw(const DistributionPtr& d, std::uint64_t seed, double size_bytes = 0) {
  RandomStream stream = RandomStream(seed).child("distribution test");
  std::vector<double> xs(kSamples);
  for (auto& x : xs) x = d->sample(stream, size_bytes);
  return xs;
}

// sup |F_n - F| over the sample, F written independently in each test.
double ks_statistic(std::vector<double> xs, const std::function<double(double)>& cdf) {
  std::sort(xs.begin(), xs.end());
  const auto n = static_cast<double>(xs.size());
  double d = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

// The sample mean is within 5 standard errors of `expected`.
void check_sample_mean(const std::vector<double>& xs, double expected) {
  double sum = 0, sum_squares = 0;
  for (const double x : xs) sum += x;
  const auto n = static_cast<double>(xs.size());
  const double mean = sum / n;
  for (const double x : xs) sum_squares += (x - mean) * (x - mean);
  const double standard_error = std::sqrt(sum_squares / (n - 1) / n);
  INFO("sample mean " << mean << ", expected " << expected << ", s.e. " << standard_error);
  CHECK(std::abs(mean - expected) <= 5 * standard_error + 1e-12);
}

// Phi(z) via erfc, independent of the library's Boost-based inverse.
double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

void check_monotone_and_finite(const DistributionPtr& d) {
  const double smallest_u = std::ldexp(1.0, -53), largest_u = 1 - smallest_u;
  double previous = d->quantile(smallest_u);
  CHECK(std::isfinite(previous));
  CHECK(previous >= 0);
  for (int k = 1; k <= 1000; ++k) {
    const double x = d->quantile(k / 1001.0);
    CHECK(x >= previous);
    previous = x;
  }
  const double last = d->quantile(largest_u);
  CHECK(std::isfinite(last));
  CHECK(last >= previous);
}

}  // namespace

TEST_CASE("distribution: sample is the quantile of one uniform from the stream", "[distribution]") {
  const auto d = dist::lognormal(0.0, 1.0);
  RandomStream a(11), b(11);
  for (int i = 0; i < 100; ++i) CHECK(d->sample(a) == d->quantile(b.uniform01()));
  CHECK(a == b);  // exactly one uniform per draw
}

TEST_CASE("distribution: constant", "[distribution]") {
  const auto d = dist::constant(2.5);
  RandomStream stream(1);
  CHECK(d->sample(stream) == 2.5);
  CHECK(d->quantile(0) == 2.5);
  CHECK(d->quantile(1) == 2.5);
  CHECK(d->mean() == 2.5);
  CHECK(d->cdf(2.4) == 0);
  CHECK(d->cdf(2.5) == 1);
  CHECK(d->describe() == "constant(2.5)");
  CHECK_THROWS_WITH(dist::constant(-1), Contains("constant") && Contains("value"));
}

TEST_CASE("distribution: uniform", "[distribution]") {
  const auto d = dist::uniform(1, 3);
  CHECK(d->quantile(0.25) == Approx(1.5));
  CHECK(d->mean() == 2.0);
  const auto xs = draw(d, 1);
  CHECK(ks_statistic(xs, [](double x) { return std::clamp((x - 1) / 2, 0.0, 1.0); }) < kKsCritical);
  check_sample_mean(xs, 2.0);
  check_monotone_and_finite(d);
  CHECK(dist::uniform(4, 4)->quantile(0.3) == 4);
  CHECK_THROWS_WITH(dist::uniform(3, 1), Contains("uniform: hi"));
  CHECK_THROWS_WITH(dist::uniform(-1, 1), Contains("uniform: lo"));
}

TEST_CASE("distribution: exponential", "[distribution]") {
  const auto d = dist::exponential(2.0);
  CHECK(d->quantile(0.5) == Approx(2 * std::log(2.0)));  // median = mean ln 2
  CHECK(d->mean() == 2.0);
  CHECK(d->cdf(2.0) == Approx(1 - std::exp(-1.0)));
  const auto xs = draw(d, 2);
  CHECK(ks_statistic(xs, [](double x) { return x <= 0 ? 0 : 1 - std::exp(-x / 2); }) < kKsCritical);
  check_sample_mean(xs, 2.0);
  check_monotone_and_finite(d);
  CHECK(std::isinf(d->quantile(1)));
  CHECK(d->describe() == "exponential(mean=2)");
  CHECK_THROWS_WITH(dist::exponential(0), Contains("exponential: mean") && Contains("got 0"));
  CHECK_THROWS_WITH(dist::exponential(NAN), Contains("mean"));
}

TEST_CASE("distribution: normal truncated at zero", "[distribution]") {
  // mu = 1, sigma = 1: 16% of the untruncated mass is below 0.
  // F(x) = (Phi(x - 1) - Phi(-1)) / (1 - Phi(-1)); E[X] = mu + sigma phi(a) / (1 - Phi(a)), a = -1.
  const auto d = dist::truncated_normal(1, 1);
  const double mass_above_zero = 1 - normal_cdf(-1);
  const auto cdf = [&](double x) {
    return x <= 0 ? 0 : (normal_cdf(x - 1) - normal_cdf(-1)) / mass_above_zero;
  };
  const double phi_a = std::exp(-0.5) / std::sqrt(2 * std::numbers::pi);
  const double expected_mean = 1 + phi_a / mass_above_zero;  // 1.2876
  CHECK(*d->mean() == Approx(expected_mean).epsilon(1e-12));
  CHECK(d->cdf(1.5) == Approx(cdf(1.5)).epsilon(1e-12));
  CHECK(d->quantile(cdf(1.5)) == Approx(1.5).epsilon(1e-10));
  const auto xs = draw(d, 3);
  CHECK(*std::min_element(xs.begin(), xs.end()) >= 0);
  CHECK(ks_statistic(xs, cdf) < kKsCritical);
  check_sample_mean(xs, expected_mean);
  check_monotone_and_finite(d);

  // Far from zero the truncation is invisible: the median is mu.
  CHECK(dist::truncated_normal(50, 2)->quantile(0.5) == Approx(50).epsilon(1e-12));
  check_monotone_and_finite(dist::truncated_normal(-30, 1));  // only a far tail remains
  CHECK_THROWS_WITH(dist::truncated_normal(1, 0), Contains("normal: sigma"));
  CHECK_THROWS_WITH(dist::truncated_normal(-100, 1), Contains("mu/sigma"));
}

TEST_CASE("distribution: lognormal by mu and sigma", "[distribution]") {
  // ln X ~ N(0.2, 0.5): F(x) = Phi((ln x - 0.2) / 0.5), E[X] = exp(0.2 + 0.5^2 / 2).
  const auto d = dist::lognormal(0.2, 0.5);
  const auto cdf = [](double x) { return x <= 0 ? 0 : normal_cdf((std::log(x) - 0.2) / 0.5); };
  CHECK(*d->mean() == Approx(std::exp(0.325)).epsilon(1e-14));
  CHECK(d->quantile(0.5) == Approx(std::exp(0.2)).epsilon(1e-14));
  CHECK(d->cdf(1.7) == Approx(cdf(1.7)).epsilon(1e-12));
  const auto xs = draw(d, 4);
  CHECK(ks_statistic(xs, cdf) < kKsCritical);
  check_sample_mean(xs, std::exp(0.325));
  check_monotone_and_finite(d);
  CHECK(d->describe() == "lognormal(mu=0.2, sigma=0.5)");
  CHECK_THROWS_WITH(dist::lognormal(0, -1), Contains("lognormal: sigma") && Contains("got -1"));
}

TEST_CASE("distribution: lognormal by median and p90 or p99", "[distribution]") {
  const auto by_p90 = dist::lognormal_median_p90(1.2, 3.0);
  CHECK(by_p90->quantile(0.5) == Approx(1.2).epsilon(1e-12));
  CHECK(by_p90->quantile(0.9) == Approx(3.0).epsilon(1e-12));
  // sigma = ln(3 / 1.2) / z_0.90 with z_0.90 = 1.2815515655446004.
  const double sigma = std::log(3.0 / 1.2) / 1.2815515655446004;
  CHECK(*by_p90->mean() == Approx(1.2 * std::exp(0.5 * sigma * sigma)).epsilon(1e-12));

  const auto by_p99 = dist::lognormal_median_p99(0.8, 10.0);
  CHECK(by_p99->quantile(0.5) == Approx(0.8).epsilon(1e-12));
  CHECK(by_p99->quantile(0.99) == Approx(10.0).epsilon(1e-12));
  const auto xs = draw(by_p99, 5);
  // z_0.99 = 2.3263478740408408.
  const double sigma99 = std::log(10.0 / 0.8) / 2.3263478740408408;
  CHECK(ks_statistic(xs, [&](double x) { return normal_cdf(std::log(x / 0.8) / sigma99); }) <
        kKsCritical);

  CHECK_THROWS_WITH(dist::lognormal_median_p90(2, 1), Contains("p90") && Contains("median"));
  CHECK_THROWS_WITH(dist::lognormal_median_p99(0, 1), Contains("median"));
}

TEST_CASE("distribution: gamma", "[distribution]") {
  const auto d = dist::gamma(2.5, 0.8);
  CHECK(*d->mean() == Approx(2.0));
  const auto xs = draw(d, 6);
  CHECK(ks_statistic(xs, [](double x) { return boost::math::gamma_p(2.5, x / 0.8); }) <
        kKsCritical);
  check_sample_mean(xs, 2.0);
  check_monotone_and_finite(d);
  // Shape 1 is the exponential: Q(u) = -scale ln(1 - u).
  CHECK(dist::gamma(1, 2)->quantile(0.3) == Approx(-2 * std::log(0.7)).epsilon(1e-12));
  CHECK_THROWS_WITH(dist::gamma(0, 1), Contains("gamma: shape"));
  CHECK_THROWS_WITH(dist::gamma(1, -2), Contains("gamma: scale"));
}

TEST_CASE("distribution: weibull", "[distribution]") {
  // F(x) = 1 - exp(-(x / 2)^1.5), E[X] = 2 Gamma(1 + 1/1.5).
  const auto d = dist::weibull(1.5, 2.0);
  const double expected_mean = 2 * std::tgamma(1 + 1 / 1.5);  // 1.80549
  CHECK(*d->mean() == Approx(expected_mean).epsilon(1e-12));
  CHECK(d->quantile(1 - std::exp(-1.0)) == Approx(2.0).epsilon(1e-12));  // F(scale) = 1 - 1/e
  const auto xs = draw(d, 7);
  CHECK(ks_statistic(xs, [](double x) { return 1 - std::exp(-std::pow(x / 2, 1.5)); }) <
        kKsCritical);
  check_sample_mean(xs, expected_mean);
  check_monotone_and_finite(d);
  CHECK_THROWS_WITH(dist::weibull(-1, 1), Contains("weibull: shape"));
}

TEST_CASE("distribution: empirical from samples", "[distribution]") {
  // Sorted {1, 2, 3, 4} at p = 0, 1/3, 2/3, 1: the type-7 quantile, here uniform on [1, 4].
  const auto d = dist::empirical({4, 1, 3, 2});
  CHECK(d->quantile(0.5) == Approx(2.5));
  CHECK(d->quantile(0.9) == Approx(3.7));
  CHECK(d->quantile(0) == 1);
  CHECK(d->quantile(1) == 4);
  CHECK(*d->mean() == Approx(2.5));
  const auto xs = draw(d, 8);
  CHECK(ks_statistic(xs, [](double x) { return std::clamp((x - 1) / 3, 0.0, 1.0); }) < kKsCritical);

  // {0, 10, 30}: half the mass spread over [0, 10], half over [10, 30];
  // mean = 0.5 * 5 + 0.5 * 20 = 12.5.
  const auto skewed = dist::empirical({30, 0, 10});
  CHECK(*skewed->mean() == Approx(12.5));
  const auto cdf = [](double x) {
    if (x <= 0) return 0.0;
    if (x <= 10) return 0.5 * x / 10;
    return std::min(0.5 + 0.5 * (x - 10) / 20, 1.0);
  };
  CHECK(skewed->cdf(20) == Approx(0.75));
  const auto skewed_xs = draw(skewed, 9);
  CHECK(ks_statistic(skewed_xs, cdf) < kKsCritical);
  check_sample_mean(skewed_xs, 12.5);
  check_monotone_and_finite(skewed);

  RandomStream stream(3);
  CHECK(dist::empirical({7})->sample(stream) == 7);
  CHECK_THROWS_WITH(dist::empirical({}), Contains("empirical") && Contains("empty"));
  CHECK_THROWS_WITH(dist::empirical({1, -2}), Contains("sample 1") && Contains("got -2"));
}

TEST_CASE("distribution: quantile table", "[distribution]") {
  const auto d = dist::quantile_table({{0, 1.0}, {0.5, 2.0}, {0.9, 4.0}, {1, 10.0}});
  CHECK(d->quantile(0.25) == Approx(1.5));  // halfway from 1 to 2
  CHECK(d->quantile(0.7) == Approx(3.0));   // 2 + (0.2 / 0.4) * 2
  CHECK(d->quantile(0.95) == Approx(7.0));  // 4 + 0.5 * 6
  CHECK(d->cdf(3.0) == Approx(0.7));
  // Trapezoids: 0.5 * 1.5 + 0.4 * 3 + 0.1 * 7 = 2.65.
  CHECK(*d->mean() == Approx(2.65));
  const auto cdf = [](double x) {
    if (x <= 1) return 0.0;
    if (x <= 2) return 0.5 * (x - 1);
    if (x <= 4) return 0.5 + 0.4 * (x - 2) / 2;
    return std::min(0.9 + 0.1 * (x - 4) / 6, 1.0);
  };
  const auto xs = draw(d, 10);
  CHECK(ks_statistic(xs, cdf) < kKsCritical);
  check_sample_mean(xs, 2.65);
  check_monotone_and_finite(d);

  // A flat run is an atom: half the mass exactly at 1.
  const auto atom = dist::quantile_table({{0, 1.0}, {0.5, 1.0}, {1, 3.0}});
  CHECK(atom->quantile(0.3) == 1.0);
  CHECK(atom->quantile(0.75) == Approx(2.0));
  CHECK(atom->cdf(0.99) == 0);
  CHECK(atom->cdf(1.0) == Approx(0.5));

  using podsim::sim::QuantilePoint;
  CHECK_THROWS_WITH(dist::quantile_table({{0.1, 1.0}, {1, 2.0}}), Contains("first point"));
  CHECK_THROWS_WITH(dist::quantile_table({{0, 1.0}, {0.9, 2.0}}), Contains("last point"));
  CHECK_THROWS_WITH(dist::quantile_table({{0, 1.0}, {0.5, 3.0}, {0.5, 4.0}, {1, 5.0}}),
                    Contains("p at point 2"));
  CHECK_THROWS_WITH(dist::quantile_table({{0, 1.0}, {0.5, 3.0}, {1, 2.0}}),
                    Contains("value at point 2"));
  CHECK_THROWS_WITH(dist::quantile_table(std::vector<QuantilePoint>{{0, 1.0}}),
                    Contains("at least 2"));
}

TEST_CASE("distribution: mixture", "[distribution]") {
  // 3:1 of exponential(mean 1) and uniform(5, 6).
  const auto d = dist::mixture({3, 1}, {dist::exponential(1), dist::uniform(5, 6)});
  CHECK(*d->mean() == Approx(0.75 * 1 + 0.25 * 5.5));
  const auto cdf = [](double x) {
    return 0.75 * (1 - std::exp(-x)) + 0.25 * std::clamp(x - 5, 0.0, 1.0);
  };
  CHECK(d->cdf(5.5) == Approx(cdf(5.5)));
  const auto xs = draw(d, 11);
  CHECK(ks_statistic(xs, cdf) < kKsCritical);
  check_sample_mean(xs, 0.75 + 0.25 * 5.5);

  // One uniform: u < 0.75 drives the first component with u / 0.75, the rest the second.
  CHECK(d->quantile(0.3) == Approx(-std::log(1 - 0.4)));
  CHECK(d->quantile(0.875) == Approx(5.5));

  // A weight of zero is never drawn, even at the ends.
  const auto never =
      dist::mixture({0, 1, 0}, {dist::constant(100), dist::constant(1), dist::constant(200)});
  CHECK(never->quantile(0) == 1);
  CHECK(never->quantile(1) == 1);
  CHECK(*never->mean() == 1);
  const auto never_xs = draw(never, 12);
  CHECK(std::all_of(never_xs.begin(), never_xs.end(), [](double x) { return x == 1; }));

  CHECK_THROWS_WITH(dist::mixture({1}, {dist::constant(1), dist::constant(2)}),
                    Contains("mixture"));
  CHECK_THROWS_WITH(dist::mixture({1, -1}, {dist::constant(1), dist::constant(2)}),
                    Contains("weight 1"));
  CHECK_THROWS_WITH(dist::mixture({0, 0}, {dist::constant(1), dist::constant(2)}),
                    Contains("sum of weights"));
  CHECK_THROWS_WITH(dist::mixture({1}, {nullptr}), Contains("component 0"));
}

TEST_CASE("distribution: shifted", "[distribution]") {
  const auto d = dist::shifted(0.5, dist::exponential(1));
  CHECK(*d->mean() == Approx(1.5));
  const auto xs = draw(d, 13);
  CHECK(ks_statistic(xs, [](double x) { return x <= 0.5 ? 0 : 1 - std::exp(-(x - 0.5)); }) <
        kKsCritical);
  check_sample_mean(xs, 1.5);
  CHECK(d->describe() == "shifted(0.5, exponential(mean=1))");
  CHECK_THROWS_WITH(dist::shifted(-1, dist::constant(1)), Contains("shifted: offset"));
  CHECK_THROWS_WITH(dist::shifted(1, nullptr), Contains("base"));
}

TEST_CASE("distribution: size_affine adds size / bandwidth", "[distribution]") {
  // 0.2 s latency + 50 MB at 100 MB/s = 0.7 s.
  const auto fixed = dist::size_affine(dist::constant(0.2), 100e6);
  RandomStream stream(1);
  CHECK(fixed->sample(stream, 50e6) == Approx(0.7));
  CHECK(*fixed->mean(50e6) == Approx(0.7));
  CHECK(fixed->sample(stream) == Approx(0.2));

  // Exponential(1) latency + 2 MB at 1 MB/s: F(x) = 1 - exp(-(x - 2)) for x > 2.
  const auto d = dist::size_affine(dist::exponential(1), 1e6);
  const auto xs = draw(d, 14, 2e6);
  CHECK(ks_statistic(xs, [](double x) { return x <= 2 ? 0 : 1 - std::exp(-(x - 2)); }) <
        kKsCritical);
  check_sample_mean(xs, 3.0);
  CHECK(d->cdf(3.0, 2e6) == Approx(1 - std::exp(-1.0)));

  CHECK_THROWS_WITH(d->sample(stream, -1), Contains("size_bytes"));
  CHECK_THROWS_WITH(dist::size_affine(dist::constant(1), 0), Contains("bytes_per_second"));
}

TEST_CASE("distribution: quantile rejects u outside [0, 1]", "[distribution]") {
  const auto d = dist::exponential(1);
  CHECK_THROWS_WITH(d->quantile(1.5), Contains("u must be in [0, 1]"));
  CHECK_THROWS_WITH(d->quantile(-0.1), Contains("u must be in [0, 1]"));
  CHECK_THROWS_AS(d->quantile(NAN), std::invalid_argument);
}

TEST_CASE("distribution: a larger uniform never gives a smaller draw (common random numbers)",
          "[distribution]") {
  // Two variants of a stage (a slower and a faster registry, say) driven by the same stream keep
  // their draws ordered pair by pair: that is what makes paired differences tight.
  const auto slow = dist::lognormal_median_p90(2.0, 6.0);
  const auto fast = dist::lognormal_median_p90(1.0, 3.0);
  RandomStream a(77), b(77);
  for (int i = 0; i < 1000; ++i) CHECK(fast->sample(a) <= slow->sample(b));
}
