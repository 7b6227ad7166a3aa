// Critical paths of a pod's creation and in-place updates; episodes are described in
// pod_critical_path.hpp.
#include "podsim/model/pod_critical_path.hpp"

#include <algorithm>
#include <optional>

namespace podsim::model {

namespace {

// One in-place update: when the kubelet took it up and which containers it changed.
struct Update {
  sim::Time start;
  std::vector<std::int32_t> changed;
};

// One pod's changes (in the order recorded) grouped by update.
std::vector<Update> group_updates(std::span<const InPlaceChange> changes) {
  std::vector<Update> updates;
  for (const InPlaceChange& c : changes) {
    if (updates.empty() || updates.back().start != c.start) updates.push_back({c.start, {}});
    updates.back().changed.push_back(c.container);
  }
  return updates;
}

std::vector<InPlaceChange> changes_of(const Cluster& cluster, PodId pod) {
  std::vector<InPlaceChange> out;
  for (const InPlaceChange& c : cluster.recorder().in_place_changes()) {
    if (c.pod == pod) out.push_back(c);
  }
  return out;
}

std::vector<Span> spans_of(const Cluster& cluster, PodId pod) {
  std::vector<Span> out;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == pod) out.push_back(s);
  }
  return out;
}

// Spans are recorded as stages end; episodes are cut by start.
void sort_by_start(std::vector<Span>& spans) {
  std::stable_sort(spans.begin(), spans.end(),
                   [](const Span& a, const Span& b) { return a.start < b.start; });
}

// The deletion begins with the pod-level termination span.
sim::Time deletion_start(std::span<const Span> spans) {
  sim::Time t = sim::Time::max();
  for (const Span& s : spans) {
    if (s.stage == Stage::termination && s.container == Span::kPodLevel) t = std::min(t, s.start);
  }
  return t;
}

// Of spans sorted by start, those of the episode beginning at `from`: starting before `to` and
// no later than the pod's first Ready after `from` (an endpoint_propagation span starts at every
// Ready, zero-length or not). A Ready at `from` itself ended the previous episode: a release
// that starts as soon as the pods are available updates them at that very instant.
std::vector<Span> episode(std::span<const Span> sorted, sim::Time from, sim::Time to) {
  std::vector<Span> out;
  std::optional<sim::Time> ready;
  for (const Span& s : sorted) {
    if (s.start < from) continue;
    if (s.start >= to || (ready && s.start > *ready)) break;
    if (!ready && s.stage == Stage::endpoint_propagation && s.start > from) ready = s.start;
    out.push_back(s);
  }
  return out;
}

CriticalPath creation_path(const Cluster& cluster, PodId id, std::vector<Span>& spans,
                           std::span<const InPlaceChange> changes) {
  const Pod& pod = cluster.pod(id);
  if (!pod.node) return {};
  sort_by_start(spans);
  sim::Time to = deletion_start(spans);
  if (!changes.empty()) to = std::min(to, changes.front().start);
  const NodePoolKind kind = cluster.pool(cluster.nodes()[*pod.node].pool).kind;
  const StageGraph graph = build_pod_start_graph(pod_shape(*pod.spec, kind));
  return critical_path(episode(spans, sim::Time::zero(), to), graph);
}

std::vector<CriticalPath> in_place_paths(const Cluster& cluster, PodId id, std::vector<Span>& spans,
                                         std::span<const InPlaceChange> changes, sim::Time since) {
  std::vector<CriticalPath> paths;
  const std::vector<Update> updates = group_updates(changes);
  if (updates.empty()) return paths;
  sort_by_start(spans);
  const sim::Time deleted = deletion_start(spans);
  const PodTemplate& spec = *cluster.pod(id).spec;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    if (updates[i].start < since) continue;
    const sim::Time to = i + 1 < updates.size() ? std::min(updates[i + 1].start, deleted) : deleted;
    const StageGraph graph = build_in_place_update_graph(in_place_shape(spec, updates[i].changed));
    paths.push_back(critical_path(episode(spans, updates[i].start, to), graph, updates[i].start));
  }
  return paths;
}

}  // namespace

PodShape pod_shape(const PodTemplate& spec, NodePoolKind pool_kind) {
  PodShape shape;
  shape.instance_boot = pool_kind == NodePoolKind::elastic;
  for (const InitContainerSpec& init : spec.initContainers) {
    // A sidecar's readiness probe holds pod Ready up like an app container's.
    shape.init_containers.push_back(
        InitContainerShape{init.sidecar, init.sidecar && init.readinessProbe.has_value()});
  }
  for (const ContainerSpec& c : spec.containers) {
    shape.containers.push_back(ContainerShape{c.readinessProbe.has_value()});
  }
  return shape;
}

InPlaceUpdateShape in_place_shape(const PodTemplate& spec, std::span<const std::int32_t> changed) {
  InPlaceUpdateShape shape;
  const std::size_t n_init = spec.initContainers.size();
  for (const std::int32_t c : changed) {
    const auto k = static_cast<std::size_t>(c);
    const bool probed = k < n_init ? spec.initContainers[k].readinessProbe.has_value()
                                   : spec.containers.at(k - n_init).readinessProbe.has_value();
    shape.changed.push_back(ChangedContainer{c, probed});
  }
  return shape;
}

CriticalPath creation_critical_path(const Cluster& cluster, PodId pod) {
  std::vector<Span> spans = spans_of(cluster, pod);
  return creation_path(cluster, pod, spans, changes_of(cluster, pod));
}

CriticalPath creation_critical_path(const Cluster& cluster, PodId pod, std::vector<Span> spans,
                                    std::span<const InPlaceChange> changes) {
  return creation_path(cluster, pod, spans, changes);
}

std::vector<CriticalPath> in_place_critical_paths(const Cluster& cluster, PodId pod,
                                                  sim::Time since) {
  std::vector<Span> spans = spans_of(cluster, pod);
  return in_place_paths(cluster, pod, spans, changes_of(cluster, pod), since);
}

std::vector<CriticalPath> in_place_critical_paths(const Cluster& cluster, PodId pod,
                                                  std::vector<Span> spans,
                                                  std::span<const InPlaceChange> changes,
                                                  sim::Time since) {
  return in_place_paths(cluster, pod, spans, changes, since);
}

namespace {

// Spans and in-place changes grouped by pod once: one pass, not one per pod.
struct ByPod {
  std::vector<std::vector<Span>> spans;
  std::vector<std::vector<InPlaceChange>> changes;

  explicit ByPod(const Cluster& cluster)
      : spans(cluster.pod_count()), changes(cluster.pod_count()) {
    for (const Span& s : cluster.recorder().spans()) spans[s.pod].push_back(s);
    for (const InPlaceChange& c : cluster.recorder().in_place_changes()) {
      changes[c.pod].push_back(c);
    }
  }
};

}  // namespace

CriticalPathSummary creation_critical_paths(const Cluster& cluster) {
  ByPod by_pod(cluster);
  CriticalPathSummary summary;
  for (PodId p = 0; p < by_pod.spans.size(); ++p) {
    summary.add(creation_path(cluster, p, by_pod.spans[p], by_pod.changes[p]));
  }
  return summary;
}

CriticalPathSummary in_place_update_critical_paths(const Cluster& cluster) {
  ByPod by_pod(cluster);
  CriticalPathSummary summary;
  for (PodId p = 0; p < by_pod.spans.size(); ++p) {
    for (const CriticalPath& path :
         in_place_paths(cluster, p, by_pod.spans[p], by_pod.changes[p], sim::Time::zero())) {
      summary.add(path);
    }
  }
  return summary;
}

}  // namespace podsim::model
