// Deployment and CloneSet controllers driving simulated pods: hand-worked timelines with
// constant durations, and the real controllers' invariants checked at every pod event.
//
// Common setup: 10 nodes of 4 CPUs; every stage takes 0 s except container_start, 10 s, so a pod
// is Ready (no readiness probe: Ready once started) 10 s after it is created, and an in-place
// restart makes it Ready 10 s after the container is restarted. shutdown is 0 s (and no preStop),
// so a deleted pod is gone at once. Both image versions are preloaded on every node (no pulls).
// The controllers' API calls and watches take no time and are not rate limited. Releases start
// at T0, when the initial pods are available (t = 10 s).
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <set>

#include "podsim/model/cloneset_controller.hpp"
#include "podsim/model/controller_manager.hpp"
#include "podsim/model/deployment_controller.hpp"
#include "podsim/model/image_prewarm.hpp"
#include "podsim/model/release.hpp"
#include "podsim/model/stage_profile.hpp"
#include "podsim/sim.hpp"

using namespace podsim;
using namespace podsim::model;

namespace {

constexpr std::uint64_t MB = 1'000'000;

struct Harness {
  sim::Simulation sim;
  ImageCatalog catalog;
  ImageId v1 = 0;
  ImageId v2 = 0;
  std::unique_ptr<Cluster> cluster;
  std::unique_ptr<ControllerManager> controllers;

  explicit Harness(std::uint32_t nodes = 10, bool preload_v2 = true,
                   double registry_bytes_per_s = 1.25e9) {
    const LayerId base = catalog.add_layer("sha256:base", 100 * MB, 100 * MB);
    v1 = catalog.add_image("web:v1", {base, catalog.add_layer("sha256:v1", 10 * MB, 10 * MB)});
    v2 = catalog.add_image("web:v2", {base, catalog.add_layer("sha256:v2", 10 * MB, 10 * MB)});
    NodePoolSpec pool;
    pool.name = "general";
    pool.shape.allocatable = {4000, 16LL << 30};
    pool.count = nodes;
    pool.profile = StageProfile::zero();
    pool.profile.set("container_start", sim::dist::constant(10));
    ClusterConfig config;
    config.pools = {pool};
    config.scheduler.cycle_cost = sim::dist::constant(0);
    config.scheduler.binding_latency = sim::dist::constant(0);
    config.scheduler.qps = 0;
    config.scheduler.random_tie_break = false;
    config.image_pull.registry_bytes_per_s = registry_bytes_per_s;
    cluster = std::make_unique<Cluster>(sim, catalog, config);
    for (const Node& n : cluster->nodes()) {
      cluster->puller().preload_image(n.id, v1);
      if (preload_v2) cluster->puller().preload_image(n.id, v2);
    }
    ControllerConfig instant;
    instant.api_qps = 0;
    instant.api_latency = sim::Duration{};
    instant.sync_delay = sim::Duration{};
    controllers =
        std::make_unique<ControllerManager>(*cluster, ControllerManagerConfig{instant, instant});
  }

  PodTemplate web(ImageId image) const {
    PodTemplate t;
    ContainerSpec c;
    c.name = "app";
    c.image = image;
    c.requests = {500, 256LL << 20};
    t.containers.push_back(c);
    return t;
  }

  CloneSetSpec cloneset(std::int32_t replicas, CloneSetUpdateType type) const {
    CloneSetSpec spec;
    spec.name = "web";
    spec.replicas = replicas;
    spec.type = type;
    spec.template_ = web(v1);
    return spec;
  }

  DeploymentSpec deployment(std::int32_t replicas) const {
    DeploymentSpec spec;
    spec.name = "web";
    spec.replicas = replicas;
    spec.template_ = web(v1);
    return spec;
  }

  /// Deploys the workload and runs until its pods are available (t = 10 s).
  void deploy(WorkloadController& w) {
    w.start();
    sim.run();
    REQUIRE(w.rollout_complete());
    REQUIRE(sim.now().seconds() == Approx(10.0));
  }

