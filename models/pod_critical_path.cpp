#include "podsim/model/pod_critical_path.hpp"

#include <algorithm>
#include <vector>

namespace podsim::model {

namespace {

bool ends_creation(const Span& s) {
  return s.stage == Stage::in_place_grace || s.stage == Stage::termination;
}

CriticalPath creation_path(const Cluster& cluster, PodId id, std::vector<Span>& spans) {
  const Pod& pod = cluster.pod(id);
  if (!pod.node) return {};
  // Spans are recorded as stages end, so sort by start before cutting at the first update.
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.start < b.start; });
  auto cut = std::find_if(spans.begin(), spans.end(), ends_creation);
  if (cut != spans.end()) {
    const sim::Time boundary = cut->start;
    spans.erase(std::remove_if(spans.begin(), spans.end(),
                               [&](const Span& s) { return s.start >= boundary; }),
                spans.end());
  }
  const NodePoolKind kind = cluster.pool(cluster.nodes()[*pod.node].pool).kind;
  const StageGraph graph = build_pod_start_graph(pod_shape(*pod.spec, kind));
  return critical_path(spans, graph);
}

}  // namespace

PodShape pod_shape(const PodTemplate& spec, NodePoolKind pool_kind) {
  PodShape shape;
  shape.instance_boot = pool_kind == NodePoolKind::elastic;
  for (const InitContainerSpec& init : spec.initContainers) {
    shape.init_containers.push_back(InitContainerShape{init.sidecar, false});
  }
  for (const ContainerSpec& c : spec.containers) {
    shape.containers.push_back(ContainerShape{c.readinessProbe.has_value()});
  }
  return shape;
}

CriticalPath creation_critical_path(const Cluster& cluster, PodId pod) {
  std::vector<Span> spans;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == pod) spans.push_back(s);
  }
  return creation_path(cluster, pod, spans);
}

CriticalPathSummary creation_critical_paths(const Cluster& cluster) {
  // Group the spans by pod once: one pass, not one per pod.
  std::vector<std::vector<Span>> by_pod(cluster.pod_count());
  for (const Span& s : cluster.recorder().spans()) by_pod[s.pod].push_back(s);
  CriticalPathSummary summary;
  for (PodId p = 0; p < by_pod.size(); ++p) summary.add(creation_path(cluster, p, by_pod[p]));
  return summary;
}

}  // namespace podsim::model
