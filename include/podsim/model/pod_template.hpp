#pragma once
// What a pod is made of, as a workload controller stamps it out: the parts of spec.initContainers,
// spec.containers and the pod-level fields that change how long its life takes. Durations that
// belong to the application (init container run time, app start, shutdown after SIGTERM, preStop)
// are distributions here; a null pointer means "use the node pool's StageProfile".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/model/resources.hpp"
#include "podsim/sim/distribution.hpp"

namespace podsim::model {

/// Container imagePullPolicy as users type it. Never: use the image if present, else the pod
/// stalls (ErrImageNeverPull).
enum class ImagePullPolicy { IfNotPresent, Always, Never };

/// readinessProbe timing fields with their API defaults (domain-reference §3.5 [K-CTYPES]).
struct ReadinessProbe {
  std::int32_t initialDelaySeconds = 0;
  std::int32_t periodSeconds = 10;
  std::int32_t timeoutSeconds = 1;
  std::int32_t successThreshold = 1;
  std::int32_t failureThreshold = 3;  // kept for completeness: a starting app never fails here
};

struct InitContainerSpec {
  std::string name;
  ImageId image = 0;
  Resources requests;
  ImagePullPolicy imagePullPolicy = ImagePullPolicy::IfNotPresent;
  /// Seconds from start to exit 0; null = the profile's init_container_run.
  sim::DistributionPtr run_time;
  /// restartPolicy: Always makes a native sidecar: started, not waited for, runs with the pod.
  bool sidecar = false;
};

struct ContainerSpec {
  std::string name;
  ImageId image = 0;
  Resources requests;
  ImagePullPolicy imagePullPolicy = ImagePullPolicy::IfNotPresent;
  std::optional<ReadinessProbe> readinessProbe;  // none: ready as soon as started
  /// Seconds the preStop hook runs; null = no preStop hook.
  sim::DistributionPtr preStop;
  /// Seconds from StartContainer until the app serves; null = the profile's app_start.
  sim::DistributionPtr app_start;
  /// Seconds the app needs to exit after SIGTERM; null = the profile's shutdown.
  sim::DistributionPtr shutdown;
};

struct PodTemplate {
  std::vector<InitContainerSpec> initContainers;
  std::vector<ContainerSpec> containers;
  std::int32_t terminationGracePeriodSeconds = 30;
  /// Pools are chosen by label: a pool is eligible if its labels contain every entry.
  std::map<std::string, std::string> nodeSelector;
  std::int32_t priority = 0;
  std::uint32_t spread_group = 0;  // pods of one workload, for topology spreading; 0 = none

  /// The pod's scheduling request as Kubernetes computes it (KEP-753 with native sidecars):
  /// per resource, max(the largest init container plus the sidecars started before it,
  /// the sum of app containers plus all sidecars).
  Resources effective_requests() const;
  /// Image of every container, init containers first (what ImageLocality scores).
  std::vector<ImageId> images() const;
  /// Index of the app container with this name; throws std::out_of_range naming it.
  std::size_t container_index(const std::string& name) const;
};

}  // namespace podsim::model
