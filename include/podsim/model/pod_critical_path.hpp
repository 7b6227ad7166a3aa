#pragma once
// Which stages decided how long a pod took to come up: the cluster's recorded spans read against
// the pod's stage graph.
//
//   CriticalPathSummary fleet = creation_critical_paths(cluster);
//   fleet.fraction_on_path(Stage::image_pull);   // share of pods whose pull was critical

#include "podsim/model/cluster.hpp"
#include "podsim/model/critical_path.hpp"
#include "podsim/model/stage_graph.hpp"

namespace podsim::model {

/// The stage structure the cluster runs for this template on this kind of pool.
PodShape pod_shape(const PodTemplate& spec, NodePoolKind pool_kind);

/// The critical path of the pod's creation: its spans before its first in-place update or
/// deletion. Empty for a pod that never got past scheduling.
CriticalPath creation_critical_path(const Cluster& cluster, PodId pod);

/// Creation critical paths of every pod, summarized.
CriticalPathSummary creation_critical_paths(const Cluster& cluster);

}  // namespace podsim::model
