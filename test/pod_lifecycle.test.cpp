// Pod lifecycle and cluster: hand-worked timelines with constant stage durations.
//
// Common setup unless a test says otherwise: instant scheduler (no cycle cost, no binding
// latency, no client limit), registry 100 MB/s with no request latency (the NIC, 1.25 GB/s, never
// binds), unpack 200 MB/s of unpacked bytes, and this profile:
//   volume_setup 0.1, sandbox 0.5, container_start 0.2, app_start 3.2, init_container_run 2,
//   endpoint_propagation 0.4, shutdown 1, status_sync 0, readiness_probe_latency 0.
// A single-layer image of C MB compressed and U MB unpacked pulls in C/100 + U/200 seconds
// (the layer is applied once it has arrived).
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/cluster.hpp"
#include "podsim/model/pod_critical_path.hpp"
#include "podsim/model/stage_profile.hpp"
#include "podsim/sim.hpp"

using namespace podsim;
using namespace podsim::model;

namespace {

constexpr std::uint64_t MB = 1'000'000;

StageProfile test_profile() {
  StageProfile p = StageProfile::zero();
  p.set("volume_setup", sim::dist::constant(0.1));
  p.set("sandbox", sim::dist::constant(0.5));
  p.set("container_start", sim::dist::constant(0.2));
  p.set("app_start", sim::dist::constant(3.2));
  p.set("init_container_run", sim::dist::constant(2.0));
  p.set("endpoint_propagation", sim::dist::constant(0.4));
  p.set("shutdown", sim::dist::constant(1.0));
  return p;
}

NodePoolSpec regular_pool(std::uint32_t count, std::int64_t cpu_millis = 4000) {
  NodePoolSpec pool;
  pool.name = "general";
  pool.shape.allocatable = {cpu_millis, 16LL << 30};
  pool.labels = {{"pool", "general"}};
  pool.profile = test_profile();
  pool.count = count;
  return pool;
}

ClusterConfig base_config(std::vector<NodePoolSpec> pools) {
  ClusterConfig c;
  c.pools = std::move(pools);
  c.scheduler.cycle_cost = sim::dist::constant(0);
  c.scheduler.binding_latency = sim::dist::constant(0);
  c.scheduler.qps = 0;
  c.scheduler.random_tie_break = false;
  c.scheduler.unschedulable_retry = UnschedulableRetry::on_cluster_event;
  c.image_pull.registry_bytes_per_s = 100e6;
  return c;
}

struct Images {
  ImageCatalog catalog;
  ImageId init;  // 50 MB / 50 MB: pulls in 0.5 + 0.25 = 0.75 s
  ImageId app;   // 100 MB / 100 MB: pulls in 1.0 + 0.5 = 1.5 s
  ImageId v1;    // base (100 MB / 200 MB) + top1 (10 MB / 20 MB)
  ImageId v2;    // base + top2 (10 MB / 20 MB)
  ImageId big;   // 1000 MB / 1000 MB: 15 s
  Images() {
    init = catalog.add_image("init:1", {catalog.add_layer("sha256:init", 50 * MB, 50 * MB)});
    app = catalog.add_image("app:1", {catalog.add_layer("sha256:app", 100 * MB, 100 * MB)});
    const LayerId base = catalog.add_layer("sha256:base", 100 * MB, 200 * MB);
    v1 = catalog.add_image("web:v1", {base, catalog.add_layer("sha256:top1", 10 * MB, 20 * MB)});
    v2 = catalog.add_image("web:v2", {base, catalog.add_layer("sha256:top2", 10 * MB, 20 * MB)});
    big = catalog.add_image("big:1", {catalog.add_layer("sha256:big", 1000 * MB, 1000 * MB)});
  }
};

ContainerSpec app_container(ImageId image, std::optional<ReadinessProbe> probe = std::nullopt) {
  ContainerSpec c;
  c.name = "app";
  c.image = image;
  c.requests = {500, 256LL << 20};
  c.readinessProbe = probe;
  return c;
}

// The single span of this stage and container for the pod; fails the test if not exactly one.
Span span_of(const Cluster& cluster, PodId pod, Stage stage,
             std::int32_t container = Span::kPodLevel) {
  std::vector<Span> found;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == pod && s.stage == stage && s.container == container) found.push_back(s);
  }
  INFO("stage " << to_string(stage) << " container " << container);
  REQUIRE(found.size() == 1);
  return found.front();
}

