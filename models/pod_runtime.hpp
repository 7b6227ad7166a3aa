#pragma once
// The cluster's private per-pod state: the public Pod plus what its lifecycle process needs.
// Shared by cluster.cpp and pod_lifecycle.cpp only.

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "podsim/model/cluster.hpp"
#include "podsim/sim/frame_pool.hpp"

namespace podsim::model {

// From the frame pool, like the frames of the pod's processes: a fleet creates them by the
// hundred thousand, and they live and die with those processes.
struct Cluster::PodRuntime : sim::PooledFrame {
  explicit PodRuntime(sim::Simulation& sim) : wake(sim) {}

  Pod pod;
  std::uint64_t stream_key = 0;  // the key of the pod's random streams (root/"pod"/name)
  PoolList pools;                // eligible pools the pod fits in; none: it stalls as unplaceable
  const StageProfile* profile = nullptr;  // its node's pool's, once bound
  sim::ProcessRef process;
  bool interrupt_pending = false;  // an interrupt not yet caught by the lifecycle
  std::vector<std::pair<std::size_t, ImageId>> update;  // pending in-place update
  InPlaceUpdateOptions update_options;
  boost::container::small_vector<ImageId, 3> pins;  // images pinned on the host by its containers

  struct Deferred {
    Stage stage;
    std::int32_t container;
    sim::Time start;
    sim::Time end;
  };
  // A few per pod (app start and readiness per container, the pod's endpoint): kept inline.
  boost::container::small_vector<Deferred, 4> deferred;

  // ---- The kubelet's view (pod_lifecycle.cpp) -----------------------------------------------
  static constexpr sim::Time kNever = sim::Time::max();

  /// One container, init containers first (the span index): its current instance, as the
  /// probe workers will see it, and the kubelet's backoff state for it.
  struct Run {
    bool running = false;       // the current instance runs (a started init container runs)
    bool ever_started = false;  // an instance was started before: the next one is a restart
    bool completed = false;     // a run-to-completion init container exited 0
    bool want_start = false;    // killed or never started: the next sync starts it
    bool exited = false;        // an exited instance is in the runtime's container list
    bool gate_passed = false;   // a sidecar that was started once: it no longer holds up init
    // Probe results and exits that make the pod worker sync are signalled once per instance.
    bool kill_signaled = false;
    bool exit_signaled = false;
    bool startup_signaled = false;
    sim::Time started;              // StartContainer returned
    sim::Time startup_at = kNever;  // Started=true (startup probe passed; or started)
    sim::Time ready_at = kNever;    // readiness true reaches the status
    sim::Time unready_at = kNever;  // readiness false reaches the status (a hung app)
    sim::Time kill_at = kNever;     // startup/liveness failure: the kubelet kills it
    sim::Time exit_at = kNever;     // a run-to-completion init container exits
    sim::Time finished;             // FinishedAt of the latest exited instance
    std::int32_t kill_grace = -1;   // the failing probe's terminationGracePeriodSeconds
    // CrashLoopBackOff: the kubelet's flowcontrol.Backoff entry for the container's key.
    bool crash_entry = false;
    sim::Duration crash_backoff{};
    sim::Time crash_updated;
    sim::Time crash_waiting_since = kNever;  // a start was refused by the backoff since then
    sim::Time pull_failing_since = kNever;   // its first failed pull attempt (ImagePullBackOff)
    std::uint32_t pull_attempts = 0;         // pull attempts of the current instance
    // doBackOff reads the pod status as the sync began: the latest exited instance then.
    bool snap_exited = false;
    sim::Time snap_finished;
  };
  boost::container::small_vector<Run, 1> runs;  // inline for most pods: one fewer cache miss
  /// The image pull backoff, keyed podUID_image as the kubelet keys it.
  struct PullBackoff {
    ImageId image;
    sim::Duration backoff;
    sim::Time updated;
  };
  std::vector<PullBackoff> pull_backoffs;

  sim::Time admitted;        // the kubelet got the pod: startup/liveness probe tickers start
  bool initialized = false;  // every init container done (sidecars started)
  bool gate_closed = false;  // in-place update accepted, its kills not yet done: not Ready
  // The pod's process waits here: for its binding (start_pod), then for each next sync (the pod
  // worker, which resets it after every sync).
  sim::Event wake;
  bool sync_requested = false;     // a result came that the next sync must act on
  std::uint32_t failed_syncs = 0;  // names the pod_sync_retry draws
  std::uint32_t removals = 0;      // names the endpoint_removal draws
  std::uint32_t readies = 0;       // names the endpoint_propagation draws

  // Status manager and endpoints: applied by status_timer at these times.
  sim::Time serving_on_at = kNever;   // endpoint propagation completes
  sim::Time serving_off_at = kNever;  // endpoint removal completes
  sim::Time available_at = kNever;    // Ready for minReadySeconds
  sim::Time status_at = kNever;       // when status_timer is queued for

  struct StatusTimer final : sim::Activation {
    Cluster* cluster = nullptr;
    PodRuntime* rt = nullptr;
    void fire() override { cluster->refresh_status(*rt); }
  };
  StatusTimer status_timer;
};

}  // namespace podsim::model
