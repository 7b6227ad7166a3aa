// Stage graphs and critical paths of pods, against hand-worked timelines. Times are whole
// seconds; every expected number is derived in the comments from the spans, not from the
// program's output.
#include "podsim/model/critical_path.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

#include "podsim/model/stage_graph.hpp"

using podsim::model::ChangedContainer;
using podsim::model::ContainerShape;
using podsim::model::critical_path;
using podsim::model::CriticalPath;
using podsim::model::InitContainerShape;
using podsim::model::InPlaceUpdateShape;
using podsim::model::PodShape;
using podsim::model::Span;
using podsim::model::Stage;
using podsim::model::StageGraph;
using podsim::model::StageInstance;
using podsim::model::summarize;
using podsim::sim::Duration;
using podsim::sim::Time;

namespace {

constexpr std::int32_t kPod = Span::kPodLevel;

Time at(std::int64_t s) {
  return Time::from_ns(s * 1'000'000'000);
}
Duration secs(std::int64_t s) {
  return Duration::from_ns(s * 1'000'000'000);
}
Span span(Stage stage, std::int32_t container, std::int64_t start_s, std::int64_t end_s,
          podsim::model::PodId pod = 1) {
  return Span{pod, 0, container, stage, at(start_s), at(end_s)};
}

// The path as (stage, container) pairs, first step first.
std::vector<StageInstance> stages_of(const CriticalPath& path) {
  std::vector<StageInstance> out;
  for (const auto& step : path.steps) out.push_back({step.stage, step.container});
  return out;
}

// Invariant of the accounting: on-path time of all stages plus waiting is the path's duration.
Duration accounted(const CriticalPath& path) {
  Duration sum = path.waiting;
  for (const Duration d : path.stage_time) sum += d;
  return sum;
}

// scheduling -> sandbox -> one app container with a readiness probe.
StageGraph single_container_graph(bool volume_setup) {
  PodShape shape;
  shape.volume_setup = volume_setup;
  shape.containers = {ContainerShape{}};
  return build_pod_start_graph(shape);
}

}  // namespace

TEST_CASE("critical path: the second container's pull dominates", "[critical_path]") {
  PodShape shape;
  shape.containers = {ContainerShape{}, ContainerShape{}};  // indices 0 and 1, both probed
  const StageGraph graph = build_pod_start_graph(shape);

  // Container 1 is pulled only after container 0 started (pull follows start): its 30 s pull at
  // [7, 37] pushes its readiness to 42, far after container 0's (10). min_ready (8 s) ends at 50,
  // after endpoint_propagation (43), so the path ends in min_ready.
  const std::vector<Span> spans = {
      span(Stage::scheduling, kPod, 0, 1),
      span(Stage::volume_setup, kPod, 1, 2),
      span(Stage::sandbox, kPod, 2, 4),
      span(Stage::image_pull, 0, 4, 6),
      span(Stage::container_start, 0, 6, 7),
      span(Stage::app_start, 0, 7, 9),
      span(Stage::readiness, 0, 9, 10),
      span(Stage::image_pull, 1, 7, 37),
      span(Stage::container_start, 1, 37, 38),
      span(Stage::app_start, 1, 38, 40),
      span(Stage::readiness, 1, 40, 42),
      span(Stage::min_ready, kPod, 42, 50),
      span(Stage::endpoint_propagation, kPod, 42, 43),
  };
  const CriticalPath path = critical_path(spans, graph);

  CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::scheduling, kPod},
                                                      {Stage::volume_setup, kPod},
                                                      {Stage::sandbox, kPod},
                                                      {Stage::image_pull, 0},
                                                      {Stage::container_start, 0},
                                                      {Stage::image_pull, 1},
                                                      {Stage::container_start, 1},
                                                      {Stage::app_start, 1},
                                                      {Stage::readiness, 1},
                                                      {Stage::min_ready, kPod}});
  CHECK(path.start == at(0));
  CHECK(path.end == at(50));
  CHECK(path.waiting == Duration{});
  // image_pull: 2 s (container 0) + 30 s (container 1) = 32 s of 50 s = 64 %.
  CHECK(path.time(Stage::image_pull) == secs(32));
  CHECK(path.share(Stage::image_pull) == Approx(0.64));
  CHECK(path.time(Stage::container_start) == secs(2));
  CHECK(path.time(Stage::app_start) == secs(2));  // container 0's app_start is off the path
  CHECK(path.time(Stage::min_ready) == secs(8));
  CHECK_FALSE(path.contains(Stage::endpoint_propagation));
  CHECK(accounted(path) == path.duration());
}