std::size_t count_spans(const Cluster& cluster, PodId pod, Stage stage) {
  std::size_t n = 0;
  for (const Span& s : cluster.recorder().spans()) n += (s.pod == pod && s.stage == stage);
  return n;
}

void check_span(const Span& s, double start, double end) {
  CHECK(s.start.seconds() == Approx(start).margin(1e-6));
  CHECK(s.end.seconds() == Approx(end).margin(1e-6));
}

sim::Time at_s(double s) {
  return sim::Time::zero() + sim::seconds(s);
}

}  // namespace

TEST_CASE("one pod's full timeline, stage by stage", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));

  PodTemplate t;
  InitContainerSpec init;
  init.name = "migrate";
  init.image = im.init;
  init.run_time = sim::dist::constant(2.0);
  t.initContainers.push_back(init);
  ReadinessProbe probe;  // periodSeconds 10, initialDelaySeconds 0
  t.containers.push_back(app_container(im.app, probe));
  std::vector<std::pair<double, PodEvent>> events;
  cluster.add_listener([&](PodId, PodEvent e) { events.emplace_back(sim.now().seconds(), e); });
  const PodId p = cluster.create_pod(t, PodOwner{1, 1, 5, "web-0"});

  // scheduling [0, 0]: instant scheduler. volume_setup [0, 0.1], sandbox [0.1, 0.6].
  // init: pull 0.75 s [0.6, 1.35], then start 0.2 + run 2.0 -> [1.35, 3.55].
  // app: pull 1.5 s [3.55, 5.05], create+start [5.05, 5.25], app serves at 5.25 + 3.2 = 8.45.
  // Probe: the manual trigger probes at 5.25 (status_sync 0) and fails; the ticker restarts
  // there, so the next probe is at 15.25 and succeeds: Ready at 15.25, readiness [8.45, 15.25].
  // Endpoints at 15.25 + 0.4 = 15.65; available at 15.25 + minReadySeconds 5 = 20.25.
  sim.run_until(at_s(20.2));
  CHECK(cluster.pod(p).ready);
  CHECK(cluster.pod(p).serving);
  CHECK_FALSE(cluster.pod(p).available);
  sim.run();
  const Pod& pod = cluster.pod(p);
  CHECK(pod.available);
  CHECK(pod.phase == PodPhase::running);
  CHECK(pod.ready_since->seconds() == Approx(15.25).margin(1e-6));

  check_span(span_of(cluster, p, Stage::scheduling), 0, 0);
  check_span(span_of(cluster, p, Stage::volume_setup), 0, 0.1);
  check_span(span_of(cluster, p, Stage::sandbox), 0.1, 0.6);
  check_span(span_of(cluster, p, Stage::image_pull, 0), 0.6, 1.35);
  check_span(span_of(cluster, p, Stage::init_containers, 0), 1.35, 3.55);
  check_span(span_of(cluster, p, Stage::image_pull, 1), 3.55, 5.05);
  check_span(span_of(cluster, p, Stage::container_start, 1), 5.05, 5.25);
  check_span(span_of(cluster, p, Stage::app_start, 1), 5.25, 8.45);
  check_span(span_of(cluster, p, Stage::readiness, 1), 8.45, 15.25);
  check_span(span_of(cluster, p, Stage::endpoint_propagation), 15.25, 15.65);
  check_span(span_of(cluster, p, Stage::min_ready), 15.25, 20.25);
  CHECK(cluster.recorder().spans().size() == 11);

  REQUIRE(events.size() == 3);
  CHECK(events[0] == std::pair{0.0, PodEvent::bound});
  CHECK(events[1].second == PodEvent::ready);
  CHECK(events[1].first == Approx(15.25).margin(1e-6));
  CHECK(events[2].second == PodEvent::available);
  CHECK(events[2].first == Approx(20.25).margin(1e-6));

  const ClusterCounters& c = cluster.recorder().counters();
  CHECK(c.pods_created == 1);
  CHECK(c.sandboxes_created == 1);
  CHECK(c.ips_allocated == 1);
  REQUIRE(pod.ip);
  CHECK(to_string_ip(*pod.ip) == "10.0.0.1");
}

