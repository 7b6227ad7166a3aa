#pragma once
// What a CloneSet creates and deletes in one reconcile, and which pods go first when it scales
// down (domain-reference §2.9). Ports of Kruise v1.8
// pkg/controller/cloneset/sync/cloneset_scale.go (`Scale`'s decisions, `managePreparingDelete`,
// `choosePodsToDelete`) and pkg/controller/cloneset/utils/pod_sorter.go (`ActivePodsWithRanks`,
// `NewSameNodeRanker`). Pods are referred to by their index in the `pods` span.
//
//   ScalePlan plan = plan_scale(spec, pods, current_rev, update_rev);
//   create plan.create_current pods at current_rev and plan.create_update at update_rev;
//   delete every pods[i] for i in plan.delete_pods;

#include <cstddef>
#include <span>
#include <vector>

#include "podsim/model/cloneset_diffs.hpp"
#include "podsim/model/cloneset_pod.hpp"
#include "podsim/model/cloneset_spec.hpp"

namespace podsim::model::cloneset {

/// Kruise's ActivePodsWithRanks.Less (its own, not Kubernetes'): true if `a` is deleted before
/// `b`. Unassigned first; Pending < Unknown < Running; if `compare_available`, not available
/// (is_available) first; not Ready first; lower pod-deletion-cost first (always on); higher rank
/// first; Ready more recently first; more restarts first; newer first. No log2 buckets.
bool scale_down_less(const PodState& a, double rank_a, const PodState& b, double rank_b,
                     bool compare_available);

/// NewSameNodeRanker over the `group` pods (the ReplicaSet controller ranks differently: see
/// podsim::model::same_node_ranks): on each node holding n > 1 of them, the pods in
/// scale_down_less order (ranks and availability not compared) get ranks n-1, n-2, ..., 1 and
/// the last, the one to keep, 0; unscheduled pods and lone pods get 0. Returned parallel to
/// `group`.
std::vector<double> same_node_ranker(std::span<const PodState> pods,
                                     std::span<const std::size_t> group);

/// The scale-down order of the `group` pods: scale_down_less with same_node_ranker of the group
/// and availability compared. Stable (Go's sort.Sort is stable only below 13 pods).
void sort_for_scale_down(std::span<const PodState> pods, std::vector<std::size_t>& group);

/// choosePodsToDelete: `total` pods, preferring `current_rev_diff` of them from `not_updated`
/// (each group in scale-down order, unsorted when all of it goes).
std::vector<std::size_t> choose_pods_to_delete(std::span<const PodState> pods, int total,
                                               int current_rev_diff,
                                               std::span<const std::size_t> not_updated,
                                               std::span<const std::size_t> updated);

/// What Scale() does in one reconcile. It stops at the first step that changes something, so at
/// most one of the action fields is non-empty.
struct ScalePlan {
  Diffs diffs;  // calculate_diffs as Scale() computes it (for_scale)
  /// managePreparingDelete: PreparingDelete pods taken back to PreparingNormal because replicas
  /// went up again.
  std::vector<std::size_t> cancel_delete;
  /// New pods: `create_current` at the current revision (partition), the rest at the update
  /// revision. 0 and 0 when scaleStrategy.maxUnavailable allows none yet.
  int create_current = 0;
  int create_update = 0;
  /// Pods to delete now: PreparingDelete ones, then specified-delete ones, then surplus ones;
  /// ready ones only within deleteReadyLimit.
  std::vector<std::size_t> delete_pods;

  bool modified() const {
    return !cancel_delete.empty() || create_current + create_update > 0 || !delete_pods.empty();
  }
};

/// Scale()'s decisions, after its expectation checks. podsim's CloneSetSpec has no lifecycle
/// hooks, so deleted pods are deleted at once (never moved to PreparingDelete) and
/// markPodNotReady never blocks managePreparingDelete; pod-spread-constraint ranking is not
/// modelled (same-node ranks only).
ScalePlan plan_scale(const CloneSetSpec& spec, std::span<const PodState> pods,
                     RevisionId current_revision, RevisionId update_revision,
                     const DiffOptions& options = {});

}  // namespace podsim::model::cloneset
