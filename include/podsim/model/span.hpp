#pragma once
// A stage of a pod's life as the recorder keeps it: which pod, where, which container, what, and
// when. Reports compute each stage's share of pod creation time and each pod's critical path
// from these.

#include <cstdint>
#include <string_view>

#include "podsim/model/node.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::model {

/// Stage names as reports print them (to_string). The first eight are the ones the platform
/// team's stage breakdown always shows.
enum class Stage : std::uint8_t {
  scheduling,            // queued in the scheduler until bound
  sandbox,               // RunPodSandbox: network namespace, CNI, IP allocation
  init_containers,       // one span per init container run (pull excluded)
  image_pull,            // download and unpack, per container
  container_start,       // CreateContainer + StartContainer + postStart
  app_start,             // process start until the application serves
  readiness,             // application serving until the readiness probe says so
  termination,           // preStop + SIGTERM until the container is gone
  instance_boot,         // elastic instance start before the sandbox (serverless pools)
  volume_setup,          // volume mounts before the sandbox
  min_ready,             // Ready until available (minReadySeconds)
  endpoint_propagation,  // Ready until the endpoint serves traffic
  in_place_grace,        // CloneSet in-place grace period (not ready, not yet restarted)
  endpoint_removal,      // Ready lost (deletion, update) until the endpoint stops serving
  image_pull_backoff,    // first failed pull attempt until the attempt that succeeds
  crash_loop_backoff,    // a container's exit until its restart, when CrashLoopBackOff delays it
};

inline constexpr std::size_t kStageCount = 16;
static_assert(static_cast<std::size_t>(Stage::crash_loop_backoff) + 1 == kStageCount);

constexpr std::string_view to_string(Stage s) {
  constexpr std::string_view names[kStageCount] = {
      "scheduling",      "sandbox",          "init_containers",    "image_pull",
      "container_start", "app_start",        "readiness",          "termination",
      "instance_boot",   "volume_setup",     "min_ready",          "endpoint_propagation",
      "in_place_grace",  "endpoint_removal", "image_pull_backoff", "crash_loop_backoff"};
  return names[static_cast<std::size_t>(s)];
}

struct Span {
  static constexpr std::int32_t kPodLevel = -1;
  PodId pod = 0;
  NodeId node = 0;
  /// Index into the pod's containers, init containers first; kPodLevel for pod-wide stages.
  std::int32_t container = kPodLevel;
  Stage stage = Stage::scheduling;
  sim::Time start;
  sim::Time end;
};

}  // namespace podsim::model
