#include "podsim/model/deployment_rolling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace podsim::model::deployment {

namespace {

std::vector<ReplicaSetState> oldest_first(std::span<const ReplicaSetState> replicaSets) {
  std::vector<ReplicaSetState> sorted(replicaSets.begin(), replicaSets.end());
  std::stable_sort(sorted.begin(), sorted.end(), created_before);
  return sorted;
}

// ReplicaSetsBySizeNewer / ReplicaSetsBySizeOlder: larger first; equal sizes newer (growing) or
// older (shrinking) first.
bool larger_then_newer(const ReplicaSetState& a, const ReplicaSetState& b) {
  if (a.spec.replicas == b.spec.replicas) return created_before(b, a);
  return a.spec.replicas > b.spec.replicas;
}
bool larger_then_older(const ReplicaSetState& a, const ReplicaSetState& b) {
  if (a.spec.replicas == b.spec.replicas) return created_before(a, b);
  return a.spec.replicas > b.spec.replicas;
}

// FindActiveOrLatest: the only active ReplicaSet; with none active, the new one or else the
// newest old one; with several active, none (they are scaled proportionally).
std::optional<ReplicaSetState> find_active_or_latest(const ReplicaSetState* newRS,
                                                     std::span<const ReplicaSetState> oldRSs) {
  if (newRS == nullptr && oldRSs.empty()) return std::nullopt;
  auto newestFirst = oldest_first(oldRSs);
  std::reverse(newestFirst.begin(), newestFirst.end());
  auto all = newestFirst;
  if (newRS != nullptr) all.push_back(*newRS);
  const auto active = filter_active(all);
  if (active.size() == 1) return active.front();
  if (!active.empty()) return std::nullopt;
  if (newRS != nullptr) return *newRS;
  return newestFirst.front();
}

}  // namespace

void apply_scales(std::vector<ReplicaSetState>& replicaSets,
                  std::span<const ReplicaSetScale> scales, const DeploymentSpec& d) {
  const std::int32_t maxReplicas = d.replicas + max_surge(d);
  for (const auto& s : scales) {
    auto it = std::find_if(replicaSets.begin(), replicaSets.end(),
                           [&](const ReplicaSetState& rs) { return rs.name == s.name; });
    if (it == replicaSets.end()) {
      throw std::invalid_argument(fmt::format("apply_scales: no ReplicaSet named '{}'", s.name));
    }
    it->spec.replicas = s.to;
    set_replicas_annotations(*it, d.replicas, maxReplicas);
  }
}

ReplicaSetState create_new_replica_set(const DeploymentSpec& d, std::string name, sim::Time now,
                                       std::span<const ReplicaSetState> oldRSs) {
  ReplicaSetState rs;
  rs.name = std::move(name);
  rs.creationTimestamp = now;
  rs.revision = max_revision(oldRSs) + 1;
  std::vector<ReplicaSetState> all(oldRSs.begin(), oldRSs.end());
  all.push_back(rs);  // counted at 0 replicas
  rs.spec.replicas = new_rs_new_replicas(d, all, rs);
  set_replicas_annotations(rs, d.replicas, d.replicas + max_surge(d));
  return rs;
}

std::optional<ReplicaSetScale> reconcile_new_replica_set(const DeploymentSpec& d,
                                                         std::span<const ReplicaSetState> allRSs,
                                                         const ReplicaSetState& newRS) {
  const std::int32_t from = newRS.spec.replicas;
  if (from == d.replicas) return std::nullopt;
  if (from > d.replicas) return ReplicaSetScale{newRS.name, from, d.replicas};
  const std::int32_t to = new_rs_new_replicas(d, allRSs, newRS);
  if (to == from) return std::nullopt;  // scaleReplicaSetAndRecordEvent: nothing to do
  return ReplicaSetScale{newRS.name, from, to};
}

ScaleDownResult cleanup_unhealthy_replicas(std::span<const ReplicaSetState> oldRSs,
                                           std::int32_t maxCleanupCount) {
  ScaleDownResult r;
  r.oldRSs = oldest_first(oldRSs);
  std::int32_t total = 0;
  for (auto& rs : r.oldRSs) {
    if (total >= maxCleanupCount) break;
    const std::int32_t spec = rs.spec.replicas;
    if (spec == 0 || spec == rs.status.availableReplicas) continue;  // nothing unhealthy
    // The ReplicaSet controller deletes not-ready, unscheduled and pending pods first, so
    // removing this many keeps every available pod.
    const std::int32_t count =
        std::min(maxCleanupCount - total, spec - rs.status.availableReplicas);
    const std::int32_t to = spec - count;
    if (to > spec) {
      r.error = fmt::format(
          "when cleaning up unhealthy replicas, got invalid request to scale down {} {} -> {}",
          rs.name, spec, to);
      r.scaledDown = 0;
      return r;
    }
    r.scales.push_back({rs.name, spec, to});
    rs.spec.replicas = to;
    total += count;
  }
  r.scaledDown = total;
  return r;
}

ScaleDownResult scale_down_old_replica_sets_for_rolling_update(
    const DeploymentSpec& d, std::span<const ReplicaSetState> allRSs,
    std::span<const ReplicaSetState> oldRSs) {
  ScaleDownResult r;
  r.oldRSs = oldest_first(oldRSs);
  const std::int32_t minAvailable = d.replicas - max_unavailable(d);
  const std::int32_t available = available_replica_count(allRSs);
  if (available <= minAvailable) return r;  // any removal would break availability

  const std::int32_t toRemove = available - minAvailable;
  for (auto& rs : r.oldRSs) {
    if (r.scaledDown >= toRemove) break;
    if (rs.spec.replicas == 0) continue;
    const std::int32_t count = std::min(rs.spec.replicas, toRemove - r.scaledDown);
    r.scales.push_back({rs.name, rs.spec.replicas, rs.spec.replicas - count});
    rs.spec.replicas -= count;
    r.scaledDown += count;
  }
  return r;
}

