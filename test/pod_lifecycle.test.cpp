// Pod lifecycle and cluster: hand-worked timelines with constant stage durations.
//
// Common setup unless a test says otherwise: instant scheduler (no cycle cost, no binding
// latency, no client limit), registry 100 MB/s with no request latency (the NIC, 1.25 GB/s, never
// binds), unpack 200 MB/s of unpacked bytes, and this profile:
//   volume_setup 0.1, sandbox 0.5, container_start 0.2, app_start 3.2, init_container_run 2,
//   endpoint_propagation 0.4, endpoint_removal 0.3, shutdown 1, status_sync 0,
//   readiness_probe_latency 0, pod_sync_retry 0 (a failed sync is retried as soon as the
//   kubelet's backoff allows).
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
  p.set("endpoint_removal", sim::dist::constant(0.3));
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

// One node whose kubelet may start a pull every 4 s, one at a time: a bucket of registryBurst
// 1 refilled at registryPullQPS 0.25.
ClusterConfig throttled_pulls_config() {
  ClusterConfig config = base_config({regular_pool(1)});
  config.image_pull.registryPullQPS = 0.25;
  config.image_pull.registryBurst = 1;
  return config;
}

struct Images {
  ImageCatalog catalog;
  ImageId init;  // 50 MB / 50 MB: pulls in 0.5 + 0.25 = 0.75 s
  ImageId app;   // 100 MB / 100 MB: pulls in 1.0 + 0.5 = 1.5 s
  ImageId v1;    // base (100 MB / 200 MB) + top1 (10 MB / 20 MB)
  ImageId v2;    // base + top2 (10 MB / 20 MB)
  ImageId big;   // 1000 MB / 1000 MB: 15 s
  ImageId app2;  // like app: 1.5 s
  ImageId app3;  // like app: 1.5 s
  Images() {
    init = catalog.add_image("init:1", {catalog.add_layer("sha256:init", 50 * MB, 50 * MB)});
    app = catalog.add_image("app:1", {catalog.add_layer("sha256:app", 100 * MB, 100 * MB)});
    const LayerId base = catalog.add_layer("sha256:base", 100 * MB, 200 * MB);
    v1 = catalog.add_image("web:v1", {base, catalog.add_layer("sha256:top1", 10 * MB, 20 * MB)});
    v2 = catalog.add_image("web:v2", {base, catalog.add_layer("sha256:top2", 10 * MB, 20 * MB)});
    big = catalog.add_image("big:1", {catalog.add_layer("sha256:big", 1000 * MB, 1000 * MB)});
    app2 = catalog.add_image("app:2", {catalog.add_layer("sha256:app2", 100 * MB, 100 * MB)});
    app3 = catalog.add_image("app:3", {catalog.add_layer("sha256:app3", 100 * MB, 100 * MB)});
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

  // At 100: Ready=False, so the endpoint goes [100, 100.3]; grace [100, 103]; kill (no
  // preStop, shutdown 1) [103, 104]; pull of top2 only: 10 MB / 100 MB/s + 20 MB / 200 MB/s =
  // 0.2 s -> [104, 104.2]; start [104.2, 104.4]; manual trigger at 104.4 fails (app at 107.6),
  // tick at 114.4: Ready.
  const Pod& pod = cluster.pod(p);
  CHECK(pod.node == node);
  CHECK(pod.ip == ip);
  CHECK(pod.ready);
  CHECK(pod.ready_since->seconds() == Approx(114.4).margin(1e-6));
  CHECK(pod.spec->containers[0].image == im.v2);
  CHECK(pod.containers[0].restartCount == 1);
  CHECK(pod.owner.revision == 2);
  CHECK(cluster.puller().counters().bytes_from_registry - bytes_before == 10 * MB);

  std::vector<Span> after(
      cluster.recorder().spans().begin() + static_cast<std::ptrdiff_t>(spans_before),
      cluster.recorder().spans().end());
  REQUIRE(after.size() == 8);
  auto expect = [&](std::size_t i, Stage stage, std::int32_t container, double s, double e) {
    INFO("span " << i);
    CHECK(after[i].stage == stage);
    CHECK(after[i].container == container);
    CHECK(after[i].node == node);
    check_span(after[i], s, e);
  };
  expect(0, Stage::endpoint_removal, Span::kPodLevel, 100, 100.3);
  expect(1, Stage::in_place_grace, Span::kPodLevel, 100, 103);
  expect(2, Stage::termination, 1, 103, 104);
  expect(3, Stage::image_pull, 1, 104, 104.2);
  expect(4, Stage::container_start, 1, 104.2, 104.4);
  expect(5, Stage::app_start, 1, 104.4, 107.6);
  expect(6, Stage::readiness, 1, 107.6, 114.4);
  expect(7, Stage::endpoint_propagation, Span::kPodLevel, 114.4, 114.8);

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

TEST_CASE("the critical path of an in-place update", "[lifecycle][critical_path]") {
  // The timeline of "in-place update keeps node, sandbox and IP" above: grace [100, 103], kill
  // [103, 104], pull of top2 [104, 104.2], start [104.2, 104.4], app_start [104.4, 107.6],
  // readiness [107.6, 114.4] (the probe tick at 114.4), endpoint_propagation [114.4, 114.8];
  // minReadySeconds 0. All on the path, back to back:
  //   3 + 1 + 0.2 + 0.2 + 3.2 + 6.8 + 0.4 = 14.8 s.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(2)}));
  PodTemplate t;
  InitContainerSpec init;
  init.name = "migrate";
  init.image = im.init;
  t.initContainers.push_back(init);
  t.containers.push_back(app_container(im.v1, ReadinessProbe{}));
  const PodId p = cluster.create_pod(t, PodOwner{7, 1, 0, "web-0"});
  sim.run_until(at_s(100));
  CHECK(in_place_critical_paths(cluster, p).empty());
  REQUIRE(cluster.update_in_place(p, {{"app", im.v2}}, {3, 2}));
  sim.run();

  const std::vector<CriticalPath> paths = in_place_critical_paths(cluster, p);
  REQUIRE(paths.size() == 1);
  const CriticalPath& path = paths.front();
  std::vector<std::pair<Stage, std::int32_t>> steps;
  for (const CriticalStep& step : path.steps) steps.emplace_back(step.stage, step.container);
  // The app container is index 1 (after the init container).
  CHECK(steps == std::vector<std::pair<Stage, std::int32_t>>{
                     {Stage::in_place_grace, Span::kPodLevel},
                     {Stage::termination, 1},
                     {Stage::image_pull, 1},
                     {Stage::container_start, 1},
                     {Stage::app_start, 1},
                     {Stage::readiness, 1},
                     {Stage::endpoint_propagation, Span::kPodLevel}});
  CHECK(path.start.seconds() == Approx(100).margin(1e-6));
  CHECK(path.duration().seconds() == Approx(14.8).margin(1e-6));
  CHECK(path.waiting == sim::Duration{});
  CHECK(path.time(Stage::in_place_grace).seconds() == Approx(3).margin(1e-6));
  CHECK(path.time(Stage::termination).seconds() == Approx(1).margin(1e-6));
  CHECK(path.time(Stage::image_pull).seconds() == Approx(0.2).margin(1e-6));
  CHECK(path.time(Stage::readiness).seconds() == Approx(6.8).margin(1e-6));
  // Shares: grace 3 / 14.8 = 15/74, pull 0.2 / 14.8 = 1/74, app_start 3.2 / 14.8 = 8/37,
  // readiness 6.8 / 14.8 = 17/37.
  CHECK(path.share(Stage::in_place_grace) == Approx(15.0 / 74).epsilon(1e-9));
  CHECK(path.share(Stage::image_pull) == Approx(1.0 / 74).epsilon(1e-9));
  CHECK(path.share(Stage::app_start) == Approx(8.0 / 37).epsilon(1e-9));
  CHECK(path.share(Stage::readiness) == Approx(17.0 / 37).epsilon(1e-9));
  // The update is not part of the creation path, which ends at the first Ready.
  CHECK_FALSE(creation_critical_path(cluster, p).contains(Stage::in_place_grace));
  CHECK(in_place_critical_paths(cluster, p, at_s(100.5)).empty());  // began before `since`

  const CriticalPathSummary fleet = in_place_update_critical_paths(cluster);
  CHECK(fleet.pods() == 1);
  CHECK(fleet.fraction_on_path(Stage::in_place_grace) == 1.0);
  CHECK(fleet.pooled_share(Stage::readiness) == Approx(17.0 / 37).epsilon(1e-9));
}

TEST_CASE("in-place updates back to back: one critical path each", "[lifecycle][critical_path]") {
  // The first section of "in-place updates: back to back" above. Update 1 at 50: kill [50, 51],
  // pull [51, 51.2], start [51.2, 51.4]; Ready at 51.4 (no probe), endpoint [51.4, 51.8],
  // min_ready [51.4, 55], cut at 55 by update 2: 1 + 0.2 + 0.2 + 3.6 = 5 s.
  // Update 2 at 55: kill [55, 56], start [56, 56.2] (v1 is present: no pull; update 1's pull
  // is not its), Ready at 56.2, min_ready [56.2, 66.2]: 1 + 0.2 + 10 = 11.2 s.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.v1));
  const PodId p = cluster.create_pod(t, PodOwner{1, 1, 10, "web-0"});
  sim.run_until(at_s(50));
  REQUIRE(cluster.update_in_place(p, {{"app", im.v2}}));
  sim.run_until(at_s(55));
  REQUIRE(cluster.update_in_place(p, {{"app", im.v1}}));
  sim.run();

  const std::vector<CriticalPath> paths = in_place_critical_paths(cluster, p);
  REQUIRE(paths.size() == 2);
  CHECK(paths[0].duration().seconds() == Approx(5).margin(1e-6));
  CHECK(paths[0].time(Stage::image_pull).seconds() == Approx(0.2).margin(1e-6));
  CHECK(paths[0].time(Stage::min_ready).seconds() == Approx(3.6).margin(1e-6));
  CHECK(paths[1].start.seconds() == Approx(55).margin(1e-6));
  CHECK(paths[1].duration().seconds() == Approx(11.2).margin(1e-6));
  CHECK_FALSE(paths[1].contains(Stage::image_pull));
  CHECK(paths[1].time(Stage::min_ready).seconds() == Approx(10).margin(1e-6));
  CHECK(paths[1].waiting == sim::Duration{});
}

// ---- Scheduling that cannot succeed yet -----------------------------------------------------

TEST_CASE("an unschedulable pod does not keep the simulation alive", "[lifecycle][scheduler]") {
  // The scheduler's default retry mode (after_backoff). One 1000m node: a (800m) runs, b (800m)
  // fails its attempt at 0 and nothing changes, so run() returns with b pending; a's deletion
  // frees the node and b is placed then.
  Images im;
  sim::Simulation sim;
  ClusterConfig config = base_config({regular_pool(1, 1000)});
  config.scheduler.unschedulable_retry = UnschedulableRetry::after_backoff;
  Cluster cluster(sim, im.catalog, config);
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  t.containers[0].requests = {800, 0};
  const PodId a = cluster.create_pod(t);
  const PodId b = cluster.create_pod(t);
  sim.run();
  // a: ready at 0.6 + 1.5 + 0.2 = 2.3, serving at 2.7; its app_start span ends at 2.3 + 3.2 =
  // 5.5, the last event. b's failed attempt left nothing queued.
  CHECK(sim.now() == at_s(5.5));
  CHECK(cluster.pod(a).ready);
  CHECK(cluster.pod(b).phase == PodPhase::scheduling);
  CHECK(cluster.scheduler().counters().unschedulable_attempts == 1);
  // Deleted at 50: the endpoint goes [50, 50.3], a exits [50, 51] (shutdown 1) and its node is
  // free at 51: b is bound then (its 1 s backoff long over) and ready at 51 + 2.3 = 53.3 (the
  // image is on the node now: no pull, so 51 + 0.6 + 0.2 = 51.8).
  sim.run_until(at_s(50));
  cluster.delete_pod(a);
  sim.run();
  check_span(span_of(cluster, b, Stage::scheduling), 0, 51);
  CHECK(count_spans(cluster, b, Stage::image_pull) == 0);
  CHECK(cluster.pod(b).ready_since->seconds() == Approx(51.8).margin(1e-6));
}

// ---- Image pull failures, ImagePullBackOff and registryPullQPS -------------------------------

TEST_CASE("image pull failures back off 10 s doubling to 300 s", "[lifecycle][image_backoff]") {
  // Every attempt fails (pull_failure_probability 1) after the manifest request (0.2 s). The
  // first attempt starts at 0.6 (after volumes and sandbox) and fails at 0.8. ImagePullBackOff
  // counts from each failure (backOff.Next stamps the failure time), doubling from 10 s to the
  // 300 s cap; with pod_sync_retry 0 the kubelet retries as soon as a backoff ends:
  //   fail 0.8 (+10) -> 10.8 fails 11.0 (+20) -> 31.0 fails 31.2 (+40) -> 71.2 fails 71.4 (+80)
  //   -> 151.4 fails 151.6 (+160) -> 311.6 fails 311.8 (+300) -> 611.8 fails 612.0 (+300)
  //   -> 912.0 fails 912.2.
  Images im;
  sim::Simulation sim;
  ClusterConfig config = base_config({regular_pool(1)});
  config.image_pull.pull_failure_probability = 1;
  config.image_pull.request_latency = sim::milliseconds(200);
  Cluster cluster(sim, im.catalog, config);
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  const PodId p = cluster.create_pod(t);
  const std::vector<std::pair<double, std::uint64_t>> expected{
      {0.79, 0},   {0.8, 1},   {10.99, 1}, {11.0, 2},   {31.19, 2}, {31.2, 3},   {71.4, 4},
      {151.59, 4}, {151.6, 5}, {311.8, 6}, {611.99, 6}, {612.0, 7}, {912.19, 7}, {912.2, 8}};
  for (const auto& [when, failures] : expected) {
    sim.run_until(at_s(when));
    INFO("t = " << when);
    CHECK(cluster.puller().counters().pulls_failed == failures);
  }
  CHECK(cluster.pod(p).phase == PodPhase::starting);  // waiting, not stalled
  CHECK(cluster.puller().counters().pulls_failed_registry == 8);
  CHECK(cluster.puller().counters().bytes_from_registry == 0);
  cluster.delete_pod(p);
  sim.run();  // nothing is left once it is gone
  CHECK(cluster.pod(p).phase == PodPhase::terminated);
  CHECK(cluster.pod(p).terminated_at->seconds() == Approx(912.2).margin(1e-6));
}

TEST_CASE("a failed sync is retried on the pod worker's requeue, not at the backoff's end",
          "[lifecycle][image_backoff]") {
  // As above, with pod_sync_retry 15 s: after each failed sync the kubelet looks again 15 s
  // later, and pulls only if the backoff (from the last failure) is over by then:
  //   fail 0.8 (backoff 10) -> sync 15.8: 15 >= 10, pull, fails 16.0 (backoff 20)
  //   -> sync 31.0: 15 < 20, ImagePullBackOff -> sync 46.0: 30 >= 20, pull, fails 46.2 (40)
  //   -> syncs 61.2, 76.2 in backoff -> 91.2: 45 >= 40, pull, fails 91.4.
  Images im;
  sim::Simulation sim;
  NodePoolSpec pool = regular_pool(1);
  pool.profile.set("pod_sync_retry", sim::dist::constant(15));
  ClusterConfig config = base_config({pool});
  config.image_pull.pull_failure_probability = 1;
  config.image_pull.request_latency = sim::milliseconds(200);
  Cluster cluster(sim, im.catalog, config);
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  const PodId p = cluster.create_pod(t);
  const std::vector<std::pair<double, std::uint64_t>> expected{
      {0.8, 1}, {15.99, 1}, {16.0, 2}, {46.19, 2}, {46.2, 3}, {91.39, 3}, {91.4, 4}};
  for (const auto& [when, failures] : expected) {
    sim.run_until(at_s(when));
    INFO("t = " << when);
    CHECK(cluster.puller().counters().pulls_failed == failures);
  }
  cluster.delete_pod(p);
  sim.run();
}

TEST_CASE("registryPullQPS: pulls beyond the node's burst fail and back off",
          "[lifecycle][image_backoff]") {
  // One node, three pods with three different 1.5 s images, serialized pulls, a bucket of
  // registryBurst 1 refilled at registryPullQPS 0.25 (a token every 4 s). All three ask at 0.6.
  //   a: takes the token at 0.6 and pulls [0.6, 2.1].
  //   b: gets the pull slot at 2.1; the bucket holds 1.5 * 0.25 = 0.375 < 1: "pull QPS
  //      exceeded" at once, ImagePullBackOff 10 s. c: the same, right after b, at 2.1.
  //   At 12.1 both retry, b first: the bucket is full (capped at 1), b pulls [12.1, 13.6];
  //   c queues behind b's slot and at 13.6 finds 0.375 again: fails, backoff now 20 s.
  //   At 33.6 c finds a full bucket and pulls [33.6, 35.1].
  // Starts take 0.2 s (no probe): ready at 2.3, 13.8 and 35.3.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, throttled_pulls_config());
  std::vector<PodId> pods;
  for (ImageId image : {im.app, im.app2, im.app3}) {
    PodTemplate t;
    t.containers.push_back(app_container(image));
    pods.push_back(cluster.create_pod(t));
  }
  sim.run();
  check_span(span_of(cluster, pods[0], Stage::image_pull, 0), 0.6, 2.1);
  check_span(span_of(cluster, pods[1], Stage::image_pull_backoff, 0), 0.6, 12.1);
  check_span(span_of(cluster, pods[1], Stage::image_pull, 0), 12.1, 13.6);
  check_span(span_of(cluster, pods[2], Stage::image_pull_backoff, 0), 0.6, 33.6);
  check_span(span_of(cluster, pods[2], Stage::image_pull, 0), 33.6, 35.1);
  CHECK(cluster.pod(pods[0]).ready_since->seconds() == Approx(2.3).margin(1e-6));
  CHECK(cluster.pod(pods[1]).ready_since->seconds() == Approx(13.8).margin(1e-6));
  CHECK(cluster.pod(pods[2]).ready_since->seconds() == Approx(35.3).margin(1e-6));
  CHECK(cluster.puller().counters().pulls_throttled == 3);
  CHECK(cluster.puller().counters().pulls_completed == 3);

  SECTION("without the limit the pulls go back to back") {
    // registryPullQPS 0: the pulls run [0.6, 2.1], [2.1, 3.6], [3.6, 5.1]; the image_pull
    // spans include the wait for the kubelet's pull slot from 0.6.
    sim::Simulation sim2;
    ClusterConfig unlimited = base_config({regular_pool(1)});
    unlimited.image_pull.registryPullQPS = 0;
    Cluster c2(sim2, im.catalog, unlimited);
    std::vector<PodId> q;
    for (ImageId image : {im.app, im.app2, im.app3}) {
      PodTemplate t;
      t.containers.push_back(app_container(image));
      q.push_back(c2.create_pod(t));
    }
    sim2.run();
    check_span(span_of(c2, q[1], Stage::image_pull, 0), 0.6, 3.6);
    check_span(span_of(c2, q[2], Stage::image_pull, 0), 0.6, 5.1);
    CHECK(c2.puller().counters().pulls_throttled == 0);
  }
}

TEST_CASE("a pull that fails once puts its ImagePullBackOff on the critical path",
          "[lifecycle][image_backoff][critical_path]") {
  // As in the registryPullQPS test, with two pods: a takes the token and pulls [0.6, 2.1]; b
  // gets the pull slot at 2.1, finds 0.375 tokens and fails at once; its backoff (10 s) ends at
  // 12.1, when the bucket is full again: b pulls [12.1, 13.6], starts [13.6, 13.8], is Ready at
  // 13.8 (no probe) and its endpoint_propagation runs [13.8, 14.2]. b's image_pull_backoff runs
  // from its first attempt (0.6, waiting for the slot) to the one that succeeds: [0.6, 12.1].
  // b's path: volume_setup 0.1 + sandbox 0.5 + backoff 11.5 + pull 1.5 + start 0.2 + endpoint
  // 0.4 = 14.2 s, no waiting (scheduling takes 0 s and drops out).
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, throttled_pulls_config());
  PodTemplate ta;
  ta.containers.push_back(app_container(im.app));
  PodTemplate tb;
  tb.containers.push_back(app_container(im.app2));
  const PodId a = cluster.create_pod(ta);
  const PodId b = cluster.create_pod(tb);
  sim.run();

  const CriticalPath path = creation_critical_path(cluster, b);
  std::vector<Stage> stages;
  for (const CriticalStep& step : path.steps) stages.push_back(step.stage);
  CHECK(stages == std::vector<Stage>{Stage::volume_setup, Stage::sandbox, Stage::image_pull_backoff,
                                     Stage::image_pull, Stage::container_start,
                                     Stage::endpoint_propagation});
  CHECK(path.duration().seconds() == Approx(14.2).margin(1e-6));
  CHECK(path.time(Stage::image_pull_backoff).seconds() == Approx(11.5).margin(1e-6));
  CHECK(path.share(Stage::image_pull_backoff) == Approx(11.5 / 14.2).epsilon(1e-9));
  CHECK(path.time(Stage::image_pull).seconds() == Approx(1.5).margin(1e-6));
  CHECK(path.waiting == sim::Duration{});
  // a never backed off: 0.1 + 0.5 + 1.5 + 0.2 + 0.4 = 2.7 s.
  CHECK_FALSE(creation_critical_path(cluster, a).contains(Stage::image_pull_backoff));
  CHECK(creation_critical_path(cluster, a).duration().seconds() == Approx(2.7).margin(1e-6));
}

// ---- Endpoint removal and sidecar termination order -----------------------------------------

TEST_CASE("deletion: the endpoint serves until its removal lands, in parallel with SIGTERM",
          "[lifecycle][termination]") {
  // Ready at 2.3, serving from 2.7. Deleted at 100: Ready=False at once, the endpoint removal
  // [100, 100.3] runs beside preStop 5 + shutdown 1 [100, 106].
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  t.containers[0].preStop = sim::dist::constant(5);
  const PodId p = cluster.create_pod(t);
  sim.run_until(at_s(100));
  REQUIRE(cluster.pod(p).serving);
  cluster.delete_pod(p);
  sim.run_until(at_s(100.29));
  CHECK_FALSE(cluster.pod(p).ready);
  CHECK(cluster.pod(p).serving);  // kube-proxy still sends traffic
  sim.run_until(at_s(100.3));
  CHECK_FALSE(cluster.pod(p).serving);
  sim.run();
  check_span(span_of(cluster, p, Stage::endpoint_removal), 100, 100.3);
  check_span(span_of(cluster, p, Stage::termination), 100, 106);
}

TEST_CASE("deletion: sidecars get SIGTERM after the app containers, in reverse order",
          "[lifecycle][termination][sidecar]") {
  // Two sidecars x, y (x first in the spec) and an app with preStop 5 and shutdown 1. All
  // containers are killed from 100 (grace 30): the app exits at 106. y waits for it: 6 s
  // waited, 24 s of grace left, SIGTERM at 106, exits 1.5 s later at 107.5. x waits for y too:
  // 7.5 s waited, int(7.5) = 7 off the grace, SIGTERM at 107.5, exits at 108.5.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  InitContainerSpec x;
  x.name = "x";
  x.image = im.init;
  x.sidecar = true;
  x.shutdown = sim::dist::constant(1.0);
  InitContainerSpec y = x;
  y.name = "y";
  y.shutdown = sim::dist::constant(1.5);
  t.initContainers = {x, y};
  t.containers.push_back(app_container(im.app));
  t.containers[0].preStop = sim::dist::constant(5);

  SECTION("within the grace period") {
    const PodId p = cluster.create_pod(t);
    sim.run_until(at_s(100));
    REQUIRE(cluster.pod(p).ready);
    cluster.delete_pod(p);
    sim.run();
    check_span(span_of(cluster, p, Stage::termination), 100, 108.5);
  }
  SECTION("a short grace period bounds the wait, floored at 2 s") {
    // terminationGracePeriodSeconds 4: the app's preStop is cut at 4, 0 s left, floored at
    // 2: it exits at 104 + 1 = 105. y waits 5 s but only 4 are left: SIGTERM at 104 with the
    // 2 s floor, exits at 105.5. x likewise waits up to 4 s: SIGTERM at 104, exits at 105.
    // The pod is gone at 105.5.
    t.terminationGracePeriodSeconds = 4;
    const PodId p = cluster.create_pod(t);
    sim.run_until(at_s(100));
    REQUIRE(cluster.pod(p).ready);
    cluster.delete_pod(p);
    sim.run();
    check_span(span_of(cluster, p, Stage::termination), 100, 105.5);
  }
}

// ---- Elastic instances are recycled ---------------------------------------------------------

TEST_CASE("an elastic pool reuses terminated instances: the node table stays bounded",
          "[lifecycle][elastic]") {
  Images im;
  sim::Simulation sim;
  NodePoolSpec pool = regular_pool(2);
  pool.name = "eci";
  pool.kind = NodePoolKind::elastic;
  pool.profile.set("instance_boot", sim::dist::constant(2.0));
  Cluster cluster(sim, im.catalog, base_config({pool}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  // 100 rounds of two pods created, run to Ready, deleted. At most two instances live at once;
  // each terminated one's slot is reset and reused, so the table holds the virtual node and
  // two instance slots, whatever the number of pods.
  std::size_t most_nodes = 0;
  for (int round = 0; round < 100; ++round) {
    const PodId a = cluster.create_pod(t);
    const PodId b = cluster.create_pod(t);
    sim.run();
    REQUIRE(cluster.pod(a).ready);
    REQUIRE(cluster.pod(b).ready);
    most_nodes = std::max(most_nodes, cluster.nodes().size());
    cluster.delete_pod(a);
    cluster.delete_pod(b);
    sim.run();
  }
  CHECK(most_nodes == 3);
  CHECK(cluster.nodes().size() == 3);
  CHECK(cluster.recorder().counters().instances_booted == 200);
  // A reused instance starts with an empty image cache: every pod pulled its image after boot
  // [0, 2], volumes and sandbox [2, 2.6], both pods of a round at once through the 100 MB/s
  // registry: 100 MB each at 50 MB/s is 2 s, then 0.5 s of unpack: 2.5 s.
  for (PodId p = 0; p < cluster.pod_count(); ++p) {
    INFO("pod " << p);
    const Span pull = span_of(cluster, p, Stage::image_pull, 0);
    CHECK((pull.end - pull.start).seconds() == Approx(2.5).margin(1e-6));
  }
  CHECK(cluster.puller().counters().pulls_completed == 200);
}

// ---- Startup and liveness probes, CrashLoopBackOff ------------------------------------------
// Startup and liveness probes tick every periodSeconds from when the kubelet got the pod (its
// bind at 0 here); readiness from its manual trigger. The app container starts at S = 2.3 (pull
// [0.6, 2.1], start [2.1, 2.3]) and serves at R = S + 3.2 = 5.5.

TEST_CASE("startupProbe: readiness starts once it passes", "[lifecycle][probes]") {
  // startupProbe period 2: ticks 0, 2, 4, 6; the first once running is 4 (fails, R = 5.5), then
  // 6 succeeds: Started at 6. The readiness worker's manual trigger fires then and succeeds at
  // once: Ready at 6. (Without the startup probe: trigger at 2.3 fails, Ready at 12.3.)
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app, ReadinessProbe{}));
  Probe startup;
  startup.periodSeconds = 2;
  t.containers[0].startupProbe = startup;
  const PodId p = cluster.create_pod(t);
  sim.run_until(at_s(5.9));
  CHECK(cluster.pod(p).containers[0].running);
  CHECK_FALSE(cluster.pod(p).containers[0].started);
  sim.run();
  CHECK(cluster.pod(p).containers[0].started);
  CHECK(cluster.pod(p).ready_since->seconds() == Approx(6.0).margin(1e-6));
  check_span(span_of(cluster, p, Stage::readiness, 0), 5.5, 6.0);
  CHECK(cluster.pod(p).containers[0].restartCount == 0);
}

TEST_CASE("startupProbe failures restart the container under CrashLoopBackOff",
          "[lifecycle][probes][crashloop]") {
  // startupProbe period 1, failureThreshold 2; the app needs 3.2 s, so every instance fails
  // its first two ticks and is killed (shutdown 1); the image is present, so a restart is a
  // 0.2 s start, and restartCount counts it once started. The kill and the restart are one
  // sync, whose doBackOff looks at the latest exited instance the sync saw at its start:
  //   #0 starts 2.3, ticks 3, 4 fail: killed [4, 5]. No exited instance before: restarted at 5.
  //   #1 starts 5.2, ticks 6, 7 fail: killed [7, 8]. Exited #0 (at 5), no backoff entry yet:
  //      Next() sets 10 s, restarted at 8.
  //   #2 starts 8.2, ticks 9, 10: killed [10, 11]. #1 exited at 8, 11 - 8 = 3 < 10: refused.
  //      The next sync sees #2 (exited 11): allowed at 11 + 10 = 21, Next() -> 20 s.
  //   #3 starts 21.2, killed [23, 24]; #2 exited 11, 24 - 11 = 13 < 20: waits until 24 + 20 = 44,
  //      Next() -> 40 s.
  //   #4 starts 44.2, killed [46, 47]; waits until 47 + 40 = 87; #5 starts 87.2.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  Probe startup;
  startup.periodSeconds = 1;
  startup.failureThreshold = 2;
  t.containers[0].startupProbe = startup;
  const PodId p = cluster.create_pod(t);
  const std::vector<std::pair<double, std::uint32_t>> restarts{
      {5.19, 0}, {5.2, 1},   {8.19, 1}, {8.2, 2},   {21.19, 2},
      {21.2, 3}, {44.19, 3}, {44.2, 4}, {87.19, 4}, {87.2, 5}};
  for (const auto& [when, count] : restarts) {
    sim.run_until(at_s(when));
    INFO("t = " << when);
    CHECK(cluster.pod(p).containers[0].restartCount == count);
  }
  CHECK_FALSE(cluster.pod(p).ready);
  std::vector<Span> waits;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == p && s.stage == Stage::crash_loop_backoff) waits.push_back(s);
  }
  REQUIRE(waits.size() == 3);
  check_span(waits[0], 11, 21);
  check_span(waits[1], 24, 44);
  check_span(waits[2], 47, 87);
  cluster.delete_pod(p);
  sim.run();
  CHECK(cluster.pod(p).phase == PodPhase::terminated);
}

