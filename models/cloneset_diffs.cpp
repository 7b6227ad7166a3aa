#include "podsim/model/cloneset_diffs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace podsim::model::cloneset {

namespace {

bool plus_and_minus(int i, int j) {
  return (i < 0 && j > 0) || (i > 0 && j < 0);
}

bool counts_as_updated(const PodState& p, RevisionId update_revision, const DiffOptions& o) {
  if (o.for_scale && o.gates.PreparingUpdateAsUpdate &&
      p.lifecycle == LifecycleState::PreparingUpdate) {
    return true;
  }
  return p.revision == update_revision;
}

}  // namespace

std::string to_string(const Diffs& d) {
  std::string out = "{";
  auto field = [&](const char* name, int v) {
    if (v == 0) return;
    if (out.size() > 1) out += ", ";
    out += fmt::format("{}: {}", name, v);
  };
  field("scaleUpNum", d.scaleUpNum);
  field("scaleUpNumOldRevision", d.scaleUpNumOldRevision);
  field("scaleDownNum", d.scaleDownNum);
  field("scaleDownNumOldRevision", d.scaleDownNumOldRevision);
  field("scaleUpLimit", d.scaleUpLimit);
  field("deleteReadyLimit", d.deleteReadyLimit);
  field("useSurge", d.useSurge);
  field("useSurgeOldRevision", d.useSurgeOldRevision);
  field("updateNum", d.updateNum);
  field("updateMaxUnavailable", d.updateMaxUnavailable);
  out += "}";
  return out;
}

int partition_replicas(const IntOrPercent& partition, int replicas) {
  int p = partition.scaled(replicas, /*round_up=*/true);
  if (replicas > 1 && p == replicas && partition.is_percent() && partition.percent_value() != 100) {
    p = replicas - 1;
  }
  return std::clamp(p, 0, std::max(replicas, 0));
}

ResolvedLimits resolve_limits(const CloneSetSpec& spec) {
  ResolvedLimits r;
  const int replicas = spec.replicas;
  r.partition = partition_replicas(spec.partition, replicas);
  r.maxSurge = spec.paused ? 0 : spec.maxSurge.scaled(replicas, /*round_up=*/true);
  r.maxUnavailable = spec.maxUnavailable.scaled(replicas, /*round_up=*/r.maxSurge == 0);
  r.scaleMaxUnavailable = spec.scaleMaxUnavailable
                              ? spec.scaleMaxUnavailable->scaled(replicas, /*round_up=*/true)
                              : std::numeric_limits<std::int32_t>::max();
  return r;
}

Diffs calculate_diffs(const CloneSetSpec& spec, std::span<const PodState> pods,
                      RevisionId current_revision, RevisionId update_revision,
                      const DiffOptions& options) {
  const int replicas = spec.replicas;
  const ResolvedLimits lim = resolve_limits(spec);
  const int partition = lim.partition;
  const int maxSurge = lim.maxSurge;
  const int maxUnavailable = lim.maxUnavailable;

  int newCount = 0, newActive = 0, oldCount = 0, oldActive = 0;
  int unavailableNew = 0, unavailableOld = 0;
  int toDeleteNew = 0, toDeleteOld = 0, preDeletingNew = 0, preDeletingOld = 0;
  for (const PodState& p : pods) {
    const bool updated = counts_as_updated(p, update_revision, options);
    (updated ? newCount : oldCount)++;
    if (p.lifecycle == LifecycleState::PreparingDelete) {
      (updated ? preDeletingNew : preDeletingOld)++;
      continue;
    }
    (updated ? newActive : oldActive)++;
    // A specified-delete pod is counted as to-delete, never also as unavailable.
    if (p.specified_delete) {
      (updated ? toDeleteNew : toDeleteOld)++;
    } else if (!is_available(p)) {
      (updated ? unavailableNew : unavailableOld)++;
    }
  }

  int updateOldDiff = oldActive - partition;
  int updateNewDiff = newActive - (replicas - partition);
  const int totalUnavailable = preDeletingNew + preDeletingOld + unavailableNew + unavailableOld;
  // Without rollback, pods only move towards updateRevision.
  if (update_revision == current_revision || !options.gates.CloneSetPartitionRollback) {
    updateOldDiff = std::max(updateOldDiff, 0);
    updateNewDiff = std::min(updateNewDiff, 0);
  }

  Diffs res;
  if (maxSurge > 0) {
    // Surge to keep maxUnavailable while specified-delete pods go.
    int scaleSurge = 0, scaleOldRevisionSurge = 0;
    if (const int toDelete = toDeleteNew + toDeleteOld; toDelete > 0) {
      scaleSurge = std::min(std::max(totalUnavailable + toDelete - maxUnavailable, 0), toDelete);
      if (scaleSurge > toDeleteNew) scaleOldRevisionSurge = scaleSurge - toDeleteNew;
    }
    // Surge for moving pods between revisions.
    int updateSurge = 0, updateOldRevisionSurge = 0;
    if (plus_and_minus(updateOldDiff, updateNewDiff)) {
      if (std::abs(updateOldDiff) <= std::abs(updateNewDiff)) {
        updateSurge = std::abs(updateOldDiff);
        if (updateOldDiff < 0) updateOldRevisionSurge = updateSurge;
      } else {
        updateSurge = std::abs(updateNewDiff);
        if (updateNewDiff > 0) updateOldRevisionSurge = updateSurge;
      }
    }
    // Scale and update never run in one reconcile, so the larger need takes the surge.
    if (scaleSurge >= updateSurge) {
      res.useSurge = std::min(maxSurge, scaleSurge);
      res.useSurgeOldRevision = std::min(res.useSurge, scaleOldRevisionSurge);
    } else {
      res.useSurge = std::min(maxSurge, updateSurge);
      res.useSurgeOldRevision = std::min(res.useSurge, updateOldRevisionSurge);
    }
  }

  const int podCount = static_cast<int>(pods.size());
  int currentTotal = podCount;
  int currentTotalOld = oldCount;
  if (options.scalingExcludePreparingDelete) {
    currentTotal -= preDeletingOld + preDeletingNew;
    currentTotalOld -= preDeletingOld;
  }
  const int expectedTotal = replicas + res.useSurge;
  const int expectedTotalOld = partition + res.useSurgeOldRevision;

  if (const int num = expectedTotal - currentTotal; num > 0) {
    res.scaleUpNum = num;
    res.scaleUpNumOldRevision = std::max(expectedTotalOld - currentTotalOld, 0);
    // 64-bit: the unset scaleStrategy.maxUnavailable is MaxInt32.
    const long long room =
        std::max(static_cast<long long>(lim.scaleMaxUnavailable) - totalUnavailable, 0LL);
    res.scaleUpLimit = static_cast<int>(std::min<long long>(res.scaleUpNum, room));
  }

  if (const int num = currentTotal - toDeleteOld - toDeleteNew - expectedTotal; num > 0) {
    res.scaleDownNum = num;
    res.scaleDownNumOldRevision = std::max(currentTotalOld - toDeleteOld - expectedTotalOld, 0);
  }
  if (toDeleteNew > 0 || toDeleteOld > 0 || res.scaleDownNum > 0) {
    res.deleteReadyLimit = std::max(maxUnavailable + (podCount - replicas) - totalUnavailable, 0);
  }

  res.updateNum =
      std::abs(updateOldDiff) <= std::abs(updateNewDiff) ? updateOldDiff : -updateNewDiff;
  if (res.updateNum != 0) res.updateMaxUnavailable = maxUnavailable + podCount - replicas;
  return res;
}

}  // namespace podsim::model::cloneset