OldReplicaSetsDecision reconcile_old_replica_sets(const DeploymentSpec& d,
                                                  std::span<const ReplicaSetState> allRSs,
                                                  std::span<const ReplicaSetState> oldRSs,
                                                  const ReplicaSetState& newRS) {
  OldReplicaSetsDecision dec;
  if (replica_count(oldRSs) == 0) return dec;  // nothing left to scale down

  const std::int32_t minAvailable = d.replicas - max_unavailable(d);
  // Unavailable new pods count against the budget too: otherwise a crash-looping new
  // ReplicaSet would let old available pods go.
  const std::int32_t newUnavailable = newRS.spec.replicas - newRS.status.availableReplicas;
  dec.maxScaledDown = replica_count(allRSs) - minAvailable - newUnavailable;
  if (dec.maxScaledDown <= 0) return dec;

  // Unhealthy old replicas first: they cost no availability, and left alone they would block
  // the rollout (kubernetes/kubernetes#16737).
  auto cleanup = cleanup_unhealthy_replicas(oldRSs, dec.maxScaledDown);
  dec.scales = cleanup.scales;
  if (!cleanup.error.empty()) {
    dec.error = std::move(cleanup.error);
    return dec;
  }
  dec.cleanedUp = cleanup.scaledDown;

  std::vector<ReplicaSetState> all = cleanup.oldRSs;
  all.push_back(newRS);
  auto down = scale_down_old_replica_sets_for_rolling_update(d, all, cleanup.oldRSs);
  dec.scaledDown = down.scaledDown;
  dec.scales.insert(dec.scales.end(), down.scales.begin(), down.scales.end());
  return dec;
}

RollingSyncDecision rollout_rolling(const DeploymentSpec& d,
                                    std::span<const ReplicaSetState> oldRSs,
                                    const ReplicaSetState& newRS) {
  RollingSyncDecision dec;
  std::vector<ReplicaSetState> all(oldRSs.begin(), oldRSs.end());
  all.push_back(newRS);

  if (auto up = reconcile_new_replica_set(d, all, newRS)) {
    dec.action = RollingSyncDecision::Action::scaled_up;
    dec.scales.push_back(std::move(*up));
    return dec;
  }
  const auto active = filter_active(oldRSs);
  auto old = reconcile_old_replica_sets(d, all, active, newRS);
  dec.scales = std::move(old.scales);
  dec.error = std::move(old.error);
  if (old.cleanedUp + old.scaledDown > 0 && dec.error.empty()) {
    dec.action = RollingSyncDecision::Action::scaled_down;
  }
  return dec;
}

bool is_scaling_event(const DeploymentSpec& d, std::span<const ReplicaSetState> allRSs) {
  for (const auto& rs : allRSs) {
    if (rs.spec.replicas <= 0) continue;
    const auto& desired = rs.annotations.desiredReplicas;
    if (desired && *desired >= 0 && *desired != d.replicas) return true;
  }
  return false;
}

std::vector<ReplicaSetScale> scale(const DeploymentSpec& d, std::int32_t deploymentStatusReplicas,
                                   const ReplicaSetState* newRS,
                                   std::span<const ReplicaSetState> oldRSs) {
  std::vector<ReplicaSetScale> scales;

  // One active ReplicaSet (or none: the newest) takes the whole count.
  if (auto only = find_active_or_latest(newRS, oldRSs)) {
    if (only->spec.replicas != d.replicas) {
      scales.push_back({only->name, only->spec.replicas, d.replicas});
    }
    return scales;
  }

  // A saturated new ReplicaSet (e.g. one adopted mid-rollout) makes the old ones redundant.
  if (is_saturated(d, newRS)) {
    for (const auto& old : filter_active(oldRSs))
      scales.push_back({old.name, old.spec.replicas, 0});
    return scales;
  }

  // Several active ReplicaSets during a rolling update: scale each in proportion, so that the
  // replicas change neither speeds up nor slows down the rollout.
  if (!is_rolling_update(d)) return scales;
  std::vector<ReplicaSetState> all(oldRSs.begin(), oldRSs.end());
  if (newRS != nullptr) all.push_back(*newRS);
  all = filter_active(all);

  const std::int32_t surge = max_surge(d);
  const std::int32_t allowed = d.replicas > 0 ? d.replicas + surge : 0;
  const std::int32_t toAdd = allowed - replica_count(all);
  if (toAdd > 0) std::stable_sort(all.begin(), all.end(), larger_then_newer);
  if (toAdd < 0) std::stable_sort(all.begin(), all.end(), larger_then_older);

  std::vector<std::int32_t> sizes;
  std::int32_t added = 0;
  for (const auto& rs : all) {
    const std::int32_t p =
        toAdd != 0 ? replica_set_proportion(d, deploymentStatusReplicas, rs, toAdd, added) : 0;
    sizes.push_back(rs.spec.replicas + p);
    added += p;
  }
  if (toAdd != 0 && !all.empty()) {
    sizes[0] = std::max(0, sizes[0] + toAdd - added);  // rounding leftovers to the largest
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& rs = all[i];
    if (sizes[i] != rs.spec.replicas ||
        replicas_annotations_need_update(rs, d.replicas, d.replicas + surge)) {
      scales.push_back({rs.name, rs.spec.replicas, sizes[i]});
    }
  }
  return scales;
}

}  // namespace podsim::model::deployment
