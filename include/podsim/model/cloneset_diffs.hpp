#pragma once
// The CloneSet controller's core arithmetic: how many pods to create, delete and update in this
// reconcile, and how many may be unavailable meanwhile. A port of Kruise v1.8
// pkg/controller/cloneset/sync/cloneset_sync_utils.go `calculateDiffsWithExpectation`
// (domain-reference §2.5 [KR-SU], rounding §2.2 [KR-TOOLS]).
//
//   std::vector<cloneset::PodState> pods = ...;          // the active pods
//   cloneset::Diffs d = cloneset::calculate_diffs(spec, pods, current_rev, update_rev);
//   if (d.scaleUpNum > 0) create min(d.scaleUpNum, d.scaleUpLimit) pods, d.scaleUpNumOldRevision
//                         of them at current_rev;

#include <cstdint>
#include <span>
#include <string>

#include "podsim/model/cloneset_pod.hpp"
#include "podsim/model/cloneset_spec.hpp"
#include "podsim/model/int_or_percent.hpp"

namespace podsim::model::cloneset {

/// Kruise's expectationDiffs, field for field.
struct Diffs {
  /// Pods to create (>= 0).
  int scaleUpNum = 0;
  /// How many of those should be at currentRevision, to honour the partition; may exceed
  /// scaleUpNum, which caps it.
  int scaleUpNumOldRevision = 0;
  /// Pods to delete beyond those already specified-delete (>= 0).
  int scaleDownNum = 0;
  /// How many of those should be old-revision pods; may exceed scaleDownNum.
  int scaleDownNumOldRevision = 0;
  /// Cap on creations from scaleStrategy.maxUnavailable.
  int scaleUpLimit = 0;
  /// Ready pods that may be deleted now (updateStrategy.maxUnavailable).
  int deleteReadyLimit = 0;
  /// Pods temporarily above replicas (maxSurge in use), and the old-revision part of it.
  int useSurge = 0;
  int useSurgeOldRevision = 0;
  /// Pods to update: > 0 towards updateRevision, < 0 back to currentRevision (rollback).
  int updateNum = 0;
  /// Bound on unavailable pods while updating (maxUnavailable + pods above replicas).
  int updateMaxUnavailable = 0;

  bool empty() const { return *this == Diffs{}; }
  friend bool operator==(const Diffs&, const Diffs&) = default;
};

/// "{scaleUpNum: 1, useSurge: 1}": the non-zero fields, as Kruise logs them.
std::string to_string(const Diffs& d);

/// Kruise feature gates that change the arithmetic; defaults as in v1.8 (all alpha, off).
struct FeatureGates {
  /// Raising the partition rolls surplus updated pods back to currentRevision (updateNum < 0).
  bool CloneSetPartitionRollback = false;
  /// Scale() counts PreparingUpdate pods as already updated.
  bool PreparingUpdateAsUpdate = false;
};

struct DiffOptions {
  FeatureGates gates;
  /// PreparingDelete pods do not count towards replicas: CloneSet label
  /// apps.kruise.io/cloneset-scaling-exclude-preparing-delete: "true", or the manager flag
  /// --cloneset-scaling-exclude-preparing-delete.
  bool scalingExcludePreparingDelete = false;
  /// Which pods are "updated": Scale() passes revision.IsPodUpdate (the revision, or lifecycle
  /// PreparingUpdate when PreparingUpdateAsUpdate is on); Update() the revision alone.
  bool for_scale = false;
};

/// updateStrategy and scaleStrategy limits resolved against spec.replicas.
struct ResolvedLimits {
  int partition = 0;
  int maxSurge = 0;             // % rounds up; 0 while paused
  int maxUnavailable = 0;       // % rounds up when maxSurge is 0, down otherwise
  int scaleMaxUnavailable = 0;  // % rounds up; unset = 2147483647 (no limit)
};
ResolvedLimits resolve_limits(const CloneSetSpec& spec);

/// util.CalculatePartitionReplicas: % rounds up; if replicas > 1 and a percentage other than
/// 100% resolves to replicas, it becomes replicas - 1 (so at least one pod updates); clamped to
/// [0, replicas]. "100%" is any percentage whose value is exactly 100.
int partition_replicas(const IntOrPercent& partition, int replicas);

/// calculateDiffsWithExpectation. `pods` are the CloneSet's active pods; a pod is updated when
/// its revision is `update_revision` (see DiffOptions::for_scale). Only replicas, partition,
/// maxSurge, maxUnavailable, paused and scaleStrategy.maxUnavailable are read from `spec`;
/// minReadySeconds enters through PodState::available.
Diffs calculate_diffs(const CloneSetSpec& spec, std::span<const PodState> pods,
                      RevisionId current_revision, RevisionId update_revision,
                      const DiffOptions& options = {});

}  // namespace podsim::model::cloneset