TEST_CASE("readiness is detected at probe ticks anchored at the manual trigger", "[lifecycle]") {
  // No init container; the app image is pulled in 1.5 s after volume_setup and sandbox (0.6 s),
  // so the container starts at S = 0.6 + 1.5 + 0.2 = 2.3 s. Ready time relative to S:
  struct Case {
    const char* name;
    std::int32_t initialDelaySeconds, periodSeconds, successThreshold;
    double app_start, status_sync;
    double ready_after_start;
  };
  const Case cases[] = {
      // Trigger at S fails (app at 3.2), next tick S+10 succeeds.
      {"default period", 0, 10, 1, 3.2, 0.0, 10.0},
      // Three consecutive successes: S+10, S+20, S+30.
      {"successThreshold 3", 0, 10, 3, 3.2, 0.0, 30.0},
      // App serves before the trigger at S+0.3: that probe succeeds; +0.3 to report.
      {"fast app", 0, 10, 1, 0.1, 0.3, 0.6},
      // Trigger at S+0.3: int(0.3) < 5, skipped; S+10.3 succeeds; +0.3 to report.
      {"initial delay", 5, 10, 1, 3.2, 0.3, 10.6},
      // Period 1 from S+0.5: S+10.5 has int(10.5) = 10 < 11; S+11.5 succeeds; +0.5 to report.
      {"delay truncated to whole seconds", 11, 1, 1, 3.2, 0.5, 12.0},
      // Ticks S, S+5, S+10, S+15: the first with int(elapsed) >= 12 is S+15.
      {"delay rounds up to a tick", 12, 5, 1, 3.2, 0.0, 15.0},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      Images im;
      sim::Simulation sim;
      NodePoolSpec pool = regular_pool(1);
      pool.profile.set("app_start", sim::dist::constant(k.app_start));
      pool.profile.set("status_sync", sim::dist::constant(k.status_sync));
      Cluster cluster(sim, im.catalog, base_config({pool}));
      ReadinessProbe probe;
      probe.initialDelaySeconds = k.initialDelaySeconds;
      probe.periodSeconds = k.periodSeconds;
      probe.successThreshold = k.successThreshold;
      PodTemplate t;
      t.containers.push_back(app_container(im.app, probe));
      const PodId p = cluster.create_pod(t);
      sim.run();
      const double started = span_of(cluster, p, Stage::container_start, 0).end.seconds();
      CHECK(started == Approx(2.3).margin(1e-6));
      REQUIRE(cluster.pod(p).ready_since);
      CHECK(cluster.pod(p).ready_since->seconds() ==
            Approx(2.3 + k.ready_after_start).margin(1e-6));
    }
  }
}

TEST_CASE("a container without a readiness probe is ready once started", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  const PodId p = cluster.create_pod(t);
  sim.run();
  // Started at 2.3 (see above); minReadySeconds 0: available at once. The app's own start
  // span still runs to 2.3 + 3.2 = 5.5.
  CHECK(cluster.pod(p).ready_since->seconds() == Approx(2.3).margin(1e-6));
  CHECK(cluster.pod(p).available);
  check_span(span_of(cluster, p, Stage::app_start, 0), 2.3, 5.5);
  CHECK(count_spans(cluster, p, Stage::readiness) == 0);
}

