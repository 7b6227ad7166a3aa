#include "podsim/loader/distribution_spec.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace podsim::loader {
namespace {

namespace dist = sim::dist;

constexpr auto kKinds = std::to_array<std::string_view>(
    {"constant", "uniform", "exponential", "normal", "lognormal", "gamma", "weibull", "empirical",
     "quantiles", "mixture", "shifted", "size_affine"});

constexpr double kInf = std::numeric_limits<double>::infinity();

// Exact seconds of a duration: ns / 1e9 is correctly rounded, unlike ns * 1e-9.
double seconds_of(sim::Duration d) {
  return static_cast<double>(d.ns()) / 1e9;
}

double duration_seconds(const Node& node, bool allow_negative = false) {
  return seconds_of(node.as_duration(DurationOptions{.allow_negative = allow_negative}));
}

double required_seconds(const Node& params, std::string_view key) {
  return duration_seconds(params.required(key));
}

// Calls a sim::dist factory; its std::invalid_argument becomes a LoadError at `at`.
template <class Factory>
sim::DistributionPtr build(const Node& at, Factory&& factory) {
  try {
    return factory();
  } catch (const std::invalid_argument& e) {
    at.fail(e.what());
  }
}

sim::DistributionPtr lognormal(const Node& p) {
  p.check_keys({"median", "p90", "p99", "sigma", "mu"});
  const bool median = p.has("median"), p90 = p.has("p90"), p99 = p.has("p99"),
             sigma = p.has("sigma"), mu = p.has("mu");
  const int spreads = int{p90} + int{p99} + int{sigma};
  if (median && !mu && spreads == 1) {
    const double m = required_seconds(p, "median");
    if (p90) {
      const double q = required_seconds(p, "p90");
      return build(p, [&] { return dist::lognormal_median_p90(m, q); });
    }
    if (p99) {
      const double q = required_seconds(p, "p99");
      return build(p, [&] { return dist::lognormal_median_p99(m, q); });
    }
    const double s = p.required("sigma").as_number(-kInf, kInf);
    if (!(m > 0)) p.required("median").fail("must be > 0 (the log of the median is mu)");
    return build(p, [&] { return dist::lognormal(std::log(m), s); });
  }
  if (mu && sigma && !median && !p90 && !p99) {
    const double m = p.required<double>("mu");
    const double s = p.required<double>("sigma");
    return build(p, [&] { return dist::lognormal(m, s); });
  }
  p.fail("lognormal needs median with one of p90, p99 or sigma, or mu (log-seconds) with sigma");
}

sim::DistributionPtr parse_kind(std::string_view kind, const Node& p) {
  if (kind == "constant") {
    const double v = duration_seconds(p);
    return build(p, [&] { return dist::constant(v); });
  }
  if (kind == "uniform") {
    p.check_keys({"min", "max"});
    const double lo = required_seconds(p, "min"), hi = required_seconds(p, "max");
    if (!(hi >= lo))
      p.required("max").fail(fmt::format("must be >= min ({}), got {}", p.required("min").scalar(),
                                         p.required("max").scalar()));
    return build(p, [&] { return dist::uniform(lo, hi); });
  }
  if (kind == "exponential") {
    p.check_keys({"mean"});
    const double mean = required_seconds(p, "mean");
    return build(p, [&] { return dist::exponential(mean); });
  }
  if (kind == "normal") {
    p.check_keys({"mean", "stddev"});
    const double mean = duration_seconds(p.required("mean"), /*allow_negative=*/true);
    const double sd = required_seconds(p, "stddev");
    if (!(sd > 0)) {
      const Node at = p.required("stddev");
      at.fail(fmt::format("must be > 0, got {}", at.scalar()));
    }
    return build(p, [&] { return dist::truncated_normal(mean, sd); });
  }
  if (kind == "lognormal") return lognormal(p);
  if (kind == "gamma" || kind == "weibull") {
    p.check_keys({"shape", "scale"});
    const double shape = p.required<double>("shape");
    const double scale = required_seconds(p, "scale");
    return build(p, [&] {
      return kind == "gamma" ? dist::gamma(shape, scale) : dist::weibull(shape, scale);
    });
  }
  if (kind == "empirical") {
    std::vector<double> samples;
    for (const auto& item : p.items()) samples.push_back(duration_seconds(item));
    return build(p, [&] { return dist::empirical(std::move(samples)); });
  }
  if (kind == "quantiles") {
    std::vector<sim::QuantilePoint> points;
    for (const auto& item : p.items()) {
      item.check_keys({"p", "value"});
      const double prob = item.required("p").as_number(0, 1);
      points.push_back({prob, required_seconds(item, "value")});
    }
    return build(p, [&] { return dist::quantile_table(std::move(points)); });
  }
  if (kind == "mixture") {
    std::vector<double> weights;
    std::vector<sim::DistributionPtr> components;
    for (const auto& item : p.items()) {
      item.check_keys({"weight", "dist"});
      weights.push_back(item.required("weight").as_number(0, kInf));
      components.push_back(parse_distribution(item.required("dist")));
    }
    return build(p, [&] { return dist::mixture(std::move(weights), std::move(components)); });
  }
  if (kind == "shifted") {
    p.check_keys({"offset", "dist"});
    const double offset = required_seconds(p, "offset");
    auto base = parse_distribution(p.required("dist"));
    return build(p, [&] { return dist::shifted(offset, std::move(base)); });
  }
  // size_affine
  p.check_keys({"latency", "rate"});
  auto latency = parse_distribution(p.required("latency"));
  const double rate = p.required("rate").as_bandwidth();
  return build(p, [&] { return dist::size_affine(std::move(latency), rate); });
}

}  // namespace

std::span<const std::string_view> distribution_kinds() {
  return kKinds;
}

sim::DistributionPtr parse_distribution(const Node& node) {
  if (node.is_scalar()) {
    const double v = duration_seconds(node);
    return build(node, [&] { return dist::constant(v); });
  }
  if (!node.is_map()) {
    node.fail(
        fmt::format("expected a distribution (a duration such as 250ms, or a mapping such "
                    "as {{lognormal: {{median: 1s, p90: 3s}}}}), got {}",
                    node.describe()));
  }
  const auto entries = node.entries();
  if (entries.size() != 1) {
    node.fail(entries.empty()
                  ? std::string("empty distribution; give one kind, e.g. {constant: 1s}")
                  : fmt::format("a distribution has one kind, got {}: '{}' and '{}'",
                                entries.size(), entries[0].first, entries[1].first));
  }
  node.check_keys(kKinds);
  const auto& [kind, params] = entries.front();
  return parse_kind(kind, params);
}

}  // namespace podsim::loader