TEST_CASE("a restart CrashLoopBackOff delayed puts the backoff on the critical path",
          "[lifecycle][probes][crashloop][critical_path]") {
  // startupProbe period 3, failureThreshold 1, ticking at 0, 3, 6, ... (the pod was admitted at
  // 0); the app needs 2 s (app_start 2) and stops in 2 s (shutdown 2). An instance started at S
  // passes only if the first tick at or after S comes at S + 2 or later.
  //   #0 S 2.3 (sandbox 0.6, pull 1.5, start 0.2): tick 3 < 4.3 fails: killed [3, 5],
  //      restarted at once (no exited instance before).
  //   #1 S 5.2: tick 6 < 7.2 fails: killed [6, 8]; no backoff entry yet: Next() sets 10 s,
  //      restarted at once.
  //   #2 S 8.2: tick 9 < 10.2 fails: killed [9, 11]; #1 exited at 8, 11 - 8 < 10: refused.
  //      crash_loop_backoff [11, 21] (#2's exit + 10 s).
  //   #3 S 21.2: tick 24 >= 23.2 passes: Started at 24. app_start [21.2, 23.2]; the readiness
  //      probe's manual trigger at 24 succeeds: readiness [23.2, 24], Ready at 24,
  //      endpoint_propagation [24, 24.4].
  // Path: volume_setup 0.1, sandbox 0.5, waiting 10.4 (0.6 to 11: the crashed instances),
  // crash_loop_backoff 10, container_start 0.2, app_start 2, readiness 0.8, endpoint 0.4:
  // 24.4 s.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app, ReadinessProbe{}));
  Probe startup;
  startup.periodSeconds = 3;
  startup.failureThreshold = 1;
  t.containers[0].startupProbe = startup;
  t.containers[0].app_start = sim::dist::constant(2);
  t.containers[0].shutdown = sim::dist::constant(2);
  const PodId p = cluster.create_pod(t);
  sim.run();
  REQUIRE(cluster.pod(p).ready);
  CHECK(cluster.pod(p).ready_since->seconds() == Approx(24).margin(1e-6));
  CHECK(cluster.pod(p).containers[0].restartCount == 3);
  check_span(span_of(cluster, p, Stage::crash_loop_backoff, 0), 11, 21);

  const CriticalPath path = creation_critical_path(cluster, p);
  std::vector<Stage> stages;
  for (const CriticalStep& step : path.steps) stages.push_back(step.stage);
  CHECK(stages == std::vector<Stage>{Stage::volume_setup, Stage::sandbox, Stage::crash_loop_backoff,
                                     Stage::container_start, Stage::app_start, Stage::readiness,
                                     Stage::endpoint_propagation});
  CHECK(path.duration().seconds() == Approx(24.4).margin(1e-6));
  CHECK(path.time(Stage::crash_loop_backoff).seconds() == Approx(10).margin(1e-6));
  CHECK(path.share(Stage::crash_loop_backoff) == Approx(10 / 24.4).epsilon(1e-9));
  CHECK(path.waiting.seconds() == Approx(10.4).margin(1e-6));
  CHECK(path.time(Stage::readiness).seconds() == Approx(0.8).margin(1e-6));
}

