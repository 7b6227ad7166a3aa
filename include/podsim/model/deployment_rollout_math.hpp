#pragma once
// The Deployment controller's arithmetic, as plain functions of the spec and of ReplicaSet states
// (kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go and recreate.go;
// domain-reference §1.1-§1.5): fenceposts, replica sums, new-ReplicaSet sizing, completeness,
// progress and its deadline, saturation, the desired/max-replicas annotations and the proportions
// used when spec.replicas changes in the middle of a rollout. The per-sync decisions built on
// these (rolling steps, proportional scaling) are in deployment_rolling.hpp.
//
//   DeploymentSpec d;                              // replicas 1, 25 % / 25 %
//   d.replicas = 10;
//   max_surge(d);        // 3  (ceil 2.5)
//   max_unavailable(d);  // 2  (floor 2.5)
//
// Differences from the Go code, all deliberate:
// - IntOrPercent is typed, so the only malformed value that can reach here is a fractional or
//   non-finite percentage ("12.5%"), which Kubernetes rejects (it parses the digits before "%"
//   as an integer). Every function that resolves maxSurge/maxUnavailable throws
//   std::invalid_argument for it, where MaxSurge/MaxUnavailable would silently return 0.
// - A nil maxSurge/maxUnavailable is IntOrPercent's default, integer 0 (the Go code reads nil
//   as 0 too). A nil progressDeadlineSeconds ("no deadline") is spelled INT32_MAX, which the Go
//   code treats the same way.
// - podsim's controller reads the spec synchronously, so status.observedGeneration >=
//   metadata.generation always holds and is not modelled in the Deployment's status.
// - The alpha DeploymentPodReplacementPolicy feature (off by default) is not modelled: terminating
//   pods never count towards the surge here, as with the feature off.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/model/deployment_spec.hpp"
#include "podsim/model/int_or_percent.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::model::deployment {

/// One ReplicaSet of a Deployment, as the Deployment controller reads it: what the decisions
/// need and nothing else. Field names follow the API object.
struct ReplicaSetState {
  /// metadata.name: identifies the ReplicaSet in decisions and breaks creation-time ties.
  std::string name;
  /// metadata.creationTimestamp. Old ReplicaSets are handled oldest first.
  sim::Time creationTimestamp;
  /// The deployment.kubernetes.io/revision annotation. Not read by the arithmetic; kept for the
  /// caller's bookkeeping (a new ReplicaSet gets max_revision(old) + 1).
  std::int64_t revision = 0;

  struct Spec {
    std::int32_t replicas = 0;
  } spec;

  /// What the ReplicaSet controller last reported.
  struct Status {
    std::int32_t replicas = 0;           // pods that exist and are not terminating
    std::int32_t readyReplicas = 0;      // of those, Ready
    std::int32_t availableReplicas = 0;  // of those, Ready for minReadySeconds
    /// Pods being deleted; unset means unknown, unless observedGeneration is 0 (not yet
    /// reported, counted as 0).
    std::optional<std::int32_t> terminatingReplicas;
    std::int64_t observedGeneration = 0;
  } status;

  /// deployment.kubernetes.io/desired-replicas and /max-replicas: the Deployment's replicas and
  /// replicas + maxSurge when the controller last wrote this ReplicaSet. Unset until then; a
  /// negative value is treated as unset (the Go parser rejects "-1").
  struct Annotations {
    std::optional<std::int32_t> desiredReplicas;
    std::optional<std::int32_t> maxReplicas;
  } annotations;
};

/// ReplicaSetsByCreationTimestamp: older first, equal times by name.
bool created_before(const ReplicaSetState& a, const ReplicaSetState& b);

/// FilterActiveReplicaSets: the ReplicaSets with spec.replicas > 0, in the given order.
std::vector<ReplicaSetState> filter_active(std::span<const ReplicaSetState> replicaSets);

/// MaxRevision: the highest revision, 0 for none.
std::int64_t max_revision(std::span<const ReplicaSetState> replicaSets);

// --- Sums over ReplicaSets --------------------------------------------------------------------

