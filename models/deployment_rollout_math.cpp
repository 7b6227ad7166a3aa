#include "podsim/model/deployment_rollout_math.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace podsim::model::deployment {

namespace {

// intstr.GetScaledValueFromIntOrPercent. Kubernetes parses the digits before "%" with Atoi, so
// "12.5%" is an error there; podsim's IntOrPercent can hold it (Kruise accepts it), hence the
// check.
std::int32_t scaled_value(const IntOrPercent& v, std::int32_t total, bool round_up,
                          std::string_view field) {
  if (v.is_percent()) {
    const double p = v.percent_value();
    if (!std::isfinite(p) || std::floor(p) != p) {
      throw std::invalid_argument(fmt::format(
          "{}: {} is not a whole percentage (Kubernetes accepts only integer percentages)", field,
          v.str()));
    }
  }
  return v.scaled(total, round_up);
}

// getNonNegativeInt32FromAnnotation: a negative value does not parse, so it reads as unset.
std::optional<std::int32_t> annotation(const std::optional<std::int32_t>& value) {
  if (value && *value >= 0) return value;
  return std::nullopt;
}

// k8s.io/utils/integer.RoundToInt32: halves away from zero.
std::int32_t round_to_int32(double a) {
  return static_cast<std::int32_t>(a < 0 ? a - 0.5 : a + 0.5);
}

}  // namespace

bool created_before(const ReplicaSetState& a, const ReplicaSetState& b) {
  if (a.creationTimestamp == b.creationTimestamp) return a.name < b.name;
  return a.creationTimestamp < b.creationTimestamp;
}

std::vector<ReplicaSetState> filter_active(std::span<const ReplicaSetState> replicaSets) {
  std::vector<ReplicaSetState> active;
  for (const auto& rs : replicaSets) {
    if (rs.spec.replicas > 0) active.push_back(rs);
  }
  return active;
}

namespace {

template <class Field>
std::int32_t sum_of(std::span<const ReplicaSetState> replicaSets, Field field) {
  std::int32_t n = 0;
  for (const auto& rs : replicaSets) n += field(rs);
  return n;
}

}  // namespace

std::int64_t max_revision(std::span<const ReplicaSetState> replicaSets) {
  std::int64_t max = 0;
  for (const auto& rs : replicaSets) max = std::max(max, rs.revision);
  return max;
}

std::int32_t replica_count(std::span<const ReplicaSetState> replicaSets) {
  return sum_of(replicaSets, [](const ReplicaSetState& rs) { return rs.spec.replicas; });
}

std::int32_t actual_replica_count(std::span<const ReplicaSetState> replicaSets) {
  return sum_of(replicaSets, [](const ReplicaSetState& rs) { return rs.status.replicas; });
}

std::int32_t ready_replica_count(std::span<const ReplicaSetState> replicaSets) {
  return sum_of(replicaSets, [](const ReplicaSetState& rs) { return rs.status.readyReplicas; });
}

std::int32_t available_replica_count(std::span<const ReplicaSetState> replicaSets) {
  return sum_of(replicaSets, [](const ReplicaSetState& rs) { return rs.status.availableReplicas; });
}

std::optional<std::int32_t> terminating_replica_count(
    std::span<const ReplicaSetState> replicaSets) {
  std::int32_t n = 0;
  for (const auto& rs : replicaSets) {
    if (rs.status.terminatingReplicas) {
      n += *rs.status.terminatingReplicas;
    } else if (rs.status.observedGeneration != 0) {
      return std::nullopt;  // reported, yet without the count: unknown
    }
    // Not reported yet: nothing is terminating.
  }
  return n;
}

Fenceposts resolve_fenceposts(const IntOrPercent& maxSurge, const IntOrPercent& maxUnavailable,
                              std::int32_t desired) {
  Fenceposts f;
  f.surge = scaled_value(maxSurge, desired, /*round_up=*/true, "maxSurge");
  f.unavailable = scaled_value(maxUnavailable, desired, /*round_up=*/false, "maxUnavailable");
  // Validation forbids 0/0, but rounding down can produce it; without this nothing could move.
  if (f.surge == 0 && f.unavailable == 0) f.unavailable = 1;
  return f;
}

bool is_rolling_update(const DeploymentSpec& d) {
  return d.strategy == DeploymentStrategyType::RollingUpdate;
}

std::int32_t max_unavailable(const DeploymentSpec& d) {
  if (!is_rolling_update(d) || d.replicas == 0) return 0;
  const auto f = resolve_fenceposts(d.maxSurge, d.maxUnavailable, d.replicas);
  return std::min(f.unavailable, d.replicas);
}

std::int32_t min_available(const DeploymentSpec& d) {
  if (!is_rolling_update(d)) return 0;
  return d.replicas - max_unavailable(d);
}

std::int32_t max_surge(const DeploymentSpec& d) {
  if (!is_rolling_update(d)) return 0;
  return resolve_fenceposts(d.maxSurge, d.maxUnavailable, d.replicas).surge;
}

std::int32_t new_rs_new_replicas(const DeploymentSpec& d, std::span<const ReplicaSetState> allRSs,
                                 const ReplicaSetState& newRS) {
  switch (d.strategy) {
    case DeploymentStrategyType::RollingUpdate: {
      // maxSurge alone, not the fencepost pair: the 0/0 fix-up only touches unavailable.
      const std::int32_t surge = scaled_value(d.maxSurge, d.replicas, true, "maxSurge");
      const std::int32_t current = replica_count(allRSs);
      const std::int32_t maxTotal = d.replicas + surge;
      if (current >= maxTotal) return newRS.spec.replicas;
      const std::int32_t up = std::min(maxTotal - current, d.replicas - newRS.spec.replicas);
      return newRS.spec.replicas + up;
    }
    case DeploymentStrategyType::Recreate:
      return d.replicas;
  }
  throw std::invalid_argument("deployment strategy type isn't supported");
}

