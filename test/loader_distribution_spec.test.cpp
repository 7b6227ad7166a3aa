#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "podsim/loader/distribution_spec.hpp"

using podsim::loader::LoadError;
using podsim::loader::parse_distribution;
using podsim::loader::parse_yaml;
using podsim::sim::DistributionPtr;

namespace {

DistributionPtr dist_of(const std::string& yaml) {
  return parse_distribution(parse_yaml("pull: " + yaml + "\n", "profile.yaml").required("pull"));
}

}  // namespace

TEST_CASE("Distributions from YAML: every kind with hand-worked values", "[loader]") {
  CHECK(dist_of("250ms")->quantile(0.5) == 0.25);
  CHECK(dist_of("{constant: 2s}")->mean() == 2.0);
  const auto uniform = dist_of("{uniform: {min: 1s, max: 3s}}");
  CHECK(uniform->mean() == 2.0);
  CHECK(uniform->quantile(0.25) == 1.5);
  CHECK(*dist_of("{exponential: {mean: 2s}}")->mean() == Approx(2.0));
  // Five standard deviations above 0: the truncation changes the median by < 1e-6.
  CHECK(dist_of("{normal: {mean: 1s, stddev: 200ms}}")->quantile(0.5) == Approx(1.0).margin(1e-6));
  const auto by_p90 = dist_of("{lognormal: {median: 1.2s, p90: 3s}}");
  CHECK(by_p90->quantile(0.5) == Approx(1.2));
  CHECK(by_p90->quantile(0.9) == Approx(3.0));
  CHECK(dist_of("{lognormal: {median: 1s, p99: 5s}}")->quantile(0.99) == Approx(5.0));
  // mu = 0, sigma = 0.5: median e^0 = 1, mean e^(0.5^2 / 2) = e^0.125.
  const auto by_mu = dist_of("{lognormal: {mu: 0, sigma: 0.5}}");
  CHECK(by_mu->quantile(0.5) == Approx(1.0));
  CHECK(*by_mu->mean() == Approx(std::exp(0.125)));
  CHECK(dist_of("{lognormal: {median: 2s, sigma: 0.5}}")->quantile(0.5) == Approx(2.0));
  CHECK(*dist_of("{gamma: {shape: 2, scale: 1s}}")->mean() == Approx(2.0));
  // Weibull with shape 1 is exponential with mean = scale: P(X <= 2) = 1 - e^-1.
  CHECK(dist_of("{weibull: {shape: 1, scale: 2s}}")->cdf(2.0) == Approx(1 - std::exp(-1.0)));
  const auto empirical = dist_of("{empirical: [4s, 1s, 2s]}");
  CHECK(empirical->quantile(0.5) == 2.0);
  CHECK(empirical->quantile(1.0) == 4.0);
  // Between (0.5, 2 s) and (1, 9 s): halfway is 5.5 s.
  CHECK(dist_of("{quantiles: [{p: 0, value: 1s}, {p: 0.5, value: 2s}, {p: 1, value: 9s}]}")
            ->quantile(0.75) == Approx(5.5));
  // 0.9 * 1 s + 0.1 * 11 s = 2 s.
  CHECK(*dist_of("{mixture: [{weight: 0.9, dist: 1s}, {weight: 0.1, dist: 11s}]}")->mean() ==
        Approx(2.0));
  CHECK(*dist_of("{shifted: {offset: 1s, dist: {exponential: {mean: 2s}}}}")->mean() ==
        Approx(3.0));
  // 50 ms + 50 MB / (100 MB/s) = 0.55 s.
  CHECK(dist_of("{size_affine: {latency: 50ms, rate: 100MB/s}}")->quantile(0.5, 50e6) ==
        Approx(0.55));
  // 80 ms + 1 GB / (10 Gbit/s = 1.25 GB/s) = 0.88 s.
  CHECK(dist_of("{size_affine: {latency: {constant: 80ms}, rate: 10Gbps}}")->quantile(0.3, 1e9) ==
        Approx(0.88));
}

