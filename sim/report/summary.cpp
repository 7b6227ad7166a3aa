#include "podsim/report/summary.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <stdexcept>

#include "podsim/sim/statistics.hpp"

namespace podsim::report {

namespace {

using experiment::ExperimentResult;
using experiment::ReplicationResult;
using experiment::VariantResult;

constexpr double kLevel = 0.95;  // the JSON key says ci95

MetricSummary describe(const sim::SampleSet& samples) {
  MetricSummary m;
  m.n = samples.size();
  if (samples.empty()) return m;
  const sim::ConfidenceInterval ci = sim::student_t_ci(samples.stats(), kLevel);
  m.mean = ci.estimate;
  m.ci_lower = ci.lower;
  m.ci_upper = ci.upper;
  m.p50 = samples.quantile(0.50);
  m.p90 = samples.quantile(0.90);
  m.p99 = samples.quantile(0.99);
  m.stddev = samples.stats().stddev();
  m.min = samples.stats().min();
  m.max = samples.stats().max();
  return m;
}

void check_input(const ExperimentResult& result) {
  std::set<std::string_view> names;
  for (const VariantResult& v : result.variants) {
    if (!names.insert(v.name).second) {
      throw std::invalid_argument(fmt::format("two variants are named '{}'", v.name));
    }
    std::set<std::uint32_t> indices;
    for (const ReplicationResult& r : v.replications) {
      if (!indices.insert(r.index).second) {
        throw std::invalid_argument(
            fmt::format("variant '{}' has replication {} twice", v.name, r.index));
      }
    }
  }
}

const VariantResult& find_variant(const ExperimentResult& result, const std::string& name) {
  for (const VariantResult& v : result.variants) {
    if (v.name == name) return v;
  }
  throw std::invalid_argument(
      fmt::format("a comparison names variant '{}', which does not exist", name));
}

// Replication index -> the metric's value, finite values only; ordered so pairs line up.
std::map<std::uint32_t, double> values_by_replication(const VariantResult& v,
                                                      const std::string& metric) {
  std::map<std::uint32_t, double> values;
  for (const ReplicationResult& r : v.replications) {
    const auto it = r.metrics.find(metric);
    if (it != r.metrics.end() && std::isfinite(it->second)) values.emplace(r.index, it->second);
  }
  return values;
}

VariantSummary summarize_variant(const VariantResult& v, const std::vector<model::Stage>& stages) {
  VariantSummary s;
  s.name = v.name;
  s.description = v.description;
  s.replications = v.replications.size();

  std::map<std::string, sim::SampleSet> samples;
  std::array<double, model::kStageCount> stage_totals{};
  std::array<double, model::kStageCount> path_totals{};
  std::array<double, model::kStageCount> in_place_totals{};
  double all_stages = 0;
  double all_path = 0;
  double all_in_place = 0;
  for (const ReplicationResult& r : v.replications) {
    if (r.stalled) ++s.stalled;
    for (const auto& [name, x] : r.metrics) {
      sim::SampleSet& set = samples[name];  // listed even when no value is finite
      if (std::isfinite(x)) set.add(x);
    }
    for (std::size_t i = 0; i < model::kStageCount; ++i) {
      stage_totals[i] += r.stage_seconds[i];
      all_stages += r.stage_seconds[i];
      path_totals[i] += r.critical_path_seconds[i];
      all_path += r.critical_path_seconds[i];
      in_place_totals[i] += r.in_place_critical_path_seconds[i];
      all_in_place += r.in_place_critical_path_seconds[i];
    }
  }
  for (const auto& [name, set] : samples) s.metrics.emplace(name, describe(set));

  for (const model::Stage stage : stages) {
    const double seconds = stage_totals[static_cast<std::size_t>(stage)];
    StageSummary st;
    st.stage = stage;
    st.mean_seconds =
        s.replications == 0 ? kUndefined : seconds / static_cast<double>(s.replications);
    st.share = all_stages > 0 ? seconds / all_stages : kUndefined;
    st.critical_path_share =
        all_path > 0 ? path_totals[static_cast<std::size_t>(stage)] / all_path : kUndefined;
    st.in_place_critical_path_share =
        all_in_place > 0 ? in_place_totals[static_cast<std::size_t>(stage)] / all_in_place
                         : kUndefined;
    s.stages.push_back(st);
  }
  return s;
}

void compare(const VariantResult& baseline, const VariantResult& candidate,
             const VariantSummary& baseline_summary, const VariantSummary& candidate_summary,
             std::vector<ComparisonSummary>& out) {
  for (const auto& [metric, unused] : baseline_summary.metrics) {
    if (!candidate_summary.metrics.contains(metric)) continue;
    const auto base_values = values_by_replication(baseline, metric);
    const auto cand_values = values_by_replication(candidate, metric);
    std::vector<double> base, cand;
    for (const auto& [index, x] : base_values) {
      const auto it = cand_values.find(index);
      if (it == cand_values.end()) continue;
      base.push_back(x);
      cand.push_back(it->second);
    }
    if (base.empty()) continue;  // nothing to pair
    const sim::PairedComparison p = sim::paired_comparison(base, cand, kLevel);
    ComparisonSummary c;
    c.baseline = baseline.name;
    c.candidate = candidate.name;
    c.metric = metric;
    c.n = base.size();
    c.baseline_mean = p.baseline_mean;
    c.candidate_mean = p.candidate_mean;
    c.relative_change = p.relative_change.estimate;
    c.ci_lower = p.relative_change.lower;
    c.ci_upper = p.relative_change.upper;
    c.difference = p.difference.estimate;
    c.difference_ci_lower = p.difference.lower;
    c.difference_ci_upper = p.difference.upper;
    out.push_back(std::move(c));
  }
}

}  // namespace

const MetricSummary* VariantSummary::metric(std::string_view metric_name) const {
  const auto it = metrics.find(std::string(metric_name));
  return it == metrics.end() ? nullptr : &it->second;
}

const VariantSummary* Summary::variant(std::string_view variant_name) const {
  for (const VariantSummary& v : variants) {
    if (v.name == variant_name) return &v;
  }
  return nullptr;
}

Summary summarize(const ExperimentResult& result) {
  check_input(result);
  Summary s;
  s.scenario = result.scenario;
  s.file = result.file;
  s.seed = result.seed;
  s.replications = result.replications;

  std::array<bool, model::kStageCount> used{};
  for (const VariantResult& v : result.variants) {
    for (const ReplicationResult& r : v.replications) {
      for (std::size_t i = 0; i < model::kStageCount; ++i)
        used[i] = used[i] || r.stage_seconds[i] != 0;
    }
  }
  for (std::size_t i = 0; i < model::kStageCount; ++i) {
    if (used[i]) s.stages.push_back(static_cast<model::Stage>(i));
  }

  for (const VariantResult& v : result.variants)
    s.variants.push_back(summarize_variant(v, s.stages));

  std::vector<experiment::ComparisonSpec> specs = result.comparisons;
  if (specs.empty()) {
    for (std::size_t i = 1; i < result.variants.size(); ++i) {
      specs.push_back({result.variants.front().name, result.variants[i].name});
    }
  }
  for (const experiment::ComparisonSpec& spec : specs) {
    const VariantResult& baseline = find_variant(result, spec.baseline);
    const VariantResult& candidate = find_variant(result, spec.candidate);
    compare(baseline, candidate, *s.variant(spec.baseline), *s.variant(spec.candidate),
            s.comparisons);
  }
  return s;
}

}  // namespace podsim::report