TEST_CASE("critical path: a cached image (no pull) is bypassed", "[critical_path]") {
  const StageGraph graph = single_container_graph(/*volume_setup=*/true);
  // The sandbox starts 1 s after volume setup ended (kubelet sync): that second is waiting.
  // container_start's predecessor image_pull is absent, so the walk goes on to sandbox.
  std::vector<Span> spans = {
      span(Stage::scheduling, kPod, 0, 2),
      span(Stage::volume_setup, kPod, 2, 3),
      span(Stage::sandbox, kPod, 4, 6),
      span(Stage::container_start, 0, 6, 7),
      span(Stage::app_start, 0, 7, 12),
      span(Stage::readiness, 0, 12, 15),
      span(Stage::endpoint_propagation, kPod, 15, 16),
  };
  SECTION("no image_pull span") {}
  SECTION("a zero-length image_pull span") {
    spans.push_back(span(Stage::image_pull, 0, 6, 6));
  }
  SECTION("a zero-length min_ready span is bypassed too") {
    spans.push_back(span(Stage::min_ready, kPod, 15, 15));
  }
  const CriticalPath path = critical_path(spans, graph);

  CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::scheduling, kPod},
                                                      {Stage::volume_setup, kPod},
                                                      {Stage::sandbox, kPod},
                                                      {Stage::container_start, 0},
                                                      {Stage::app_start, 0},
                                                      {Stage::readiness, 0},
                                                      {Stage::endpoint_propagation, kPod}});
  CHECK_FALSE(path.contains(Stage::image_pull));
  CHECK(path.time(Stage::image_pull) == Duration{});
  CHECK(path.duration() == secs(16));
  CHECK(path.steps[2].waiting_before == secs(1));
  CHECK(path.waiting == secs(1));
  CHECK(path.waiting_share() == Approx(1.0 / 16));
  // app_start: 5 of 16 s.
  CHECK(path.share(Stage::app_start) == Approx(5.0 / 16));
  CHECK(accounted(path) == path.duration());
}

