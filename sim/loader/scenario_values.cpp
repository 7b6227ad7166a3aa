// Distributions of counts and byte sizes (fleet replicas, image sizes): the duration
// distributions' syntax (distribution_spec.hpp) with other units, built on the same sim::dist
// factories.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "scenario_sections.hpp"

namespace podsim::loader::sections {
namespace {

namespace dist = sim::dist;

constexpr auto kValueKinds =
    std::to_array<std::string_view>({"constant", "uniform", "exponential", "normal", "lognormal",
                                     "gamma", "weibull", "empirical", "quantiles", "mixture"});

constexpr double kInf = std::numeric_limits<double>::infinity();

double value_of(const Node& node, ValueUnit unit) {
  if (unit == ValueUnit::bytes) return static_cast<double>(node.as_byte_size());
  return node.as_number(0, kInf);
}

double required_value(const Node& params, std::string_view key, ValueUnit unit) {
  return value_of(params.required(key), unit);
}

// A sim::dist factory's std::invalid_argument becomes a LoadError at `at`.
template <class Factory>
sim::DistributionPtr build(const Node& at, Factory&& factory) {
  try {
    return factory();
  } catch (const std::invalid_argument& e) {
    at.fail(e.what());
  }
}

sim::DistributionPtr lognormal(const Node& p, ValueUnit unit) {
  p.check_keys({"median", "p90", "p99", "sigma"});
  const int spreads = int{p.has("p90")} + int{p.has("p99")} + int{p.has("sigma")};
  if (!p.has("median") || spreads != 1)
    p.fail("lognormal needs median with one of p90, p99 or sigma");
  const double m = required_value(p, "median", unit);
  if (p.has("p90")) {
    const double q = required_value(p, "p90", unit);
    return build(p, [&] { return dist::lognormal_median_p90(m, q); });
  }
  if (p.has("p99")) {
    const double q = required_value(p, "p99", unit);
    return build(p, [&] { return dist::lognormal_median_p99(m, q); });
  }
  const double s = p.required<double>("sigma");
  if (!(m > 0)) p.required("median").fail("must be > 0 (the log of the median is mu)");
  return build(p, [&] { return dist::lognormal(std::log(m), s); });
}

sim::DistributionPtr parse_kind(std::string_view kind, const Node& p, ValueUnit unit) {
  if (kind == "constant") {
    const double v = value_of(p, unit);
    return build(p, [&] { return dist::constant(v); });
  }
  if (kind == "uniform") {
    p.check_keys({"min", "max"});
    const double lo = required_value(p, "min", unit), hi = required_value(p, "max", unit);
    if (!(hi >= lo)) {
      p.required("max").fail(fmt::format("must be >= min ({}), got {}", p.required("min").scalar(),
                                         p.required("max").scalar()));
    }
    return build(p, [&] { return dist::uniform(lo, hi); });
  }
  if (kind == "exponential") {
    p.check_keys({"mean"});
    const double mean = required_value(p, "mean", unit);
    return build(p, [&] { return dist::exponential(mean); });
  }
  if (kind == "normal") {
    p.check_keys({"mean", "stddev"});
    const double mean = required_value(p, "mean", unit);
    const double sd = required_value(p, "stddev", unit);
    if (!(sd > 0)) {
      const Node at = p.required("stddev");
      at.fail(fmt::format("must be > 0, got {}", at.scalar()));
    }
    return build(p, [&] { return dist::truncated_normal(mean, sd); });
  }
  if (kind == "lognormal") return lognormal(p, unit);
  if (kind == "gamma" || kind == "weibull") {
    p.check_keys({"shape", "scale"});
    const double shape = p.required<double>("shape");
    const double scale = required_value(p, "scale", unit);
    return build(p, [&] {
      return kind == "gamma" ? dist::gamma(shape, scale) : dist::weibull(shape, scale);
    });
  }
  if (kind == "empirical") {
    std::vector<double> samples;
    for (const auto& item : p.items()) samples.push_back(value_of(item, unit));
    return build(p, [&] { return dist::empirical(std::move(samples)); });
  }
  if (kind == "quantiles") {
    std::vector<sim::QuantilePoint> points;
    for (const auto& item : p.items()) {
      item.check_keys({"p", "value"});
      const double prob = item.required("p").as_number(0, 1);
      points.push_back({prob, required_value(item, "value", unit)});
    }
    return build(p, [&] { return dist::quantile_table(std::move(points)); });
  }
  // mixture
  std::vector<double> weights;
  std::vector<sim::DistributionPtr> components;
  for (const auto& item : p.items()) {
    item.check_keys({"weight", "dist"});
    weights.push_back(item.required("weight").as_number(0, kInf));
    components.push_back(parse_value_distribution(item.required("dist"), unit));
  }
  return build(p, [&] { return dist::mixture(std::move(weights), std::move(components)); });
}

}  // namespace

std::vector<std::pair<std::string, Node>> unique_entries(const Node& map) {
  auto entries = map.entries();
  std::vector<std::string_view> keys;
  for (const auto& [key, value] : entries) keys.push_back(key);
  map.check_keys(keys);  // reports duplicates
  return entries;
}

sim::DistributionPtr parse_value_distribution(const Node& node, ValueUnit unit) {
  if (node.is_scalar()) {
    const double v = value_of(node, unit);
    return build(node, [&] { return dist::constant(v); });
  }
  const char* example = unit == ValueUnit::bytes ? "{lognormal: {median: 250MB, p90: 1GB}}"
                                                 : "{lognormal: {median: 3, p90: 20}}";
  if (!node.is_map()) {
    node.fail(fmt::format("expected a {} or a distribution such as {}, got {}",
                          unit == ValueUnit::bytes ? "size" : "number", example, node.describe()));
  }
  const auto entries = node.entries();
  if (entries.size() != 1) {
    node.fail(entries.empty() ? fmt::format("empty distribution; give one kind, e.g. {}", example)
                              : fmt::format("a distribution has one kind, got {}: '{}' and '{}'",
                                            entries.size(), entries[0].first, entries[1].first));
  }
  node.check_keys(kValueKinds);
  return parse_kind(entries.front().first, entries.front().second, unit);
}

}  // namespace podsim::loader::sections
