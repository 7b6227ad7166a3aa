#include "podsim/report/csv_tables.hpp"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "podsim/report/csv_writer.hpp"
#include "podsim/report/format.hpp"
#include "span_times.hpp"

namespace podsim::report {

namespace {

std::string join(const std::vector<std::string>& parts, char separator) {
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) joined.push_back(separator);
    joined.append(parts[i]);
  }
  return joined;
}

}  // namespace

void write_rollouts_csv(std::ostream& out, const experiment::ExperimentResult& result) {
  // Metric columns: the union over all rows, so every row has the same columns.
  std::set<std::string> metric_names;
  for (const auto& v : result.variants) {
    for (const auto& r : v.replications) {
      for (const auto& rollout : r.rollouts) {
        for (const auto& [name, x] : rollout.metrics) metric_names.insert(name);
      }
    }
  }

  CsvWriter csv(out);
  std::vector<std::string> row = {"variant",      "replication", "seed",     "rollout",
                                  "workload",     "kind",        "strategy", "outcome",
                                  "stall_reason", "start_s",     "end_s"};
  row.insert(row.end(), metric_names.begin(), metric_names.end());
  row.emplace_back("changes");
  csv.row(row);

  for (const auto& v : result.variants) {
    for (const auto& r : v.replications) {
      for (const auto& rollout : r.rollouts) {
        row.clear();
        row.push_back(v.name);
        row.push_back(fmt::format("{}", r.index));
        row.push_back(fmt::format("{}", r.seed));
        row.push_back(rollout.name);
        row.push_back(rollout.workload);
        row.push_back(rollout.kind);
        row.push_back(rollout.strategy);
        row.emplace_back(experiment::to_string(rollout.outcome));
        row.push_back(rollout.stall_reason);
        row.push_back(fixed_seconds(rollout.start_s));
        row.push_back(fixed_seconds(rollout.end_s));
        for (const std::string& name : metric_names) {
          const auto it = rollout.metrics.find(name);
          if (it == rollout.metrics.end()) {
            row.emplace_back();
          } else {
            // A name ending in "_s" is seconds, printed like start_s and end_s.
            row.push_back(name.ends_with("_s") ? fixed_seconds(it->second) : shortest(it->second));
          }
        }
        row.push_back(join(rollout.changes, ';'));
        csv.row(row);
      }
    }
  }
}

void write_pods_csv(std::ostream& out, const experiment::ExperimentResult& result) {
  CsvWriter csv(out);
  csv.row({"variant", "replication", "pod", "workload", "node", "container", "stage", "start_s",
           "end_s", "duration_s"});
  for (const auto& v : result.variants) {
    for (const auto& r : v.replications) {
      if (!r.spans) continue;
      const std::string replication = fmt::format("{}", r.index);
      for (const auto& span : *r.spans) {
        // Integer nanoseconds, so the three times agree to the last digit.
        const auto [start, end] = detail::span_ns(v, r, span);
        csv.row({v.name, replication, span.pod, span.workload, span.node, span.container,
                 model::to_string(span.stage), format_ns(start), format_ns(end),
                 format_ns(end - start)});
      }
    }
  }
}

void write_stages_csv(std::ostream& out, const Summary& summary) {
  CsvWriter csv(out);
  csv.row({"variant", "stage", "seconds", "share", "critical_path_share",
           "in_place_critical_path_share"});
  for (const VariantSummary& v : summary.variants) {
    for (const StageSummary& s : v.stages) {
      csv.row({v.name, model::to_string(s.stage), fixed_seconds(s.mean_seconds), shortest(s.share),
               shortest(s.critical_path_share), shortest(s.in_place_critical_path_share)});
    }
  }
}

}  // namespace podsim::report