  /// Runs a release now and returns its result.
  ReleaseResult release(WorkloadController& w, ReleaseSpec spec) {
    Release r(*cluster, w, std::move(spec), sim.now(), sim::RandomStream(7));
    r.arm();
    sim.run();
    if (!r.done()) r.give_up("did not finish");
    return r.result();
  }

  struct Placement {
    NodeId node;
    IpAddress ip;
  };
  std::map<PodId, Placement> placements(const WorkloadController& w) const {
    std::map<PodId, Placement> out;
    for (const PodId id : w.pods()) {
      const Pod& p = cluster->pod(id);
      if (!p.deletion_requested && p.phase != PodPhase::terminated) out[id] = {*p.node, *p.ip};
    }
    return out;
  }
};

ReleaseSpec change(std::string name, PodTemplate tmpl) {
  ReleaseSpec r;
  r.name = std::move(name);
  r.workload = "web";
  r.new_template = std::move(tmpl);
  return r;
}

ReleaseSpec scale_to(std::int32_t replicas) {
  ReleaseSpec r;
  r.name = "scale";
  r.workload = "web";
  r.replicas = replicas;
  return r;
}

/// Active pods (not deleted) and how many of them are available, as the controllers count.
struct Counts {
  int active = 0;
  int available = 0;
  int updated = 0;
};
Counts count(const Cluster& cluster, const WorkloadController& w, std::uint32_t update_revision) {
  Counts c;
  for (const PodId id : w.pods()) {
    const Pod& p = cluster.pod(id);
    if (p.deletion_requested || p.phase == PodPhase::terminated) continue;
    ++c.active;
    c.available += p.available && !p.updating_in_place;
    c.updated += w.revision_of(id) == update_revision;
  }
  return c;
}

}  // namespace

TEST_CASE("Deployment Recreate: every old pod gone before any new one",
          "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec = h.deployment(4);
  spec.strategy = DeploymentStrategyType::Recreate;
  spec.template_.containers[0].shutdown = sim::dist::constant(2);  // old pods take 2 s to exit
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);

  // T0 = 10: the old ReplicaSet goes to 0, its 4 pods are deleted and exit at 12. Only then is
  // the new ReplicaSet created and scaled to 4: pods created at 12, Ready and available at 22.
  // Unavailable: 4 pods for 12 s = 48 pod-seconds; minimum available 0.
  bool new_before_old_gone = false;
  h.cluster->add_listener([&](PodId id, PodEvent) {
    if (w.revision_of(id) != 2) return;
    for (const PodId old : w.pods()) {
      if (w.revision_of(old) == 1 && h.cluster->pod(old).phase != PodPhase::terminated) {
        new_before_old_gone = true;
      }
    }
  });
  PodTemplate v2 = h.web(h.v2);
  v2.containers[0].shutdown = sim::dist::constant(2);
  const ReleaseResult r = h.release(w, change("v2", v2));
  CHECK_FALSE(new_before_old_gone);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(12.0));
  CHECK(r.unavailable_pod_seconds == Approx(48.0));
  CHECK(r.min_available == 0);
  CHECK(r.pods_created == 4);
  CHECK(r.pods_deleted == 4);
  CHECK(r.changes == std::vector<std::string>{"spec.containers[app].image"});
}

TEST_CASE("Deployment RollingUpdate, 4 replicas, maxSurge 1 / maxUnavailable 0",
          "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec = h.deployment(4);
  spec.maxSurge = IntOrPercent::integer(1);
  spec.maxUnavailable = IntOrPercent::integer(0);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);

  // Surge 1, unavailable 0, so minAvailable = 4 and at most 5 pods. T0 = 10: new 0 -> 1 (5
  // pods). At 20 it is available: old 4 -> 3 (available 5 > 4), then new 1 -> 2. Each new pod
  // takes 10 s, one at a time: the fourth is available at 50. Duration 40 s, never below 4.
  bool violated = false;
  h.cluster->add_listener([&](PodId, PodEvent) {
    const Counts c = count(*h.cluster, w, 2);
    if (c.active > 5 || c.available < 4) violated = true;
  });
  const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
  CHECK_FALSE(violated);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(40.0));
  CHECK(r.unavailable_pod_seconds == Approx(0.0));
  CHECK(r.min_available == 4);
  CHECK(r.pods_created == 4);
}

