#include "podsim/sim/statistics.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <deque>
#include <vector>

#include "podsim/sim/distribution.hpp"
#include "podsim/sim/random.hpp"

using Catch::Matchers::Contains;
using podsim::sim::ConfidenceInterval;
using podsim::sim::RunningStats;
using podsim::sim::SampleSet;
using podsim::sim::TimeWeightedStats;

TEST_CASE("statistics: type-7 quantiles of a small set", "[statistics]") {
  // {1, 2, 3, 4}: h = 3q. q = 0.5: h = 1.5 -> 2 + 0.5 = 2.5; q = 0.9: h = 2.7 -> 3 + 0.7 = 3.7;
  // q = 0.25: h = 0.75 -> 1.75.
  SampleSet set({4, 1, 3, 2});
  CHECK(set.quantile(0.5) == Approx(2.5));
  CHECK(set.quantile(0.9) == Approx(3.7));
  CHECK(set.quantile(0.25) == Approx(1.75));
  CHECK(set.quantile(0) == 1);
  CHECK(set.quantile(1) == 4);
  CHECK(set.values() == std::vector<double>{4, 1, 3, 2});  // insertion order kept

  // Adding invalidates the sorted cache: {1, 2, 3, 4, 10}, q = 0.9: h = 3.6 -> 4 + 0.6 * 6 = 7.6.
  set.add(10);
  CHECK(set.quantile(0.9) == Approx(7.6));
  CHECK(set.mean() == Approx(4.0));

  CHECK(SampleSet({5}).quantile(0.3) == 5);
  CHECK(std::isnan(SampleSet().quantile(0.5)));
  CHECK_THROWS_WITH(set.quantile(1.5), Contains("q must be in [0, 1]"));
}

TEST_CASE("statistics: Welford agrees with the two-pass formulas", "[statistics]") {
  // 1e9 + {4, 7, 13, 16}: mean 1e9 + 10, deviations -6, -3, 3, 6, variance (36+9+9+36)/3 = 30.
  // The large offset is where the naive sum-of-squares formula loses every digit.
  RunningStats stats;
  for (const double x : {4.0, 7.0, 13.0, 16.0}) stats.add(1e9 + x);
  CHECK(stats.count() == 4);
  CHECK(stats.mean() == Approx(1e9 + 10).epsilon(1e-15));
  CHECK(stats.variance() == Approx(30).epsilon(1e-9));
  CHECK(stats.stddev() == Approx(std::sqrt(30.0)).epsilon(1e-9));
  CHECK(stats.standard_error() == Approx(std::sqrt(30.0 / 4)).epsilon(1e-9));
  CHECK(stats.min() == 1e9 + 4);
  CHECK(stats.max() == 1e9 + 16);
}

TEST_CASE("statistics: merging running statistics equals one pass over all values",
          "[statistics]") {
  const std::vector<double> values = {2.5, 9, 1, 4, 4, 7.25, 3, 12, 0.5};
  RunningStats all, left, right;
  for (std::size_t i = 0; i < values.size(); ++i) {
    all.add(values[i]);
    (i < 4 ? left : right).add(values[i]);
  }
  RunningStats merged = left;
  merged.merge(right);
  CHECK(merged.count() == all.count());
  CHECK(merged.mean() == Approx(all.mean()).epsilon(1e-14));
  CHECK(merged.variance() == Approx(all.variance()).epsilon(1e-14));
  CHECK(merged.min() == 0.5);
  CHECK(merged.max() == 12);

  RunningStats empty;
  empty.merge(all);
  CHECK(empty.mean() == all.mean());
  all.merge(RunningStats{});
  CHECK(all.count() == values.size());
}

TEST_CASE("statistics: undefined moments are NaN", "[statistics]") {
  RunningStats stats;
  CHECK(std::isnan(stats.mean()));
  CHECK(std::isnan(stats.min()));
  stats.add(3);
  CHECK(stats.mean() == 3);
  CHECK(std::isnan(stats.variance()));
  CHECK(std::isnan(stats.standard_error()));
}