/// GetReplicaCountForReplicaSets: Σ spec.replicas.
std::int32_t replica_count(std::span<const ReplicaSetState> replicaSets);
/// GetActualReplicaCountForReplicaSets: Σ status.replicas.
std::int32_t actual_replica_count(std::span<const ReplicaSetState> replicaSets);
/// GetReadyReplicaCountForReplicaSets: Σ status.readyReplicas.
std::int32_t ready_replica_count(std::span<const ReplicaSetState> replicaSets);
/// GetAvailableReplicaCountForReplicaSets: Σ status.availableReplicas.
std::int32_t available_replica_count(std::span<const ReplicaSetState> replicaSets);
/// GetTerminatingReplicaCountForReplicaSets: Σ status.terminatingReplicas; unknown (nullopt) if a
/// ReplicaSet that has reported status leaves it unset.
std::optional<std::int32_t> terminating_replica_count(std::span<const ReplicaSetState> replicaSets);

// --- Fenceposts ---------------------------------------------------------------------------------

struct Fenceposts {
  std::int32_t surge = 0;
  std::int32_t unavailable = 0;
};

/// ResolveFenceposts: surge rounds up, unavailable rounds down, against `desired`; if both come
/// out 0, unavailable becomes 1 so that the rollout can move. Throws std::invalid_argument for a
/// fractional percentage.
Fenceposts resolve_fenceposts(const IntOrPercent& maxSurge, const IntOrPercent& maxUnavailable,
                              std::int32_t desired);

bool is_rolling_update(const DeploymentSpec& d);
/// MaxUnavailable: the resolved maxUnavailable capped at replicas; 0 for Recreate or 0 replicas.
std::int32_t max_unavailable(const DeploymentSpec& d);
/// MinAvailable: replicas - max_unavailable; 0 for Recreate.
std::int32_t min_available(const DeploymentSpec& d);
/// MaxSurge: the resolved maxSurge; 0 for Recreate.
std::int32_t max_surge(const DeploymentSpec& d);

// --- The new ReplicaSet ------------------------------------------------------------------------

/// NewRSNewReplicas: the size the new ReplicaSet should have now. RollingUpdate: grow it towards
/// replicas as far as Σ spec.replicas(allRSs) stays within replicas + maxSurge (it never shrinks
/// here); Recreate: replicas. `allRSs` is what the controller counts, normally the old ones plus
/// `newRS`.
std::int32_t new_rs_new_replicas(const DeploymentSpec& d, std::span<const ReplicaSetState> allRSs,
                                 const ReplicaSetState& newRS);

/// IsSaturated: the new ReplicaSet holds all of the Deployment's replicas, believes so (its
/// desired-replicas annotation says replicas) and they are all available. False for null.
bool is_saturated(const DeploymentSpec& d, const ReplicaSetState* rs);

// --- Replicas annotations ----------------------------------------------------------------------

/// ReplicasAnnotationsNeedUpdate: the ReplicaSet's annotations differ from (desired, max).
bool replicas_annotations_need_update(const ReplicaSetState& rs, std::int32_t desiredReplicas,
                                      std::int32_t maxReplicas);
/// SetReplicasAnnotations: stamps (desired, max); returns whether anything changed. The
/// controller stamps (replicas, replicas + max_surge) whenever it creates or resizes a
/// ReplicaSet.
bool set_replicas_annotations(ReplicaSetState& rs, std::int32_t desiredReplicas,
                              std::int32_t maxReplicas);

// --- Proportional scaling (a replicas change in the middle of a rollout) ------------------------

/// getReplicaSetFraction: how many replicas `rs` should gain (negative: lose) when the
/// Deployment's replicas + maxSurge goes from the ReplicaSet's max-replicas annotation to its
/// current value: round(spec.replicas × new / old) − spec.replicas, rounding halves away from
/// zero. Without a usable annotation (unset or 0) the Deployment's status.replicas stands in
/// for the old size; if that is 0 too, 0. Scaling to 0 replicas takes everything.
std::int32_t replica_set_fraction(const DeploymentSpec& d, std::int32_t deploymentStatusReplicas,
                                  const ReplicaSetState& rs);