TEST_CASE("a pod deleted during its image pull frees its node and pull slot", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  // One node with room for two pods of 800m (2000m).
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1, 2000)}));
  auto tmpl = [&](ImageId image) {
    PodTemplate t;
    t.containers.push_back(app_container(image));
    t.containers[0].requests = {800, 0};
    return t;
  };
  const PodId a = cluster.create_pod(tmpl(im.big));  // a 15 s pull
  const PodId b = cluster.create_pod(tmpl(im.app));  // queued behind it (serializeImagePulls)
  const PodId c = cluster.create_pod(tmpl(im.app));  // 2400m > 2000m: unschedulable
  sim.run_until(at_s(2.0));
  CHECK(cluster.pod(c).phase == PodPhase::scheduling);
  REQUIRE(cluster.scheduling_failure(c));
  CHECK(cluster.puller().kubelet_pull_queue(0).queue_length() == 1);  // b waits for a's slot
  cluster.delete_pod(a);
  sim.run();

  // a: no container ever ran, so termination takes no time: gone at 2.0.
  CHECK(cluster.pod(a).phase == PodPhase::terminated);
  CHECK(cluster.pod(a).terminated_at->seconds() == Approx(2.0).margin(1e-6));
  CHECK(count_spans(cluster, a, Stage::image_pull) == 0);
  check_span(span_of(cluster, a, Stage::termination), 2.0, 2.0);
  // b asked at 0.6 and got the slot at 2.0: its 1.5 s pull ends at 3.5.
  check_span(span_of(cluster, b, Stage::image_pull, 0), 0.6, 3.5);
  // c is retried when a's reservation is freed at 2.0 (its 1 s backoff has expired).
  check_span(span_of(cluster, c, Stage::scheduling), 0, 2.0);
  CHECK(cluster.nodes()[0].requested.cpu_millis == 1600);
  CHECK(cluster.puller().counters().pulls_aborted == 1);
}

TEST_CASE("termination: preStop, grace period and its 2 s floor", "[lifecycle]") {
  struct Case {
    const char* name;
    double pre_stop, shutdown;
    double took;
  };
  const Case cases[] = {
      // preStop 5, then SIGTERM with 25 s left; the app exits after 1 s.
      {"app exits in time", 5, 1, 6},
      // preStop 5, then 25 s of grace; the app would need 40 s: SIGKILL at 30.
      {"killed at the end of the grace", 5, 40, 30},
      // preStop 29 leaves 1 s, floored at 2 s: SIGKILL at 31.
      {"grace floored at 2 s", 29, 40, 31},
      // preStop longer than the grace is cut at 30, then 2 s more.
      {"preStop cut at the grace", 45, 40, 32},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      Images im;
      sim::Simulation sim;
      Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
      PodTemplate t;  // terminationGracePeriodSeconds 30
      t.containers.push_back(app_container(im.app));
      t.containers[0].preStop = sim::dist::constant(k.pre_stop);
      t.containers[0].shutdown = sim::dist::constant(k.shutdown);
      const PodId p = cluster.create_pod(t);
      sim.run_until(at_s(100));
      REQUIRE(cluster.pod(p).ready);
      const IpAddress ip = *cluster.pod(p).ip;
      cluster.delete_pod(p);
      sim.run_until(at_s(100));  // deletion takes effect at once: not ready, terminating
      CHECK_FALSE(cluster.pod(p).ready);
      CHECK(cluster.pod(p).terminating());
      sim.run();
      check_span(span_of(cluster, p, Stage::termination), 100, 100 + k.took);
      CHECK(cluster.pod(p).phase == PodPhase::terminated);
      CHECK(cluster.nodes()[0].requested.cpu_millis == 0);
      CHECK(cluster.nodes()[0].pods == 0);
      CHECK(cluster.recorder().counters().pods_deleted == 1);
      // The IP went back to the node's pool; round-robin hands out the next one first.
      const PodId q = cluster.create_pod(t);
      sim.run_until(at_s(300));
      CHECK(*cluster.pod(q).ip == ip + 1);
    }
  }
}