TEST_CASE("critical path: of two parallel readiness branches the later one is on the path",
          "[critical_path]") {
  PodShape shape;
  shape.needs_scheduling = false;
  shape.volume_setup = false;
  shape.containers = {ContainerShape{}, ContainerShape{}};
  const StageGraph graph = build_pod_start_graph(shape);

  // Both containers' readiness branches feed endpoint_propagation; min_ready is absent.
  std::vector<Span> spans = {
      span(Stage::sandbox, kPod, 0, 1),      span(Stage::image_pull, 0, 1, 3),
      span(Stage::container_start, 0, 3, 4), span(Stage::image_pull, 1, 4, 6),
      span(Stage::container_start, 1, 6, 7),
  };

  SECTION("container 0's slow application start decides") {
    // app 0 serves at 30, ready at 31; container 1 is ready at 11. Ready at 31, endpoint at 32.
    spans.insert(spans.end(), {span(Stage::app_start, 0, 4, 30), span(Stage::readiness, 0, 30, 31),
                               span(Stage::app_start, 1, 7, 10), span(Stage::readiness, 1, 10, 11),
                               span(Stage::endpoint_propagation, kPod, 31, 32)});
    const CriticalPath path = critical_path(spans, graph);
    CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::sandbox, kPod},
                                                        {Stage::image_pull, 0},
                                                        {Stage::container_start, 0},
                                                        {Stage::app_start, 0},
                                                        {Stage::readiness, 0},
                                                        {Stage::endpoint_propagation, kPod}});
    CHECK(path.duration() == secs(32));
    CHECK(path.share(Stage::app_start) == Approx(26.0 / 32));
    CHECK(path.time(Stage::image_pull) == secs(2));  // container 1's pull is off the path
    CHECK(accounted(path) == path.duration());
  }
  SECTION("container 1's slow application start decides") {
    // app 1 serves at 40, ready at 41 (container 0 at 11): the path runs through container 0's
    // pull and start (container 1 was pulled after them), then container 1's branch.
    spans.insert(spans.end(), {span(Stage::app_start, 0, 4, 10), span(Stage::readiness, 0, 10, 11),
                               span(Stage::app_start, 1, 7, 40), span(Stage::readiness, 1, 40, 41),
                               span(Stage::endpoint_propagation, kPod, 41, 42)});
    const CriticalPath path = critical_path(spans, graph);
    CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::sandbox, kPod},
                                                        {Stage::image_pull, 0},
                                                        {Stage::container_start, 0},
                                                        {Stage::image_pull, 1},
                                                        {Stage::container_start, 1},
                                                        {Stage::app_start, 1},
                                                        {Stage::readiness, 1},
                                                        {Stage::endpoint_propagation, kPod}});
    CHECK(path.duration() == secs(42));
    CHECK(path.share(Stage::app_start) == Approx(33.0 / 42));
    CHECK(accounted(path) == path.duration());
  }
}

TEST_CASE("critical path: a retried pull counts its last attempt, the backoff is waiting",
          "[critical_path]") {
  const StageGraph graph = single_container_graph(/*volume_setup=*/false);
  // The first attempt [4, 5] fails (pull QPS exceeded), the kubelet backs off 10 s and the second
  // attempt runs [15, 25]: from the sandbox's end (4) to 15 the pod waits 11 s.
  const std::vector<Span> spans = {
      span(Stage::scheduling, kPod, 0, 2),     span(Stage::sandbox, kPod, 2, 4),
      span(Stage::image_pull, 0, 4, 5),        span(Stage::image_pull, 0, 15, 25),
      span(Stage::container_start, 0, 25, 26), span(Stage::app_start, 0, 26, 28),
      span(Stage::readiness, 0, 28, 30),
  };
  const CriticalPath path = critical_path(spans, graph);
  REQUIRE(path.steps.size() == 6);
  CHECK(path.steps[2].stage == Stage::image_pull);
  CHECK(path.steps[2].start == at(15));
  CHECK(path.steps[2].waiting_before == secs(11));
  CHECK(path.time(Stage::image_pull) == secs(10));
  CHECK(path.waiting == secs(11));
  CHECK(path.duration() == secs(30));
  CHECK(accounted(path) == path.duration());
}

TEST_CASE("critical path: ImagePullBackOff is on the path before the pull that succeeds",
          "[critical_path][image_backoff]") {
  const StageGraph graph = single_container_graph(/*volume_setup=*/false);
  // The first attempt starts at 4 and fails; the kubelet backs off and the attempt at 15
  // succeeds: image_pull_backoff [4, 15], image_pull [15, 25]. No crash, so no
  // crash_loop_backoff: the walk goes from the backoff to the sandbox through its absent vertex.
  const std::vector<Span> spans = {
      span(Stage::scheduling, kPod, 0, 2),       span(Stage::sandbox, kPod, 2, 4),
      span(Stage::image_pull_backoff, 0, 4, 15), span(Stage::image_pull, 0, 15, 25),
      span(Stage::container_start, 0, 25, 26),   span(Stage::app_start, 0, 26, 28),
      span(Stage::readiness, 0, 28, 30),
  };
  const CriticalPath path = critical_path(spans, graph);
  CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::scheduling, kPod},
                                                      {Stage::sandbox, kPod},
                                                      {Stage::image_pull_backoff, 0},
                                                      {Stage::image_pull, 0},
                                                      {Stage::container_start, 0},
                                                      {Stage::app_start, 0},
                                                      {Stage::readiness, 0}});
  // 2 + 2 + 11 + 10 + 1 + 2 + 2 = 30 s, none of it waiting; the backoff is 11 of them.
  CHECK(path.time(Stage::image_pull_backoff) == secs(11));
  CHECK(path.share(Stage::image_pull_backoff) == Approx(11.0 / 30));
  CHECK(path.time(Stage::image_pull) == secs(10));
  CHECK(path.waiting == Duration{});
  CHECK(path.duration() == secs(30));
  CHECK(accounted(path) == path.duration());
}