TEST_CASE("livenessProbe: a hung app goes not ready, is killed and comes back",
          "[lifecycle][probes]") {
  // The app hangs 20 s after it serves. readinessProbe period 5, failureThreshold 2;
  // livenessProbe period 10, failureThreshold 3, timeoutSeconds 1 (a hung app answers no probe:
  // each takes the timeout).
  //   #0: S 2.3, R 5.5, hangs at 25.5. Readiness ticks 2.3, 7.3, ...: Ready at 7.3; ticks 27.3
  //       and 32.3 time out: not ready at 33.3 (endpoint removed [33.3, 33.6]). Liveness ticks
  //       0, 10, ...: 10 and 20 pass, 30, 40, 50 fail: killed at 51 (after the timeout), exits
  //       at 52 (shutdown 1), restarted at once (no exited instance before).
  //   #1: S 52.2, R 55.4, hangs at 75.4. Readiness ticks 52.2, 57.2: Ready at 57.2. Not ready
  //       at 82.2 + 1 = 83.2; liveness 80, 90, 100 fail: killed at 101, exits 102. The sync
  //       sees #0 exited (at 52) and no backoff entry: Next() sets 10 s, restarted at once.
  //   #2: S 102.2, Ready at 107.2 (102.2 fails, R = 105.4).
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  Probe readiness;
  readiness.periodSeconds = 5;
  readiness.failureThreshold = 2;
  t.containers.push_back(app_container(im.app, readiness));
  t.containers[0].livenessProbe = Probe{};
  t.containers[0].hang_after = sim::dist::constant(20);
  std::vector<std::pair<double, PodEvent>> events;
  cluster.add_listener([&](PodId, PodEvent e) {
    if (e == PodEvent::ready || e == PodEvent::not_ready)
      events.emplace_back(sim.now().seconds(), e);
  });
  const PodId p = cluster.create_pod(t);
  sim.run_until(at_s(110));
  const std::vector<std::pair<double, PodEvent>> expected{{7.3, PodEvent::ready},
                                                          {33.3, PodEvent::not_ready},
                                                          {57.2, PodEvent::ready},
                                                          {83.2, PodEvent::not_ready},
                                                          {107.2, PodEvent::ready}};
  REQUIRE(events.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("event " << i);
    CHECK(events[i].first == Approx(expected[i].first).margin(1e-6));
    CHECK(events[i].second == expected[i].second);
  }
  CHECK(cluster.pod(p).containers[0].restartCount == 2);
  std::vector<Span> kills;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == p && s.stage == Stage::termination) kills.push_back(s);
  }
  REQUIRE(kills.size() == 2);
  check_span(kills[0], 51, 52);
  check_span(kills[1], 101, 102);
  std::vector<Span> removals;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == p && s.stage == Stage::endpoint_removal) removals.push_back(s);
  }
  REQUIRE(removals.size() == 2);
  check_span(removals[0], 33.3, 33.6);
  CHECK(count_spans(cluster, p, Stage::crash_loop_backoff) == 0);
  cluster.delete_pod(p);
  sim.run();
}