TEST_CASE("in-place update keeps node, sandbox and IP and pulls only the new top layer",
          "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(2)}));
  PodTemplate t;
  InitContainerSpec init;
  init.name = "migrate";
  init.image = im.init;
  t.initContainers.push_back(init);
  ReadinessProbe probe;
  t.containers.push_back(app_container(im.v1, probe));
  const PodId p = cluster.create_pod(t, PodOwner{7, 1, 0, "web-0"});
  sim.run_until(at_s(100));
  REQUIRE(cluster.pod(p).available);
  const NodeId node = *cluster.pod(p).node;
  const IpAddress ip = *cluster.pod(p).ip;
  const std::uint64_t bytes_before = cluster.puller().counters().bytes_from_registry;
  const std::size_t spans_before = cluster.recorder().spans().size();

  REQUIRE(cluster.update_in_place(p, {{"app", im.v2}}, {3, 2}));
  CHECK_FALSE(cluster.pod(p).ready);                          // Ready=False in the same write
  CHECK_FALSE(cluster.update_in_place(p, {{"app", im.v2}}));  // already updating
  sim.run();

  // At 100: grace [100, 103]; kill (no preStop, shutdown 1) [103, 104]; pull of top2 only:
  // 10 MB / 100 MB/s + 20 MB / 200 MB/s = 0.2 s -> [104, 104.2]; start [104.2, 104.4];
  // manual trigger at 104.4 fails (app at 107.6), tick at 114.4: Ready.
  const Pod& pod = cluster.pod(p);
  CHECK(pod.node == node);
  CHECK(pod.ip == ip);
  CHECK(pod.ready);
  CHECK(pod.ready_since->seconds() == Approx(114.4).margin(1e-6));
  CHECK(pod.spec.containers[0].image == im.v2);
  CHECK(pod.containers[0].restartCount == 1);
  CHECK(pod.owner.revision == 2);
  CHECK(cluster.puller().counters().bytes_from_registry - bytes_before == 10 * MB);

  std::vector<Span> after(
      cluster.recorder().spans().begin() + static_cast<std::ptrdiff_t>(spans_before),
      cluster.recorder().spans().end());
  REQUIRE(after.size() == 7);
  auto expect = [&](std::size_t i, Stage stage, std::int32_t container, double s, double e) {
    INFO("span " << i);
    CHECK(after[i].stage == stage);
    CHECK(after[i].container == container);
    CHECK(after[i].node == node);
    check_span(after[i], s, e);
  };
  expect(0, Stage::in_place_grace, Span::kPodLevel, 100, 103);
  expect(1, Stage::termination, 1, 103, 104);
  expect(2, Stage::image_pull, 1, 104, 104.2);
  expect(3, Stage::container_start, 1, 104.2, 104.4);
  expect(4, Stage::app_start, 1, 104.4, 107.6);
  expect(5, Stage::readiness, 1, 107.6, 114.4);
  expect(6, Stage::endpoint_propagation, Span::kPodLevel, 114.4, 114.8);

  const ClusterCounters& c = cluster.recorder().counters();
  CHECK(c.sandboxes_created == 1);
  CHECK(c.ips_allocated == 1);
  CHECK(c.in_place_updates == 1);
  CHECK(c.in_place_restarts == 1);
  CHECK(count_spans(cluster, p, Stage::init_containers) == 1);
  CHECK(count_spans(cluster, p, Stage::scheduling) == 1);
}