TEST_CASE("Deployment RollingUpdate, 4 replicas, maxSurge 0 / maxUnavailable 1",
          "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec = h.deployment(4);
  spec.maxSurge = IntOrPercent::integer(0);
  spec.maxUnavailable = IntOrPercent::integer(1);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);

  // minAvailable 3, at most 4 pods. T0 = 10: the new ReplicaSet is created at 0 (no room:
  // 4 + 0 >= 4), the old one goes 4 -> 3, then new 0 -> 1 (pod created at 10, available at 20).
  // Then old 3 -> 2 and new 1 -> 2 at 20, ... the fourth new pod is available at 50: 40 s, with
  // exactly one pod missing all along: 40 pod-seconds, minimum 3.
  bool violated = false;
  h.cluster->add_listener([&](PodId, PodEvent) {
    const Counts c = count(*h.cluster, w, 2);
    if (c.active > 4 || c.available < 3) violated = true;
  });
  const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
  CHECK_FALSE(violated);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(40.0));
  CHECK(r.unavailable_pod_seconds == Approx(40.0));
  CHECK(r.min_available == 3);
}

TEST_CASE("CloneSet in place: maxUnavailable 2 of 10, 5 s grace", "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec = h.cloneset(10, CloneSetUpdateType::InPlaceIfPossible);
  spec.maxUnavailable = IntOrPercent::integer(2);
  spec.gracePeriodSeconds = 5;
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);
  const auto before = h.placements(w);

  // Two pods at a time: not ready at once, 5 s grace, container killed (0 s) and restarted,
  // Ready 10 s later: 15 s each. Five waves of two: 75 s. Each pod is unavailable 15 s: 150
  // pod-seconds, never fewer than 8 available. No pod is created, deleted or moved.
  bool violated = false;
  h.cluster->add_listener([&](PodId, PodEvent) {
    const Counts c = count(*h.cluster, w, 2);
    if (c.active != 10 || c.available < 8) violated = true;
  });
  const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
  CHECK_FALSE(violated);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(75.0));
  CHECK(r.unavailable_pod_seconds == Approx(150.0));
  CHECK(r.min_available == 8);
  CHECK(r.pods_created == 0);
  CHECK(r.in_place_updates == 10);
  const auto after = h.placements(w);
  REQUIRE(after.size() == before.size());
  for (const auto& [pod, place] : before) {
    REQUIRE(after.count(pod) == 1);
    CHECK(after.at(pod).node == place.node);
    CHECK(after.at(pod).ip == place.ip);
    CHECK(h.cluster->pod(pod).spec->containers[0].image == h.v2);
    CHECK(h.cluster->pod(pod).containers[0].restartCount == 1);
  }
}

TEST_CASE("CloneSet partition 6 of 10 leaves exactly 6 old pods", "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec = h.cloneset(10, CloneSetUpdateType::InPlaceIfPossible);
  spec.partition = IntOrPercent::integer(6);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);

  bool violated = false;
  h.cluster->add_listener([&](PodId, PodEvent) {
    if (count(*h.cluster, w, 2).updated > 4) violated = true;
  });
  // maxUnavailable 20% of 10 = 2: the 4 updated pods go two at a time, 10 s each: 20 s.
  const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
  CHECK_FALSE(violated);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(20.0));
  const Counts c = count(*h.cluster, w, 2);
  CHECK(c.active == 10);
  CHECK(c.updated == 4);
  CHECK(c.active - c.updated == 6);
}