TEST_CASE("livenessProbe without a startupProbe kills an app slower than its threshold",
          "[lifecycle][probes][crashloop]") {
  // livenessProbe period 1, failureThreshold 3, no startup probe; the app needs 3.2 s.
  // #0 starts 2.3: ticks 3, 4, 5 fail (R = 5.5): killed at 5, exits 6, restarted at once.
  // #1 starts 6.2 (R = 9.4): 7, 8, 9 fail: killed at 9, exits 10; the sync saw #0 exited (at 6)
  // and no entry: Next() sets 10 s, restarted at once. #2 starts 10.2: 11, 12, 13 fail, exits
  // 14; the sync saw #1 exited at 10, 14 - 10 < 10: refused; the next sync (#2 exited at 14)
  // lets it go at 14 + 10 = 24: #3 starts 24.2. Its app never gets to serve.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  Probe liveness;
  liveness.periodSeconds = 1;
  t.containers[0].livenessProbe = liveness;
  const PodId p = cluster.create_pod(t);
  sim.run_until(at_s(24.19));
  CHECK(cluster.pod(p).containers[0].restartCount == 2);
  CHECK_FALSE(cluster.pod(p).containers[0].running);
  sim.run_until(at_s(24.2));
  CHECK(cluster.pod(p).containers[0].restartCount == 3);
  check_span(span_of(cluster, p, Stage::crash_loop_backoff, 0), 14, 24);
  CHECK(cluster.pod(p).phase == PodPhase::running);
  cluster.delete_pod(p);
  sim.run();
}