TEST_CASE("an elastic pool boots one instance per pod", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  NodePoolSpec pool = regular_pool(4);
  pool.name = "eci";
  pool.kind = NodePoolKind::elastic;
  pool.profile.set("instance_boot", sim::dist::constant(2.0));
  pool.image_cache_snapshot = {im.v1};
  Cluster cluster(sim, im.catalog, base_config({pool}));
  PodTemplate cached;
  cached.containers.push_back(app_container(im.v1));
  PodTemplate cold;
  cold.containers.push_back(app_container(im.app));
  const PodId a = cluster.create_pod(cached);
  const PodId b = cluster.create_pod(cached);
  const PodId c = cluster.create_pod(cold);
  sim.run();

  CHECK(cluster.recorder().counters().instances_booted == 3);
  CHECK(cluster.pod(a).node == cluster.pod(b).node);  // the pool's virtual node
  CHECK(cluster.pod(a).instance != cluster.pod(b).instance);
  // boot [0, 2], volume_setup [2, 2.1], sandbox [2.1, 2.6], image from the snapshot: no pull,
  // start [2.6, 2.8]: ready (no probe) at 2.8.
  check_span(span_of(cluster, a, Stage::instance_boot), 0, 2);
  CHECK(count_spans(cluster, a, Stage::image_pull) == 0);
  CHECK(cluster.pod(a).ready_since->seconds() == Approx(2.8).margin(1e-6));
  // Not in the snapshot: a full pull on the empty instance, 1.5 s [2.6, 4.1], ready at 4.3.
  check_span(span_of(cluster, c, Stage::image_pull, 0), 2.6, 4.1);
  CHECK(cluster.pod(c).ready_since->seconds() == Approx(4.3).margin(1e-6));
  CHECK(span_of(cluster, c, Stage::sandbox).node == *cluster.pod(c).instance);
}