TEST_CASE("statistics: Student-t interval of a known sample", "[statistics]") {
  // {1, 2, 3, 4, 5}: mean 3, s^2 = 10/4 = 2.5, s.e. = sqrt(2.5/5) = 0.70710678.
  // t_{0.975, 4} = 2.7764451052 -> half width 1.9632432; t_{0.95, 4} = 2.1318467863 -> 1.5074433
  // (tables give 2.7764 and 2.1318; the digits come from bisecting a Simpson integral of the t
  // density with 4 degrees of freedom, independent of Boost).
  RunningStats stats;
  for (const double x : {1.0, 2.0, 3.0, 4.0, 5.0}) stats.add(x);
  const ConfidenceInterval ci95 = podsim::sim::student_t_ci(stats);
  CHECK(ci95.defined());
  CHECK(ci95.estimate == Approx(3));
  CHECK(ci95.lower == Approx(3 - 2.7764451052 * std::sqrt(0.5)).epsilon(1e-9));
  CHECK(ci95.upper == Approx(3 + 2.7764451052 * std::sqrt(0.5)).epsilon(1e-9));
  CHECK(ci95.half_width() == Approx(1.9632432).epsilon(1e-7));
  CHECK(ci95.level == 0.95);
  CHECK(ci95.n == 5);
  const ConfidenceInterval ci90 = podsim::sim::student_t_ci(stats, 0.90);
  CHECK(ci90.half_width() == Approx(2.1318467863 * std::sqrt(0.5)).epsilon(1e-9));

  CHECK_THROWS_WITH(podsim::sim::student_t_ci(stats, 1.0), Contains("level"));
}

TEST_CASE("statistics: an interval from one observation is undefined", "[statistics]") {
  RunningStats stats;
  stats.add(4);
  const ConfidenceInterval ci = podsim::sim::student_t_ci(stats);
  CHECK_FALSE(ci.defined());
  CHECK(ci.estimate == 4);
  CHECK(std::isnan(ci.lower));
  CHECK(std::isnan(ci.upper));
}

TEST_CASE("statistics: paired comparison of a candidate with a baseline", "[statistics]") {
  // baseline {10, 12, 14}, candidate {8, 9, 13}. With 2 degrees of freedom the t quantile has the
  // closed form t_p = (2p - 1) sqrt(2 / (4p(1 - p))): t_{0.975, 2} = 0.95 sqrt(2 / 0.0975)
  // = 4.3026527. Differences {-2, -3, -1}: mean -2, s = 1, s.e. 1/sqrt(3), half
  // width 4.30265/sqrt(3) = 2.48414. Relative: R = 10/12 = 5/6, change -1/6. Residuals z = c - R b
  // = {-1/3, -1, 4/3}, sum z^2 = 26/9, s_z = sqrt(13/9), se(R) = s_z / (sqrt(3) * 12) = 0.0578243,
  // half width = 4.3026527 * 0.0578243 = 0.248798.
  const std::vector<double> baseline = {10, 12, 14}, candidate = {8, 9, 13};
  const auto result = podsim::sim::paired_comparison(baseline, candidate);
  CHECK(result.baseline_mean == Approx(12));
  CHECK(result.candidate_mean == Approx(10));
  CHECK(result.difference.estimate == Approx(-2));
  CHECK(result.difference.half_width() == Approx(4.3026527297 / std::sqrt(3.0)).epsilon(1e-9));
  const double se_ratio = std::sqrt(13.0 / 9) / (std::sqrt(3.0) * 12);
  CHECK(result.relative_change.estimate == Approx(-1.0 / 6));
  CHECK(result.relative_change.lower == Approx(-1.0 / 6 - 4.3026527297 * se_ratio).epsilon(1e-9));
  CHECK(result.relative_change.upper == Approx(-1.0 / 6 + 4.3026527297 * se_ratio).epsilon(1e-9));
  CHECK(result.relative_change.half_width() == Approx(0.248798).epsilon(1e-5));

  const std::vector<double> zeros = {0, 0}, some = {1, 2};
  CHECK_FALSE(podsim::sim::paired_comparison(zeros, some).relative_change.defined());
  CHECK_THROWS_WITH(podsim::sim::paired_comparison(baseline, some), Contains("same length"));
}