bool is_saturated(const DeploymentSpec& d, const ReplicaSetState* rs) {
  if (rs == nullptr) return false;
  const auto desired = annotation(rs->annotations.desiredReplicas);
  if (!desired) return false;
  return rs->spec.replicas == d.replicas && *desired == d.replicas &&
         rs->status.availableReplicas == d.replicas;
}

bool replicas_annotations_need_update(const ReplicaSetState& rs, std::int32_t desiredReplicas,
                                      std::int32_t maxReplicas) {
  return rs.annotations.desiredReplicas != desiredReplicas ||
         rs.annotations.maxReplicas != maxReplicas;
}

bool set_replicas_annotations(ReplicaSetState& rs, std::int32_t desiredReplicas,
                              std::int32_t maxReplicas) {
  const bool updated = replicas_annotations_need_update(rs, desiredReplicas, maxReplicas);
  rs.annotations.desiredReplicas = desiredReplicas;
  rs.annotations.maxReplicas = maxReplicas;
  return updated;
}

std::int32_t replica_set_fraction(const DeploymentSpec& d, std::int32_t deploymentStatusReplicas,
                                  const ReplicaSetState& rs) {
  if (d.replicas == 0) return -rs.spec.replicas;  // scaling to zero takes the whole set

  const std::int32_t maxReplicas = d.replicas + max_surge(d);
  std::int32_t maxReplicasBeforeScale = annotation(rs.annotations.maxReplicas).value_or(0);
  if (maxReplicasBeforeScale == 0) {
    // Annotation removed or zeroed by someone else: fall back to the Deployment's size, and do
    // not scale at all if that is unknown too.
    maxReplicasBeforeScale = deploymentStatusReplicas;
    if (maxReplicasBeforeScale == 0) return 0;
  }
  // The product in 64 bits (Go multiplies in int32 and would wrap past 2^31), then a float64
  // division as in Go.
  const double size = static_cast<double>(std::int64_t{rs.spec.replicas} * maxReplicas) /
                      static_cast<double>(maxReplicasBeforeScale);
  return round_to_int32(size) - rs.spec.replicas;
}

std::int32_t replica_set_proportion(const DeploymentSpec& d, std::int32_t deploymentStatusReplicas,
                                    const ReplicaSetState& rs, std::int32_t deploymentReplicasToAdd,
                                    std::int32_t deploymentReplicasAdded) {
  if (rs.spec.replicas == 0 || deploymentReplicasToAdd == 0 ||
      deploymentReplicasToAdd == deploymentReplicasAdded) {
    return 0;
  }
  const std::int32_t fraction = replica_set_fraction(d, deploymentStatusReplicas, rs);
  const std::int32_t allowed = deploymentReplicasToAdd - deploymentReplicasAdded;
  // Never hand out more than is left, in either direction.
  if (deploymentReplicasToAdd > 0) return std::min(fraction, allowed);
  return std::max(fraction, allowed);
}

DeploymentStatus calculate_status(std::span<const ReplicaSetState> allRSs,
                                  const ReplicaSetState* newRS) {
  DeploymentStatus s;
  s.replicas = actual_replica_count(allRSs);
  s.updatedReplicas = newRS != nullptr ? newRS->status.replicas : 0;
  s.readyReplicas = ready_replica_count(allRSs);
  s.availableReplicas = available_replica_count(allRSs);
  // More available than desired happens while scaling down: that is no unavailability.
  s.unavailableReplicas = std::max(0, replica_count(allRSs) - s.availableReplicas);
  return s;
}

bool deployment_complete(const DeploymentSpec& d, const DeploymentStatus& status) {
  return status.updatedReplicas == d.replicas && status.replicas == d.replicas &&
         status.availableReplicas == d.replicas;
}

bool deployment_progressing(const DeploymentStatus& oldStatus, const DeploymentStatus& newStatus) {
  const std::int32_t oldOld = oldStatus.replicas - oldStatus.updatedReplicas;
  const std::int32_t newOld = newStatus.replicas - newStatus.updatedReplicas;
  return newStatus.updatedReplicas > oldStatus.updatedReplicas || newOld < oldOld ||
         newStatus.readyReplicas > oldStatus.readyReplicas ||
         newStatus.availableReplicas > oldStatus.availableReplicas;
}

bool has_progress_deadline(const DeploymentSpec& d) {
  return d.progressDeadlineSeconds != std::numeric_limits<std::int32_t>::max();
}

bool deployment_timed_out(const DeploymentSpec& d,
                          const std::optional<ProgressingCondition>& progressing, sim::Time now) {
  if (!has_progress_deadline(d)) return false;
  if (!progressing) return false;  // nothing to measure progress from
  // A finished rollout is not re-judged when a new ReplicaSet appears before the cached
  // Deployment shows it.
  if (progressing->reason == NewRSAvailableReason) return false;
  if (progressing->reason == TimedOutReason) return true;
  const auto deadline =
      sim::Duration::from_ns(std::int64_t{d.progressDeadlineSeconds} * 1'000'000'000);
  return progressing->lastUpdateTime + deadline < now;
}

bool old_pods_running(std::span<const ReplicaSetState> oldRSs,
                      std::span<const PodStatusPhase> oldPods) {
  if (actual_replica_count(oldRSs) > 0) return true;
  // Unknown counts as running: the node may be unreachable rather than the pod gone.
  return std::any_of(oldPods.begin(), oldPods.end(), [](PodStatusPhase p) {
    return p != PodStatusPhase::Succeeded && p != PodStatusPhase::Failed;
  });
}

}  // namespace podsim::model::deployment