TEST_CASE("critical path: CrashLoopBackOff is on the path before the restart it delayed",
          "[critical_path][crashloop]") {
  const StageGraph graph = single_container_graph(/*volume_setup=*/false);
  // Instance #0: pull [4, 14], start [14, 15], app [15, 18], crashes at 20. #1 restarts at once
  // (no pull: cached): start [20, 21], app [21, 24], crashes at 26; the restart is refused
  // until 36: crash_loop_backoff [26, 36]. #2: start [36, 37], app [37, 40], ready [40, 42],
  // endpoint [42, 43].
  const std::vector<Span> spans = {
      span(Stage::scheduling, kPod, 0, 2),     span(Stage::sandbox, kPod, 2, 4),
      span(Stage::image_pull, 0, 4, 14),       span(Stage::container_start, 0, 14, 15),
      span(Stage::app_start, 0, 15, 18),       span(Stage::container_start, 0, 20, 21),
      span(Stage::app_start, 0, 21, 24),       span(Stage::crash_loop_backoff, 0, 26, 36),
      span(Stage::container_start, 0, 36, 37), span(Stage::app_start, 0, 37, 40),
      span(Stage::readiness, 0, 40, 42),       span(Stage::endpoint_propagation, kPod, 42, 43),
  };
  const CriticalPath path = critical_path(spans, graph);
  // The pull of #0 [4, 14] started before the backoff: ignored, or it would stand in for #2's
  // absent pull and hide the backoff. From the sandbox's end (4) to the crash (26) the pod
  // waits 22 s: the instances that crashed.
  CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::scheduling, kPod},
                                                      {Stage::sandbox, kPod},
                                                      {Stage::crash_loop_backoff, 0},
                                                      {Stage::container_start, 0},
                                                      {Stage::app_start, 0},
                                                      {Stage::readiness, 0},
                                                      {Stage::endpoint_propagation, kPod}});
  CHECK(path.steps[2].waiting_before == secs(22));
  CHECK(path.waiting == secs(22));
  // 2 + 2 + 22 + 10 + 1 + 3 + 2 + 1 = 43 s; the backoff is 10 of them.
  CHECK(path.duration() == secs(43));
  CHECK(path.time(Stage::crash_loop_backoff) == secs(10));
  CHECK(path.share(Stage::crash_loop_backoff) == Approx(10.0 / 43));
  CHECK(path.time(Stage::container_start) == secs(1));
  CHECK_FALSE(path.contains(Stage::image_pull));
  CHECK(accounted(path) == path.duration());
}

TEST_CASE("critical path: rejects spans of several pods and reversed spans", "[critical_path]") {
  const StageGraph graph = single_container_graph(/*volume_setup=*/false);
  const std::vector<Span> mixed = {span(Stage::scheduling, kPod, 0, 1, 1),
                                   span(Stage::sandbox, kPod, 1, 2, 2)};
  CHECK_THROWS_AS(critical_path(mixed, graph), std::invalid_argument);
  const std::vector<Span> reversed = {span(Stage::scheduling, kPod, 3, 1)};
  CHECK_THROWS_AS(critical_path(reversed, graph), std::invalid_argument);
  CHECK(critical_path(std::vector<Span>{}, graph).steps.empty());
}