TEST_CASE("autoscaling adds a node after the provisioning delay", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  NodePoolSpec pool = regular_pool(1, 1000);
  pool.autoscaling = AutoscalingSpec{1, 2, sim::dist::constant(60)};
  Cluster cluster(sim, im.catalog, base_config({pool}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  t.containers[0].requests = {800, 0};
  const PodId a = cluster.create_pod(t);
  const PodId b = cluster.create_pod(t);
  const PodId c = cluster.create_pod(t);
  sim.run();
  // b and c fail their first attempt at 0. The scan at 10 s (scan interval) finds both, a
  // node holds only one of them, and max_nodes 2 allows one more node: it is ready at 70 and
  // b (first in line) lands on it. c stays pending: the pool is at its maximum.
  CHECK(cluster.pod(a).node == 0u);
  CHECK(cluster.pod(b).node == 1u);
  check_span(span_of(cluster, b, Stage::scheduling), 0, 70);
  CHECK(cluster.pod(c).phase == PodPhase::scheduling);
  CHECK(cluster.recorder().counters().nodes_provisioned == 1);
  CHECK(cluster.ready_nodes(0) == 2);
}

TEST_CASE("bad shapes stall with a reason instead of hanging", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  NodePoolSpec pool = regular_pool(2, 1000);
  pool.shape.image_disk_bytes = 500 * MB;  // smaller than big's 1000 MB layer
  Cluster cluster(sim, im.catalog, base_config({pool}));

  PodTemplate huge;
  huge.containers.push_back(app_container(im.app));
  huge.containers[0].requests = {4000, 0};
  const PodId p = cluster.create_pod(huge);
  PodTemplate elsewhere;
  elsewhere.containers.push_back(app_container(im.app));
  elsewhere.nodeSelector = {{"pool", "gpu"}};
  const PodId q = cluster.create_pod(elsewhere);
  PodTemplate heavy;
  heavy.containers.push_back(app_container(im.big));
  const PodId r = cluster.create_pod(heavy);
  sim.run();  // returns: nothing is left to do

  CHECK(cluster.pod(p).phase == PodPhase::stalled);
  CHECK_THAT(cluster.pod(p).stall_reason,
             Catch::Contains("cpu=4000m") && Catch::Contains("more than one node"));
  CHECK(cluster.pod(q).phase == PodPhase::stalled);
  CHECK_THAT(cluster.pod(q).stall_reason, Catch::Contains("nodeSelector {pool=gpu}"));
  CHECK(cluster.pod(r).phase == PodPhase::stalled);
  CHECK_THAT(cluster.pod(r).stall_reason, Catch::Contains("ErrImagePull"));
  CHECK(cluster.recorder().counters().pods_stalled == 3);

  // A stalled pod can still be deleted; the one holding a node gives it back.
  for (PodId id : {p, q, r}) cluster.delete_pod(id);
  sim.run();
  for (PodId id : {p, q, r}) CHECK(cluster.pod(id).phase == PodPhase::terminated);
  CHECK(cluster.nodes()[0].requested.cpu_millis == 0);
}

TEST_CASE("a pod's draws depend on its name, not on what else happens", "[lifecycle]") {
  // Common random numbers: web-0 gets the same app start in both worlds, although the second
  // world creates another pod first.
  auto app_start_of_web0 = [](bool extra_pod) {
    Images im;
    sim::Simulation sim;
    NodePoolSpec pool = regular_pool(2);
    pool.profile = StageProfile::defaults();
    Cluster cluster(sim, im.catalog, base_config({pool}));
    PodTemplate t;
    t.containers.push_back(app_container(im.app));
    if (extra_pod) cluster.create_pod(t, PodOwner{1, 1, 0, "other"});
    const PodId p = cluster.create_pod(t, PodOwner{1, 1, 0, "web-0"});
    sim.run();
    const Span s = span_of(cluster, p, Stage::app_start, 0);
    return (s.end - s.start).ns();
  };
  CHECK(app_start_of_web0(false) == app_start_of_web0(true));
}

TEST_CASE("stage profile and pod template basics", "[lifecycle]") {
  StageProfile p = StageProfile::defaults();
  for (std::string_view s : StageProfile::kStages) CHECK(p.get(s) != nullptr);
  CHECK_THROWS_WITH(p.get("sandbx"), Catch::Contains("unknown stage 'sandbx'") &&
                                         Catch::Contains("sandbox, volume_setup"));
  CHECK_THROWS_AS(p.set("nope", sim::dist::constant(1)), std::invalid_argument);

  // Effective requests: max(init peak, sum of app containers + sidecars), per resource.
  PodTemplate t;
  InitContainerSpec big_init;
  big_init.requests = {2000, 100};
  InitContainerSpec sidecar;
  sidecar.requests = {100, 1000};
  sidecar.sidecar = true;
  InitContainerSpec after_sidecar;
  after_sidecar.requests = {1950, 10};
  t.initContainers = {big_init, sidecar, after_sidecar};
  ContainerSpec a;
  a.requests = {500, 200};
  ContainerSpec b;
  b.requests = {300, 300};
  t.containers = {a, b};
  // cpu: max(2000, 100 + 1950, 100 + 800) = 2050; memory: max(100, 1010, 1000 + 500) = 1500.
  CHECK(t.effective_requests() == Resources{2050, 1500});
}

TEST_CASE("a pending pod deleted while scheduling leaves the queue", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1, 1000)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  t.containers[0].requests = {800, 0};
  const PodId a = cluster.create_pod(t);
  const PodId b = cluster.create_pod(t);  // does not fit next to a
  sim.run_until(at_s(5));
  REQUIRE(cluster.pod(b).phase == PodPhase::scheduling);
  CHECK(cluster.scheduler().pending_pods() == 1);
  cluster.delete_pod(b);
  sim.run();
  CHECK(cluster.pod(b).phase == PodPhase::terminated);
  CHECK_FALSE(cluster.pod(b).node);
  CHECK(cluster.scheduler().pending_pods() == 0);
  CHECK(count_spans(cluster, b, Stage::termination) == 0);
  CHECK(cluster.pod(a).available);
}

TEST_CASE("in-place updates: back to back, and deletion in the middle", "[lifecycle]") {
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.v1));  // no probe: ready once started
  const PodId p = cluster.create_pod(t, PodOwner{1, 1, 10, "web-0"});
  sim.run_until(at_s(50));
  REQUIRE(cluster.pod(p).available);

  SECTION("a new update while the last one waits for minReadySeconds") {
    // Update at 50: kill [50, 51], pull top2 [51, 51.2], start [51.2, 51.4]: Ready at 51.4,
    // available would be at 61.4. At 55 the pod goes back to v1 (present: no pull): kill
    // [55, 56], start [56, 56.2], Ready at 56.2, available at 66.2.
    REQUIRE(cluster.update_in_place(p, {{"app", im.v2}}));
    sim.run_until(at_s(55));
    CHECK(cluster.pod(p).ready);
    CHECK_FALSE(cluster.pod(p).available);
    REQUIRE(cluster.update_in_place(p, {{"app", im.v1}}));
    sim.run();
    CHECK(cluster.pod(p).ready_since->seconds() == Approx(56.2).margin(1e-6));
    CHECK(cluster.pod(p).available);
    CHECK(cluster.pod(p).containers[0].restartCount == 2);
    CHECK(cluster.pod(p).in_place_updates == 2);
    // The first update's min_ready span was cut short at 55.
    std::vector<Span> min_ready;
    for (const Span& s : cluster.recorder().spans()) {
      if (s.pod == p && s.stage == Stage::min_ready) min_ready.push_back(s);
    }
    REQUIRE(min_ready.size() == 3);
    check_span(min_ready[1], 51.4, 55);
    check_span(min_ready[2], 56.2, 66.2);
  }
  SECTION("deleted during the pull of the new image") {
    REQUIRE(cluster.update_in_place(p, {{"app", im.v2}}));
    sim.run_until(at_s(51.1));  // pulling top2
    cluster.delete_pod(p);
    sim.run();
    // The old container is already gone, so nothing is left to stop: terminated at 51.1.
    CHECK(cluster.pod(p).phase == PodPhase::terminated);
    CHECK(cluster.pod(p).terminated_at->seconds() == Approx(51.1).margin(1e-6));
    CHECK(cluster.nodes()[0].requested.cpu_millis == 0);
    CHECK_FALSE(cluster.puller().node_has_image(0, im.v2));
  }
}