TEST_CASE("CloneSet batch release by partition steps", "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec = h.cloneset(10, CloneSetUpdateType::InPlaceIfPossible);
  spec.maxUnavailable = IntOrPercent::integer(5);
  spec.partition = IntOrPercent::integer(10);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);

  // Batches: partition 5 (5 pods, all at once: 10 s), a 30 s pause, partition 0 (5 more: 10 s).
  // 10 + 30 + 10 = 50 s.
  ReleaseSpec rs = change("v2", h.web(h.v2));
  rs.partition_steps = {IntOrPercent::integer(5), IntOrPercent::integer(0)};
  rs.batch_pause = sim::dist::constant(30);
  const ReleaseResult r = h.release(w, rs);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK(r.batches == 2);
  CHECK((r.end - r.start).seconds() == Approx(50.0));
  CHECK(count(*h.cluster, w, 2).updated == 10);
}

TEST_CASE("An env change recreates under InPlaceIfPossible and is refused under InPlaceOnly",
          "[controllers][cloneset]") {
  SECTION("InPlaceIfPossible falls back to recreate") {
    Harness h;
    CloneSetSpec spec = h.cloneset(2, CloneSetUpdateType::InPlaceIfPossible);
    spec.maxUnavailable = IntOrPercent::integer(1);
    WorkloadController& w = h.controllers->add(spec);
    h.deploy(w);
    const auto before = h.placements(w);
    PodTemplate changed = h.web(h.v1);
    changed.containers[0].env["LOG_LEVEL"] = "debug";
    // One pod at a time is deleted (gone at once) and recreated, Ready 10 s later: 20 s.
    const ReleaseResult r = h.release(w, change("env", changed));
    CHECK(r.outcome == RolloutOutcome::finished);
    CHECK((r.end - r.start).seconds() == Approx(20.0));
    CHECK(r.recreate_fallbacks == 2);
    CHECK(r.pods_created == 2);
    CHECK(r.in_place_updates == 0);
    CHECK(r.changes == std::vector<std::string>{"spec.containers[app].env"});
    const auto after = h.placements(w);
    for (const auto& [pod, place] : after) CHECK(before.count(pod) == 0);  // all new pods
  }
  SECTION("InPlaceOnly refuses it") {
    Harness h;
    CloneSetSpec spec = h.cloneset(2, CloneSetUpdateType::InPlaceOnly);
    WorkloadController& w = h.controllers->add(spec);
    h.deploy(w);
    PodTemplate changed = h.web(h.v1);
    changed.containers[0].env["LOG_LEVEL"] = "debug";
    const ReleaseResult r = h.release(w, change("env", changed));
    CHECK(r.outcome == RolloutOutcome::refused);
    CHECK_THAT(r.reason, Catch::Contains("InPlaceOnly"));
    CHECK(r.pods_created == 0);
  }
}

TEST_CASE("CloneSet ReCreate replaces pods on new IPs within maxUnavailable",
          "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec = h.cloneset(10, CloneSetUpdateType::ReCreate);  // maxUnavailable 20% of 10 = 2
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);
  std::set<std::pair<NodeId, IpAddress>> old_ips;
  for (const auto& [pod, place] : h.placements(w)) old_ips.insert({place.node, place.ip});

  bool violated = false;
  h.cluster->add_listener([&](PodId, PodEvent) {
    if (count(*h.cluster, w, 2).available < 8) violated = true;
  });
  // Two pods at a time deleted and recreated, 10 s each: five rounds, 50 s; 2 missing all along.
  const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
  CHECK_FALSE(violated);
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(50.0));
  CHECK(r.unavailable_pod_seconds == Approx(100.0));
  CHECK(r.pods_created == 10);
  CHECK(r.pods_deleted == 10);
  CHECK(r.recreate_fallbacks == 0);
  for (const auto& [pod, place] : h.placements(w)) {
    CHECK(h.cluster->pod(pod).created_at.seconds() >= 10.0);  // every pod is new
    // ... with a new sandbox and IP: no (node, IP) of an old pod comes back (host-local IPAM
    // hands out the next free address, not the one just released).
    CHECK(old_ips.count({place.node, place.ip}) == 0);
  }
}

