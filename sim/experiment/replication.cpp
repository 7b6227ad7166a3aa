#include "podsim/experiment/replication.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "podsim/model/controller_manager.hpp"
#include "podsim/model/pod_critical_path.hpp"
#include "podsim/model/release.hpp"
#include "podsim/sim/random.hpp"
#include "podsim/sim/simulation.hpp"

namespace podsim::experiment {

const std::string& workload_name(const WorkloadSpec& w) {
  return std::visit([](const auto& spec) -> const std::string& { return spec.name; }, w);
}

namespace {

/// Cluster-wide counters at one moment, to measure what the releases cost.
struct CounterSnapshot {
  std::uint64_t scheduler_cycles = 0;
  std::uint64_t sandboxes = 0;
  std::uint64_t bytes_from_registry = 0;
  std::uint64_t bytes_from_peers = 0;

  static CounterSnapshot of(model::Cluster& c) {
    return {c.scheduler().counters().cycles, c.recorder().counters().sandboxes_created,
            c.puller().counters().bytes_from_registry, c.puller().counters().bytes_from_peers};
  }
};

std::string container_name(const model::Pod& pod, std::int32_t index) {
  if (index == model::Span::kPodLevel) return {};
  const auto i = static_cast<std::size_t>(index);
  const auto& inits = pod.spec->initContainers;
  if (i < inits.size()) return inits[i].name;
  const std::size_t c = i - inits.size();
  return c < pod.spec->containers.size() ? pod.spec->containers[c].name : fmt::format("#{}", index);
}

RolloutRecord to_record(const model::ReleaseResult& r) {
  RolloutRecord rec;
  rec.name = r.name;
  rec.workload = r.workload;
  rec.kind = r.kind;
  rec.strategy = r.strategy;
  rec.changes = r.changes;
  rec.outcome = r.outcome;
  rec.stall_reason = r.reason;
  rec.start_s = r.start.seconds();
  rec.end_s = r.end.seconds();
  auto& m = rec.metrics;
  m["rollout_duration_s"] = rec.end_s - rec.start_s;
  m["unavailable_pod_seconds"] = r.unavailable_pod_seconds;
  m["time_below_desired_s"] = r.time_below_desired_s;
  m["min_available_replicas"] = r.min_available;
  if (r.desired > 0) m["min_available_fraction"] = static_cast<double>(r.min_available) / r.desired;
  m["pods_created"] = r.pods_created;
  m["pods_deleted"] = r.pods_deleted;
  m["ip_changes"] = std::min(r.pods_created, r.pods_deleted);
  m["in_place_updates"] = r.in_place_updates;
  m["recreate_fallbacks"] = r.recreate_fallbacks;
  if (r.prewarm_start && r.prewarm_end) {
    m["prewarm_duration_s"] = (*r.prewarm_end - *r.prewarm_start).seconds();
  }
  return rec;
}

}  // namespace

ReplicationResult run_replication(const World& world, const ReplicationOptions& options) {
  sim::Simulation sim;
  model::ClusterConfig config = world.cluster;
  config.seed = options.seed;
  model::Cluster cluster(sim, world.catalog, config);
  for (const auto& [image, fraction] : world.lazy_pull)
    cluster.puller().set_lazy_pull(image, fraction);
  model::ControllerManager controllers(cluster, world.controllers);
  for (const WorkloadSpec& w : world.workloads) {
    std::visit([&](const auto& spec) { controllers.add(spec); }, w);
  }

  // Releases happen relative to the moment every workload is first available.
  std::vector<std::unique_ptr<model::Release>> releases;
  CounterSnapshot at_start;
  sim::Time t0;
  bool armed = false;
  std::size_t finished = 0;
  auto check_done = [&] {
    std::size_t n = 0;
    for (const auto& r : releases) n += r->done() ? 1 : 0;
    finished = n;
    if (armed && finished == releases.size()) sim.stop();
  };
  auto arm = [&] {
    armed = true;
    t0 = sim.now();
    at_start = CounterSnapshot::of(cluster);
    for (const ReleasePlan& plan : world.releases) {
      model::WorkloadController* w = controllers.find(plan.spec.workload);
      if (w == nullptr)
        throw std::invalid_argument("release of unknown workload " + plan.spec.workload);
      sim::RandomStream stream =
          sim::RandomStream::derive(options.seed, {"release", plan.spec.name});
      const double at_s = plan.at ? plan.at->sample(stream) : 0.0;
      releases.push_back(std::make_unique<model::Release>(
          cluster, *w, plan.spec, t0 + sim::seconds(at_s), stream.child("batches")));
      w->add_status_listener(check_done);
    }
    for (auto& r : releases) r->arm();
    check_done();
  };
  auto check_initial = [&] {
    if (armed) return;
    for (const auto& w : controllers.workloads()) {
      if (!w->rollout_complete()) return;
    }
    // Arm from a fresh event, not inside a controller's notification.
    armed = true;
    sim.call_in(sim::Duration{}, [&] { arm(); });
  };
  for (const auto& w : controllers.workloads()) {
    w->add_status_listener(check_initial);
    w->start();
  }
  if (controllers.workloads().empty()) sim.call_in(sim::Duration{}, [&] { arm(); });

  const sim::Time horizon = sim::Time::zero() + world.max_time;
  sim.run_until(horizon);

  ReplicationResult result;
  result.index = options.index;
  result.seed = options.seed;
  if (!armed || releases.size() != world.releases.size()) {
    // The initial deployment never completed: every release stalls on it.
    std::string why = "the initial deployment did not complete";
    for (const auto& w : controllers.workloads()) {
      if (!w->rollout_complete()) {
        const std::string reason = w->stall_reason();
        why = fmt::format("initial deployment of {} did not complete{}{}", w->name(),
                          reason.empty() ? "" : ": ", reason);
        break;
      }
    }
    for (const ReleasePlan& plan : world.releases) {
      RolloutRecord rec;
      rec.name = plan.spec.name;
      rec.workload = plan.spec.workload;
      rec.outcome = model::RolloutOutcome::stalled;
      rec.stall_reason = why;
      rec.start_s = rec.end_s = sim.now().seconds();
      result.rollouts.push_back(std::move(rec));
    }
    result.stalled = !world.releases.empty();
  }
  for (std::size_t i = 0; i < releases.size(); ++i) {
    model::Release& r = *releases[i];
    if (!r.done()) {
      model::WorkloadController* w = controllers.find(r.spec().workload);
      std::string reason = w->stall_reason();
      if (reason.empty()) {
        reason = sim.now() >= horizon
                     ? fmt::format("not finished after max_time {} s", world.max_time.seconds())
                     : "no progress possible (nothing left to happen)";
      }
      r.give_up(std::move(reason));
    }
  }

  // Per rollout, then the replication's totals.
  const CounterSnapshot at_end = CounterSnapshot::of(cluster);
  double first_start = std::numeric_limits<double>::infinity();
  double last_end = 0;
  double unavailable = 0, below = 0, min_available = std::numeric_limits<double>::infinity();
  double min_fraction = std::numeric_limits<double>::infinity();
  std::uint64_t created = 0, ip_changes = 0, in_place = 0, fallbacks = 0;
  double prewarm = 0;
  std::vector<std::int32_t> touched_by(cluster.pod_count(), -1);
  std::vector<sim::Time> touched_from(cluster.pod_count());
  for (std::size_t i = 0; i < releases.size(); ++i) {
    const model::ReleaseResult& r = releases[i]->result();
    RolloutRecord rec = to_record(r);
    first_start = std::min(first_start, rec.start_s);
    last_end = std::max(last_end, rec.end_s);
    unavailable += r.unavailable_pod_seconds;
    below += r.time_below_desired_s;
    min_available = std::min(min_available, static_cast<double>(r.min_available));
    if (auto it = rec.metrics.find("min_available_fraction"); it != rec.metrics.end()) {
      min_fraction = std::min(min_fraction, it->second);
    }
    created += r.pods_created;
    ip_changes += std::min(r.pods_created, r.pods_deleted);
    in_place += r.in_place_updates;
    fallbacks += r.recreate_fallbacks;
    if (auto it = rec.metrics.find("prewarm_duration_s"); it != rec.metrics.end()) {
      prewarm = std::max(prewarm, it->second);
    }
    result.stalled |=
        r.outcome == model::RolloutOutcome::stalled || r.outcome == model::RolloutOutcome::refused;
    for (const model::PodId p : r.pods_touched) {
      touched_by[p] = static_cast<std::int32_t>(i);
      touched_from[p] = r.start;
    }
    result.rollouts.push_back(std::move(rec));
  }
  auto& m = result.metrics;
  if (!releases.empty()) {
    m["rollout_duration_s"] = last_end - first_start;
    m["unavailable_pod_seconds"] = unavailable;
    m["time_below_desired_s"] = below;
    // Over several workloads the smallest count says little; the smallest fraction says more.
    m["min_available_replicas"] = min_available;
    if (std::isfinite(min_fraction)) m["min_available_fraction"] = min_fraction;
    m["pods_rescheduled"] = static_cast<double>(created);
    m["ip_changes"] = static_cast<double>(ip_changes);
    m["in_place_updates"] = static_cast<double>(in_place);
    m["recreate_fallbacks"] = static_cast<double>(fallbacks);
    m["prewarm_duration_s"] = prewarm;
  }
  m["scheduler_cycles"] = static_cast<double>(at_end.scheduler_cycles - at_start.scheduler_cycles);
  m["sandboxes_created"] = static_cast<double>(at_end.sandboxes - at_start.sandboxes);
  m["bytes_from_registry"] =
      static_cast<double>(at_end.bytes_from_registry - at_start.bytes_from_registry);
  m["bytes_from_peers"] = static_cast<double>(at_end.bytes_from_peers - at_start.bytes_from_peers);
  m["bytes_pulled"] = m["bytes_from_registry"] + m["bytes_from_peers"];
  m["stalled_rollouts"] = static_cast<double>(
      std::count_if(result.rollouts.begin(), result.rollouts.end(), [](const RolloutRecord& r) {
        return r.outcome == model::RolloutOutcome::stalled ||
               r.outcome == model::RolloutOutcome::refused;
      }));

  // Stage breakdown: the spans of pods the releases created or updated, from the release on.
  const auto& spans = cluster.recorder().spans();
  for (const model::Span& s : spans) {
    if (s.pod >= touched_by.size() || touched_by[s.pod] < 0 || s.start < touched_from[s.pod])
      continue;
    result.stage_seconds[static_cast<std::size_t>(s.stage)] += (s.end - s.start).seconds();
  }
  // Which stages decided how long the new pods took to come up (their creation critical paths)
  // and the pods updated in place to come back (one path per update).
  std::vector<model::PodRecord> touched =
      model::records_by_pod(cluster, [&](model::PodId p) { return touched_by[p] >= 0; });
  const auto add_path = [](const model::CriticalPath& path,
                           std::array<double, model::kStageCount>& seconds) {
    for (std::size_t i = 0; i < model::kStageCount; ++i) seconds[i] += path.stage_time[i].seconds();
  };
  for (model::PodId p = 0; p < touched_by.size(); ++p) {
    if (touched_by[p] < 0) continue;
    const model::Pod& pod = cluster.pod(p);
    if (pod.created_at >= touched_from[p]) {
      add_path(model::creation_critical_path(cluster, p, touched[p]), result.critical_path_seconds);
    }
    if (pod.in_place_updates > 0) {
      for (const model::CriticalPath& path :
           model::in_place_critical_paths(cluster, p, std::move(touched[p]), touched_from[p])) {
        add_path(path, result.in_place_critical_path_seconds);
      }
    }
  }
  if (options.trace) {
    std::vector<PodSpanRecord> out;
    out.reserve(spans.size());
    for (const model::Span& s : spans) {
      const model::Pod& pod = cluster.pod(s.pod);
      const auto* w = pod.owner.workload > 0 && pod.owner.workload <= controllers.workloads().size()
                          ? controllers.workloads()[pod.owner.workload - 1].get()
                          : nullptr;
      out.push_back({pod.name, w ? w->name() : std::string(), cluster.nodes().at(s.node).name,
                     container_name(pod, s.container), s.stage, s.start.seconds(),
                     s.end.seconds()});
    }
    result.spans = std::move(out);
  }
  result.simulated_s = sim.now().seconds();
  result.events = sim.events_processed();
  return result;
}

}  // namespace podsim::experiment