/// GetReplicaSetProportion: replica_set_fraction bounded by what is left to hand out
/// (deploymentReplicasToAdd − deploymentReplicasAdded, same sign); 0 for an empty ReplicaSet or
/// when nothing is left.
std::int32_t replica_set_proportion(const DeploymentSpec& d, std::int32_t deploymentStatusReplicas,
                                    const ReplicaSetState& rs, std::int32_t deploymentReplicasToAdd,
                                    std::int32_t deploymentReplicasAdded);

// --- Deployment status, completeness and progress ----------------------------------------------

/// The Deployment status counters the controller computes (sync.go calculateStatus).
struct DeploymentStatus {
  std::int32_t replicas = 0;         // Σ status.replicas
  std::int32_t updatedReplicas = 0;  // the new ReplicaSet's status.replicas
  std::int32_t readyReplicas = 0;
  std::int32_t availableReplicas = 0;
  std::int32_t unavailableReplicas = 0;  // Σ spec.replicas − available, at least 0
};

/// calculateStatus's counters from the ReplicaSets (`newRS` may be null: none yet).
DeploymentStatus calculate_status(std::span<const ReplicaSetState> allRSs,
                                  const ReplicaSetState* newRS);

/// DeploymentComplete: every desired replica is updated and available and no old pod is left.
bool deployment_complete(const DeploymentSpec& d, const DeploymentStatus& status);

/// DeploymentProgressing: from `oldStatus` to `newStatus` more pods were updated, old pods went
/// away, or more pods became ready or available.
bool deployment_progressing(const DeploymentStatus& oldStatus, const DeploymentStatus& newStatus);

/// Reasons of the Progressing condition, spelled as kubectl shows them.
inline constexpr std::string_view ReplicaSetUpdatedReason = "ReplicaSetUpdated";
inline constexpr std::string_view FailedRSCreateReason = "ReplicaSetCreateError";
inline constexpr std::string_view NewReplicaSetReason = "NewReplicaSetCreated";
inline constexpr std::string_view FoundNewRSReason = "FoundNewReplicaSet";
inline constexpr std::string_view NewRSAvailableReason = "NewReplicaSetAvailable";
inline constexpr std::string_view TimedOutReason = "ProgressDeadlineExceeded";
inline constexpr std::string_view PausedDeployReason = "DeploymentPaused";
inline constexpr std::string_view ResumedDeployReason = "DeploymentResumed";

/// The Deployment's Progressing condition, as far as the deadline cares.
struct ProgressingCondition {
  std::string reason;
  sim::Time lastUpdateTime;
};

/// HasProgressDeadline: progressDeadlineSeconds is not INT32_MAX ("no deadline").
bool has_progress_deadline(const DeploymentSpec& d);

/// DeploymentTimedOut: lastUpdateTime + progressDeadlineSeconds < now. Never without a
/// deadline or a Progressing condition, never after NewReplicaSetAvailable, always once
/// ProgressDeadlineExceeded. Pausing is the caller's business (the controller does not call
/// this while paused).
bool deployment_timed_out(const DeploymentSpec& d,
                          const std::optional<ProgressingCondition>& progressing, sim::Time now);

// --- Recreate ----------------------------------------------------------------------------------

/// A pod's status.phase, as the API reports it. A pod being deleted keeps its phase (Running)
/// until it is gone.
enum class PodStatusPhase : std::uint8_t { Pending, Running, Succeeded, Failed, Unknown };

/// recreate.go oldPodsRunning: an old ReplicaSet still reports pods (status.replicas), or one of
/// the old ReplicaSets' pods that still exist is not Succeeded/Failed. Recreate creates the new
/// ReplicaSet only once this is false. `oldPods`: the phases of the existing pods owned by the
/// old ReplicaSets (pods that are gone are not listed).
bool old_pods_running(std::span<const ReplicaSetState> oldRSs,
                      std::span<const PodStatusPhase> oldPods);

}  // namespace podsim::model::deployment