TEST_CASE("statistics: common random numbers make paired intervals tight", "[statistics]") {
  // The same pod-level draws feed both variants; the candidate is 30% faster per draw. Unpaired
  // intervals would be as wide as the spread of the draws, the paired one collapses.
  const auto stage = podsim::sim::dist::lognormal_median_p90(10, 30);
  std::vector<double> baseline, candidate;
  for (int replication = 0; replication < 20; ++replication) {
    auto a = podsim::sim::RandomStream::derive(9, {"replication", replication, "stage"});
    auto b = a;  // same stream in both variants
    baseline.push_back(stage->sample(a));
    candidate.push_back(0.7 * stage->sample(b));
  }
  const auto result = podsim::sim::paired_comparison(baseline, candidate);
  CHECK(result.relative_change.estimate == Approx(-0.3).epsilon(1e-12));
  CHECK(result.relative_change.half_width() < 1e-9);
}

TEST_CASE("statistics: time-weighted average of a piecewise-constant value", "[statistics]") {
  // Value 0 on [0, 1), 2 on [1, 3), 1 on [3, 6), 0 on [6, 10]: area 0 + 4 + 3 + 0 = 7, mean 0.7.
  TimeWeightedStats queue(0, 0);
  queue.set(1, 2);
  queue.set(3, 1);
  queue.change_by(6, -1);
  CHECK(queue.value() == 0);
  CHECK(queue.integral(10) == Approx(7));
  CHECK(queue.mean(10) == Approx(0.7));
  CHECK(queue.min() == 0);
  CHECK(queue.max() == 2);
  CHECK(std::isnan(TimeWeightedStats(5, 1).mean(5)));

  // Starting later than zero: 3 on [2, 4] has mean 3.
  TimeWeightedStats later(2, 3);
  CHECK(later.mean(4) == Approx(3));

  CHECK_THROWS_WITH(queue.set(5, 1), Contains("must not go back"));
  CHECK_THROWS_AS(queue.integral(5), std::invalid_argument);
}

TEST_CASE("statistics: an M/M/1 queue obeys Little's law and L = rho / (1 - rho)", "[statistics]") {
  // Arrivals at rate 0.5, service at rate 1 (FIFO, one server): rho = 0.5, the mean number in
  // system is L = rho / (1 - rho) = 1 and the mean time in system is W = 1 / (mu - lambda) = 2.
  // Little's law L = lambda W holds on the sample path up to the customers still present at the
  // end. Tolerances: about 10 standard errors of this run length.
  const auto interarrival = podsim::sim::dist::exponential(2.0);
  const auto service = podsim::sim::dist::exponential(1.0);
  auto arrivals = podsim::sim::RandomStream::derive(2, {"arrivals"});
  auto services = podsim::sim::RandomStream::derive(2, {"services"});

  constexpr int customers = 100000;
  TimeWeightedStats in_system(0, 0);
  RunningStats time_in_system;
  std::deque<double> departures;  // of customers still in the system, FIFO so ascending
  double clock = 0, last_departure = 0;
  for (int i = 0; i < customers; ++i) {
    clock += interarrival->sample(arrivals);
    while (!departures.empty() && departures.front() <= clock) {
      in_system.change_by(departures.front(), -1);
      departures.pop_front();
    }
    in_system.change_by(clock, +1);
    last_departure = std::max(last_departure, clock) + service->sample(services);
    departures.push_back(last_departure);
    time_in_system.add(last_departure - clock);
  }
  for (const double departure : departures) in_system.change_by(departure, -1);
  const double end = last_departure;

  const double mean_in_system = in_system.mean(end);
  const double arrival_rate = customers / end;
  CHECK(mean_in_system == Approx(arrival_rate * time_in_system.mean()).epsilon(1e-9));
  CHECK(mean_in_system == Approx(1.0).epsilon(0.1));
  CHECK(time_in_system.mean() == Approx(2.0).epsilon(0.1));
  CHECK(in_system.value() == 0);
}