TEST_CASE("Scale-out is a rollout too", "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec = h.deployment(2);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);
  // 2 -> 8: six pods created at once (slow-start batches of 1, 2, 4 with instant API calls),
  // all available 10 s later; 6 pods missing for 10 s = 60 pod-seconds.
  const ReleaseResult r = h.release(w, scale_to(8));
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK((r.end - r.start).seconds() == Approx(10.0));
  CHECK(r.pods_created == 6);
  CHECK(r.unavailable_pod_seconds == Approx(60.0));
  CHECK(r.changes == std::vector<std::string>{"spec.replicas"});
}

TEST_CASE("Image pre-warm pulls a bounded number of nodes at a time", "[controllers][prewarm]") {
  // v2's own layer is 10 MB (10 MB unpacked); its base is on every node. Registry 10 MB/s, NIC
  // 1.25 GB/s, unpack 200 MB/s: one node alone pulls in 10/10 + 10/200 = 1.05 s.
  //  - parallelism 1: four nodes one after another, 4 x 1.05 = 4.2 s;
  //  - all at once: 40 MB share the registry, 4 s, then each unpacks 0.05 s: 4.05 s.
  for (const auto& [parallelism, expected] : {std::pair{1u, 4.2}, std::pair{0u, 4.05}}) {
    Harness h(4, /*preload_v2=*/false, 10e6);
    ImagePrewarm warm(h.sim, h.cluster->puller());
    std::vector<PrewarmItem> items;
    for (const Node& n : h.cluster->nodes()) items.push_back({n.id, h.v2});
    bool called = false;
    warm.start(items, {.parallelism = parallelism, .timeout = std::nullopt, .retries = 0},
               [&] { called = true; });
    h.sim.run();
    CHECK(called);
    CHECK(warm.failures() == 0);
    CHECK((*warm.finished_at() - *warm.started_at()).seconds() == Approx(expected));
    for (const Node& n : h.cluster->nodes()) CHECK(h.cluster->puller().node_has_image(n.id, h.v2));
  }
}

TEST_CASE("A timed-out pre-warm attempt is retried, then counted as failed",
          "[controllers][prewarm]") {
  // One node, 1.05 s per pull (as above) but a 0.5 s timeout and one retry: both attempts are
  // abandoned at 0.5 s, so the job ends at 1.0 s with one failure and no image.
  Harness h(1, false, 10e6);
  ImagePrewarm warm(h.sim, h.cluster->puller());
  warm.start({{h.cluster->nodes()[0].id, h.v2}},
             {.parallelism = 1, .timeout = sim::seconds(0.5), .retries = 1}, {});
  h.sim.run();
  CHECK(warm.failures() == 1);
  CHECK(warm.finished_at()->seconds() == Approx(1.0));
  CHECK_FALSE(h.cluster->puller().node_has_image(h.cluster->nodes()[0].id, h.v2));
}

TEST_CASE("A release waits for its pre-warm, then updates in place without pulling",
          "[controllers][prewarm]") {
  // 4 replicas on 4 nodes (LeastAllocated spreads them). The pre-warm pulls v2 on the 4 nodes
  // one at a time: 4.2 s (see above). Then the in-place update (maxUnavailable 1) restarts one
  // pod at a time with v2 already present: 10 s each, 40 s. No byte is pulled during it.
  Harness h(4, false, 10e6);
  CloneSetSpec spec = h.cloneset(4, CloneSetUpdateType::InPlaceIfPossible);
  spec.maxUnavailable = IntOrPercent::integer(1);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);
  ReleaseSpec rs = change("v2", h.web(h.v2));
  rs.prewarm.enabled = true;
  rs.prewarm.parallelism = 1;
  const sim::Time t0 = h.sim.now();
  const ReleaseResult r = h.release(w, rs);
  REQUIRE(r.prewarm_start.has_value());
  CHECK((*r.prewarm_start - t0).seconds() == Approx(0.0));
  CHECK((*r.prewarm_end - *r.prewarm_start).seconds() == Approx(4.2));
  CHECK((r.start - t0).seconds() == Approx(4.2));
  CHECK((r.end - r.start).seconds() == Approx(40.0));
  CHECK(r.outcome == RolloutOutcome::finished);
}

