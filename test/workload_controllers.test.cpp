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

  explicit Harness(std::uint32_t nodes = 10) {
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
    cluster = std::make_unique<Cluster>(sim, catalog, config);
    for (const Node& n : cluster->nodes()) {
      cluster->puller().preload_image(n.id, v1);
      cluster->puller().preload_image(n.id, v2);
    }
    ControllerConfig instant;
    instant.api_qps = 0;
    instant.api_latency = sim::Duration{};
    instant.sync_delay = sim::Duration{};
    controllers = std::make_unique<ControllerManager>(*cluster, ControllerManagerConfig{instant, instant});
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

TEST_CASE("Deployment Recreate: every old pod gone before any new one", "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec;
  spec.name = "web";
  spec.replicas = 4;
  spec.strategy = DeploymentStrategyType::Recreate;
  spec.template_ = h.web(h.v1);
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

TEST_CASE("Deployment RollingUpdate, 4 replicas, maxSurge 1 / maxUnavailable 0", "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec;
  spec.name = "web";
  spec.replicas = 4;
  spec.maxSurge = IntOrPercent::integer(1);
  spec.maxUnavailable = IntOrPercent::integer(0);
  spec.template_ = h.web(h.v1);
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

TEST_CASE("Deployment RollingUpdate, 4 replicas, maxSurge 0 / maxUnavailable 1", "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec;
  spec.name = "web";
  spec.replicas = 4;
  spec.maxSurge = IntOrPercent::integer(0);
  spec.maxUnavailable = IntOrPercent::integer(1);
  spec.template_ = h.web(h.v1);
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
  CloneSetSpec spec;
  spec.name = "web";
  spec.replicas = 10;
  spec.type = CloneSetUpdateType::InPlaceIfPossible;
  spec.maxUnavailable = IntOrPercent::integer(2);
  spec.gracePeriodSeconds = 5;
  spec.template_ = h.web(h.v1);
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
    CHECK(h.cluster->pod(pod).spec.containers[0].image == h.v2);
    CHECK(h.cluster->pod(pod).containers[0].restartCount == 1);
  }
}

TEST_CASE("CloneSet partition 6 of 10 leaves exactly 6 old pods", "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec;
  spec.name = "web";
  spec.replicas = 10;
  spec.type = CloneSetUpdateType::InPlaceIfPossible;
  spec.partition = IntOrPercent::integer(6);
  spec.template_ = h.web(h.v1);
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
  CloneSetSpec spec;
  spec.name = "web";
  spec.replicas = 10;
  spec.type = CloneSetUpdateType::InPlaceIfPossible;
  spec.maxUnavailable = IntOrPercent::integer(5);
  spec.partition = IntOrPercent::integer(10);
  spec.template_ = h.web(h.v1);
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

TEST_CASE("An env change recreates under InPlaceIfPossible and is refused under InPlaceOnly", "[controllers][cloneset]") {
  SECTION("InPlaceIfPossible falls back to recreate") {
    Harness h;
    CloneSetSpec spec;
    spec.name = "web";
    spec.replicas = 2;
    spec.type = CloneSetUpdateType::InPlaceIfPossible;
    spec.maxUnavailable = IntOrPercent::integer(1);
    spec.template_ = h.web(h.v1);
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
    CloneSetSpec spec;
    spec.name = "web";
    spec.replicas = 2;
    spec.type = CloneSetUpdateType::InPlaceOnly;
    spec.template_ = h.web(h.v1);
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

TEST_CASE("CloneSet ReCreate replaces pods on new IPs within maxUnavailable", "[controllers][cloneset]") {
  Harness h;
  CloneSetSpec spec;
  spec.name = "web";
  spec.replicas = 10;
  spec.type = CloneSetUpdateType::ReCreate;  // maxUnavailable 20% of 10 = 2
  spec.template_ = h.web(h.v1);
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
  }
}

TEST_CASE("Scale-out is a rollout too", "[controllers][deployment]") {
  Harness h;
  DeploymentSpec spec;
  spec.name = "web";
  spec.replicas = 2;
  spec.template_ = h.web(h.v1);
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
