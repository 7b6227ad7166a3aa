#pragma once
// Distributions of stage durations from YAML (values in seconds; size_affine rates in bytes/s).
//
//   250ms                                          constant (scalar shorthand)
//   {constant: 2s}
//   {uniform: {min: 1s, max: 3s}}
//   {exponential: {mean: 2s}}
//   {normal: {mean: 1s, stddev: 200ms}}            truncated at 0 (mean is the untruncated mu)
//   {lognormal: {median: 1.2s, p90: 3s}}           or {median, p99}, {median, sigma}, {mu, sigma}
//                                                  (mu in log-seconds, sigma a plain number)
//   {gamma: {shape: 2, scale: 1s}}
//   {weibull: {shape: 1.5, scale: 2s}}
//   {empirical: [1s, 1.2s, 3s]}
//   {quantiles: [{p: 0, value: 1s}, {p: 0.5, value: 2s}, {p: 1, value: 9s}]}
//   {mixture: [{weight: 0.9, dist: 1s}, {weight: 0.1, dist: {exponential: {mean: 30s}}}]}
//   {shifted: {offset: 1s, dist: {exponential: {mean: 2s}}}}
//   {size_affine: {latency: 50ms, rate: 100MB/s}}  latency is itself a distribution
//
// Durations need units; unknown kinds and keys are errors with a did-you-mean suggestion; the
// sim::dist factories' parameter errors become LoadErrors at the parameters' node.

#include <span>
#include <string_view>

#include "podsim/loader/yaml_reader.hpp"
#include "podsim/sim/distribution.hpp"

namespace podsim::loader {

/// Builds the distribution that `node` describes (see above). Throws LoadError.
/// Example: `parse_distribution(parse_yaml("{uniform: {min: 1s, max: 3s}}", "x.yaml"))`.
sim::DistributionPtr parse_distribution(const Node& node);

/// The distribution kinds, in the order error messages list them.
std::span<const std::string_view> distribution_kinds();

}  // namespace podsim::loader
