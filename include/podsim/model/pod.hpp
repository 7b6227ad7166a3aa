#pragma once
// A pod as controllers and reports see it: who owns it, where it runs, and where it is in its
// life. The cluster keeps these up to date; everything here is read-only outside it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/ip_allocator.hpp"
#include "podsim/model/node.hpp"
#include "podsim/model/pod_template.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::model {

/// Where a pod is in its life. Kubernetes' status.phase folds scheduling and starting into
/// Pending; the finer split is what controllers and reports need.
enum class PodPhase : std::uint8_t {
  scheduling,   // waiting for the scheduler to bind it
  starting,     // bound: instance, volumes, sandbox, init containers, containers, probes
  running,      // every container started (ready or not, see Pod::ready)
  terminating,  // deletion in progress
  terminated,   // gone: resources and IP released
  stalled,      // cannot progress (see Pod::stall_reason); holds what it held until deleted
};

std::string_view to_string(PodPhase phase);

/// Who stamped the pod out; the next issue's controllers fill this in.
struct PodOwner {
  std::uint32_t workload = 0;
  std::uint32_t revision = 0;
  /// The workload's minReadySeconds: the pod is available after being Ready this long.
  std::int32_t minReadySeconds = 0;
  /// Pod name; also keys the pod's random streams, so give a pod the same name in every variant
  /// of a comparison. Empty: "pod-<id>".
  std::string name;
};

/// Pod-level notifications for controllers.
enum class PodEvent : std::uint8_t {
  bound,       // scheduled onto a node
  ready,       // Ready=True
  not_ready,   // Ready went False (in-place update started, deletion started)
  available,   // Ready for minReadySeconds
  terminated,  // termination finished, resources released
  stalled,     // cannot progress
};

struct ContainerStatus {
  ImageId image = 0;
  bool running = false;
  bool ready = false;
  std::uint32_t restartCount = 0;
  /// containerStatuses[].started: running and its startupProbe (if any) passed.
  bool started = false;
};

struct Pod {
  PodId id = 0;
  std::string name;
  PodOwner owner;
  /// The template it was stamped from, shared by the pods of one revision (a fleet holds
  /// thousands of pods of a few templates); an in-place update gives the pod its own copy, so
  /// containers[*].image follow in-place updates.
  std::shared_ptr<const PodTemplate> spec;
  PodPhase phase = PodPhase::scheduling;
  std::optional<NodeId> node;      // spec.nodeName (an elastic pool's virtual node)
  std::optional<NodeId> instance;  // elastic pools: the instance the pod runs on
  std::optional<IpAddress> ip;     // kept after termination, for reports (freed for reuse)
  bool ready = false;
  bool available = false;
  bool serving = false;  // in the service's endpoints (Ready plus propagation)
  bool deletion_requested = false;
  bool updating_in_place = false;  // from update_in_place() until Ready again
  sim::Time created_at;
  std::optional<sim::Time> ready_since;  // Ready condition lastTransitionTime (when Ready)
  std::optional<sim::Time> terminated_at;
  std::string stall_reason;
  std::vector<ContainerStatus> containers;  // app containers, spec order
  std::uint32_t in_place_updates = 0;
  /// initContainerStatuses, spec order: a run-to-completion one is running while it runs; a
  /// sidecar runs with the pod and its readiness counts toward Ready.
  std::vector<ContainerStatus> init_containers;

  bool terminating() const { return phase == PodPhase::terminating; }
  /// Where the pod's containers run: the instance for elastic pools, else the node.
  std::optional<NodeId> host() const { return instance ? instance : node; }
};

}  // namespace podsim::model
