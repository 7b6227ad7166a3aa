#pragma once
// The critical path of one pod: the chain of stages that determined when it finished, found by
// walking its stage graph (stage_graph.hpp) backwards over its recorded spans. Reports use it to
// say "image_pull was 62% of this pod's critical path", and, over a fleet, how often each stage
// is on the path at all.
//
//   const StageGraph graph = build_pod_start_graph(shape);
//   const CriticalPath path = critical_path(spans_of_pod, graph);
//   path.share(Stage::image_pull);            // 0.62
//   CriticalPathSummary fleet;
//   for (...) fleet.add(critical_path(spans, graph));
//   fleet.fraction_on_path(Stage::image_pull);  // share of pods whose path pulls an image
//
// The walk: start at the present sink that finished last; step to the predecessor that finished
// last; repeat until a stage without predecessors. A stage with no span, or a zero-length one (a
// cached image, minReadySeconds 0), is absent: its predecessors are connected to its successors.
// Ties are broken by the later start, then by the lower vertex number.
//
// Time accounting: the path covers [start of its first stage, end of its last]. Each step gets
// the part of its span after everything before it on the path finished (on_path); a gap between
// the end of one step and the start of the next (queueing in a kubelet, controller latency, probe
// phase) is waiting. On-path times plus waiting add up to the path's duration exactly.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "podsim/model/span.hpp"
#include "podsim/model/stage_graph.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::model {

/// One stage instance on the critical path, with its recorded span.
struct CriticalStep {
  Stage stage = Stage::scheduling;
  std::int32_t container = Span::kPodLevel;
  sim::Time start;
  sim::Time end;
  /// Gap between the previous step's end and this step's start (zero for the first step).
  sim::Duration waiting_before;
  /// The part of [start, end] that lies after the previous steps ended: end - start unless the
  /// recorded spans overlap.
  sim::Duration on_path;
};

struct CriticalPath {
  /// In time order, first stage first. Empty if the pod has no present span in the graph.
  std::vector<CriticalStep> steps;
  sim::Time start;
  sim::Time end;
  /// On-path time per stage, summed over containers; index with static_cast<std::size_t>(Stage).
  std::array<sim::Duration, kStageCount> stage_time{};
  /// Sum of the gaps between consecutive steps.
  sim::Duration waiting;

  /// end - start; equals the sum of stage_time plus waiting.
  sim::Duration duration() const { return end - start; }
  sim::Duration time(Stage s) const { return stage_time[static_cast<std::size_t>(s)]; }
  /// Fraction of the path's duration spent in s (0 for an empty path).
  double share(Stage s) const;
  double waiting_share() const;
  bool contains(Stage s) const;
};

/// The critical path of one pod through graph, given its recorded spans in any order.
///
/// - All spans must belong to one pod; throws std::invalid_argument otherwise, or if a span ends
///   before it starts.
/// - Spans that start before `since` are ignored: pass the update's start when the pod's spans
///   include both its creation and a later in-place update, so that a creation-time image pull
///   does not stand in for the update's cached (absent) one.
/// - Spans whose (stage, container) is not in the graph are ignored. If several spans map to one
///   stage instance, the one that started last counts; earlier ones become waiting.
/// - A container's backoffs are stages of their own: image_pull_backoff (from the first failed
///   pull attempt to the one that succeeds) before its image_pull, crash_loop_backoff before the
///   restart it delayed. The spans a container recorded before its last crash_loop_backoff
///   began are ignored: they belong to instances that crashed (their time, up to the crash,
///   shows as waiting before the backoff), and the restart is what the pod waited for.
CriticalPath critical_path(std::span<const Span> spans, const StageGraph& graph,
                           sim::Time since = sim::Time::zero());

/// Critical paths aggregated over many pods, one add() per pod. Pods with an empty path are
/// counted in pods() but not in the fractions and shares.
class CriticalPathSummary {
 public:
  void add(const CriticalPath& path);

  /// Pods added, and those of them with a non-empty path.
  std::size_t pods() const { return pods_; }
  std::size_t pods_with_path() const { return pods_with_path_; }

  /// Fraction of pods whose critical path contains s.
  double fraction_on_path(Stage s) const;
  /// Mean over pods of s's share of the pod's critical path (every pod weighs the same).
  double mean_share(Stage s) const;
  double mean_waiting_share() const;
  /// s's on-path time over all pods divided by all pods' path time (long paths weigh more).
  double pooled_share(Stage s) const;
  double pooled_waiting_share() const;

 private:
  std::size_t pods_ = 0;
  std::size_t pods_with_path_ = 0;
  std::array<std::size_t, kStageCount> on_path_{};
  std::array<double, kStageCount> share_sum_{};
  std::array<std::int64_t, kStageCount> time_ns_{};
  double waiting_share_sum_ = 0;
  std::int64_t waiting_ns_ = 0;
  std::int64_t path_ns_ = 0;
};

/// Convenience: the summary of a batch of paths.
CriticalPathSummary summarize(std::span<const CriticalPath> paths);

}  // namespace podsim::model