TEST_CASE("critical path: an in-place update", "[critical_path]") {
  // One init container (index 0) and two app containers (1, 2); the update changes container 2.
  InPlaceUpdateShape update;
  update.changed = {ChangedContainer{2, true}};
  const StageGraph graph = build_in_place_update_graph(update);

  // grace, termination, the two backoffs, pull, start, app, readiness, 2 pod sinks
  CHECK(graph.size() == 10);
  CHECK(graph.has_edge({Stage::in_place_grace, kPod}, {Stage::termination, 2}));
  CHECK(graph.has_edge({Stage::termination, 2}, {Stage::crash_loop_backoff, 2}));
  CHECK(graph.has_edge({Stage::crash_loop_backoff, 2}, {Stage::image_pull_backoff, 2}));
  CHECK(graph.has_edge({Stage::image_pull_backoff, 2}, {Stage::image_pull, 2}));
  CHECK(graph.has_edge({Stage::image_pull, 2}, {Stage::container_start, 2}));
  CHECK(graph.has_edge({Stage::container_start, 2}, {Stage::app_start, 2}));
  CHECK(graph.has_edge({Stage::app_start, 2}, {Stage::readiness, 2}));
  CHECK(graph.has_edge({Stage::readiness, 2}, {Stage::min_ready, kPod}));
  CHECK(graph.has_edge({Stage::readiness, 2}, {Stage::endpoint_propagation, kPod}));
  CHECK_FALSE(graph.find({Stage::sandbox, kPod}));
  CHECK_FALSE(graph.find({Stage::scheduling, kPod}));

  // The pod's creation, recorded under the same pod id, long before the update at t = 100.
  std::vector<Span> spans = {
      span(Stage::scheduling, kPod, 0, 1),
      span(Stage::sandbox, kPod, 1, 2),
      span(Stage::image_pull, 0, 2, 3),
      span(Stage::init_containers, 0, 3, 4),
      span(Stage::image_pull, 1, 4, 5),
      span(Stage::container_start, 1, 5, 6),
      span(Stage::app_start, 1, 6, 8),
      span(Stage::readiness, 1, 8, 9),
      span(Stage::image_pull, 2, 6, 16),
      span(Stage::container_start, 2, 16, 17),
      span(Stage::app_start, 2, 17, 19),
      span(Stage::readiness, 2, 19, 20),
      span(Stage::endpoint_propagation, kPod, 20, 21),
      span(Stage::min_ready, kPod, 20, 25),
  };
  // The update: grace period 10 s, preStop + SIGTERM 30 s, the kubelet's next sync 1 s later.
  spans.insert(spans.end(), {span(Stage::in_place_grace, kPod, 100, 110),
                             span(Stage::termination, 2, 110, 140)});

  SECTION("the new image is pulled") {
    // pull [141, 161], start [161, 162], app [162, 170], ready [170, 172], min_ready 5 s to 177.
    spans.insert(spans.end(),
                 {span(Stage::image_pull, 2, 141, 161), span(Stage::container_start, 2, 161, 162),
                  span(Stage::app_start, 2, 162, 170), span(Stage::readiness, 2, 170, 172),
                  span(Stage::endpoint_propagation, kPod, 172, 173),
                  span(Stage::min_ready, kPod, 172, 177)});
    const CriticalPath path = critical_path(spans, graph, at(100));
    CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::in_place_grace, kPod},
                                                        {Stage::termination, 2},
                                                        {Stage::image_pull, 2},
                                                        {Stage::container_start, 2},
                                                        {Stage::app_start, 2},
                                                        {Stage::readiness, 2},
                                                        {Stage::min_ready, kPod}});
    CHECK(path.start == at(100));
    CHECK(path.end == at(177));
    CHECK(path.waiting == secs(1));  // before the pull
    // 10 + 30 + 1 + 20 + 1 + 8 + 2 + 5 = 77 s; the pull is 20 of them.
    CHECK(path.share(Stage::image_pull) == Approx(20.0 / 77));
    CHECK(path.share(Stage::termination) == Approx(30.0 / 77));
    CHECK(accounted(path) == path.duration());
  }
  SECTION("the image was pre-downloaded: no pull on the path") {
    // start [141, 142], app [142, 150], ready [150, 152], min_ready to 157: 57 s in all. Without
    // `since`, the creation-time pull of container 2 would stand in for the absent one.
    spans.insert(
        spans.end(),
        {span(Stage::container_start, 2, 141, 142), span(Stage::app_start, 2, 142, 150),
         span(Stage::readiness, 2, 150, 152), span(Stage::endpoint_propagation, kPod, 152, 153),
         span(Stage::min_ready, kPod, 152, 157)});
    const CriticalPath path = critical_path(spans, graph, at(100));
    CHECK(stages_of(path) == std::vector<StageInstance>{{Stage::in_place_grace, kPod},
                                                        {Stage::termination, 2},
                                                        {Stage::container_start, 2},
                                                        {Stage::app_start, 2},
                                                        {Stage::readiness, 2},
                                                        {Stage::min_ready, kPod}});
    CHECK_FALSE(path.contains(Stage::image_pull));
    CHECK(path.duration() == secs(57));
    CHECK(path.steps[2].waiting_before == secs(1));
    CHECK(accounted(path) == path.duration());
  }
}

