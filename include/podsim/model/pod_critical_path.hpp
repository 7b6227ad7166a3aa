#pragma once
// Which stages decided how long a pod took to come up, and how long each in-place update of it
// took: the cluster's recorded spans read against the pod's stage graphs.
//
//   CriticalPathSummary fleet = creation_critical_paths(cluster);
//   fleet.fraction_on_path(Stage::image_pull);   // share of pods whose pull was critical
//   for (const CriticalPath& update : in_place_critical_paths(cluster, pod)) ...
//
// A pod's life is cut into episodes: its creation, then each in-place update. An episode's spans
// are those that start from its beginning until the next episode or the pod's deletion, and no
// later than the pod's first Ready in the episode: a container that crashes after Ready, and
// its restart, belong to no episode's path.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "podsim/model/cluster.hpp"
#include "podsim/model/critical_path.hpp"
#include "podsim/model/stage_graph.hpp"

namespace podsim::model {

/// The stage structure the cluster runs for this template on this kind of pool.
PodShape pod_shape(const PodTemplate& spec, NodePoolKind pool_kind);

/// The stage structure of an in-place update of this template that changes these containers
/// (numbered as Span::container).
InPlaceUpdateShape in_place_shape(const PodTemplate& spec, std::span<const std::int32_t> changed);

/// What the recorder holds of one pod: its spans (in the order recorded) and the containers its
/// in-place updates changed (in the order the updates began).
struct PodRecord {
  std::vector<Span> spans;
  std::vector<InPlaceChange> changes;
};
/// Every pod's record, indexed by pod id, in one pass over the recorder; pods `keep` rejects get
/// an empty one (no `keep`: every pod).
std::vector<PodRecord> records_by_pod(const Cluster& cluster,
                                      const std::function<bool(PodId)>& keep = {});

/// The critical path of the pod's creation: from its first stage to its first Ready, before its
/// first in-place update or deletion. Empty for a pod that never got past scheduling.
CriticalPath creation_critical_path(const Cluster& cluster, PodId pod);
/// The same from the pod's record, for callers that grouped the recorder's by pod once.
CriticalPath creation_critical_path(const Cluster& cluster, PodId pod, PodRecord record);

/// The critical path of each in-place update of the pod that began at or after `since`, in the
/// order they began: from the update's start (its grace period, or the kill of the first changed
/// container) to the pod's next Ready. An update cut short by the next one or by the deletion
/// has the path of what it recorded.
std::vector<CriticalPath> in_place_critical_paths(const Cluster& cluster, PodId pod,
                                                  sim::Time since = sim::Time::zero());
/// The same from the pod's record, for callers that grouped the recorder's by pod once.
std::vector<CriticalPath> in_place_critical_paths(const Cluster& cluster, PodId pod,
                                                  PodRecord record, sim::Time since);

/// Creation critical paths of every pod, summarized.
CriticalPathSummary creation_critical_paths(const Cluster& cluster);

/// Critical paths of every in-place update of every pod, summarized (one add() per update).
CriticalPathSummary in_place_update_critical_paths(const Cluster& cluster);

}  // namespace podsim::model