TEST_CASE("Distributions in block style", "[loader]") {
  const auto node = parse_yaml(
                        "stages:\n"
                        "  start:\n"
                        "    mixture:\n"
                        "      - weight: 3\n"
                        "        dist: 1s\n"
                        "      - weight: 1\n"
                        "        dist:\n"
                        "          uniform: {min: 1s, max: 5s}\n",
                        "profile.yaml")
                        .required("stages")
                        .required("start");
  // 0.75 * 1 s + 0.25 * 3 s = 1.5 s.
  CHECK(*parse_distribution(node)->mean() == Approx(1.5));
}

TEST_CASE("Bad distributions give located messages", "[loader]") {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      {"{lognormal: {median: 1.2s, p90: 1s}}",
       "profile.yaml:1:19: pull.lognormal: lognormal: p90 must be > median (1.2), got 1"},
      {"{lognormel: {median: 1s, p90: 3s}}",
       "profile.yaml:1:8: unknown key 'lognormel' in pull (did you mean 'lognormal'?)"},
      {"250",
       "profile.yaml:1:7: pull: invalid duration '250': missing unit; write '250s' for seconds or "
       "'250ms' for milliseconds"},
      {"{uniform: {min: 3s, max: 1s}}",
       "profile.yaml:1:32: pull.uniform.max: must be >= min (3s), got 1s"},
      {"{gamma: {shape: -2, scale: 1s}}",
       "profile.yaml:1:15: pull.gamma: gamma: shape must be a finite number > 0, got -2"},
      {"{lognormal: {median: 1s}}",
       "profile.yaml:1:19: pull.lognormal: lognormal needs median with one of p90, p99 or sigma, "
       "or mu (log-seconds) with sigma"},
      {"{constant: 1s, uniform: {min: 1s, max: 2s}}",
       "profile.yaml:1:7: pull: a distribution has one kind, got 2: 'constant' and 'uniform'"},
      {"{mixture: [{weight: 0.9, dist: 1s}, {weight: -1, dist: 2s}]}",
       "profile.yaml:1:52: pull.mixture[1].weight: must be >= 0, got -1"},
      {"{quantiles: [{p: 0.5, value: 1s}, {p: 1, value: 2s}]}",
       "profile.yaml:1:19: pull.quantiles: quantile_table: p of the first point must be 0 (the "
       "minimum), got 0.5"},
      {"{empirical: []}",
       "profile.yaml:1:19: pull.empirical: empirical: samples must not be empty"},
      {"{size_affine: {latency: 50ms, rate: 100}}",
       "profile.yaml:1:43: pull.size_affine.rate: invalid bandwidth '100': missing unit; write "
       "'100Mbps' (bits) or '100MB/s' (bytes)"},
      {"{shifted: {offset: 1s, dist: {expo: {mean: 1s}}}}",
       "profile.yaml:1:37: unknown key 'expo' in pull.shifted.dist (did you mean 'exponential'?)"},
      {"[1s, 2s]",
       "profile.yaml:1:7: pull: expected a distribution (a duration such as 250ms, or a mapping "
       "such as {lognormal: {median: 1s, p90: 3s}}), got a sequence"},
      {"{normal: {mean: 1s, stddev: 0s}}",
       "profile.yaml:1:35: pull.normal.stddev: must be > 0, got 0s"},
      {"{exponential: {mean: 0s}}",
       "profile.yaml:1:21: pull.exponential: exponential: mean must be a finite number > 0, got 0"},
      {"{exponential: {mean: 1s, median: 1s}}",
       "profile.yaml:1:32: unknown key 'median' in pull.exponential (did you mean 'mean'?)"},
      {"{exponential: {mean: 1s, rate: 2}}",
       "profile.yaml:1:32: unknown key 'rate' in pull.exponential (allowed: mean)"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    try {
      dist_of(c.yaml);
      FAIL("no error");
    } catch (const LoadError& e) {
      CHECK(std::string(e.what()) == c.message);
    }
  }
}
