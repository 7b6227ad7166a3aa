#pragma once
// What the Deployment controller decides in one sync, as pure functions returning the
// ReplicaSet resizes it would issue (kubernetes/kubernetes pkg/controller/deployment/rolling.go
// and sync.go; domain-reference §1.3). The caller applies them (apply_scales), lets the
// ReplicaSet controller and the pods catch up, and calls again on the next sync.
//
// One sync of syncDeployment, for a runtime controller:
//   1. If spec.paused or is_scaling_event(d, all): scale(d, ...) and stop (sync.go sync).
//   2. Recreate: scale every active old ReplicaSet to 0; if that changed something, stop. While
//      old_pods_running(...), stop. Then create the new ReplicaSet (create_new_replica_set) and
//      resize it to spec.replicas.
//   3. RollingUpdate: if there is no new ReplicaSet yet, create one (create_new_replica_set);
//      then rollout_rolling(d, old, new).
//
//   auto step = rollout_rolling(d, old, newRS);   // e.g. {scaled_down, {{"web-1", 10, 8}}}
//   apply_scales(all, step.scales, d);
//
// Old ReplicaSets are handled oldest first (ReplicaSetsByCreationTimestamp), as the Go code
// sorts them. Differences from the Go code are listed in deployment_rollout_math.hpp.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "podsim/model/deployment_rollout_math.hpp"

namespace podsim::model::deployment {

/// One update of a ReplicaSet's spec.replicas (scaleReplicaSet). Every write also stamps the
/// desired/max-replicas annotations, so `to == from` means an annotations-only write.
struct ReplicaSetScale {
  std::string name;
  std::int32_t from = 0;
  std::int32_t to = 0;

  friend bool operator==(const ReplicaSetScale&, const ReplicaSetScale&) = default;
};

/// Applies `scales` in order to the ReplicaSets with those names: spec.replicas = to, and the
/// annotations set to (replicas, replicas + max_surge(d)). Throws std::invalid_argument for an
/// unknown name.
void apply_scales(std::vector<ReplicaSetState>& replicaSets,
                  std::span<const ReplicaSetScale> scales, const DeploymentSpec& d);

/// getNewReplicaSet's create path: a ReplicaSet named `name`, created at `now`, revision
/// max_revision(oldRSs) + 1, sized new_rs_new_replicas(d, oldRSs + itself at 0), with the
/// replicas annotations stamped. Its status is empty (no pods yet).
ReplicaSetState create_new_replica_set(const DeploymentSpec& d, std::string name, sim::Time now,
                                       std::span<const ReplicaSetState> oldRSs);

// --- rolling.go --------------------------------------------------------------------------------

/// reconcileNewReplicaSet: shrink the new ReplicaSet to replicas if it is larger, else grow it
/// to new_rs_new_replicas. nullopt: no resize.
std::optional<ReplicaSetScale> reconcile_new_replica_set(const DeploymentSpec& d,
                                                         std::span<const ReplicaSetState> allRSs,
                                                         const ReplicaSetState& newRS);

/// What a scale-down step did.
struct ScaleDownResult {
  /// The old ReplicaSets, oldest first, with spec.replicas after the resizes.
  std::vector<ReplicaSetState> oldRSs;
  /// The resizes, in the order they are issued.
  std::vector<ReplicaSetScale> scales;
  /// Replicas removed (the Go function's count; 0 when `error` is set).
  std::int32_t scaledDown = 0;
  /// Non-empty where the Go code returns an error; `scales` then holds the resizes already
  /// issued before it.
  std::string error;
};

/// cleanupUnhealthyReplicas: oldest first, remove up to `maxCleanupCount` unavailable replicas
/// (spec.replicas − status.availableReplicas) from the old ReplicaSets. Errors (as Go does) when
/// a ReplicaSet reports more available replicas than spec.replicas, as it briefly does right
/// after being scaled down.
ScaleDownResult cleanup_unhealthy_replicas(std::span<const ReplicaSetState> oldRSs,
                                           std::int32_t maxCleanupCount);

/// scaleDownOldReplicaSetsForRollingUpdate: if Σ status.availableReplicas(allRSs) exceeds
/// min_available(d), remove the excess from the old ReplicaSets, oldest first.
ScaleDownResult scale_down_old_replica_sets_for_rolling_update(
    const DeploymentSpec& d, std::span<const ReplicaSetState> allRSs,
    std::span<const ReplicaSetState> oldRSs);

/// What reconcileOldReplicaSets decided.
struct OldReplicaSetsDecision {
  /// allPods − minAvailable − (new spec.replicas − new available); nothing happens unless > 0.
  /// 0 when there were no old replicas to remove.
  std::int32_t maxScaledDown = 0;
  std::int32_t cleanedUp = 0;           // by cleanup_unhealthy_replicas
  std::int32_t scaledDown = 0;          // by scale_down_old_replica_sets_for_rolling_update
  std::vector<ReplicaSetScale> scales;  // both steps, in order
  std::string error;                    // from the cleanup step; the sync then reports no scaling
  bool scaled() const { return error.empty() && cleanedUp + scaledDown > 0; }
};

/// reconcileOldReplicaSets: first remove unhealthy old replicas within maxScaledDown, then
/// healthy ones down to min_available. `oldRSs` are the active old ReplicaSets (the controller
/// passes FilterActiveReplicaSets(old)); `allRSs` all of them plus the new one.
OldReplicaSetsDecision reconcile_old_replica_sets(const DeploymentSpec& d,
                                                  std::span<const ReplicaSetState> allRSs,
                                                  std::span<const ReplicaSetState> oldRSs,
                                                  const ReplicaSetState& newRS);

/// One rolloutRolling sync: scale the new ReplicaSet up if possible, else old ones down.
struct RollingSyncDecision {
  enum class Action : std::uint8_t { scaled_up, scaled_down, none };
  Action action = Action::none;
  std::vector<ReplicaSetScale> scales;
  std::string error;  // see OldReplicaSetsDecision::error
};

/// rolloutRolling's scaling, given every old ReplicaSet (active or not) and the existing new one.
/// Cleaning up old revisions and writing the status are left to the caller.
RollingSyncDecision rollout_rolling(const DeploymentSpec& d,
                                    std::span<const ReplicaSetState> oldRSs,
                                    const ReplicaSetState& newRS);

// --- sync.go -----------------------------------------------------------------------------------

/// isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from replicas, i.e.
/// spec.replicas changed since the controller last wrote it. The controller then runs scale()
/// instead of a rollout step.
bool is_scaling_event(const DeploymentSpec& d, std::span<const ReplicaSetState> allRSs);

/// scale (sync.go), run on a scaling event or while paused:
/// - at most one active ReplicaSet (else the newest): resize it to replicas;
/// - a saturated new ReplicaSet: old active ones to 0;
/// - RollingUpdate with several active: spread replicas + maxSurge − Σ spec.replicas over them in
///   proportion to their size (replica_set_proportion), largest first (ties: newest first when
///   growing, oldest first when shrinking), the rounding leftover to the first; every active
///   ReplicaSet is written (annotations at least);
/// - Recreate with several active: nothing.
/// `newRS` may be null (not created yet); `deploymentStatusReplicas` is the Deployment's
/// status.replicas (used only when annotations are missing).
std::vector<ReplicaSetScale> scale(const DeploymentSpec& d, std::int32_t deploymentStatusReplicas,
                                   const ReplicaSetState* newRS,
                                   std::span<const ReplicaSetState> oldRSs);

}  // namespace podsim::model::deployment