TEST_CASE("CloneSet image pre-download starts only when Kruise would start it",
          "[controllers][prewarm][cloneset]") {
  auto run = [](std::int32_t replicas, CloneSetUpdateType type) {
    Harness h(4, false, 10e6);
    CloneSetSpec spec = h.cloneset(replicas, type);
    spec.maxUnavailable = IntOrPercent::integer(1);
    spec.imagePreDownload.enabled = true;
    WorkloadController& w = h.controllers->add(spec);
    h.deploy(w);
    const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
    CHECK(r.outcome == RolloutOutcome::finished);
    const auto& cs = dynamic_cast<const CloneSetController&>(w);
    std::vector<NodeId> with_v2;
    for (const Node& n : h.cluster->nodes()) {
      if (h.cluster->puller().node_has_image(n.id, h.v2)) with_v2.push_back(n.id);
    }
    return std::pair{cs.image_pull_job() != nullptr, with_v2.size()};
  };
  // More than 3 replicas, in place, not all in one batch: an ImagePullJob pulls v2 on the
  // nodes of the old pods; every node ends up with it.
  const auto [job4, nodes4] = run(4, CloneSetUpdateType::InPlaceIfPossible);
  CHECK(job4);
  CHECK(nodes4 == 4);
  // minimumReplicasToPreDownloadImage = 3: 3 replicas get no job; ReCreate never does.
  CHECK_FALSE(run(3, CloneSetUpdateType::InPlaceIfPossible).first);
  CHECK_FALSE(run(4, CloneSetUpdateType::ReCreate).first);
}

TEST_CASE("progressDeadlineSeconds flags a rollout that went 10 s without progress",
          "[controllers][deployment]") {
  // maxSurge 1 / maxUnavailable 0 as above: progress at T0 (the first new pod is created, so
  // updatedReplicas rises), then nothing until it is available 10 s later. A 5 s deadline has
  // passed by then; the rollout still finishes (the condition is informational): 40 s.
  for (const auto& [deadline, outcome] : {std::pair{5, RolloutOutcome::deadline_exceeded},
                                          std::pair{600, RolloutOutcome::finished}}) {
    Harness h;
    DeploymentSpec spec = h.deployment(4);
    spec.maxSurge = IntOrPercent::integer(1);
    spec.maxUnavailable = IntOrPercent::integer(0);
    spec.progressDeadlineSeconds = deadline;
    WorkloadController& w = h.controllers->add(spec);
    h.deploy(w);
    const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
    CHECK(r.outcome == outcome);
    CHECK((r.end - r.start).seconds() == Approx(40.0));
  }
}

TEST_CASE("CloneSet scaled up in the middle of an in-place update", "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec = h.cloneset(10, CloneSetUpdateType::InPlaceIfPossible);
  spec.maxUnavailable = IntOrPercent::integer(2);
  WorkloadController& w = h.controllers->add(spec);
  h.deploy(w);
  // 5 s into the update (two pods restarting), replicas 10 -> 12. Scale() runs before Update()
  // and creates the two new pods at the update revision (v2); the in-place updates go on.
  h.sim.call_in(sim::seconds(5), [&] { w.scale(12); });
  const ReleaseResult r = h.release(w, change("v2", h.web(h.v2)));
  CHECK(r.outcome == RolloutOutcome::finished);
  CHECK(r.pods_created == 2);
  CHECK(r.in_place_updates == 10);
  const Counts c = count(*h.cluster, w, 2);
  CHECK(c.active == 12);
  CHECK(c.updated == 12);
  CHECK(c.available == 12);
  for (const PodId id : w.pods()) CHECK(h.cluster->pod(id).spec->containers[0].image == h.v2);
}
