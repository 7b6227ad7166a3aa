#pragma once
// Stage durations as data: a map from stage name to a distribution of seconds. Each node pool
// has one (a secure-container pool has a slower sandbox, an elastic pool boots instances); a
// profile calibrated from real cluster dumps plugs in the same way as a hand-written one.
//
//   StageProfile p = StageProfile::defaults();
//   p.set("sandbox", sim::dist::constant(0.3));
//   double s = p.get("sandbox")->sample(stream);
//   p.get("sandbx");  // throws: unknown stage 'sandbx' (known: sandbox, volume_setup, ...)

#include <array>
#include <string>
#include <string_view>

#include "podsim/sim/distribution.hpp"

namespace podsim::model {

class StageProfile {
 public:
  /// Every stage a profile knows, in a fixed order.
  /// readiness_probe_latency times every probe kind (startup, liveness too); pod_sync_retry is
  /// the kubelet pod worker's wait before it syncs a pod again after a failed sync (image pull
  /// or CrashLoopBackOff); endpoint_removal is Ready lost until the endpoint stops serving.
  static constexpr std::array<std::string_view, 12> kStages = {"sandbox",
                                                               "volume_setup",
                                                               "instance_boot",
                                                               "container_start",
                                                               "app_start",
                                                               "init_container_run",
                                                               "readiness_probe_latency",
                                                               "status_sync",
                                                               "endpoint_propagation",
                                                               "shutdown",
                                                               "endpoint_removal",
                                                               "pod_sync_retry"};

  /// Every stage zero seconds (for hand-worked timelines).
  static StageProfile zero();
  /// Defaults from docs/latency-figures.md; each is cited where it is set.
  static StageProfile defaults();

  /// Replaces a stage's distribution. Throws std::invalid_argument for an unknown stage name
  /// or a null distribution.
  StageProfile& set(std::string_view stage, sim::DistributionPtr d);
  /// Throws std::invalid_argument naming an unknown stage and listing the known ones.
  const sim::DistributionPtr& get(std::string_view stage) const { return stages_[index_of(stage)]; }

  /// Index of a stage in kStages; throws as get() does. Inline, so that a literal name is
  /// looked up at compile time.
  static constexpr std::size_t index_of(std::string_view stage) {
    for (std::size_t i = 0; i < kStages.size(); ++i) {
      if (kStages[i] == stage) return i;
    }
    unknown_stage(stage);
  }

 private:
  [[noreturn]] static void unknown_stage(std::string_view stage);
  std::array<sim::DistributionPtr, kStages.size()> stages_;
};

}  // namespace podsim::model
