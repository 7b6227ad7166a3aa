#pragma once
// The order in which Kubernetes' workload controllers pick pods (domain-reference §1.4 [K-CUTIL]):
// the ReplicaSet controller deletes the first pods of this order when it scales down, and the
// CloneSet controller updates the first ones first (§2.5.1). Ports of
// kubernetes/kubernetes pkg/controller/controller_utils.go `ActivePods.Less` and
// `ActivePodsWithRanks.Less` (Kubernetes 1.30, the version Kruise v1.8 vendors).
//
//   std::vector<PodOrderKey> keys = ...;
//   std::stable_sort(keys.begin(), keys.end(), active_pods_less);  // delete / update front first

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "podsim/model/node.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::model {

/// status.phase as the ordering ranks it: Pending < Unknown < Running. Go looks the phase up in a
/// map whose missing entries read 0, so every other phase (Succeeded, Failed, "") sorts as
/// Pending; give those as Pending.
enum class PodOrderPhase : std::uint8_t { Pending = 0, Unknown = 1, Running = 2 };

/// What the comparators read of one pod.
struct PodOrderKey {
  /// spec.nodeName; nullopt = not scheduled yet. Only "assigned or not" is compared; the node
  /// itself matters to the same-node ranks.
  std::optional<NodeId> node;
  PodOrderPhase phase = PodOrderPhase::Pending;
  bool ready = false;  // condition Ready=True
  /// Ready's lastTransitionTime while ready; nullopt = unset (Go's zero time), which sorts as
  /// "ready for the shortest time".
  std::optional<sim::Time> ready_since;
  std::int32_t max_restarts = 0;  // max restartCount over status.containerStatuses
  /// metadata.creationTimestamp; nullopt = unset (Go's zero time), which sorts as newest.
  std::optional<sim::Time> created;
  /// Annotation controller.kubernetes.io/pod-deletion-cost (0 when absent or invalid).
  std::int32_t deletion_cost = 0;
  /// Breaks ties inside one LogarithmicScaleDown bucket (Go compares metadata.uid strings,
  /// random UUIDs; podsim uses a number such as the PodId, so ties break deterministically).
  std::uint64_t uid = 0;
};

/// controller.ActivePods.Less: true if `a` comes before `b`, first difference wins:
/// unassigned < assigned; Pending < Unknown < Running; not ready < ready; ready more recently
/// (or with no lastTransitionTime) < ready longer; more restarts < fewer; created more recently
/// (or with no creationTimestamp) < older. Equal pods compare false both ways.
bool active_pods_less(const PodOrderKey& a, const PodOrderKey& b);

/// Feature gates and clock of controller.ActivePodsWithRanks.
struct RankedPodOrderOptions {
  /// Compare pod-deletion-cost after readiness (feature PodDeletionCost, on by default).
  bool PodDeletionCost = true;
  /// Compare ready and creation times in log2 buckets of their age, so pods of similar age tie
  /// and the UID decides (feature LogarithmicScaleDown, on by default).
  bool LogarithmicScaleDown = true;
  /// ActivePodsWithRanks.Now; unset (Go's zero time) compares times exactly, as without buckets.
  std::optional<sim::Time> now;
};

/// controller.ActivePodsWithRanks.Less: active_pods_less with two more criteria after readiness:
/// lower deletion cost first, then higher rank first (`rank` = related active pods on the same
/// node, see same_node_ranks), and LogarithmicScaleDown buckets for the time comparisons.
bool active_pods_with_ranks_less(const PodOrderKey& a, int rank_a, const PodOrderKey& b, int rank_b,
                                 const RankedPodOrderOptions& options = {});

/// The ReplicaSet controller's ranks (getPodsRankedByRelatedPodsOnSameNode): for each pod of
/// `pods`, how many pods of `related` share its spec.nodeName. Unscheduled pods share the empty
/// node name, so they count each other. `related` must hold active pods only (not terminating,
/// not Succeeded/Failed) and is usually a superset of `pods`.
std::vector<int> same_node_ranks(std::span<const PodOrderKey> pods,
                                 std::span<const PodOrderKey> related);

/// logarithmicRankDiff: floor(log2(age of t1)) - floor(log2(age of t2)), ages in nanoseconds
/// up to `now`; an age <= 0 has bucket -1.
std::int64_t logarithmic_rank_diff(sim::Time t1, sim::Time t2, sim::Time now);

}  // namespace podsim::model
