// The kubelet's side of a pod: from scheduling to Ready and available, probes, restarts,
// in-place container restarts, and termination. Facts: domain-reference §1.6, §3.1-3.3, §3.5.
//
// Two parts per pod, as in the kubelet:
// - The pod worker (a process): SyncPod, one at a time. A sync kills containers whose startup or
//   liveness probe failed, starts the next init container, restarts exited sidecars, and starts
//   app containers in spec order (pull, create, start). A sync that fails (a pull in backoff or
//   failing, a start refused by CrashLoopBackOff) is retried after pod_sync_retry; probe results
//   that call for action (a kill, a sidecar started, a container exited) sync at once.
// - The status manager (a timer): applies probe results to container readiness at the times
//   they reach the status, and derives pod Ready, endpoints and availability from them.
// Probe results are computed when a container starts, from its app's start, hang and crash
// times (hang_after and crash_after, podsim's app failure model).
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <string>

#include "pod_runtime.hpp"
#include "podsim/model/cluster.hpp"
#include "podsim/sim/event.hpp"
#include "podsim/sim/wait.hpp"

namespace podsim::model {

namespace {
constexpr std::int32_t kPod = Span::kPodLevel;
constexpr sim::Time kNever = sim::Time::max();
constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr sim::Duration kSecond = sim::milliseconds(1000);
// The kubelet floors the grace left after preStop at minimumGracePeriodInSeconds (§1.6).
constexpr sim::Duration kMinimumGracePeriod = sim::milliseconds(2000);
// kubelet.go: containerBackOffPeriod = imageBackOffPeriod = 10 s, MaxContainerBackOff =
// MaxImageBackOff = 300 s; flowcontrol.Backoff.Next doubles up to the max (no jitter: the
// kubelet builds both with NewBackOff).
constexpr sim::Duration kBackOffInitial = sim::milliseconds(10'000);
constexpr sim::Duration kBackOffMax = sim::milliseconds(300'000);
// An entry not updated for this long starts over at the initial backoff (flowcontrol hasExpired:
// 2 x max; the kubelet sets the container backoff's HasExpiredFunc to 600 s explicitly).
constexpr sim::Duration kBackOffExpiry = sim::milliseconds(600'000);

// What the lifecycle needs of a container, init containers first. Probes of run-to-completion
// init containers do not exist in the API.
// Two pointers, one of them null: start_one holds a view across its waits, in a frame a fleet
// has one of for every pod waiting for its pull.
class ContainerView {
 public:
  ContainerView(const PodTemplate& t, std::size_t k)
      : init_(k < t.initContainers.size() ? &t.initContainers[k] : nullptr),
        app_(init_ == nullptr ? &t.containers[k - t.initContainers.size()] : nullptr) {}

  ImageId image() const { return get(&InitContainerSpec::image, &ContainerSpec::image); }
  ImagePullPolicy policy() const {
    return get(&InitContainerSpec::imagePullPolicy, &ContainerSpec::imagePullPolicy);
  }
  const std::optional<Probe>& startup() const {
    return get(&InitContainerSpec::startupProbe, &ContainerSpec::startupProbe);
  }
  const std::optional<Probe>& readiness() const {
    return get(&InitContainerSpec::readinessProbe, &ContainerSpec::readinessProbe);
  }
  const std::optional<Probe>& liveness() const {
    return get(&InitContainerSpec::livenessProbe, &ContainerSpec::livenessProbe);
  }
  const sim::DistributionPtr& app_start() const {
    return get(&InitContainerSpec::app_start, &ContainerSpec::app_start);
  }
  const sim::DistributionPtr& pre_stop() const {
    return get(&InitContainerSpec::preStop, &ContainerSpec::preStop);
  }
  const sim::DistributionPtr& shutdown() const {
    return get(&InitContainerSpec::shutdown, &ContainerSpec::shutdown);
  }
  const sim::DistributionPtr& hang_after() const {
    return get(&InitContainerSpec::hang_after, &ContainerSpec::hang_after);
  }
  const sim::DistributionPtr& crash_after() const {
    return get(&InitContainerSpec::crash_after, &ContainerSpec::crash_after);
  }
  /// Run-to-completion init containers only.
  const sim::DistributionPtr& run_time() const { return init_->run_time; }
  bool run_to_completion() const { return init_ != nullptr && !init_->sidecar; }

 private:
  template <class T>
  const T& get(T InitContainerSpec::*init_field, T ContainerSpec::*app_field) const {
    return init_ != nullptr ? init_->*init_field : app_->*app_field;
  }
  const InitContainerSpec* init_;
  const ContainerSpec* app_;
};

ContainerStatus& status_of(Pod& pod, std::size_t k) {
  const std::size_t n_init = pod.init_containers.size();
  return k < n_init ? pod.init_containers[k] : pod.containers[k - n_init];
}

bool is_run_to_completion(const PodTemplate& t, std::size_t k) {
  return k < t.initContainers.size() && !t.initContainers[k].sidecar;
}

sim::Duration period_of(const Probe& p) {
  return sim::seconds(std::max(p.periodSeconds, 1));
}
sim::Duration timeout_of(const Probe& p) {
  return sim::seconds(std::max(p.timeoutSeconds, 1));
}
sim::Duration delay_of(const Probe& p) {
  return sim::seconds(std::max(p.initialDelaySeconds, 0));
}

// The first tick anchor + k * period (k >= 0) at or after t.
sim::Time first_tick(sim::Time anchor, sim::Duration period, sim::Time t) {
  if (t <= anchor) return anchor;
  if (t == kNever) return kNever;
  const std::int64_t k = ((t - anchor).ns() + period.ns() - 1) / period.ns();
  return anchor + period * k;
}

// The tick at which a probe ticking from `first` every `period` has seen `threshold`
// consecutive failures, the app answering on [serving, hung); kNever if that never happens.
sim::Time failure_tick(sim::Time first, sim::Duration period, std::int32_t threshold,
                       sim::Time serving, sim::Time hung) {
  const std::int64_t f = std::max(threshold, 1);
  const sim::Time first_ok = first_tick(first, period, serving);
  const sim::Time streak_from_first = first + period * (f - 1);
  if (first_ok == kNever || first_ok > streak_from_first) return streak_from_first;
  if (hung == kNever) return kNever;
  const sim::Time first_hung = first_tick(first, period, hung);
  // No tick in between was answered: the failures before serving go on counting.
  if (first_hung <= first_ok) return streak_from_first;
  return first_hung + period * (f - 1);
}

// Records the deferred spans of one container (or the pod level), cut at now.
template <class Runtime, class Record>
void clip_deferred(Runtime& rt, std::int32_t container, sim::Time now, Record record) {
  const auto kept = std::remove_if(rt.deferred.begin(), rt.deferred.end(), [&](const auto& d) {
    if (d.container != container) return false;
    if (d.start < now || d.end <= now) record(d.stage, d.start, std::min(d.end, now));
    return true;
  });
  rt.deferred.erase(kept, rt.deferred.end());
}

// flowcontrol.Backoff, for the kubelet's two uses.
template <class Run>
bool crash_in_backoff(const Run& r, sim::Time finished, sim::Time now) {
  // IsInBackOffSince(key, FinishedAt of the latest exited instance).
  if (!r.crash_entry || finished - r.crash_updated > kBackOffExpiry) return false;
  return now - finished < r.crash_backoff;
}
template <class Run>
void crash_next(Run& r, sim::Time finished, sim::Time now) {
  if (!r.crash_entry || finished - r.crash_updated > kBackOffExpiry) {
    r.crash_backoff = kBackOffInitial;
  } else {
    r.crash_backoff = std::min(r.crash_backoff + r.crash_backoff, kBackOffMax);
  }
  r.crash_entry = true;
  r.crash_updated = now;  // Next stamps Clock.Now(), not the event time
}

}  // namespace

// ---- Randomness and recording -------------------------------------------------------------

sim::RandomStream Cluster::stream(const PodRuntime& rt, sim::StreamLabel stage,
                                  std::int32_t container, std::uint32_t attempt) const {
  // Keyed by pod name, stage, container and attempt (restart count), never by event order: two
  // variants of a comparison draw the same numbers for the same pod and stage.
  return sim::RandomStream::derive(rt.stream_key, {stage, container, attempt});
}

sim::Duration Cluster::sample(const PodRuntime& rt, const sim::DistributionPtr& d,
                              sim::StreamLabel stage, std::int32_t container, std::uint32_t attempt,
                              std::uint32_t draw) const {
  // stream(rt, stage, container, attempt).child(draw), seeded once.
  sim::RandomStream s = sim::RandomStream::derive(rt.stream_key, {stage, container, attempt, draw});
  return sim::seconds(d->sample(s));
}

const StageProfile& Cluster::profile(const PodRuntime& rt) const {
  assert(rt.profile != nullptr && "only a bound pod has stage durations");
  return *rt.profile;
}

void Cluster::record(const PodRuntime& rt, Stage stage, std::int32_t container, sim::Time start,
                     sim::Time end) {
  recorder_.add(Span{rt.pod.id, rt.pod.host().value_or(0), container, stage, start, end});
}

void Cluster::defer(PodRuntime& rt, Stage stage, std::int32_t container, sim::Time start,
                    sim::Time end) {
  if (end <= sim_.now()) {
    record(rt, stage, container, start, end);
  } else {
    rt.deferred.push_back({stage, container, start, end});
  }
}

void Cluster::flush_deferred(PodRuntime& rt, bool clip) {
  const sim::Time now = sim_.now();
  auto& deferred = rt.deferred;
  const auto kept = std::remove_if(deferred.begin(), deferred.end(), [&](const auto& d) {
    if (d.end <= now) {
      record(rt, d.stage, d.container, d.start, d.end);
      return true;
    }
    if (!clip) return false;
    if (d.start < now) record(rt, d.stage, d.container, d.start, now);  // cut short
    return true;
  });
  deferred.erase(kept, deferred.end());
}

// ---- The process ----------------------------------------------------------------------------

sim::Process Cluster::lifecycle(PodRuntime& rt) {
  try {
    auto start = start_pod(rt);
    co_await std::move(start);
  } catch (const sim::Interrupted&) {
    rt.interrupt_pending = false;
  }
  // Bound (or stalled): the pod worker runs until deletion; in-place updates arrive as
  // interrupts, as does the deletion.
  while (!rt.pod.deletion_requested) {
    try {
      if (!rt.update.empty()) {
        auto update = update_containers(rt);
        co_await std::move(update);
      } else if (rt.pod.phase == PodPhase::stalled || !rt.pod.node) {
        auto wait = wait_for_deletion();
        co_await std::move(wait);
      } else {
        auto worker = pod_worker(rt);
        co_await std::move(worker);
      }
    } catch (const sim::Interrupted&) {
      rt.interrupt_pending = false;
    }
  }
  flush_deferred(rt, true);
  if (rt.interrupt_pending) {
    // The deletion's interrupt has not been delivered (the pod was not waiting): take it here
    // so that it does not cut the termination short.
    auto take = take_interrupt();
    co_await std::move(take);
    rt.interrupt_pending = false;
  }
  rt.wake.reset();  // a pending pod_sync_retry
  auto end = terminate(rt);
  co_await std::move(end);
}

// The lifecycle's rare waits, as coroutines of their own: the lifecycle frame, which every pod
// holds for its whole life, then carries no awaiter for them.
sim::Task<void> Cluster::wait_for_deletion() {
  co_await never_;  // until the deletion's interrupt
}

sim::Task<void> Cluster::take_interrupt() {
  try {
    co_await sim_.timeout(sim::Duration{});
  } catch (const sim::Interrupted&) {
  }
}

// Scheduling, the instance of an elastic pool, volumes and the sandbox.
sim::Task<void> Cluster::start_pod(PodRuntime& rt) {
  Pod& pod = rt.pod;
  if (rt.pools.empty()) {  // no pool can ever hold it
    const PoolList matching = eligible_pools(*pod.spec);
    stall(rt, unplaceable_reason(*pod.spec, {matching.data(), matching.size()}));
    co_return;
  }

  // Scheduling: queued in kube-scheduler until the binding completes.
  const sim::Time submitted = sim_.now();
  SchedulingRequest& request = submission_;
  request.pod = pod.id;
  request.requests = pod.spec->effective_requests();
  request.eligible_pools.assign(rt.pools.begin(), rt.pools.end());
  pod.spec->images(request.images);
  request.priority = pod.spec->priority;
  request.spread_group = pod.spec->spread_group;
  scheduler_.submit(request);
  arm_autoscaler();
  co_await rt.wake;  // the binding
  pod.phase = PodPhase::starting;
  record(rt, Stage::scheduling, kPod, submitted, sim_.now());
  notify(rt, PodEvent::bound);

  const PoolId pool = nodes_[*pod.node].pool;
  const StageProfile& prof = profile(rt);
  if (config_.pools[pool].kind == NodePoolKind::elastic) {
    // A fresh instance: an empty image cache unless its snapshot bakes images in.
    const sim::Time t = sim_.now();
    const NodeId instance = take_instance(pool);
    pod.instance = instance;
    for (ImageId image : config_.pools[pool].image_cache_snapshot) {
      puller_.preload_image(instance, image);
    }
    co_await sim_.timeout(sample(rt, prof.get("instance_boot"), "instance_boot", kPod));
    ++recorder_.counters().instances_booted;
    record(rt, Stage::instance_boot, kPod, t, sim_.now());
  }
  const NodeId host = *pod.host();
  // HandlePodAdditions: the probe workers start here; startup and liveness probes tick from now.
  rt.admitted = sim_.now();

  {
    const sim::Time t = sim_.now();
    co_await sim_.timeout(sample(rt, prof.get("volume_setup"), "volume_setup", kPod));
    record(rt, Stage::volume_setup, kPod, t, sim_.now());
  }
  {
    // RunPodSandbox: CNI ADD hands out the pod's IP.
    const sim::Time t = sim_.now();
    const std::optional<IpAddress> ip = ips_[host].allocate();
    if (!ip) {
      stall(rt, "failed to create pod sandbox: no free IP in the /24 of node " + nodes_[host].name);
      co_return;
    }
    pod.ip = ip;
    ++recorder_.counters().ips_allocated;
    co_await sim_.timeout(sample(rt, prof.get("sandbox"), "sandbox", kPod));
    ++recorder_.counters().sandboxes_created;
    record(rt, Stage::sandbox, kPod, t, sim_.now());
  }
}

// ---- The pod worker -------------------------------------------------------------------------

sim::Task<void> Cluster::pod_worker(PodRuntime& rt) {
  for (;;) {
    rt.sync_requested = false;
    auto sync = sync_pod(rt);
    const bool failed = co_await std::move(sync);
    if (rt.pod.phase == PodPhase::stalled) co_return;
    rt.wake.reset();
    if (rt.sync_requested) continue;  // a result came in during the sync
    if (failed) {
      // pod_workers.go requeues a failed sync after its backOffPeriod (jittered). A zero retry
      // stands for continuous syncing: the next one is when the earliest backoff expires.
      const sim::Duration d = sample(rt, profile(rt).get("pod_sync_retry"), "pod_sync_retry", kPod,
                                     0, rt.failed_syncs++);
      sim::Time next = sim_.now() + d;
      if (d <= sim::Duration{}) {
        next = kNever;
        for (const PodRuntime::Run& r : rt.runs) {
          if (r.want_start && r.crash_entry) {
            const sim::Time t = r.finished + r.crash_backoff;
            if (t > sim_.now()) next = std::min(next, t);
          }
        }
        for (const PodRuntime::PullBackoff& b : rt.pull_backoffs) {
          const sim::Time t = b.updated + b.backoff;
          if (t > sim_.now()) next = std::min(next, t);
        }
        if (next == kNever) next = sim_.now() + kBackOffInitial;
      }
      rt.wake.trigger_at(next);
    }
    co_await rt.wake;
  }
}

// SyncPod (kuberuntime_manager.go): kills, then init containers (computeInitContainerActions),
// then app containers. doBackOff reads the pod status from the start of the sync.
sim::Task<bool> Cluster::sync_pod(PodRuntime& rt) {
  Pod& pod = rt.pod;
  const std::size_t n_init = pod.spec->initContainers.size();
  // Apps that crashed are exited containers in the pod status this sync starts from.
  for (std::size_t k = 0; k < rt.runs.size(); ++k) {
    const PodRuntime::Run& r = rt.runs[k];
    if (r.running && r.exit_at <= sim_.now() && !is_run_to_completion(*pod.spec, k)) {
      container_exited(rt, k, r.exit_at);
    }
  }
  for (PodRuntime::Run& r : rt.runs) {
    r.snap_exited = r.exited;
    r.snap_finished = r.finished;
  }
  // Startup or liveness failure: killed, and restarted below in the same sync.
  for (std::size_t k = 0; k < rt.runs.size(); ++k) {
    if (rt.runs[k].running && rt.runs[k].kill_at <= sim_.now()) {
      auto kill = kill_for_restart(rt, k);
      co_await std::move(kill);
    }
  }

  bool failed = false;
  if (!rt.initialized) {
    // Run-to-completion init containers that exited 0 are done.
    for (std::size_t j = 0; j < n_init; ++j) {
      PodRuntime::Run& r = rt.runs[j];
      if (pod.spec->initContainers[j].sidecar || !r.running || r.exit_at > sim_.now()) continue;
      record(rt, Stage::init_containers, static_cast<std::int32_t>(j), r.started, r.exit_at);
      r.running = false;
      r.completed = true;
      r.exit_at = kNever;
      pod.init_containers[j].running = false;
      // Exited: its image is no longer in use.
      puller_.unpin_image(*pod.host(), pod.init_containers[j].image);
      rt.pins.erase(std::find(rt.pins.begin(), rt.pins.end(), pod.init_containers[j].image));
    }
    // The next init container runs once the previous one exited 0 or, for a sidecar, is
    // started: running and its startupProbe passed. A sidecar started once no longer holds
    // the others up; if it exited it is restarted (with its backoff).
    bool done = true;
    for (std::size_t j = 0; j < n_init && done; ++j) {
      PodRuntime::Run& r = rt.runs[j];
      if (!pod.spec->initContainers[j].sidecar) {
        if (r.completed) continue;
        done = false;
        if (r.running) break;  // its exit makes the next sync
        auto start = start_one(rt, j);
        const bool ok = co_await std::move(start);
        if (pod.phase == PodPhase::stalled) co_return false;
        failed = !ok;
        break;
      }
      if (!r.running) {
        auto start = start_one(rt, j);
        const bool ok = co_await std::move(start);
        if (pod.phase == PodPhase::stalled) co_return false;
        if (!ok) {
          failed = true;
          if (r.gate_passed) continue;
          done = false;
          break;
        }
      }
      if (r.gate_passed) continue;
      if (r.startup_at > sim_.now()) {
        done = false;  // its startup result makes the next sync
        break;
      }
      r.gate_passed = true;
    }
    if (!done) {
      refresh_status(rt);
      co_return failed;
    }
    rt.initialized = true;
  } else {
    // Sidecars that exited are restarted (InitContainersToStart), before the app containers.
    for (std::size_t j = 0; j < n_init; ++j) {
      if (!pod.spec->initContainers[j].sidecar || !rt.runs[j].want_start) continue;
      auto start = start_one(rt, j);
      const bool ok = co_await std::move(start);
      if (pod.phase == PodPhase::stalled) co_return false;
      failed = failed || !ok;
    }
  }

  // App containers in spec order; the kubelet goes on to the next one right after
  // StartContainer (or after one fails to start), while earlier ones start their apps.
  for (std::size_t k = n_init; k < rt.runs.size(); ++k) {
    if (!rt.runs[k].want_start) continue;
    auto start = start_one(rt, k);
    const bool ok = co_await std::move(start);
    if (pod.phase == PodPhase::stalled) co_return false;
    failed = failed || !ok;
  }
  if (pod.phase == PodPhase::starting &&
      std::all_of(rt.runs.begin() + static_cast<std::ptrdiff_t>(n_init), rt.runs.end(),
                  [](const PodRuntime::Run& r) { return r.ever_started; })) {
    pod.phase = PodPhase::running;
  }
  refresh_status(rt);
  co_return failed;
}

// The kubelet's start step for one container: doBackOff, EnsureImageExists, create, start.
sim::Task<bool> Cluster::start_one(PodRuntime& rt, std::size_t k) {
  Pod& pod = rt.pod;
  PodRuntime::Run& r = rt.runs[k];
  const ContainerView c(*pod.spec, k);
  ContainerStatus& status = status_of(pod, k);
  const auto index = static_cast<std::int32_t>(k);
  // doBackOff: only a container with an exited instance in the sync's pod status backs off,
  // against that instance's FinishedAt; when it may go, Next() doubles the backoff.
  if (r.snap_exited) {
    if (crash_in_backoff(r, r.snap_finished, sim_.now())) {
      if (r.crash_waiting_since == kNever) r.crash_waiting_since = r.finished;
      co_return false;
    }
    crash_next(r, r.snap_finished, sim_.now());
    if (r.crash_waiting_since != kNever) {
      record(rt, Stage::crash_loop_backoff, index, r.crash_waiting_since, sim_.now());
      r.crash_waiting_since = kNever;
    }
  }
  // The instance about to start: its draws are keyed by the restart count it will have.
  const std::uint32_t attempt = r.ever_started ? status.restartCount + 1 : 0;
  // EnsureImageExists. The puller is awaited here rather than in a coroutine of its own: a pod
  // waiting for its pull slot holds one frame fewer (a fleet has 100,000 of them waiting).
  double failure_draw = 1.0;
  PullOutcome pulled = before_pull(rt, k, c.image(), c.policy(), attempt, failure_draw);
  if (pulled == PullOutcome::pull) {
    const sim::Time asked = sim_.now();
    PullResult result;
    auto task = puller_.pull(
        result, *pod.host(), c.image(),
        c.policy() == ImagePullPolicy::Always ? PullPolicy::Always : PullPolicy::IfNotPresent,
        failure_draw);
    co_await std::move(task);
    pulled = after_pull(rt, k, c.image(), result, asked);
  }
  if (pulled != PullOutcome::ok) co_return false;

  const StageProfile& prof = profile(rt);
  const sim::Time t = sim_.now();
  const sim::Duration create_start =
      sample(rt, prof.get("container_start"), "container_start", index, attempt);
  if (c.run_to_completion()) {
    // Runs until it exits 0; its exit makes a sync that starts the next init container.
    const sim::DistributionPtr& run = c.run_time() ? c.run_time() : prof.get("init_container_run");
    r.exit_at = t + create_start + sample(rt, run, "init_container_run", index, attempt);
  } else {
    co_await sim_.timeout(create_start);
    record(rt, Stage::container_start, index, t, sim_.now());
  }
  status.restartCount = attempt;
  status.image = c.image();
  status.running = true;
  status.ready = false;
  status.started = false;
  r.ever_started = true;
  r.running = true;
  r.want_start = false;
  r.kill_signaled = r.exit_signaled = r.startup_signaled = false;
  r.started = c.run_to_completion() ? t : sim_.now();
  if (!c.run_to_completion()) {
    const sim::DistributionPtr& app = c.app_start() ? c.app_start() : prof.get("app_start");
    const sim::Time app_ready = r.started + sample(rt, app, "app_start", index, attempt);
    plan_probes(rt, k, app_ready);
    defer(rt, Stage::app_start, index, r.started, app_ready);
    if (c.readiness() && r.ready_at != kNever && r.ready_at > app_ready) {
      defer(rt, Stage::readiness, index, app_ready, r.ready_at);
    }
  }
  refresh_status(rt);
  co_return true;
}

Cluster::PullOutcome Cluster::before_pull(PodRuntime& rt, std::size_t k, ImageId image,
                                          ImagePullPolicy policy, std::uint32_t attempt,
                                          double& failure_draw) {
  const NodeId host = *rt.pod.host();
  PodRuntime::Run& r = rt.runs[k];
  const auto index = static_cast<std::int32_t>(k);
  if (policy == ImagePullPolicy::Never) {
    if (!puller_.node_has_image(host, image)) {
      stall(rt, "ErrImageNeverPull: image " + catalog_.image(image).name +
                    " is not present on node " + nodes_[host].name +
                    " and imagePullPolicy is Never");
      return PullOutcome::stalled;
    }
    pin(rt, image);
    return PullOutcome::ok;
  }
  const sim::Time t = sim_.now();
  const bool pulls = policy == ImagePullPolicy::Always || !puller_.node_has_image(host, image);
  // While the image's backoff (keyed podUID_image) runs, no pull is made (ErrImagePullBackOff);
  // IsInBackOffSinceUpdate counts from the last failure.
  auto backoff = std::find_if(rt.pull_backoffs.begin(), rt.pull_backoffs.end(),
                              [&](const PodRuntime::PullBackoff& b) { return b.image == image; });
  if (pulls && backoff != rt.pull_backoffs.end() && t - backoff->updated <= kBackOffExpiry &&
      t - backoff->updated < backoff->backoff) {
    return PullOutcome::retry;
  }
  if (pulls && config_.image_pull.pull_failure_probability > 0) {
    sim::RandomStream s = stream(rt, "image_pull_failure", index, attempt).child(r.pull_attempts);
    failure_draw = s.uniform01();
  }
  ++r.pull_attempts;
  return PullOutcome::pull;
}

Cluster::PullOutcome Cluster::after_pull(PodRuntime& rt, std::size_t k, ImageId image,
                                         const PullResult& result, sim::Time asked) {
  PodRuntime::Run& r = rt.runs[k];
  const auto index = static_cast<std::int32_t>(k);
  if (!result.ok) {
    if (!result.retryable) {
      stall(rt, "ErrImagePull: " + result.failure);
      return PullOutcome::stalled;
    }
    // ErrImagePull: backOff.Next(podUID_image, now).
    const sim::Time now = sim_.now();
    auto backoff = std::find_if(rt.pull_backoffs.begin(), rt.pull_backoffs.end(),
                                [&](const PodRuntime::PullBackoff& b) { return b.image == image; });
    if (backoff == rt.pull_backoffs.end()) {
      rt.pull_backoffs.push_back({image, kBackOffInitial, now});
    } else if (now - backoff->updated > kBackOffExpiry) {
      *backoff = {image, kBackOffInitial, now};
    } else {
      backoff->backoff = std::min(backoff->backoff + backoff->backoff, kBackOffMax);
      backoff->updated = now;
    }
    if (r.pull_failing_since == kNever) r.pull_failing_since = asked;
    return PullOutcome::retry;
  }
  if (r.pull_failing_since != kNever) {
    record(rt, Stage::image_pull_backoff, index, r.pull_failing_since, asked);
    r.pull_failing_since = kNever;
  }
  if (!result.already_present) record(rt, Stage::image_pull, index, asked, sim_.now());
  pin(rt, image);
  return PullOutcome::ok;
}

// Pinned at once, so image GC cannot take the layers of a container about to run.
void Cluster::pin(PodRuntime& rt, ImageId image) {
  puller_.pin_image(*rt.pod.host(), image);
  rt.pins.push_back(image);
}

// ---- Probes ---------------------------------------------------------------------------------

// The probe worker's rules (§3.5), evaluated once for the container instance that started now
// (S) with its app serving from app_ready (R) until it hangs (H): probes succeed on [R, H).
// - Startup and liveness workers tick every periodSeconds from when the kubelet added the pod.
//   A tick probes only once the container shows as running (one status sync after S) and
//   int(now - S) >= initialDelaySeconds; liveness (and readiness) wait for startup success.
//   failureThreshold consecutive failures kill the container; a startup success ends startup
//   probing (Started=true).
// - Readiness: the status manager's first sync that shows the container started fires the
//   manual trigger, which probes at once and re-phases the ticker to tick every periodSeconds
//   from there. successThreshold consecutive successes make it ready, failureThreshold
//   consecutive failures (a hung app) not ready; either shows after the probe and a status sync.
// - A probe result takes the probe latency, or timeoutSeconds when the app hangs.
void Cluster::plan_probes(PodRuntime& rt, std::size_t k, sim::Time app_ready) {
  PodRuntime::Run& r = rt.runs[k];
  const ContainerView c(*rt.pod.spec, k);
  const auto index = static_cast<std::int32_t>(k);
  const std::uint32_t attempt = status_of(rt.pod, k).restartCount;
  const StageProfile& prof = profile(rt);
  const sim::Time started = r.started;

  sim::Time hung = kNever;
  if (c.hang_after()) hung = app_ready + sample(rt, c.hang_after(), "hang_after", index, attempt);
  sim::Time crash = kNever;
  if (c.crash_after())
    crash = app_ready + sample(rt, c.crash_after(), "crash_after", index, attempt);
  const sim::Duration trigger = sample(rt, prof.get("status_sync"), "status_sync", index, attempt);
  const sim::Duration report =
      sample(rt, prof.get("status_sync"), "status_sync", index, attempt, 1);
  const sim::Time visible = started + trigger;
  auto latency = [&](const Probe& p, std::string_view name) {
    return std::min(sample(rt, prof.get("readiness_probe_latency"), name, index, attempt),
                    timeout_of(p));
  };
  // When the result of the probe at tick t is in.
  auto result_at = [&](const Probe& p, sim::Time t, sim::Duration answered) {
    return t + (t >= hung ? timeout_of(p) : answered);
  };

  r.kill_at = kNever;
  r.kill_grace = -1;
  r.startup_at = started;
  if (c.startup()) {
    const Probe& p = *c.startup();
    const sim::Duration period = period_of(p);
    const sim::Duration lat = latency(p, "startup_probe_latency");
    const sim::Time first =
        first_tick(rt.admitted, period, std::max(visible, started + delay_of(p)));
    const sim::Time ok = first_tick(first, period, app_ready);
    const sim::Time fail = failure_tick(first, period, p.failureThreshold, app_ready, hung);
    if (ok < hung && ok < fail) {
      r.startup_at = ok + lat;
    } else {
      r.startup_at = kNever;
      r.kill_at = result_at(p, fail, lat);
      r.kill_grace = p.terminationGracePeriodSeconds.value_or(-1);
    }
  }

  // Readiness and liveness, once started.
  auto plan_running = [&] {
    if (!c.readiness()) {
      r.ready_at = r.startup_at;  // no readiness probe: ready once running and started
    } else {
      const Probe& p = *c.readiness();
      const sim::Duration period = period_of(p);
      const sim::Duration lat = latency(p, "readiness_probe_latency");
      const sim::Time trigger_at = r.startup_at + trigger;
      // The first tick k >= 0 (at trigger_at + k * period) with int(now - S) >= delay, i.e.
      // now - S >= delay for a whole-second delay, and the app serving.
      const sim::Time first =
          first_tick(trigger_at, period, std::max(started + delay_of(p), app_ready));
      const sim::Time last = first + period * (std::max(p.successThreshold, 1) - 1);
      if (last < hung) {
        r.ready_at = last + lat + report;
        if (hung != kNever) {
          const sim::Time failing =
              first_tick(trigger_at, period, hung) + period * (std::max(p.failureThreshold, 1) - 1);
          r.unready_at = std::max(result_at(p, failing, lat) + report, r.ready_at);
        }
      }
    }
    if (c.liveness()) {
      const Probe& p = *c.liveness();
      const sim::Duration period = period_of(p);
      const sim::Duration lat = latency(p, "liveness_probe_latency");
      const sim::Time first =
          first_tick(rt.admitted, period, std::max({visible, started + delay_of(p), r.startup_at}));
      const sim::Time fail = failure_tick(first, period, p.failureThreshold, app_ready, hung);
      if (fail != kNever) {
        r.kill_at = result_at(p, fail, lat);
        r.kill_grace = p.terminationGracePeriodSeconds.value_or(-1);
      }
    }
  };
  r.ready_at = kNever;
  r.unready_at = kNever;
  r.exit_at = kNever;
  if (r.startup_at != kNever) plan_running();
  if (crash != kNever) {
    // The process exits: whatever its probes would have said later never happens.
    r.exit_at = crash;
    if (r.startup_at >= crash) r.startup_at = kNever;
    if (r.ready_at >= crash) r.ready_at = kNever;
    r.unready_at = std::min(r.unready_at, crash);
    if (r.kill_at >= crash) r.kill_at = kNever;
  }
}

sim::Task<void> Cluster::kill_for_restart(PodRuntime& rt, std::size_t k) {
  PodRuntime::Run& r = rt.runs[k];
  const std::int32_t grace =
      r.kill_grace >= 0 ? r.kill_grace : rt.pod.spec->terminationGracePeriodSeconds;
  const sim::Time t = sim_.now();
  co_await sim_.timeout(kill_time(rt, k, grace));
  record(rt, Stage::termination, static_cast<std::int32_t>(k), t, sim_.now());
  container_exited(rt, k, sim_.now());
}

// Container k's instance is gone (killed, or its app exited at `at`); restartPolicy Always
// starts a new one at a later sync.
void Cluster::container_exited(PodRuntime& rt, std::size_t k, sim::Time at) {
  PodRuntime::Run& r = rt.runs[k];
  ContainerStatus& status = status_of(rt.pod, k);
  const auto index = static_cast<std::int32_t>(k);
  r.running = false;
  r.exited = true;
  r.finished = at;
  r.want_start = true;
  r.kill_at = r.startup_at = r.ready_at = r.unready_at = r.exit_at = kNever;
  status.running = status.ready = status.started = false;
  puller_.unpin_image(*rt.pod.host(), status.image);
  rt.pins.erase(std::find(rt.pins.begin(), rt.pins.end(), status.image));
  // Its app_start and readiness spans end with it.
  clip_deferred(rt, index, at, [&](Stage stage, sim::Time start, sim::Time end) {
    record(rt, stage, index, start, end);
  });
  refresh_status(rt);
}

// ---- Status manager -------------------------------------------------------------------------

void Cluster::arm_status(PodRuntime& rt, sim::Time at) {
  if (at >= rt.status_at) return;
  rt.status_at = at;
  sim_.schedule(rt.status_timer, std::max(at, sim_.now()));
}

void Cluster::refresh_status(PodRuntime& rt) {
  Pod& pod = rt.pod;
  const sim::Time now = sim_.now();
  const std::size_t n_init = pod.spec->initContainers.size();
  sim::Time next = kNever;
  bool wake = false;
  // Ready: every app container and sidecar ready (GenerateContainersReadyCondition counts
  // restartable init containers), the pod initialized, no readiness gate closed.
  bool all_ready = rt.initialized && !rt.gate_closed &&
                   (pod.phase == PodPhase::starting || pod.phase == PodPhase::running);
  for (std::size_t k = 0; k < rt.runs.size(); ++k) {
    PodRuntime::Run& r = rt.runs[k];
    ContainerStatus& st = status_of(pod, k);
    if (is_run_to_completion(*pod.spec, k)) {
      if (r.running) {
        if (r.exit_at > now) {
          next = std::min(next, r.exit_at);
        } else if (!r.exit_signaled) {
          r.exit_signaled = wake = true;
        }
      }
      continue;
    }
    if (r.running) {
      st.started = r.startup_at <= now;
      st.ready = r.ready_at <= now && now < r.unready_at;
      for (const sim::Time t : {r.startup_at, r.ready_at, r.unready_at}) {
        if (t > now) next = std::min(next, t);
      }
      if (r.exit_at > now) {
        next = std::min(next, r.exit_at);
      } else if (!r.exit_signaled) {
        r.exit_signaled = wake = true;  // the app exited: PLEG makes the kubelet sync
      }
      if (r.kill_at > now) {
        next = std::min(next, r.kill_at);
      } else if (!r.kill_signaled) {
        r.kill_signaled = wake = true;
      }
      if (!rt.initialized && k < n_init && st.started && !r.gate_passed && !r.startup_signaled) {
        r.startup_signaled = wake = true;
      }
    }
    all_ready = all_ready && r.running && st.ready;
  }

  bool became_ready = false;
  bool became_available = false;
  if (all_ready && !pod.ready) {
    pod.ready = true;
    pod.ready_since = now;
    // An in-place update is done once the pod is Ready again; the next one may come.
    pod.updating_in_place = false;
    became_ready = true;
    // Endpoints list the pod once propagation completes; availability needs minReadySeconds.
    // Both run from the Ready transition, independently.
    rt.serving_off_at = kNever;  // Ready again before the removal landed: it stays listed
    rt.serving_on_at = now + sample(rt, profile(rt).get("endpoint_propagation"),
                                    "endpoint_propagation", kPod, rt.readies++);
    rt.available_at = now + sim::seconds(std::max(pod.owner.minReadySeconds, 0));
    defer(rt, Stage::endpoint_propagation, kPod, now, rt.serving_on_at);
    if (rt.available_at > now) defer(rt, Stage::min_ready, kPod, now, rt.available_at);
  } else if (!all_ready && pod.ready) {
    // min_ready and endpoint_propagation are cut short.
    clip_deferred(rt, kPod, now, [&](Stage stage, sim::Time start, sim::Time end) {
      record(rt, stage, kPod, start, end);
    });
    set_not_ready(rt);
  }
  if (rt.serving_off_at <= now) {
    pod.serving = false;
    rt.serving_off_at = kNever;
  }
  if (pod.ready && rt.serving_on_at <= now) {
    pod.serving = true;
    rt.serving_on_at = kNever;
  }
  if (pod.ready && !pod.available && rt.available_at <= now) {
    pod.available = true;
    rt.available_at = kNever;
    became_available = true;
  }
  next = std::min({next, rt.serving_on_at, rt.serving_off_at, rt.available_at});
  flush_deferred(rt, false);
  // Spans still running past everything else (an unprobed app's start) are recorded when they
  // end, so that every span is in by the time the pod settles.
  if (next == kNever) {
    for (const PodRuntime::Deferred& d : rt.deferred) next = std::min(next, d.end);
  }
  if (next == kNever) {
    rt.status_timer.cancel();
  } else if (next != rt.status_at || !rt.status_timer.queued()) {
    sim_.schedule(rt.status_timer, next);
  }
  rt.status_at = next;
  if (wake) {
    rt.sync_requested = true;
    rt.wake.trigger();
  }
  if (became_ready) notify(rt, PodEvent::ready);
  if (became_available && pod.ready) notify(rt, PodEvent::available);
}

// ---- In-place update ----------------------------------------------------------------------

sim::Task<void> Cluster::update_containers(PodRuntime& rt) {
  Pod& pod = rt.pod;
  flush_deferred(rt, true);
  const auto changes = std::move(rt.update);
  rt.update.clear();
  const InPlaceUpdateOptions options = rt.update_options;
  ++pod.in_place_updates;
  ++recorder_.counters().in_place_updates;
  const NodeId host = *pod.host();
  const std::size_t n_init = pod.spec->initContainers.size();
  for (const auto& change : changes) {
    recorder_.add(
        InPlaceChange{pod.id, sim_.now(), static_cast<std::int32_t>(n_init + change.first)});
  }

  if (options.gracePeriodSeconds > 0) {
    const sim::Time t = sim_.now();
    co_await sim_.timeout(sim::seconds(options.gracePeriodSeconds));
    record(rt, Stage::in_place_grace, kPod, t, sim_.now());
  }
  // SyncPod kills the changed containers one after another, then starts them (§3.2).
  for (const auto& [i, image] : changes) {
    const std::size_t k = n_init + i;
    const auto index = static_cast<std::int32_t>(k);
    PodRuntime::Run& r = rt.runs[k];
    ContainerStatus& status = pod.containers[i];
    if (r.running) {
      const sim::Time t = sim_.now();
      co_await sim_.timeout(kill_time(rt, k, pod.spec->terminationGracePeriodSeconds));
      record(rt, Stage::termination, index, t, sim_.now());
      r.running = false;
      r.exited = true;
      r.finished = sim_.now();
      r.kill_at = r.startup_at = r.ready_at = r.unready_at = kNever;
      status.running = status.ready = status.started = false;
      puller_.unpin_image(host, status.image);
      rt.pins.erase(std::find(rt.pins.begin(), rt.pins.end(), status.image));
    }
    // The pod's own copy from now on: the revision's template stays as its other pods see it.
    auto own = std::make_shared<PodTemplate>(*pod.spec);
    own->containers[i].image = image;
    pod.spec = std::move(own);
    // A new container hash: a new CrashLoopBackOff key, so no backoff applies (§3.2).
    r.crash_entry = false;
    r.crash_waiting_since = kNever;
    r.want_start = true;
    ++recorder_.counters().in_place_restarts;
  }
  rt.gate_closed = false;
  refresh_status(rt);
}

// ---- Termination ----------------------------------------------------------------------------

// killContainer (§1.6): preStop runs within the grace period and its whole seconds are taken
// off the grace (executePreStopHook returns int64 seconds), the grace left is floored at 2 s,
// then SIGTERM; the container is gone when the app exits or the grace runs out (SIGKILL).
sim::Duration Cluster::kill_time(PodRuntime& rt, std::size_t k, std::int32_t grace_seconds) {
  const ContainerView c(*rt.pod.spec, k);
  const auto index = static_cast<std::int32_t>(k);
  const std::uint32_t attempt = status_of(rt.pod, k).restartCount;
  const std::int64_t grace_s = std::max(grace_seconds, 0);
  sim::Duration pre_stop{};
  std::int64_t left_s = grace_s;
  if (c.pre_stop() && grace_s > 0) {
    pre_stop = std::min(sample(rt, c.pre_stop(), "preStop", index, attempt), kSecond * grace_s);
    left_s -= pre_stop.ns() / kNsPerS;
  }
  const sim::Duration left = std::max(kSecond * left_s, kMinimumGracePeriod);
  const sim::DistributionPtr& shutdown = c.shutdown() ? c.shutdown() : profile(rt).get("shutdown");
  return pre_stop + std::min(sample(rt, shutdown, "shutdown", index, attempt), left);
}

sim::Task<void> Cluster::terminate(PodRuntime& rt) {
  Pod& pod = rt.pod;
  pod.phase = PodPhase::terminating;
  pod.updating_in_place = false;
  rt.gate_closed = false;
  set_not_ready(rt);
  if (!pod.node) {
    // Never bound: it only leaves the scheduling queue.
    release(rt);
    co_return;
  }
  // Endpoint removal (set_not_ready) and the kubelet's kill start together (§1.6). App
  // containers (and a running init container) are killed in parallel; sidecars run their
  // preStop at once too, but get SIGTERM only when every app container and every sidecar
  // defined after them has exited, in reverse order, within what is left of the grace
  // (killContainer's terminationOrdering.waitForTurn, its wait taken off in whole seconds).
  const sim::Time t = sim_.now();
  const std::int32_t grace_seconds = pod.spec->terminationGracePeriodSeconds;
  const std::size_t n_init = pod.spec->initContainers.size();
  sim::Duration done{};
  for (std::size_t k = 0; k < rt.runs.size(); ++k) {
    if (!rt.runs[k].running) continue;
    if (k < n_init && pod.spec->initContainers[k].sidecar) continue;
    done = std::max(done, kill_time(rt, k, grace_seconds));
  }
  const std::int64_t grace_s = std::max(grace_seconds, 0);
  for (std::size_t j = n_init; j-- > 0;) {
    if (!pod.spec->initContainers[j].sidecar || !rt.runs[j].running) continue;
    const ContainerView c(*pod.spec, j);
    const auto index = static_cast<std::int32_t>(j);
    const std::uint32_t attempt = pod.init_containers[j].restartCount;
    sim::Duration pre_stop{};
    std::int64_t left_s = grace_s;
    if (c.pre_stop() && grace_s > 0) {
      pre_stop = std::min(sample(rt, c.pre_stop(), "preStop", index, attempt), kSecond * grace_s);
      left_s -= pre_stop.ns() / kNsPerS;
    }
    sim::Duration waited{};
    if (left_s > 0) {
      waited = std::clamp(done - pre_stop, sim::Duration{}, kSecond * left_s);
      left_s -= waited.ns() / kNsPerS;
    }
    const sim::Duration left = std::max(kSecond * left_s, kMinimumGracePeriod);
    const sim::DistributionPtr& shutdown =
        c.shutdown() ? c.shutdown() : profile(rt).get("shutdown");
    done = std::max(
        done, pre_stop + waited + std::min(sample(rt, shutdown, "shutdown", index, attempt), left));
  }
  co_await sim_.timeout(done);
  record(rt, Stage::termination, kPod, t, sim_.now());
  release(rt);
}

void Cluster::release(PodRuntime& rt) {
  Pod& pod = rt.pod;
  if (const auto host = pod.host()) {
    for (ImageId image : rt.pins) puller_.unpin_image(*host, image);
  }
  rt.pins.clear();
  for (ContainerStatus& c : pod.containers) c.running = c.ready = c.started = false;
  for (ContainerStatus& c : pod.init_containers) c.running = c.ready = c.started = false;
  for (PodRuntime::Run& r : rt.runs) {
    r.running = false;
    r.kill_at = r.startup_at = r.ready_at = r.unready_at = r.exit_at = kNever;
  }
  if (pod.ip) ips_[*pod.host()].release(*pod.ip);
  // The instance's slot goes to the next pod of the pool (take_instance resets it).
  if (pod.instance) pool_state_[nodes_[*pod.instance].pool].free_instances.push_back(*pod.instance);
  // The scheduler frees the node's requests itself (and retries pods that did not fit).
  scheduler_.pod_deleted(pod.id);
  pod.phase = PodPhase::terminated;
  pod.terminated_at = sim_.now();
  ++recorder_.counters().pods_deleted;
  notify(rt, PodEvent::terminated);
}

void Cluster::stall(PodRuntime& rt, std::string reason) {
  rt.pod.phase = PodPhase::stalled;
  rt.pod.stall_reason = std::move(reason);
  ++recorder_.counters().pods_stalled;
  notify(rt, PodEvent::stalled);
}

}  // namespace podsim::model
