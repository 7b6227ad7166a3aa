#pragma once
// Which pods a CloneSet updates in this reconcile and in what order (domain-reference §2.5 step
// 3-5 and §2.5.1). Ports of Kruise v1.8 pkg/controller/cloneset/sync/cloneset_update.go
// (`Update`'s candidate selection, `SortUpdateIndexes`, `limitUpdateIndexes`) and
// pkg/util/updatesort (priority_sort.go, scatter_sort.go).
//
// Pods are referred to by their index in the `pods` span, as Kruise does ("indexes").
//
//   UpdatePlan plan = plan_update(spec, pods, current_rev, update_rev);
//   for (std::size_t i : plan.pods) update pods[i] towards plan.target_revision;

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "podsim/model/cloneset_diffs.hpp"
#include "podsim/model/cloneset_pod.hpp"
#include "podsim/model/cloneset_spec.hpp"

namespace podsim::model::cloneset {

// --- pkg/util/updatesort/priority_sort.go --------------------------------------------------

/// prioritySort.compare without its tie value: less if pod `a` updates before `b`.
/// weightPriority (if any term): higher summed weight of matching terms first (a term with no
/// matchLabels matches every pod). Otherwise orderPriority: the pod whose first present key
/// comes earlier in the list first, a pod with none of the keys (level -1) before all others;
/// same key: higher integer suffix of the label value first.
std::weak_ordering compare_update_priority(const CloneSetPriorityStrategy& strategy,
                                           const Labels& a, const Labels& b);

/// getIntFromStringSuffix: the trailing decimal digits of `v` as a number ("o-10" -> 10); 0 if
/// there are none or they overflow int64.
std::int64_t int_from_string_suffix(std::string_view v);

/// prioritySort.Sort: stable sort by compare_update_priority. Ties go by *descending pod index*
/// (Go passes `indexes[i] > indexes[j]` as the tie value), so the order the indexes came in is
/// lost among equal-priority pods. A strategy with no terms leaves `indexes` as is.
void sort_by_priority(const CloneSetPriorityStrategy& strategy, std::span<const PodState> pods,
                      std::vector<std::size_t>& indexes);

// --- pkg/util/updatesort/scatter_sort.go ---------------------------------------------------

/// scatterSort.getScatterTerms: with one term, the strategy itself; with several, the terms
/// that match at least one of the `indexes` pods, most-matched first (stable).
std::vector<CloneSetScatterTerm> scatter_terms(std::span<const CloneSetScatterTerm> strategy,
                                               std::span<const PodState> pods,
                                               std::span<const std::size_t> indexes);

/// scatterSort.scatterPodsByRule: spreads the `indexes` pods whose label `key` equals `value`
/// evenly among the others, keeping the last matching pod for the very end. Group sizes come
/// from the densities of matching pods among all `pods` and among the `indexes` pods.
std::vector<std::size_t> scatter_by_term(const CloneSetScatterTerm& term,
                                         std::span<const PodState> pods,
                                         std::vector<std::size_t> indexes);

/// scatterSort.Sort: scatter_by_term for each of scatter_terms, in turn.
std::vector<std::size_t> scatter_sort(std::span<const CloneSetScatterTerm> strategy,
                                      std::span<const PodState> pods,
                                      std::vector<std::size_t> indexes);

// --- pkg/controller/cloneset/sync/cloneset_update.go ---------------------------------------

/// SortUpdateIndexes: ActivePods order (unhealthy pods first; ties keep their input order where
/// Go's unstable sort leaves them unspecified), then priorityStrategy, then scatterStrategy,
/// then PreparingUpdate pods first (stable).
std::vector<std::size_t> sort_update_indexes(const CloneSetSpec& spec,
                                             std::span<const PodState> pods,
                                             std::vector<std::size_t> indexes);

/// limitUpdateIndexes: keep at most |updateNum| of `indexes`, then walk them and stop when the
/// unavailable pods at `target_revision` plus those already selected reach updateMaxUnavailable,
/// or when an available pod would push the unavailable pods of all revisions past it (updating
/// an already unavailable pod costs nothing).
std::vector<std::size_t> limit_update_indexes(const Diffs& diffs, std::span<const PodState> pods,
                                              std::vector<std::size_t> indexes,
                                              RevisionId target_revision);

/// Update()'s step 3: pods not yet at the target revision (`update_num` > 0: not at
/// `update_revision`; < 0: at it, to roll back). Skipped: PreparingDelete pods, and pods in an
/// in-place grace period unless in lifecycle Updated. In pod order.
std::vector<std::size_t> update_candidates(std::span<const PodState> pods, int update_num,
                                           RevisionId update_revision);

struct UpdatePlan {
  Diffs diffs;  // calculate_diffs as Update() computes it
  /// update_revision, or current_revision when rolling back (diffs.updateNum < 0).
  RevisionId target_revision = 0;
  /// Pods to update now, in order: in place where possible, else by specified-delete.
  std::vector<std::size_t> pods;
};

/// Update() after its Refresh step: no pods while paused or when updateNum is 0; else the
/// candidates, sorted and limited. The diffs use Update()'s rule for updated pods
/// (options.for_scale is ignored). IsPodUpdatePaused is always false for CloneSet and the
/// PodUnavailableBudget check is off by default, so neither filters here.
UpdatePlan plan_update(const CloneSetSpec& spec, std::span<const PodState> pods,
                       RevisionId current_revision, RevisionId update_revision,
                       const DiffOptions& options = {});

}  // namespace podsim::model::cloneset
