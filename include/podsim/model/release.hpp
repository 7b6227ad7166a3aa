#pragma once
// A release as a platform runs it: at a given moment, a workload gets a new pod template and/or a
// new replica count, optionally after pre-warming the new images on the nodes that run it, and
// optionally in batches (CloneSet partition steps, each waiting until its pods are available,
// then a pause: an interval or a human's approval time). The release measures itself: how long
// it took, how much capacity it cost, what it recreated.
//
//   Release r(cluster, web, spec, sim::seconds(60));
//   r.arm();
//   sim.run();
//   r.result().end - r.result().start;

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/cluster.hpp"
#include "podsim/model/image_prewarm.hpp"
#include "podsim/model/int_or_percent.hpp"
#include "podsim/model/pod_template.hpp"
#include "podsim/model/rollout_outcome.hpp"
#include "podsim/model/workload_controller.hpp"
#include "podsim/sim/distribution.hpp"
#include "podsim/sim/random.hpp"
#include "podsim/sim/timer.hpp"

namespace podsim::model {

/// The platform's pre-warm: pull the release's new images on the nodes that run the workload.
struct PrewarmSpec {
  bool enabled = false;
  std::uint32_t parallelism = 0;  // nodes x images pulled at once; 0 = all at once
  /// Start this long before the release; unset: the release waits for the pre-warm to finish.
  std::optional<sim::Duration> lead;
};

struct ReleaseSpec {
  std::string name;
  std::string workload;
  std::optional<PodTemplate> new_template;
  std::optional<std::int32_t> replicas;
  /// Batch release (CloneSet): the partition of each batch in order, e.g. {80%, 50%, 0}. Empty:
  /// one step (the workload's own partition stays).
  std::vector<IntOrPercent> partition_steps;
  /// Seconds between one batch being available and the next starting; null = none.
  sim::DistributionPtr batch_pause;
  PrewarmSpec prewarm;
};

struct ReleaseResult {
  std::string name;
  std::string workload;
  std::string kind;
  std::string strategy;
  std::vector<std::string> changes;  // field paths
  RolloutOutcome outcome = RolloutOutcome::stalled;
  std::string reason;  // for stalled and refused
  sim::Time start;     // the first change was written (after a waited-for pre-warm)
  sim::Time end;       // complete, or when declared stalled
  std::optional<sim::Time> prewarm_start;
  std::optional<sim::Time> prewarm_end;
  std::uint32_t prewarm_failures = 0;
  std::int32_t desired = 0;  // replicas at the end
  std::int32_t min_available = 0;
  double unavailable_pod_seconds = 0;  // integral of max(0, replicas - available)
  double time_below_desired_s = 0;     // time with available < replicas
  std::uint32_t pods_created = 0;
  std::uint32_t pods_deleted = 0;
  std::uint32_t in_place_updates = 0;
  std::uint32_t recreate_fallbacks = 0;
  std::uint32_t batches = 1;
  /// Pods the release created, updated in place or deleted (for its stage breakdown).
  std::vector<PodId> pods_touched;
};

class Release {
 public:
  /// `at` is when the release happens; `stream` draws batch pauses. The workload must outlive it.
  Release(Cluster& cluster, WorkloadController& workload, ReleaseSpec spec, sim::Time at,
          sim::RandomStream stream);
  Release(const Release&) = delete;
  Release& operator=(const Release&) = delete;

  /// Schedules the release (and its pre-warm).
  void arm();
  bool done() const { return done_; }
  /// Declares an unfinished release stalled now (the simulation ran out of events or time).
  void give_up(std::string reason);
  const ReleaseResult& result() const { return result_; }
  const ReleaseSpec& spec() const { return spec_; }

 private:
  void begin_prewarm();
  void begin();
  void next_batch();
  void observe();
  void account(sim::Time now);
  void arm_deadline();
  void finish(RolloutOutcome outcome);

  Cluster& cluster_;
  WorkloadController& workload_;
  ReleaseSpec spec_;
  sim::Time at_;
  sim::RandomStream stream_;
  ImagePrewarm prewarm_;
  sim::Timer start_timer_;
  sim::Timer prewarm_timer_;
  sim::Timer pause_timer_;
  sim::Timer deadline_timer_;
  ReleaseResult result_;
  bool begun_ = false;
  bool done_ = false;
  bool deadline_passed_ = false;
  bool in_pause_ = false;
  std::size_t step_ = 0;
  sim::Time last_change_;
  WorkloadStatus last_;
  sim::Time last_progress_;
  std::size_t pods_seen_ = 0;  // workload pods at begin(): later ones were created by the release
  std::vector<std::uint32_t> in_place_at_begin_;  // per workload pod at begin()
  std::vector<bool> deleted_at_begin_;            // per workload pod at begin()
  std::uint32_t fallbacks_at_begin_ = 0;
};

}  // namespace podsim::model