TEST_CASE("the creation critical path of a recorded pod", "[lifecycle][critical_path]") {
  // The timeline of "one pod's full timeline" above: volume_setup [0, 0.1], sandbox [0.1, 0.6],
  // init pull [0.6, 1.35], init run [1.35, 3.55], app pull [3.55, 5.05], start [5.05, 5.25],
  // app_start [5.25, 8.45], readiness [8.45, 15.25], then min_ready [15.25, 20.25] outlasts
  // endpoint_propagation [15.25, 15.65]. Scheduling took no time and drops out.
  // Every stage is on the path: 20.25 s in all, image pulls 0.75 + 1.5 = 2.25 s of it.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  InitContainerSpec init;
  init.name = "migrate";
  init.image = im.init;
  init.run_time = sim::dist::constant(2.0);
  t.initContainers.push_back(init);
  t.containers.push_back(app_container(im.app, ReadinessProbe{}));
  const PodId p = cluster.create_pod(t, PodOwner{1, 1, 5, "web-0"});
  sim.run();

  const CriticalPath path = creation_critical_path(cluster, p);
  CHECK(path.duration().seconds() == Approx(20.25).margin(1e-6));
  CHECK(path.time(Stage::image_pull).seconds() == Approx(2.25).margin(1e-6));
  CHECK(path.share(Stage::image_pull) == Approx(2.25 / 20.25).epsilon(1e-6));
  CHECK(path.contains(Stage::readiness));
  CHECK(path.contains(Stage::min_ready));
  CHECK_FALSE(path.contains(Stage::endpoint_propagation));
  CHECK_FALSE(path.contains(Stage::scheduling));

  // An in-place update afterwards does not change the creation path.
  REQUIRE(cluster.update_in_place(p, {{"app", im.big}}));
  sim.run();
  CHECK(creation_critical_path(cluster, p).duration().seconds() == Approx(20.25).margin(1e-6));
  const CriticalPathSummary fleet = creation_critical_paths(cluster);
  CHECK(fleet.pods() == 1);
  CHECK(fleet.fraction_on_path(Stage::image_pull) == 1.0);
}