// ---- Native sidecars ------------------------------------------------------------------------

TEST_CASE("a sidecar must be started before the next init container, and be ready for Ready",
          "[lifecycle][sidecar]") {
  // initContainers: sidecar "proxy" (init image: pull 0.75 s; its app serves 2 s after start;
  // startupProbe period 1; readinessProbe initialDelaySeconds 10), then "migrate" (run 1 s).
  //   proxy: pull [0.6, 1.35], start [1.35, 1.55], serves at 3.55. Startup ticks 2, 3 fail,
  //   4 passes: Started at 4, and only then does migrate start: image present, start + run
  //   [4, 5.2]. The app: pull [5.2, 6.7], start [6.7, 6.9], ready at once (no probe).
  //   proxy's readiness: manual trigger at 4 (int(4 - 1.55) < 10: skipped), next tick 14: ready
  //   at 14, so the pod is Ready at 14, not 6.9.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  InitContainerSpec proxy;
  proxy.name = "proxy";
  proxy.image = im.init;
  proxy.sidecar = true;
  proxy.app_start = sim::dist::constant(2.0);
  Probe startup;
  startup.periodSeconds = 1;
  proxy.startupProbe = startup;
  Probe readiness;
  readiness.initialDelaySeconds = 10;
  proxy.readinessProbe = readiness;
  InitContainerSpec migrate;
  migrate.name = "migrate";
  migrate.image = im.init;
  migrate.run_time = sim::dist::constant(1.0);
  t.initContainers = {proxy, migrate};
  t.containers.push_back(app_container(im.app));
  const PodId p = cluster.create_pod(t);
  sim.run_until(at_s(10));
  CHECK(cluster.pod(p).containers[0].ready);
  CHECK(cluster.pod(p).init_containers[0].started);
  CHECK_FALSE(cluster.pod(p).init_containers[0].ready);
  CHECK_FALSE(cluster.pod(p).ready);
  sim.run();
  check_span(span_of(cluster, p, Stage::container_start, 0), 1.35, 1.55);
  check_span(span_of(cluster, p, Stage::init_containers, 1), 4.0, 5.2);
  check_span(span_of(cluster, p, Stage::image_pull, 2), 5.2, 6.7);
  check_span(span_of(cluster, p, Stage::readiness, 0), 3.55, 14.0);
  CHECK(cluster.pod(p).ready_since->seconds() == Approx(14.0).margin(1e-6));
  CHECK(cluster.pod(p).init_containers[0].running);
  CHECK_FALSE(cluster.pod(p).init_containers[1].running);
  // The creation path runs through proxy's readiness (ends 14), not the app's start (6.9):
  // volume_setup 0.1, sandbox 0.5, pull 0.75, start 0.2, app_start 2, readiness 10.45,
  // endpoint_propagation [14, 14.4] 0.4: 14.4 s, no waiting.
  const CriticalPath path = creation_critical_path(cluster, p);
  std::vector<std::pair<Stage, std::int32_t>> steps;
  for (const CriticalStep& step : path.steps) steps.emplace_back(step.stage, step.container);
  CHECK(steps == std::vector<std::pair<Stage, std::int32_t>>{
                     {Stage::volume_setup, Span::kPodLevel},
                     {Stage::sandbox, Span::kPodLevel},
                     {Stage::image_pull, 0},
                     {Stage::container_start, 0},
                     {Stage::app_start, 0},
                     {Stage::readiness, 0},
                     {Stage::endpoint_propagation, Span::kPodLevel}});
  CHECK(path.duration().seconds() == Approx(14.4).margin(1e-6));
  CHECK(path.time(Stage::readiness).seconds() == Approx(10.45).margin(1e-6));
  CHECK(path.waiting == sim::Duration{});

  SECTION("without a startupProbe the next init container follows its start at once") {
    // A second pod once the first has settled (t0), on the same node.
    PodTemplate u = t;
    u.initContainers[0].startupProbe.reset();
    const PodId q = cluster.create_pod(u);
    const double t0 = sim.now().seconds();
    sim.run();
    const Span sandbox = span_of(cluster, q, Stage::sandbox);
    CHECK(sandbox.end.seconds() == Approx(t0 + 0.6).margin(1e-6));
    // Images are present on the node now: no pulls; proxy starts [t0+0.6, t0+0.8], migrate
    // [t0+0.8, t0+2.0], the app starts [t0+2.0, t0+2.2]; proxy ready at t0+0.8+10.
    check_span(span_of(cluster, q, Stage::init_containers, 1), t0 + 0.8, t0 + 2.0);
    CHECK(cluster.pod(q).ready_since->seconds() == Approx(t0 + 10.8).margin(1e-6));
  }
}

