#pragma once
// One active pod as the CloneSet controller's decision functions see it (cloneset_diffs,
// cloneset_update_order, cloneset_scale_order): its revision, lifecycle state, readiness and
// the ActivePods ordering key. Terminating pods are not active and are never passed in
// (domain-reference §2.5 [KR-CU]).

#include <cstdint>
#include <map>
#include <string>

#include "podsim/model/controller_pod_order.hpp"

namespace podsim::model::cloneset {

using Labels = std::map<std::string, std::string>;
/// A ControllerRevision of the CloneSet (the pod label controller-revision-hash), as a number.
using RevisionId = std::uint32_t;

/// Label lifecycle.apps.kruise.io/state (domain-reference §2.7); None = the label is absent.
enum class LifecycleState : std::uint8_t {
  None,
  PreparingNormal,
  Normal,
  PreparingUpdate,
  Updating,
  Updated,
  PreparingDelete,
};

struct PodState {
  RevisionId revision = 0;
  LifecycleState lifecycle = LifecycleState::Normal;
  /// Node, phase, Ready, restarts and times: the ActivePods ordering (controller_pod_order.hpp).
  PodOrderKey order;
  /// Kubernetes' IsPodAvailable: Ready for at least the CloneSet's minReadySeconds (equal to
  /// order.ready when minReadySeconds is 0). The lifecycle, phase and InPlaceUpdateReady checks
  /// are applied on top by is_available().
  bool available = false;
  /// Condition InPlaceUpdateReady absent or True; False while an in-place update runs (§2.6).
  bool in_place_update_ready = true;
  /// Label apps.kruise.io/specified-delete, or the pod is listed in scaleStrategy.podsToDelete.
  bool specified_delete = false;
  /// Annotation apps.kruise.io/inplace-update-grace present: an in-place update waits out
  /// gracePeriodSeconds before patching the spec; Update() skips such pods.
  bool in_place_grace = false;
  /// metadata.labels, matched by priorityStrategy and scatterStrategy; null = none. Not owned:
  /// must outlive the call it is passed to.
  const Labels* labels = nullptr;
};

/// Kruise sync.IsPodAvailable: lifecycle None or Normal, phase Running, available (Ready for
/// minReadySeconds) and InPlaceUpdateReady not False.
inline bool is_available(const PodState& p) {
  return (p.lifecycle == LifecycleState::None || p.lifecycle == LifecycleState::Normal) &&
         p.order.phase == PodOrderPhase::Running && p.available && p.in_place_update_ready;
}

/// Kruise sync.isPodReady: is_available with minReadySeconds 0, i.e. Ready instead of available.
/// Scale() deletes ready pods only within deleteReadyLimit.
inline bool is_ready(const PodState& p) {
  return (p.lifecycle == LifecycleState::None || p.lifecycle == LifecycleState::Normal) &&
         p.order.phase == PodOrderPhase::Running && p.order.ready && p.in_place_update_ready;
}

}  // namespace podsim::model::cloneset
