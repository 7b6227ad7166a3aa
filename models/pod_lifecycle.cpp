// The kubelet's side of a pod, as one process per pod: from scheduling to Ready and available,
// in-place container restarts, and termination. Facts: domain-reference §1.6, §3.1, §3.2, §3.5.
#include <algorithm>
#include <cstdint>
#include <string>

#include "pod_runtime.hpp"
#include "podsim/model/cluster.hpp"
#include "podsim/sim/event.hpp"
#include "podsim/sim/wait.hpp"

namespace podsim::model {

namespace {
constexpr std::int32_t kPod = Span::kPodLevel;
// The kubelet floors the grace left after preStop at minimumGracePeriodInSeconds (§1.6).
constexpr sim::Duration kMinimumGracePeriod = sim::milliseconds(2000);
}  // namespace

// ---- Randomness and recording -------------------------------------------------------------

sim::RandomStream Cluster::stream(const PodRuntime& rt, std::string_view stage,
                                  std::int32_t container, std::uint32_t attempt) const {
  // Keyed by pod name, stage, container and attempt (restart count), never by event order: two
  // variants of a comparison draw the same numbers for the same pod and stage.
  return root_.child("pod").child(rt.stream_key).child(stage).child(container).child(attempt);
}

sim::Duration Cluster::sample(const PodRuntime& rt, const sim::DistributionPtr& d,
                              std::string_view stage, std::int32_t container, std::uint32_t attempt,
                              std::uint32_t draw) const {
  sim::RandomStream s = stream(rt, stage, container, attempt).child(draw);
  return sim::seconds(d->sample(s));
}

const StageProfile& Cluster::profile(const PodRuntime& rt) const {
  return config_.pools[nodes_[*rt.pod.node].pool].profile;
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
  std::erase_if(rt.deferred, [&](const PodRuntime::Deferred& d) {
    if (d.end <= now) {
      record(rt, d.stage, d.container, d.start, d.end);
      return true;
    }
    if (!clip) return false;
    if (d.start < now) record(rt, d.stage, d.container, d.start, now);  // cut short
    return true;
  });
}

// ---- The process ----------------------------------------------------------------------------

sim::Process Cluster::lifecycle(PodRuntime& rt) {
  try {
    auto start = start_pod(rt);
    co_await std::move(start);
  } catch (const sim::Interrupted&) {
    rt.interrupt_pending = false;
  }
  // Running (or stalled): serve in-place updates until deleted. Requests arrive as interrupts.
  while (!rt.pod.deletion_requested) {
    try {
      if (!rt.update.empty()) {
        auto update = update_containers(rt);
        co_await std::move(update);
      } else {
        co_await rt.idle;
      }
    } catch (const sim::Interrupted&) {
      rt.interrupt_pending = false;
    }
  }
  flush_deferred(rt, true);
  if (rt.interrupt_pending) {
    // The deletion's interrupt has not been delivered (the pod was not waiting): take it here
    // so that it does not cut the termination short.
    try {
      co_await sim_.timeout(sim::Duration{});
    } catch (const sim::Interrupted&) {
    }
    rt.interrupt_pending = false;
  }
  auto end = terminate(rt);
  co_await std::move(end);
}

sim::Task<void> Cluster::start_pod(PodRuntime& rt) {
  Pod& pod = rt.pod;
  if (!rt.unplaceable.empty()) {
    stall(rt, rt.unplaceable);
    co_return;
  }

  // Scheduling: queued in kube-scheduler until the binding completes.
  const sim::Time submitted = sim_.now();
  SchedulingRequest request;
  request.pod = pod.id;
  request.requests = pod.spec.effective_requests();
  request.eligible_pools = rt.pools;
  request.images = pod.spec.images();
  request.priority = pod.spec.priority;
  request.spread_group = pod.spec.spread_group;
  scheduler_.submit(std::move(request));
  arm_autoscaler();
  co_await rt.bound;
  pod.phase = PodPhase::starting;
  record(rt, Stage::scheduling, kPod, submitted, sim_.now());
  notify(rt, PodEvent::bound);

  const PoolId pool = nodes_[*pod.node].pool;
  const StageProfile& prof = profile(rt);
  if (config_.pools[pool].kind == NodePoolKind::elastic) {
    // A fresh instance: an empty image cache unless its snapshot bakes images in.
    const sim::Time t = sim_.now();
    const NodeId instance = add_node(pool, false);
    pod.instance = instance;
    for (ImageId image : config_.pools[pool].image_cache_snapshot) {
      puller_.preload_image(instance, image);
    }
    co_await sim_.timeout(sample(rt, prof.get("instance_boot"), "instance_boot", kPod));
    ++recorder_.counters().instances_booted;
    record(rt, Stage::instance_boot, kPod, t, sim_.now());
  }
  const NodeId host = *pod.host();

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

  auto init = run_init_containers(rt);
  co_await std::move(init);
  if (pod.phase == PodPhase::stalled) co_return;

  // App containers in spec order; the kubelet goes on to the next one right after
  // StartContainer, while earlier ones start their apps and get probed.
  sim::Time ready_at = sim_.now();
  for (std::size_t i = 0; i < pod.spec.containers.size(); ++i) {
    auto start = start_container(rt, i);
    const sim::Time r = co_await std::move(start);
    if (pod.phase == PodPhase::stalled) co_return;
    ready_at = std::max(ready_at, r);
  }
  pod.phase = PodPhase::running;
  auto ready = become_ready(rt, ready_at);
  co_await std::move(ready);
}

sim::Task<void> Cluster::run_init_containers(PodRuntime& rt) {
  Pod& pod = rt.pod;
  const StageProfile& prof = profile(rt);
  for (std::size_t j = 0; j < pod.spec.initContainers.size(); ++j) {
    const InitContainerSpec& c = pod.spec.initContainers[j];
    const auto index = static_cast<std::int32_t>(j);
    auto pulled = pull(rt, index, c.image, c.imagePullPolicy);
    if (!co_await std::move(pulled)) co_return;
    const sim::Time t = sim_.now();
    const sim::Duration start = sample(rt, prof.get("container_start"), "container_start", index);
    if (c.sidecar) {
      // restartPolicy Always: started, then the next init container goes; it runs with the pod.
      co_await sim_.timeout(start);
      record(rt, Stage::container_start, index, t, sim_.now());
      continue;
    }
    const sim::DistributionPtr& run = c.run_time ? c.run_time : prof.get("init_container_run");
    co_await sim_.timeout(start + sample(rt, run, "init_container_run", index));
    record(rt, Stage::init_containers, index, t, sim_.now());
    // Exited: its image is no longer in use.
    puller_.unpin_image(*pod.host(), c.image);
    rt.pins.erase(std::find(rt.pins.begin(), rt.pins.end(), c.image));
  }
}

sim::Task<bool> Cluster::pull(PodRuntime& rt, std::int32_t span_index, ImageId image,
                              ImagePullPolicy policy) {
  const NodeId host = *rt.pod.host();
  if (policy == ImagePullPolicy::Never) {
    if (!puller_.node_has_image(host, image)) {
      stall(rt, "ErrImageNeverPull: image " + catalog_.image(image).name +
                    " is not present on node " + nodes_[host].name +
                    " and imagePullPolicy is Never");
      co_return false;
    }
  } else {
    const sim::Time t = sim_.now();
    auto task = puller_.pull(
        host, image,
        policy == ImagePullPolicy::Always ? PullPolicy::Always : PullPolicy::IfNotPresent);
    const PullResult r = co_await std::move(task);
    if (!r.ok) {
      stall(rt, "ErrImagePull: " + r.failure);
      co_return false;
    }
    if (!r.already_present) record(rt, Stage::image_pull, span_index, t, sim_.now());
  }
  // Pinned at once, so image GC cannot take the layers of a container about to run.
  puller_.pin_image(host, image);
  rt.pins.push_back(image);
  co_return true;
}

sim::Task<sim::Time> Cluster::start_container(PodRuntime& rt, std::size_t i) {
  Pod& pod = rt.pod;
  const ContainerSpec& c = pod.spec.containers[i];
  ContainerStatus& status = pod.containers[i];
  const auto index = static_cast<std::int32_t>(pod.spec.initContainers.size() + i);
  const std::uint32_t attempt = status.restartCount;
  const StageProfile& prof = profile(rt);

  auto pulled = pull(rt, index, c.image, c.imagePullPolicy);
  if (!co_await std::move(pulled)) co_return sim::Time::max();
  const sim::Time t = sim_.now();
  co_await sim_.timeout(sample(rt, prof.get("container_start"), "container_start", index, attempt));
  record(rt, Stage::container_start, index, t, sim_.now());
  status.image = c.image;
  status.running = true;
  status.ready = false;

  const sim::Time started = sim_.now();
  const sim::DistributionPtr& app = c.app_start ? c.app_start : prof.get("app_start");
  const sim::Time app_ready = started + sample(rt, app, "app_start", index, attempt);
  const sim::Time ready = readiness_time(rt, i, started, app_ready);
  defer(rt, Stage::app_start, index, started, app_ready);
  if (c.readinessProbe && ready > app_ready) defer(rt, Stage::readiness, index, app_ready, ready);
  co_return ready;
}

// Readiness by the probe worker's rules (§3.5): once the container has started, the status
// manager's first sync fires the manual trigger, which probes at once and re-phases the ticker
// to fire every periodSeconds from there. A tick probes only if int(now - startedAt) >=
// initialDelaySeconds (whole seconds, truncated), and succeeds if the app serves by then. The
// result counts after successThreshold consecutive successes and is visible in the API after
// the probe's own latency and another status sync.
sim::Time Cluster::readiness_time(PodRuntime& rt, std::size_t i, sim::Time started,
                                  sim::Time app_ready) {
  const ContainerSpec& c = rt.pod.spec.containers[i];
  if (!c.readinessProbe) return started;  // no probe: ready once started
  const ReadinessProbe& probe = *c.readinessProbe;
  const auto index = static_cast<std::int32_t>(rt.pod.spec.initContainers.size() + i);
  const std::uint32_t attempt = rt.pod.containers[i].restartCount;
  const StageProfile& prof = profile(rt);
  const sim::Duration trigger = sample(rt, prof.get("status_sync"), "status_sync", index, attempt);
  const sim::Duration report =
      sample(rt, prof.get("status_sync"), "status_sync", index, attempt, 1);
  sim::Duration latency =
      sample(rt, prof.get("readiness_probe_latency"), "readiness_probe_latency", index, attempt);
  latency = std::min(latency, sim::seconds(std::max(probe.timeoutSeconds, 1)));
  const sim::Duration period = sim::seconds(std::max(probe.periodSeconds, 1));
  const std::int64_t delay_s = std::max(probe.initialDelaySeconds, 0);
  constexpr std::int64_t kNsPerS = 1'000'000'000;

  // The first tick k >= 0 (at started + trigger + k * period) with int(elapsed) >= delay, i.e.
  // elapsed >= delay for a whole-second delay, and the app serving.
  const std::int64_t need =
      std::max(delay_s * kNsPerS - trigger.ns(), (app_ready - started).ns() - trigger.ns());
  const std::int64_t k = need <= 0 ? 0 : (need + period.ns() - 1) / period.ns();
  const sim::Time first = started + trigger + period * k;
  return first + period * (std::max(probe.successThreshold, 1) - 1) + latency + report;
}

sim::Task<void> Cluster::become_ready(PodRuntime& rt, sim::Time ready_at) {
  Pod& pod = rt.pod;
  co_await sim_.timeout_until(ready_at);
  flush_deferred(rt, false);
  for (ContainerStatus& c : pod.containers) c.ready = c.running;
  pod.ready = true;
  pod.ready_since = sim_.now();
  // An in-place update is done once the pod is Ready again; the next one may come.
  pod.updating_in_place = false;
  notify(rt, PodEvent::ready);

  // Endpoints list the pod once propagation completes; availability needs minReadySeconds.
  // Both run from the Ready transition, independently.
  const sim::Time ready = sim_.now();
  const sim::Time serving_at = ready + sample(rt, profile(rt).get("endpoint_propagation"),
                                              "endpoint_propagation", kPod, pod.in_place_updates);
  const sim::Time available_at = ready + sim::seconds(std::max(pod.owner.minReadySeconds, 0));
  defer(rt, Stage::endpoint_propagation, kPod, ready, serving_at);
  if (available_at > ready) defer(rt, Stage::min_ready, kPod, ready, available_at);
  // Also waits for spans still running past Ready (an unprobed container's app start), so
  // that every span is recorded by the time the pod settles.
  for (;;) {
    flush_deferred(rt, false);
    const sim::Time now = sim_.now();
    if (!pod.serving && now >= serving_at) pod.serving = true;
    if (!pod.available && now >= available_at) {
      pod.available = true;
      notify(rt, PodEvent::available);
    }
    sim::Time next = sim::Time::max();
    if (!pod.serving) next = std::min(next, serving_at);
    if (!pod.available) next = std::min(next, available_at);
    for (const PodRuntime::Deferred& d : rt.deferred) next = std::min(next, d.end);
    if (next == sim::Time::max()) break;
    co_await sim_.timeout_until(next);
  }
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

  if (options.gracePeriodSeconds > 0) {
    const sim::Time t = sim_.now();
    co_await sim_.timeout(sim::seconds(options.gracePeriodSeconds));
    record(rt, Stage::in_place_grace, kPod, t, sim_.now());
  }
  // SyncPod kills the changed containers one after another, then starts them (§3.2).
  for (const auto& [i, image] : changes) {
    const auto index = static_cast<std::int32_t>(pod.spec.initContainers.size() + i);
    ContainerStatus& status = pod.containers[i];
    if (status.running) {
      const sim::Time t = sim_.now();
      co_await sim_.timeout(kill_time(rt, i));
      record(rt, Stage::termination, index, t, sim_.now());
      status.running = false;
      status.ready = false;
      puller_.unpin_image(host, status.image);
      rt.pins.erase(std::find(rt.pins.begin(), rt.pins.end(), status.image));
    }
    pod.spec.containers[i].image = image;
  }
  sim::Time ready_at = sim_.now();
  for (const auto& change : changes) {
    const std::size_t i = change.first;
    ++pod.containers[i].restartCount;  // new draws for the new container
    ++recorder_.counters().in_place_restarts;
    auto start = start_container(rt, i);
    const sim::Time r = co_await std::move(start);
    if (pod.phase == PodPhase::stalled) co_return;
    ready_at = std::max(ready_at, r);
  }
  auto ready = become_ready(rt, ready_at);
  co_await std::move(ready);
}

// ---- Termination ----------------------------------------------------------------------------

// killContainer (§1.6): preStop runs within the grace period, the grace left is floored at 2 s,
// then SIGTERM; the container is gone when the app exits or the grace runs out (SIGKILL).
sim::Duration Cluster::kill_time(PodRuntime& rt, std::size_t i) {
  const ContainerSpec& c = rt.pod.spec.containers[i];
  const auto index = static_cast<std::int32_t>(rt.pod.spec.initContainers.size() + i);
  const std::uint32_t attempt = rt.pod.containers[i].restartCount;
  const sim::Duration grace = sim::seconds(std::max(rt.pod.spec.terminationGracePeriodSeconds, 0));
  sim::Duration pre_stop{};
  if (c.preStop && grace > sim::Duration{}) {
    pre_stop = std::min(sample(rt, c.preStop, "preStop", index, attempt), grace);
  }
  const sim::Duration left = std::max(grace - pre_stop, kMinimumGracePeriod);
  const sim::DistributionPtr& shutdown = c.shutdown ? c.shutdown : profile(rt).get("shutdown");
  return pre_stop + std::min(sample(rt, shutdown, "shutdown", index, attempt), left);
}

sim::Task<void> Cluster::terminate(PodRuntime& rt) {
  Pod& pod = rt.pod;
  pod.phase = PodPhase::terminating;
  pod.updating_in_place = false;
  set_not_ready(rt);
  if (!pod.node) {
    // Never bound: it only leaves the scheduling queue.
    release(rt);
    co_return;
  }
  // Endpoint removal and the kubelet's kill start together (§1.6); containers are killed in
  // parallel, so the pod is gone when the slowest one is.
  const sim::Time t = sim_.now();
  sim::Duration longest{};
  for (std::size_t i = 0; i < pod.containers.size(); ++i) {
    if (pod.containers[i].running) longest = std::max(longest, kill_time(rt, i));
  }
  for (std::size_t j = 0; j < pod.spec.initContainers.size(); ++j) {
    if (!pod.spec.initContainers[j].sidecar) continue;
    // Sidecars get SIGTERM too (no preStop modelled for them), within the same grace.
    const auto index = static_cast<std::int32_t>(j);
    const sim::Duration grace = std::max(
        sim::seconds(std::max(pod.spec.terminationGracePeriodSeconds, 0)), kMinimumGracePeriod);
    longest = std::max(longest,
                       std::min(sample(rt, profile(rt).get("shutdown"), "shutdown", index), grace));
  }
  co_await sim_.timeout(longest);
  record(rt, Stage::termination, kPod, t, sim_.now());
  release(rt);
}

void Cluster::release(PodRuntime& rt) {
  Pod& pod = rt.pod;
  if (const auto host = pod.host()) {
    for (ImageId image : rt.pins) puller_.unpin_image(*host, image);
  }
  rt.pins.clear();
  for (ContainerStatus& c : pod.containers) c.running = c.ready = false;
  if (pod.ip) ips_[*pod.host()].release(*pod.ip);
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