TEST_CASE("kubelet model under random probes, hangs, pull failures, updates and deletions",
          "[lifecycle][random]") {
  // No hand-worked numbers: invariants. Whatever happens, every pod can be deleted, the run
  // then ends, and nodes, IPs and image pins are all given back.
  for (const std::uint64_t seed : {99, 7, 2024, 31337, 5}) {
    INFO("seed " << seed);
    Images im;
    sim::Simulation sim;
    NodePoolSpec pool = regular_pool(3, 64000);
    pool.profile = StageProfile::defaults();
    pool.profile.set("app_start", sim::dist::uniform(0.5, 20));
    ClusterConfig config = base_config({pool});
    config.image_pull.pull_failure_probability = 0.3;
    config.image_pull.registryPullQPS = 0.5;
    config.image_pull.registryBurst = 2;
    config.scheduler.unschedulable_retry = UnschedulableRetry::after_backoff;
    Cluster cluster(sim, im.catalog, config);
    sim::RandomStream rng(seed);
    auto probe = [&]() -> std::optional<Probe> {
      if (rng.uniform01() < 0.4) return std::nullopt;
      Probe p;
      p.periodSeconds = 1 + static_cast<std::int32_t>(rng.uniform01() * 10);
      p.failureThreshold = 1 + static_cast<std::int32_t>(rng.uniform01() * 4);
      p.initialDelaySeconds = static_cast<std::int32_t>(rng.uniform01() * 5);
      return p;
    };
    const ImageId images[] = {im.init, im.app, im.app2, im.app3, im.v1, im.v2};
    auto image = [&] { return images[static_cast<std::size_t>(rng.uniform01() * 6)]; };
    std::vector<PodId> pods;
    for (int n = 0; n < 40; ++n) {
      PodTemplate t;
      const int inits = static_cast<int>(rng.uniform01() * 3);
      for (int j = 0; j < inits; ++j) {
        InitContainerSpec c;
        c.name = "init-" + std::to_string(j);
        c.image = image();
        c.sidecar = rng.uniform01() < 0.5;
        if (c.sidecar) {
          c.startupProbe = probe();
          c.readinessProbe = probe();
          c.livenessProbe = probe();
          if (rng.uniform01() < 0.3) c.hang_after = sim::dist::exponential(0.02);
          if (rng.uniform01() < 0.3) c.crash_after = sim::dist::exponential(0.05);
        }
        t.initContainers.push_back(c);
      }
      const int apps = 1 + static_cast<int>(rng.uniform01() * 2);
      for (int i = 0; i < apps; ++i) {
        ContainerSpec c = app_container(image(), probe());
        c.name = "app-" + std::to_string(i);
        c.startupProbe = probe();
        c.livenessProbe = probe();
        if (rng.uniform01() < 0.5) c.hang_after = sim::dist::exponential(0.01);
        if (rng.uniform01() < 0.3) c.crash_after = sim::dist::exponential(0.02);
        if (rng.uniform01() < 0.3) c.imagePullPolicy = ImagePullPolicy::Always;
        if (rng.uniform01() < 0.3) c.preStop = sim::dist::constant(3);
        t.containers.push_back(c);
      }
      const double at = rng.uniform01() * 300;
      sim.call_at(at_s(at), [&cluster, &pods, t, n] {
        pods.push_back(cluster.create_pod(t, PodOwner{1, 1, 0, "pod-" + std::to_string(n)}));
      });
    }
    // Random in-place updates and deletions while they run.
    for (int n = 0; n < 60; ++n) {
      const double at = 50 + rng.uniform01() * 1500;
      const bool remove = rng.uniform01() < 0.3;
      const double pick = rng.uniform01();
      const ImageId to = image();
      sim.call_at(at_s(at), [&cluster, &pods, remove, pick, to] {
        if (pods.empty()) return;
        const PodId p = pods[static_cast<std::size_t>(pick * static_cast<double>(pods.size()))];
        if (remove) {
          cluster.delete_pod(p);
        } else {
          cluster.update_in_place(p, {{"app-0", to}});
        }
      });
    }
    sim.run_until(at_s(2000));
    REQUIRE(pods.size() == 40);
    std::uint32_t restarts = 0;
    for (PodId p : pods) {
      for (const ContainerStatus& c : cluster.pod(p).containers) restarts += c.restartCount;
      cluster.delete_pod(p);
    }
    sim.run();
    CHECK(restarts > 0);
    CHECK(cluster.puller().counters().pulls_failed_registry > 0);
    for (PodId p : pods) CHECK(cluster.pod(p).phase == PodPhase::terminated);
    for (const Node& n : cluster.nodes()) {
      CHECK(n.pods == 0);
      CHECK(n.requested == Resources{});
      for (LayerId l = 0; l < im.catalog.layer_count(); ++l) {
        CHECK(cluster.puller().layer_cache(n.id).pins(l) == 0);
      }
    }
    CHECK(sim.live_processes() == 0);
  }
}

