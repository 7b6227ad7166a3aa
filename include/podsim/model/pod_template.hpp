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

/// Probe timing fields with their API defaults (domain-reference §3.5 [K-CTYPES]); the same
/// fields serve readinessProbe, startupProbe and livenessProbe (see Probe).
struct ReadinessProbe {
  std::int32_t initialDelaySeconds = 0;
  std::int32_t periodSeconds = 10;
  std::int32_t timeoutSeconds = 1;
  std::int32_t successThreshold = 1;  // the API requires 1 for startup and liveness probes
  std::int32_t failureThreshold = 3;
  /// Probe-level terminationGracePeriodSeconds (startup and liveness probes only): the grace
  /// of a kill this probe's failure causes; unset = the pod's (domain-reference §1.6).
  std::optional<std::int32_t> terminationGracePeriodSeconds;
};
/// Any probe: the timing fields are the same for every kind.
using Probe = ReadinessProbe;

struct InitContainerSpec {
  std::string name;
  ImageId image = 0;
  Resources requests;
  ImagePullPolicy imagePullPolicy = ImagePullPolicy::IfNotPresent;
  /// Seconds from start to exit 0; null = the profile's init_container_run.
  sim::DistributionPtr run_time;
  /// restartPolicy: Always makes a native sidecar: the next init container waits until it is
  /// started (not until it exits), it runs with the pod, its readiness counts toward Ready, and
  /// on deletion it gets SIGTERM after the app containers are gone.
  bool sidecar = false;
  /// env as name -> value (valueFrom as its canonical text): only compared, to tell what a
  /// release changed.
  std::map<std::string, std::string> env;
  /// Fields podsim does not model (command, args, ports, volumeMounts, resources.limits, ...),
  /// field name -> canonical text; only compared, to tell what a release changed.
  std::map<std::string, std::string> other_fields;

  // ---- Sidecars only (restartPolicy Always); ignored for run-to-completion init containers ----
  /// The next init container starts once this one is started: running and, if set, its
  /// startupProbe passed (kubelet computeInitContainerActions).
  std::optional<Probe> startupProbe;
  /// Counts toward pod Ready like an app container's (none: ready once started).
  std::optional<Probe> readinessProbe;
  std::optional<Probe> livenessProbe;
  /// As ContainerSpec's: null = the profile's app_start / shutdown, no preStop, never hangs or
  /// crashes.
  sim::DistributionPtr app_start;
  sim::DistributionPtr preStop;
  sim::DistributionPtr shutdown;
  sim::DistributionPtr hang_after;
  sim::DistributionPtr crash_after;
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
  /// As InitContainerSpec::env and other_fields: compared only.
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> other_fields;
  /// Readiness and liveness probing start once it passes (kubelet prober worker); failureThreshold
  /// failures before that kill and restart the container.
  std::optional<Probe> startupProbe;
  /// failureThreshold consecutive failures kill and restart the container (restartPolicy Always,
  /// CrashLoopBackOff). Probes succeed while the app serves: after app_start, before hang_after.
  std::optional<Probe> livenessProbe;
  /// podsim extension, the app's failure model: seconds from the app serving until it hangs
  /// (stops answering probes, as a deadlock does), drawn again for each container instance;
  /// null = never. Readiness then fails after failureThreshold ticks and liveness kills it.
  sim::DistributionPtr hang_after;
  /// podsim extension: seconds from the app serving until its process exits with an error,
  /// drawn for each instance; null = never. The kubelet restarts it (CrashLoopBackOff).
  sim::DistributionPtr crash_after;
};

struct PodTemplate {
  std::vector<InitContainerSpec> initContainers;
  std::vector<ContainerSpec> containers;
  std::int32_t terminationGracePeriodSeconds = 30;
  /// Pools are chosen by label: a pool is eligible if its labels contain every entry.
  std::map<std::string, std::string> nodeSelector;
  std::int32_t priority = 0;
  std::uint32_t spread_group = 0;  // pods of one workload, for topology spreading; 0 = none
  /// metadata.labels and metadata.annotations of the pod template (CloneSet can change these in
  /// place; priorityStrategy and scatterStrategy match on labels).
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  /// Pod-level fields podsim does not model (volumes, affinity, tolerations, ...), field name ->
  /// canonical text; only compared, to tell what a release changed.
  std::map<std::string, std::string> other_fields;

  /// The pod's scheduling request as Kubernetes computes it (KEP-753 with native sidecars):
  /// per resource, max(the largest init container plus the sidecars started before it,
  /// the sum of app containers plus all sidecars).
  Resources effective_requests() const;
  /// Image of every container, init containers first (what ImageLocality scores).
  std::vector<ImageId> images() const;
  /// images() into `out`, reusing its storage.
  void images(std::vector<ImageId>& out) const;
  /// Index of the app container with this name; throws std::out_of_range naming it.
  std::size_t container_index(const std::string& name) const;
};

}  // namespace podsim::model
