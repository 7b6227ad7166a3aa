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

PodRecord record_of(const Cluster& cluster, PodId pod) {
  PodRecord record;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == pod) record.spans.push_back(s);
  }
  for (const InPlaceChange& c : cluster.recorder().in_place_changes()) {
    if (c.pod == pod) record.changes.push_back(c);
  }
  return record;
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

std::vector<PodRecord> records_by_pod(const Cluster& cluster,
                                      const std::function<bool(PodId)>& keep) {
  std::vector<PodRecord> records(cluster.pod_count());
  std::vector<bool> kept(records.size(), true);
  if (keep) {
    for (PodId p = 0; p < kept.size(); ++p) kept[p] = keep(p);
  }
  for (const Span& s : cluster.recorder().spans()) {
    if (kept[s.pod]) records[s.pod].spans.push_back(s);
  }
  for (const InPlaceChange& c : cluster.recorder().in_place_changes()) {
    if (kept[c.pod]) records[c.pod].changes.push_back(c);
  }
  return records;
}

CriticalPath creation_critical_path(const Cluster& cluster, PodId pod) {
  return creation_critical_path(cluster, pod, record_of(cluster, pod));
}

CriticalPath creation_critical_path(const Cluster& cluster, PodId pod, PodRecord record) {
  return creation_path(cluster, pod, record.spans, record.changes);
}

std::vector<CriticalPath> in_place_critical_paths(const Cluster& cluster, PodId pod,
                                                  sim::Time since) {
  return in_place_critical_paths(cluster, pod, record_of(cluster, pod), since);
}

std::vector<CriticalPath> in_place_critical_paths(const Cluster& cluster, PodId pod,
                                                  PodRecord record, sim::Time since) {
  return in_place_paths(cluster, pod, record.spans, record.changes, since);
}

CriticalPathSummary creation_critical_paths(const Cluster& cluster) {
  std::vector<PodRecord> records = records_by_pod(cluster);
  CriticalPathSummary summary;
  for (PodId p = 0; p < records.size(); ++p) {
    summary.add(creation_path(cluster, p, records[p].spans, records[p].changes));
  }
  return summary;
}

CriticalPathSummary in_place_update_critical_paths(const Cluster& cluster) {
  std::vector<PodRecord> records = records_by_pod(cluster);
  CriticalPathSummary summary;
  for (PodId p = 0; p < records.size(); ++p) {
    for (const CriticalPath& path :
         in_place_paths(cluster, p, records[p].spans, records[p].changes, sim::Time::zero())) {
      summary.add(path);
    }
  }
  return summary;
}

}  // namespace podsim::model
