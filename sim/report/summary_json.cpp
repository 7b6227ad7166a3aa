#include "podsim/report/summary_json.hpp"

#include "podsim/report/json_writer.hpp"
#include "podsim/version.hpp"

namespace podsim::report {

namespace {

void interval(JsonWriter& w, double lower, double upper) {
  w.begin_array();
  w.value(lower);
  w.value(upper);
  w.end_array();
}

void metric(JsonWriter& w, const MetricSummary& m) {
  w.begin_object();
  w.key("mean");
  w.value(m.mean);
  w.key("ci95");
  interval(w, m.ci_lower, m.ci_upper);
  w.key("p50");
  w.value(m.p50);
  w.key("p90");
  w.value(m.p90);
  w.key("p99");
  w.value(m.p99);
  w.key("n");
  w.value(static_cast<std::uint64_t>(m.n));
  w.key("stddev");
  w.value(m.stddev);
  w.key("min");
  w.value(m.min);
  w.key("max");
  w.value(m.max);
  w.end_object();
}

// {STAGE: value} for one field of every stage, in the summary's stage order.
void stage_object(JsonWriter& w, std::string_view key, const std::vector<StageSummary>& stages,
                  double StageSummary::*field) {
  w.key(key);
  w.begin_object();
  for (const StageSummary& s : stages) {
    w.key(model::to_string(s.stage));
    w.value(s.*field);
  }
  w.end_object();
}

void variant(JsonWriter& w, const VariantSummary& v) {
  w.begin_object();
  w.key("description");
  w.value(v.description);
  w.key("replications");
  w.value(static_cast<std::uint64_t>(v.replications));
  w.key("metrics");
  w.begin_object();
  for (const auto& [name, m] : v.metrics) {
    w.key(name);
    metric(w, m);
  }
  w.end_object();
  stage_object(w, "stage_share", v.stages, &StageSummary::share);
  stage_object(w, "critical_path_share", v.stages, &StageSummary::critical_path_share);
  stage_object(w, "in_place_critical_path_share", v.stages,
               &StageSummary::in_place_critical_path_share);
  stage_object(w, "stage_seconds", v.stages, &StageSummary::mean_seconds);
  w.key("stalled");
  w.value(static_cast<std::uint64_t>(v.stalled));
  w.end_object();
}

void comparison(JsonWriter& w, const ComparisonSummary& c) {
  w.begin_object();
  w.key("baseline");
  w.value(c.baseline);
  w.key("candidate");
  w.value(c.candidate);
  w.key("metric");
  w.value(c.metric);
  w.key("relative_change");
  w.value(c.relative_change);
  w.key("ci95");
  interval(w, c.ci_lower, c.ci_upper);
  w.key("n");
  w.value(static_cast<std::uint64_t>(c.n));
  w.key("baseline_mean");
  w.value(c.baseline_mean);
  w.key("candidate_mean");
  w.value(c.candidate_mean);
  w.key("difference");
  w.value(c.difference);
  w.key("difference_ci95");
  interval(w, c.difference_ci_lower, c.difference_ci_upper);
  w.end_object();
}

}  // namespace

std::string summary_json(const Summary& summary, int indent) {
  JsonWriter w(indent);
  w.begin_object();
  w.key("scenario");
  w.value(summary.scenario);
  w.key("file");
  w.value(summary.file);
  w.key("podsim_version");
  w.value(podsim::version);
  w.key("seed");
  w.value(summary.seed);
  w.key("replications");
  w.value(static_cast<std::uint64_t>(summary.replications));
  w.key("variants");
  w.begin_object();
  for (const VariantSummary& v : summary.variants) {
    w.key(v.name);
    variant(w, v);
  }
  w.end_object();
  w.key("comparisons");
  w.begin_array();
  for (const ComparisonSummary& c : summary.comparisons) comparison(w, c);
  w.end_array();
  w.end_object();
  std::string text = w.str();
  text.push_back('\n');
  return text;
}

}  // namespace podsim::report