TEST_CASE("crash_after: an app that exits restarts under CrashLoopBackOff, 10 s doubling to 300 s",
          "[lifecycle][probes][crashloop]") {
  // The app exits 5 s after it serves; no probes, so the container is ready while it runs.
  // Instance n starts S_n, serves S_n + 3.2 and exits E_n = S_n + 8.2. The exit makes a sync
  // that sees the exited instance: doBackOff against E_n. The first restart has no backoff entry
  // yet (Next() sets 10 s) and goes at once; each later one waits the current backoff from E_n,
  // then Next() doubles it, up to 300 s:
  //   S0 2.3   E0 10.5 -> restart at once       S1 10.7   E1 18.9 -> waits 10 s
  //   S2 29.1  E2 37.3 -> waits 20              S3 57.5   E3 65.7 -> waits 40
  //   S4 105.9 E4 114.1 -> waits 80             S5 194.3  E5 202.5 -> waits 160
  //   S6 362.7 E6 370.9 -> waits 300 (capped)   S7 671.1  E7 679.3 -> waits 300
  // Ready at each start (no probe), not ready at each exit.
  Images im;
  sim::Simulation sim;
  Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
  PodTemplate t;
  t.containers.push_back(app_container(im.app));
  t.containers[0].crash_after = sim::dist::constant(5);
  std::vector<std::pair<double, PodEvent>> events;
  cluster.add_listener([&](PodId, PodEvent e) {
    if (e == PodEvent::ready || e == PodEvent::not_ready) {
      events.emplace_back(sim.now().seconds(), e);
    }
  });
  const PodId p = cluster.create_pod(t);
  sim.run_until(at_s(980));
  CHECK(cluster.pod(p).containers[0].restartCount == 8);
  std::vector<Span> waits;
  for (const Span& s : cluster.recorder().spans()) {
    if (s.pod == p && s.stage == Stage::crash_loop_backoff) waits.push_back(s);
  }
  const std::vector<std::pair<double, double>> expected{
      {18.9, 28.9},   {37.3, 57.3},   {65.7, 105.7}, {114.1, 194.1},
      {202.5, 362.5}, {370.9, 670.9}, {679.3, 979.3}};
  REQUIRE(waits.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("wait " << i);
    check_span(waits[i], expected[i].first, expected[i].second);
  }
  REQUIRE(events.size() >= 6);
  const std::vector<std::pair<double, PodEvent>> first{
      {2.3, PodEvent::ready},      {10.5, PodEvent::not_ready}, {10.7, PodEvent::ready},
      {18.9, PodEvent::not_ready}, {29.1, PodEvent::ready},     {37.3, PodEvent::not_ready}};
  for (std::size_t i = 0; i < first.size(); ++i) {
    INFO("event " << i);
    CHECK(events[i].first == Approx(first[i].first).margin(1e-6));
    CHECK(events[i].second == first[i].second);
  }
  cluster.delete_pod(p);
  sim.run();
}