TEST_CASE("stage graph: in-place update of two containers kills both, then restarts in order",
          "[critical_path]") {
  InPlaceUpdateShape update;
  update.changed = {ChangedContainer{3, false}, ChangedContainer{1, true}};  // any order
  const StageGraph graph = build_in_place_update_graph(update);
  CHECK(graph.has_edge({Stage::in_place_grace, kPod}, {Stage::termination, 1}));
  CHECK(graph.has_edge({Stage::termination, 1}, {Stage::termination, 3}));
  CHECK(graph.has_edge({Stage::termination, 3}, {Stage::crash_loop_backoff, 1}));
  CHECK(graph.has_edge({Stage::container_start, 1}, {Stage::crash_loop_backoff, 3}));
  CHECK(graph.has_edge({Stage::container_start, 3}, {Stage::min_ready, kPod}));  // no probe
  CHECK_FALSE(graph.find({Stage::readiness, 3}));
  CHECK(graph.is_acyclic());

  update.changed = {ChangedContainer{1, true}, ChangedContainer{1, true}};
  CHECK_THROWS_AS(build_in_place_update_graph(update), std::invalid_argument);
  update.changed = {ChangedContainer{-1, true}};
  CHECK_THROWS_AS(build_in_place_update_graph(update), std::invalid_argument);
}

