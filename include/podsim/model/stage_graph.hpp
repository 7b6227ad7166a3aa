#pragma once
// The stage structure of a pod as a DAG: which stage instance must finish before which other can
// start. Reports walk it backwards over a pod's recorded spans to find the critical path
// (critical_path.hpp).
//
//   PodShape shape;
//   shape.init_containers = {{}, {.sidecar = true}};
//   shape.containers = {{}, {.has_readiness_probe = false}};
//   StageGraph graph = build_pod_start_graph(shape);
//   graph.has_edge({Stage::sandbox}, {Stage::image_pull_backoff, 0});  // true
//
// Vertices are (Stage, container) stage instances, with the container numbering of model::Span:
// init containers first, then app containers, Span::kPodLevel (-1) for pod-wide stages.
//
// Pod start (build_pod_start_graph), each edge with the kubelet fact behind it
// (domain-reference §3.1, §3.5):
//   scheduling -> instance_boot -> volume_setup -> sandbox
//       The kubelet sees a pod only once it is bound; a serverless pool first boots the elastic
//       instance; syncPod waits for volumes to attach and mount before SyncPod creates the sandbox.
//       Optional stages are left out of the chain (not just bypassed) when the shape says so.
//   sandbox -> image_pull[0]
//       Containers start only in a ready sandbox (RunPodSandbox: netns, CNI, IP).
//   X -> crash_loop_backoff[c] -> image_pull_backoff[c] -> image_pull[c]
//       Every "X -> image_pull[c]" below (and in an in-place update) is this chain. A crashed
//       container is restarted only once CrashLoopBackOff lets it (doBackOff, before the pull),
//       and a pull that failed is retried only once ImagePullBackOff has run (EnsureImageExists;
//       domain-reference §3.3). Both are absent when nothing failed. Run-to-completion init
//       containers have no crash_loop_backoff: podsim does not fail them.
//   image_pull[i] -> init_containers[i] -> image_pull[i+1]
//       Init containers run one at a time, in order, one per sync: startContainer pulls
//       (EnsureImageExists), creates and starts; the next one starts after this one exits 0.
//   image_pull[s] -> container_start[s] -> image_pull[s+1]            (sidecar s)
//       A sidecar (init container with restartPolicy Always) is not waited for to complete: the
//       next init container starts once the sidecar is started (postStart done and startupProbe
//       passed). Its readiness probe counts towards pod Ready like an app container's.
//   last init container -> image_pull[first app container]
//       App containers start only after all init containers succeeded (Initialized=True).
//   image_pull[c] -> container_start[c] -> image_pull[c+1]           (app containers, spec order)
//       SyncPod starts app containers in spec order, each startContainer being pull -> create ->
//       start -> postStart (synchronous), so the kubelet never pulls two images of one pod at once.
//   container_start[c] -> app_start[c] -> readiness[c]               (container with a probe)
//       The probe succeeds only once the application serves; probe ticks quantize detection.
//       A container without a readiness probe is ready once started: its container_start feeds
//       pod Ready directly and its app_start and readiness are not part of the graph.
//   readiness[c] (or container_start[c]) -> min_ready, -> endpoint_propagation
//       Pod Ready needs every container ready (sidecars included). Both pod-level stages start at
//       Ready and run in parallel: the EndpointSlice controller publishes a Ready pod at once, it
//       does not wait for minReadySeconds, which only gates availability for the controllers.
//
// In-place update (build_in_place_update_graph; domain-reference §2.6, §3.2):
//   in_place_grace -> termination[c0] -> termination[c1] -> ...
//       CloneSet patches the images only after gracePeriodSeconds; the kubelet then kills each
//       changed container (preStop, SIGTERM, grace) one after the other (SyncPod step 3).
//   last termination -> image_pull[c0] -> container_start[c0] -> image_pull[c1] -> ...
//       SyncPod kills before it starts, then starts the changed containers in spec order, each as
//       pull -> create -> start. Sandbox, IP, volumes, init containers and unchanged containers
//       are untouched, so none of their stages appear.
//   container_start[c] -> app_start[c] -> readiness[c] -> min_ready, endpoint_propagation
//       As at pod start, for the changed containers only (the others stayed ready).

#include <boost/graph/adjacency_list.hpp>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "podsim/model/span.hpp"

namespace podsim::model {

/// One stage of one container (or of the pod, container == Span::kPodLevel).
struct StageInstance {
  Stage stage = Stage::scheduling;
  std::int32_t container = Span::kPodLevel;

  constexpr auto operator<=>(const StageInstance&) const = default;
};

/// An init container as far as the stage structure cares.
struct InitContainerShape {
  /// restartPolicy: Always (native sidecar): started, not run to completion.
  bool sidecar = false;
  /// Only sidecars' readiness probes matter (a regular init container is never "ready").
  bool has_readiness_probe = false;
};

/// An app container as far as the stage structure cares.
struct ContainerShape {
  bool has_readiness_probe = true;
};

/// The minimal description of a pod template the stage graph of pod start needs.
struct PodShape {
  bool needs_scheduling = true;  // false for pods created with spec.nodeName set
  bool instance_boot = false;    // serverless pools boot an elastic instance first
  bool volume_setup = true;
  std::vector<InitContainerShape> init_containers;
  std::vector<ContainerShape> containers;
};

/// A container whose image an in-place update changes.
struct ChangedContainer {
  /// Index with init containers first, as in Span::container (an app container's index is the
  /// number of init containers plus its position in spec.containers).
  std::int32_t container = 0;
  bool has_readiness_probe = true;
};

/// The minimal description of an in-place update (CloneSet InPlaceIfPossible / InPlaceOnly).
struct InPlaceUpdateShape {
  /// In any order: the kubelet restarts them in spec order, i.e. by increasing index.
  std::vector<ChangedContainer> changed;
};

/// A DAG of stage instances; an edge u -> v means "u must finish before v starts". Built once
/// per pod template, shared by all its pods.
class StageGraph {
 public:
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, StageInstance>;
  using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

  /// Adds the stage instance if absent; returns its vertex.
  Vertex add_stage(StageInstance stage);
  /// Adds both stage instances if absent and the edge before -> after (once).
  void add_dependency(StageInstance before, StageInstance after);

  const Graph& graph() const { return graph_; }
  std::size_t size() const { return boost::num_vertices(graph_); }
  const StageInstance& operator[](Vertex v) const { return graph_[v]; }
  std::optional<Vertex> find(StageInstance stage) const;
  bool has_edge(StageInstance before, StageInstance after) const;

  /// Vertices in an order where every vertex comes after all its predecessors. Throws
  /// boost::not_a_dag if a cycle was built.
  std::vector<Vertex> topological_order() const;
  bool is_acyclic() const;

 private:
  Graph graph_;
  std::map<StageInstance, Vertex> index_;
};

/// The stages of a pod's creation, from scheduling to endpoint propagation (see the top of this
/// file for the edges).
StageGraph build_pod_start_graph(const PodShape& shape);

/// The stages of an in-place update of a running pod. Throws std::invalid_argument if a changed
/// container index is negative or repeated.
StageGraph build_in_place_update_graph(const InPlaceUpdateShape& shape);

}  // namespace podsim::model