TEST_CASE("a probe's terminationGracePeriodSeconds bounds the kill it causes",
          "[lifecycle][probes]") {
  // The app hangs as soon as it serves (R = 5.5); livenessProbe defaults (period 10,
  // failureThreshold 3, timeout 1): ticks 10, 20, 30 fail, killed at 31. preStop 5, and the app
  // would need 40 s after SIGTERM.
  //   Probe grace 3: preStop cut at 3, nothing left, floored at 2 s: [31, 36].
  //   The pod's grace (30): preStop 5, then 25 s: [31, 61].
  for (const bool probe_grace : {true, false}) {
    INFO("probe grace " << probe_grace);
    Images im;
    sim::Simulation sim;
    Cluster cluster(sim, im.catalog, base_config({regular_pool(1)}));
    PodTemplate t;
    t.containers.push_back(app_container(im.app));
    Probe liveness;
    if (probe_grace) liveness.terminationGracePeriodSeconds = 3;
    t.containers[0].livenessProbe = liveness;
    t.containers[0].hang_after = sim::dist::constant(0);
    t.containers[0].preStop = sim::dist::constant(5);
    t.containers[0].shutdown = sim::dist::constant(40);
    const PodId p = cluster.create_pod(t);
    sim.run_until(at_s(62));
    std::vector<Span> kills;
    for (const Span& s : cluster.recorder().spans()) {
      if (s.pod == p && s.stage == Stage::termination) kills.push_back(s);
    }
    REQUIRE_FALSE(kills.empty());
    check_span(kills[0], 31, probe_grace ? 36 : 61);
    cluster.delete_pod(p);
    sim.run();
  }
}
