#pragma once
// What an experiment produces before any formatting: for every variant and replication, the
// metrics of each rollout, the replication's totals, the time each stage took, and (for traced
// replications) every pod's stage spans. Reports (summary.json, CSV, trace, terminal) read only
// this; they never run the model.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/rollout_outcome.hpp"
#include "podsim/model/span.hpp"

namespace podsim::experiment {

/// How a rollout ended: finished, deadline_exceeded, stalled, refused (to_string gives the name).
using model::RolloutOutcome;
using model::to_string;

/// One rollout (a release, a scale-out or scale-in) in one replication: a row of rollouts.csv.
struct RolloutRecord {
  std::string name;      // the release's name in the scenario
  std::string workload;  // the workload's name
  std::string kind;      // "Deployment" or "CloneSet"
  std::string strategy;  // e.g. "RollingUpdate", "InPlaceIfPossible"
  /// What the release changed, as field paths ("spec.containers[web].image", "spec.replicas").
  std::vector<std::string> changes;
  RolloutOutcome outcome = RolloutOutcome::finished;
  std::string stall_reason;
  double start_s = 0;  // simulated seconds since the replication began
  double end_s = 0;    // completion, or when it was declared stalled
  /// Metric name -> value; the names are those of ReplicationResult::metrics that make sense
  /// per rollout (rollout_duration_s, unavailable_pod_seconds, min_available_replicas, ...).
  std::map<std::string, double> metrics;
};

/// One pod's stage span with names resolved, for pods.csv and trace.json.
struct PodSpanRecord {
  std::string pod;
  std::string workload;
  std::string node;
  std::string container;  // empty for pod-level stages
  model::Stage stage = model::Stage::scheduling;
  double start_s = 0;
  double end_s = 0;
};

struct ReplicationResult {
  std::uint32_t index = 0;  // 0-based replication number
  std::uint64_t seed = 0;   // the replication's root seed (derived from the scenario seed)
  std::vector<RolloutRecord> rollouts;
  /// The replication's metrics (one value each): the required names at least
  /// rollout_duration_s (first release start to last rollout end), unavailable_pod_seconds,
  /// min_available_replicas, scheduler_cycles, sandboxes_created, bytes_pulled, ip_changes.
  std::map<std::string, double> metrics;
  /// Seconds spent in each stage, summed over the pods the rollouts created or updated
  /// (indexed by model::Stage): the stage breakdown.
  std::array<double, model::kStageCount> stage_seconds{};
  /// Seconds each stage spent on the creation critical path of the pods the releases created
  /// (summed over those pods; indexed by model::Stage): which stages decided how long they took.
  std::array<double, model::kStageCount> critical_path_seconds{};
  /// The same over the critical paths of the in-place updates the releases made, each from the
  /// update's start to the pod's next Ready.
  std::array<double, model::kStageCount> in_place_critical_path_seconds{};
  /// Some rollout stalled or was refused.
  bool stalled = false;
  /// Spans, only for traced replications (the first one, or all with --trace-all).
  std::optional<std::vector<PodSpanRecord>> spans;
  double simulated_s = 0;  // simulated time when the replication ended
  std::uint64_t events = 0;
};

struct VariantResult {
  std::string name;
  std::string description;
  std::vector<ReplicationResult> replications;  // by index
};

/// A comparison the scenario asks for: candidate against baseline, paired by replication.
struct ComparisonSpec {
  std::string baseline;
  std::string candidate;
};

struct ExperimentResult {
  std::string scenario;  // scenario name
  std::string file;      // scenario file path as given
  std::uint64_t seed = 0;
  std::uint32_t replications = 0;
  std::vector<VariantResult> variants;  // in the scenario's order
  /// Pairs to compare; empty means every other variant against the first.
  std::vector<ComparisonSpec> comparisons;
};

}  // namespace podsim::experiment
