// Stage graphs of pod start and in-place update; the kubelet facts behind each edge are listed
// in stage_graph.hpp.
#include "podsim/model/stage_graph.hpp"

#include <algorithm>
#include <boost/graph/topological_sort.hpp>
#include <iterator>
#include <stdexcept>
#include <string>

namespace podsim::model {

StageGraph::Vertex StageGraph::add_stage(StageInstance stage) {
  const auto [it, inserted] = index_.try_emplace(stage, Vertex{});
  if (inserted) it->second = boost::add_vertex(stage, graph_);
  return it->second;
}

void StageGraph::add_dependency(StageInstance before, StageInstance after) {
  const Vertex u = add_stage(before);
  const Vertex v = add_stage(after);
  if (!boost::edge(u, v, graph_).second) boost::add_edge(u, v, graph_);
}

std::optional<StageGraph::Vertex> StageGraph::find(StageInstance stage) const {
  const auto it = index_.find(stage);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

bool StageGraph::has_edge(StageInstance before, StageInstance after) const {
  const auto u = find(before);
  const auto v = find(after);
  return u && v && boost::edge(*u, *v, graph_).second;
}

std::vector<StageGraph::Vertex> StageGraph::topological_order() const {
  // boost::topological_sort emits vertices in reverse topological order.
  std::vector<Vertex> order;
  order.reserve(size());
  boost::topological_sort(graph_, std::back_inserter(order));
  std::reverse(order.begin(), order.end());
  return order;
}

bool StageGraph::is_acyclic() const {
  try {
    (void)topological_order();
    return true;
  } catch (const boost::not_a_dag&) {
    return false;
  }
}

namespace {

constexpr StageInstance pod_stage(Stage stage) {
  return {stage, Span::kPodLevel};
}

// Links the readiness branch of a started container to the pod-level stages that start at
// pod Ready.
void add_ready_branch(StageGraph& graph, std::int32_t container, bool has_readiness_probe) {
  StageInstance ready{Stage::container_start, container};
  if (has_readiness_probe) {
    graph.add_dependency(ready, {Stage::app_start, container});
    graph.add_dependency({Stage::app_start, container}, {Stage::readiness, container});
    ready = {Stage::readiness, container};
  }
  graph.add_dependency(ready, pod_stage(Stage::min_ready));
  graph.add_dependency(ready, pod_stage(Stage::endpoint_propagation));
}

}  // namespace

StageGraph build_pod_start_graph(const PodShape& shape) {
  StageGraph graph;
  // The last stage instance that the next one in the kubelet's sequence waits for.
  std::optional<StageInstance> previous;
  const auto then = [&](StageInstance next) {
    if (previous) {
      graph.add_dependency(*previous, next);
    } else {
      graph.add_stage(next);
    }
    previous = next;
  };

  if (shape.needs_scheduling) then(pod_stage(Stage::scheduling));
  if (shape.instance_boot) then(pod_stage(Stage::instance_boot));
  if (shape.volume_setup) then(pod_stage(Stage::volume_setup));
  then(pod_stage(Stage::sandbox));

  // A container's pull, after the backoffs that can delay it: only restartable containers
  // (sidecars, app containers) crash-loop.
  const auto pull = [&](std::int32_t container, bool restartable) {
    if (restartable) then({Stage::crash_loop_backoff, container});
    then({Stage::image_pull_backoff, container});
    then({Stage::image_pull, container});
  };

  std::int32_t index = 0;
  for (const InitContainerShape& init : shape.init_containers) {
    pull(index, init.sidecar);
    if (init.sidecar) {
      then({Stage::container_start, index});
      add_ready_branch(graph, index, init.has_readiness_probe);
    } else {
      then({Stage::init_containers, index});
    }
    ++index;
  }
  for (const ContainerShape& container : shape.containers) {
    pull(index, true);
    then({Stage::container_start, index});
    add_ready_branch(graph, index, container.has_readiness_probe);
    ++index;
  }
  // A pod without containers (invalid in Kubernetes) still has its pod-level sinks.
  graph.add_stage(pod_stage(Stage::min_ready));
  graph.add_stage(pod_stage(Stage::endpoint_propagation));
  return graph;
}

StageGraph build_in_place_update_graph(const InPlaceUpdateShape& shape) {
  std::vector<ChangedContainer> changed = shape.changed;
  std::sort(changed.begin(), changed.end(),
            [](const ChangedContainer& a, const ChangedContainer& b) {
              return a.container < b.container;
            });
  for (std::size_t i = 0; i < changed.size(); ++i) {
    if (changed[i].container < 0) {
      throw std::invalid_argument("in-place update: negative container index " +
                                  std::to_string(changed[i].container));
    }
    if (i > 0 && changed[i].container == changed[i - 1].container) {
      throw std::invalid_argument("in-place update: container " +
                                  std::to_string(changed[i].container) + " listed twice");
    }
  }

  StageGraph graph;
  StageInstance previous = pod_stage(Stage::in_place_grace);
  graph.add_stage(previous);
  // SyncPod kills every changed container first, then starts them.
  for (const ChangedContainer& c : changed) {
    const StageInstance next{Stage::termination, c.container};
    graph.add_dependency(previous, next);
    previous = next;
  }
  for (const ChangedContainer& c : changed) {
    graph.add_dependency(previous, {Stage::crash_loop_backoff, c.container});
    graph.add_dependency({Stage::crash_loop_backoff, c.container},
                         {Stage::image_pull_backoff, c.container});
    graph.add_dependency({Stage::image_pull_backoff, c.container},
                         {Stage::image_pull, c.container});
    graph.add_dependency({Stage::image_pull, c.container}, {Stage::container_start, c.container});
    add_ready_branch(graph, c.container, c.has_readiness_probe);
    previous = {Stage::container_start, c.container};
  }
  graph.add_stage(pod_stage(Stage::min_ready));
  graph.add_stage(pod_stage(Stage::endpoint_propagation));
  return graph;
}

}  // namespace podsim::model