TEST_CASE("stage graph: 2 init containers, a sidecar and 2 app containers", "[critical_path]") {
  // initContainers: [init (0), sidecar with readiness probe (1), init (2)];
  // containers: [probed (3), no probe (4)]; on a serverless pool (instance boot).
  PodShape shape;
  shape.instance_boot = true;
  shape.init_containers = {InitContainerShape{}, InitContainerShape{true, true},
                           InitContainerShape{}};
  shape.containers = {ContainerShape{true}, ContainerShape{false}};
  const StageGraph graph = build_pod_start_graph(shape);
  const StageGraph::Graph& g = graph.graph();

  using I = StageInstance;
  const I scheduling{Stage::scheduling, kPod}, boot{Stage::instance_boot, kPod},
      volumes{Stage::volume_setup, kPod}, sandbox{Stage::sandbox, kPod},
      min_ready{Stage::min_ready, kPod}, endpoint{Stage::endpoint_propagation, kPod};
  const auto pull = [](std::int32_t c) { return I{Stage::image_pull, c}; };
  const auto start = [](std::int32_t c) { return I{Stage::container_start, c}; };
  const auto app = [](std::int32_t c) { return I{Stage::app_start, c}; };
  const auto ready = [](std::int32_t c) { return I{Stage::readiness, c}; };
  const auto init = [](std::int32_t c) { return I{Stage::init_containers, c}; };
  const auto pull_backoff = [](std::int32_t c) { return I{Stage::image_pull_backoff, c}; };
  const auto crash_backoff = [](std::int32_t c) { return I{Stage::crash_loop_backoff, c}; };

  const std::vector<std::pair<I, I>> expected = {
      {scheduling, boot},
      {boot, volumes},
      {volumes, sandbox},  // bind, boot, mount
      // Init 0 runs to exit; no crash_loop_backoff for a run-to-completion init container.
      {sandbox, pull_backoff(0)},
      {pull_backoff(0), pull(0)},
      {pull(0), init(0)},
      // Sidecar 1: started is enough for the next init container.
      {init(0), crash_backoff(1)},
      {crash_backoff(1), pull_backoff(1)},
      {pull_backoff(1), pull(1)},
      {pull(1), start(1)},
      {start(1), pull_backoff(2)},
      {start(1), app(1)},
      {app(1), ready(1)},
      {ready(1), min_ready},
      {ready(1), endpoint},
      {pull_backoff(2), pull(2)},
      {pull(2), init(2)},  // Initialized
      {init(2), crash_backoff(3)},
      {crash_backoff(3), pull_backoff(3)},
      {pull_backoff(3), pull(3)},
      {pull(3), start(3)},
      {start(3), crash_backoff(4)},  // spec order, serial pulls
      {start(3), app(3)},
      {app(3), ready(3)},
      {ready(3), min_ready},
      {ready(3), endpoint},
      {crash_backoff(4), pull_backoff(4)},
      {pull_backoff(4), pull(4)},
      {pull(4), start(4)},
      {start(4), min_ready},
      {start(4), endpoint},  // no probe: ready at start
  };
  // 4 pod-level + 3 init stages x 2 + sidecar's app/ready + container 3's 4 + container 4's 2
  // + 2 pod-level sinks = 20 vertices, plus 5 image_pull_backoff and 3 crash_loop_backoff (the
  // sidecar and the app containers) = 28; 31 edges, listed above.
  CHECK(boost::num_vertices(g) == 28);
  CHECK(boost::num_edges(g) == expected.size());
  for (const auto& [before, after] : expected) {
    INFO(to_string(before.stage) << "[" << before.container << "] -> " << to_string(after.stage)
                                 << "[" << after.container << "]");
    const auto u = graph.find(before);
    const auto v = graph.find(after);
    REQUIRE(u);
    REQUIRE(v);
    CHECK(boost::edge(*u, *v, g).second);
  }
  // The next init container does not wait for the sidecar's readiness, only for its start.
  CHECK_FALSE(graph.has_edge(ready(1), pull(2)));
  CHECK_FALSE(graph.has_edge(pull(1), pull(2)));
  // Pulls of one pod never overlap: each pull waits for the previous container to start.
  CHECK_FALSE(graph.has_edge(pull(3), pull(4)));
  CHECK_FALSE(graph.find(app(4)));
  CHECK_FALSE(graph.find(ready(4)));
  CHECK_FALSE(graph.find(start(0)));  // a regular init container is run, not "started"

  REQUIRE(graph.is_acyclic());
  const std::vector<StageGraph::Vertex> order = graph.topological_order();
  std::vector<std::size_t> rank(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    CHECK(rank[boost::source(e, g)] < rank[boost::target(e, g)]);
  }

  SECTION("a cycle is detected") {
    StageGraph cyclic = graph;
    cyclic.add_dependency(endpoint, scheduling);
    CHECK_FALSE(cyclic.is_acyclic());
  }
  SECTION("a pod bound to its node without volumes starts at the sandbox") {
    PodShape bare;
    bare.needs_scheduling = false;
    bare.volume_setup = false;
    bare.containers = {ContainerShape{}};
    const StageGraph small = build_pod_start_graph(bare);
    CHECK_FALSE(small.find(scheduling));
    CHECK(small.has_edge(sandbox, crash_backoff(0)));
    CHECK(boost::in_degree(*small.find(sandbox), small.graph()) == 0);
  }
}

TEST_CASE("critical path summary over three pods", "[critical_path]") {
  const StageGraph graph = single_container_graph(/*volume_setup=*/false);
  // Pod A (20 s): scheduling 2, sandbox 2, pull 10, start 1, app 3, ready 2.
  const std::vector<Span> a = {
      span(Stage::scheduling, kPod, 0, 2, 1), span(Stage::sandbox, kPod, 2, 4, 1),
      span(Stage::image_pull, 0, 4, 14, 1),   span(Stage::container_start, 0, 14, 15, 1),
      span(Stage::app_start, 0, 15, 18, 1),   span(Stage::readiness, 0, 18, 20, 1),
  };
  // Pod B (10 s), cached image: scheduling 1, sandbox 2, start 1, app 4, ready 2.
  const std::vector<Span> b = {
      span(Stage::scheduling, kPod, 0, 1, 2),   span(Stage::sandbox, kPod, 1, 3, 2),
      span(Stage::container_start, 0, 3, 4, 2), span(Stage::app_start, 0, 4, 8, 2),
      span(Stage::readiness, 0, 8, 10, 2),
  };
  // Pod C (40 s): scheduling 4, waiting 1, sandbox 2, pull 20, start 1, app 8, ready 4.
  const std::vector<Span> c = {
      span(Stage::scheduling, kPod, 0, 4, 3), span(Stage::sandbox, kPod, 5, 7, 3),
      span(Stage::image_pull, 0, 7, 27, 3),   span(Stage::container_start, 0, 27, 28, 3),
      span(Stage::app_start, 0, 28, 36, 3),   span(Stage::readiness, 0, 36, 40, 3),
  };
  const std::vector<CriticalPath> paths = {critical_path(a, graph), critical_path(b, graph),
                                           critical_path(c, graph), CriticalPath{}};
  const auto summary = summarize(paths);

  CHECK(summary.pods() == 4);
  CHECK(summary.pods_with_path() == 3);  // the empty path counts in neither fraction
  // Pods A and C pull, B does not.
  CHECK(summary.fraction_on_path(Stage::image_pull) == Approx(2.0 / 3));
  CHECK(summary.fraction_on_path(Stage::scheduling) == Approx(1.0));
  CHECK(summary.fraction_on_path(Stage::min_ready) == Approx(0.0));
  // Shares of image_pull: A 10/20 = 0.5, B 0, C 20/40 = 0.5 -> mean 1/3.
  CHECK(summary.mean_share(Stage::image_pull) == Approx(1.0 / 3));
  // app_start: A 3/20 = 0.15, B 4/10 = 0.4, C 8/40 = 0.2 -> mean 0.25.
  CHECK(summary.mean_share(Stage::app_start) == Approx(0.25));
  // scheduling: 0.1 in all three.
  CHECK(summary.mean_share(Stage::scheduling) == Approx(0.1));
  // waiting: 0, 0, 1/40 -> mean 1/120.
  CHECK(summary.mean_waiting_share() == Approx(1.0 / 120));
  // Pooled: image_pull (10 + 0 + 20) / (20 + 10 + 40) = 3/7; waiting 1/70.
  CHECK(summary.pooled_share(Stage::image_pull) == Approx(3.0 / 7));
  CHECK(summary.pooled_waiting_share() == Approx(1.0 / 70));
  // Every pod's shares and waiting sum to 1, so their means do too.
  double total = summary.mean_waiting_share();
  for (std::size_t s = 0; s < podsim::model::kStageCount; ++s) {
    total += summary.mean_share(static_cast<Stage>(s));
  }
  CHECK(total == Approx(1.0));
}
