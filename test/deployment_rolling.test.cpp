// The Deployment controller's per-sync decisions against the upstream unit-test tables of
// kubernetes/kubernetes pkg/controller/deployment/rolling_test.go and sync_test.go (TestScale),
// plus hand-worked timelines. Inputs and expected values are the upstream ones; each table names
// the Go test it comes from. Cases podsim cannot represent are skipped with the reason.
#include "podsim/model/deployment_rolling.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

using podsim::model::DeploymentSpec;
using podsim::model::DeploymentStrategyType;
using podsim::model::IntOrPercent;
using podsim::sim::Time;
namespace dep = podsim::model::deployment;
using dep::ReplicaSetScale;
using dep::ReplicaSetState;
using Action = dep::RollingSyncDecision::Action;

namespace {

IntOrPercent num(std::int32_t v) {
  return IntOrPercent::integer(v);
}

// newDeployment in deployment_controller_test.go: RollingUpdate, maxSurge and maxUnavailable 0
// unless given.
DeploymentSpec rolling(std::int32_t replicas, IntOrPercent maxSurge = num(0),
                       IntOrPercent maxUnavailable = num(0)) {
  DeploymentSpec d;
  d.replicas = replicas;
  d.strategy = DeploymentStrategyType::RollingUpdate;
  d.maxSurge = maxSurge;
  d.maxUnavailable = maxUnavailable;
  return d;
}

Time at_seconds(std::int64_t s) {
  return Time::from_ns(s * 1'000'000'000);
}

// rs() in deployment_controller_test.go: a name, spec.replicas, a creation time, empty status.
ReplicaSetState rs(std::string name, std::int32_t replicas, Time created = Time::zero()) {
  ReplicaSetState r;
  r.name = std::move(name);
  r.spec.replicas = replicas;
  r.creationTimestamp = created;
  return r;
}

// status.replicas, readyReplicas, availableReplicas.
void set_status(ReplicaSetState& r, std::int32_t replicas, std::int32_t ready,
                std::int32_t available) {
  r.status.replicas = replicas;
  r.status.readyReplicas = ready;
  r.status.availableReplicas = available;
}

ReplicaSetState with_available(ReplicaSetState r, std::int32_t available) {
  r.status.availableReplicas = available;
  return r;
}

// The sizes after applying `scales` (the last write to a name wins).
std::map<std::string, std::int32_t> sizes_after(const std::vector<ReplicaSetState>& before,
                                                const std::vector<ReplicaSetScale>& scales) {
  std::map<std::string, std::int32_t> sizes;
  for (const auto& r : before) sizes[r.name] = r.spec.replicas;
  for (const auto& s : scales) sizes[s.name] = s.to;
  return sizes;
}

}  // namespace

// rolling_test.go TestDeploymentController_reconcileNewReplicaSet (maxUnavailable 0; allRSs is
// the new and the old ReplicaSet). The PodReplacementPolicy rows (feature gate
// DeploymentPodReplacementPolicy, alpha, off by default) are skipped where they set a policy:
// podsim's DeploymentSpec has no podReplacementPolicy field.
TEST_CASE("deployment rolling: reconcileNewReplicaSet", "[deployment]") {
  struct Case {
    const char* name;
    std::int32_t deploymentReplicas;
    std::int32_t maxSurge;
    std::int32_t oldReplicas;
    std::int32_t newReplicas;
    std::optional<std::int32_t> oldTerminatingReplicas;
    std::optional<std::int32_t> newTerminatingReplicas;
    bool scaleExpected;
    std::int32_t expectedNewReplicas;
  };
  const auto none = std::nullopt;
  const std::vector<Case> cases = {
      {"should not scale up when old replica set is fully saturated", 10, 0, 10, 0, none, none,
       false, 0},
      {"should scale up according to the maxSurge when old replica set is fully saturated", 10, 2,
       10, 0, none, none, true, 2},
      {"should scale up according to the maxSurge", 10, 2, 5, 0, none, none, true, 7},
      {"should not scale when maxSurge is fully saturated", 10, 2, 10, 2, none, none, false, 0},
      {"should scale down when there are replicas above maxSurge", 10, 2, 2, 11, none, none, true,
       10},
      {"should scale up according to the maxSurge with empty policy and ignore terminating pods",
       10, 2, 5, 0, 1, 10, true, 7},
      // Skipped, they set spec.podReplacementPolicy (not in podsim's DeploymentSpec):
      // "...with TerminationStarted policy and ignore terminating pods" (7, as the default),
      // "...according to the terminating pods with TerminationComplete policy",
      // "...with TerminationComplete policy and unsynced new RS",
      // "should error when scaling up ... TerminationComplete policy and broken new RS",
      // "...according to the status pods with TerminationComplete policy",
      // "...maxSurge and terminating and status pods with TerminationComplete policy",
      // "should not scale up according to the maxSurge due to terminating pods with
      //  TerminationComplete policy".
  };
  for (const auto& c : cases) {
    INFO(c.name);
    ReplicaSetState newRS = rs("foo-v2", c.newReplicas);
    newRS.status.terminatingReplicas = c.newTerminatingReplicas;
    ReplicaSetState oldRS = rs("foo-v1", c.oldReplicas);
    oldRS.status.terminatingReplicas = c.oldTerminatingReplicas;
    const std::vector<ReplicaSetState> all = {newRS, oldRS};
    const DeploymentSpec d = rolling(c.deploymentReplicas, num(c.maxSurge), num(0));

    const auto scaled = dep::reconcile_new_replica_set(d, all, newRS);
    REQUIRE(scaled.has_value() == c.scaleExpected);
    if (scaled) {
      CHECK(scaled->name == "foo-v2");
      CHECK(scaled->from == c.newReplicas);
      CHECK(scaled->to == c.expectedNewReplicas);
    }
  }
}

// rolling_test.go TestDeploymentController_reconcileOldReplicaSets (maxSurge 0; ready pods are
// status.availableReplicas). Upstream asserts only whether scaling happened; the
// expectedOldReplicas column is checked here too. The two rows that inject a ReplicaSet update
// failure are skipped: API errors are plumbing, not arithmetic.
TEST_CASE("deployment rolling: reconcileOldReplicaSets", "[deployment]") {
  struct Case {
    std::int32_t deploymentReplicas;
    std::int32_t maxUnavailable;
    std::int32_t oldReplicas;
    std::int32_t newReplicas;
    std::int32_t readyPodsFromOldRS;
    std::int32_t readyPodsFromNewRS;
    bool scaleExpected;
    std::int32_t expectedOldReplicas;
  };
  const std::vector<Case> cases = {
      {10, 0, 10, 0, 10, 0, true, 9},
      {10, 2, 10, 0, 10, 0, true, 8},
      // unhealthy replicas from old replica sets are cleaned up
      {10, 2, 10, 0, 8, 0, true, 8},
      // 1 unhealthy old replica cleaned up, and 1 ready pod scaled down
      {10, 2, 10, 0, 9, 0, true, 8},
      // the unavailable pods from the newRS do not make us scale down old RSs further
      {10, 2, 8, 2, 8, 0, false, 8},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    INFO("scenario " << i);
    const ReplicaSetState newRS =
        with_available(rs("foo-new", c.newReplicas), c.readyPodsFromNewRS);
    const ReplicaSetState oldRS =
        with_available(rs("foo-old", c.oldReplicas), c.readyPodsFromOldRS);
    const std::vector<ReplicaSetState> old = {oldRS};
    const std::vector<ReplicaSetState> all = {oldRS, newRS};
    const DeploymentSpec d = rolling(c.deploymentReplicas, num(0), num(c.maxUnavailable));

    const auto dec = dep::reconcile_old_replica_sets(d, all, old, newRS);
    CHECK(dec.error.empty());
    CHECK(dec.scaled() == c.scaleExpected);
    CHECK(sizes_after(all, dec.scales).at("foo-old") == c.expectedOldReplicas);
    CHECK(sizes_after(all, dec.scales).at("foo-new") == c.newReplicas);
  }
}

// rolling_test.go TestDeploymentController_cleanupUnhealthyReplicas (one old ReplicaSet of 10;
// ready pods are status.availableReplicas).
TEST_CASE("deployment rolling: cleanupUnhealthyReplicas", "[deployment]") {
  struct Case {
    std::int32_t oldReplicas;
    std::int32_t readyPods;
    std::int32_t unHealthyPods;
    std::int32_t maxCleanupCount;
    std::int32_t cleanupCountExpected;
  };
  const std::vector<Case> cases = {
      {10, 8, 2, 1, 1},
      {10, 8, 2, 3, 2},
      {10, 8, 2, 0, 0},
      {10, 10, 0, 3, 0},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    INFO("scenario " << i);
    const std::vector<ReplicaSetState> old = {
        with_available(rs("foo-v2", c.oldReplicas), c.readyPods)};
    const auto r = dep::cleanup_unhealthy_replicas(old, c.maxCleanupCount);
    CHECK(r.error.empty());
    CHECK(r.scaledDown == c.cleanupCountExpected);
    REQUIRE(r.oldRSs.size() == 1);
    CHECK(r.oldRSs[0].spec.replicas == c.oldReplicas - c.cleanupCountExpected);
  }
}

// rolling_test.go TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate (maxSurge 0;
// allRSs and oldRSs are the one old ReplicaSet; ready pods are status.availableReplicas).
TEST_CASE("deployment rolling: scaleDownOldReplicaSetsForRollingUpdate", "[deployment]") {
  struct Case {
    std::int32_t deploymentReplicas;
    std::int32_t maxUnavailable;
    std::int32_t readyPods;
    std::int32_t oldReplicas;
    bool scaleExpected;
    std::int32_t expectedOldReplicas;
  };
  const std::vector<Case> cases = {
      {10, 0, 10, 10, true, 9}, {10, 2, 10, 10, true, 8}, {10, 2, 8, 10, false, 0},
      {10, 2, 10, 0, false, 0}, {10, 2, 1, 10, false, 0},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    INFO("scenario " << i);
    const std::vector<ReplicaSetState> old = {
        with_available(rs("foo-v2", c.oldReplicas), c.readyPods)};
    const DeploymentSpec d = rolling(c.deploymentReplicas, num(0), num(c.maxUnavailable));
    const auto r = dep::scale_down_old_replica_sets_for_rolling_update(d, old, old);
    if (!c.scaleExpected) {
      CHECK(r.scaledDown == 0);
      CHECK(r.scales.empty());
      continue;
    }
    CHECK(r.scaledDown != 0);
    REQUIRE(r.scales.size() == 1);  // exactly one ReplicaSet update
    CHECK(r.scales[0] == ReplicaSetScale{"foo-v2", c.oldReplicas, c.expectedOldReplicas});
  }
}

// sync_test.go TestScale. The ReplicaSets start with the annotations the controller wrote for
// oldDeployment (desired = its replicas or the override, max = desired + its maxSurge);
// timestamps: newer 02:00, old 01:00, older 00:00. Deployment status.replicas is 0 upstream.
TEST_CASE("deployment sync: proportional scale", "[deployment]") {
  const Time newer = at_seconds(7200), oldT = at_seconds(3600), older = at_seconds(0);
  struct Case {
    const char* name;
    DeploymentSpec deployment;
    DeploymentSpec oldDeployment;
    std::optional<ReplicaSetState> newRS;
    std::vector<ReplicaSetState> oldRSs;
    std::optional<std::int32_t> expectedNew;
    std::vector<std::int32_t> expectedOld;
    std::map<std::string, std::int32_t> desiredReplicasAnnotations;
  };
  const auto none = std::nullopt;
  // "saturated but broken new replica set": 2 replicas, none available.
  ReplicaSetState broken = rs("foo-v2", 2, newer);
  broken.status.availableReplicas = 0;
  const std::vector<Case> cases = {
      {"normal scaling event: 10 -> 12",
       rolling(12),
       rolling(10),
       rs("foo-v1", 10, newer),
       {},
       12,
       {},
       {}},
      {"normal scaling event: 10 -> 5",
       rolling(5),
       rolling(10),
       rs("foo-v1", 10, newer),
       {},
       5,
       {},
       {}},
      {"proportional scaling: 5 -> 10",
       rolling(10),
       rolling(5),
       rs("foo-v2", 2, newer),
       {rs("foo-v1", 3, oldT)},
       4,
       {6},
       {}},
      {"proportional scaling: 5 -> 3",
       rolling(3),
       rolling(5),
       rs("foo-v2", 2, newer),
       {rs("foo-v1", 3, oldT)},
       1,
       {2},
       {}},
      {"proportional scaling: 9 -> 4",
       rolling(4),
       rolling(9),
       rs("foo-v2", 8, newer),
       {rs("foo-v1", 1, oldT)},
       4,
       {0},
       {}},
      {"proportional scaling: 7 -> 10",
       rolling(10),
       rolling(7),
       rs("foo-v3", 2, newer),
       {rs("foo-v2", 3, oldT), rs("foo-v1", 2, older)},
       3,
       {4, 3},
       {}},
      {"proportional scaling: 13 -> 8",
       rolling(8),
       rolling(13),
       rs("foo-v3", 2, newer),
       {rs("foo-v2", 8, oldT), rs("foo-v1", 3, older)},
       1,
       {5, 2},
       {}},
      // Scales up the new replica set.
      {"leftover distribution: 3 -> 4",
       rolling(4),
       rolling(3),
       rs("foo-v3", 1, newer),
       {rs("foo-v2", 1, oldT), rs("foo-v1", 1, older)},
       2,
       {1, 1},
       {}},
      // Scales down the older replica set.
      {"leftover distribution: 3 -> 2",
       rolling(2),
       rolling(3),
       rs("foo-v3", 1, newer),
       {rs("foo-v2", 1, oldT), rs("foo-v1", 1, older)},
       1,
       {1, 0},
       {}},
      // Scales up the latest replica set first.
      {"proportional scaling (no new rs): 4 -> 5",
       rolling(5),
       rolling(4),
       none,
       {rs("foo-v2", 2, oldT), rs("foo-v1", 2, older)},
       none,
       {3, 2},
       {}},
      // Scales down to zero
      {"proportional scaling: 6 -> 0",
       rolling(0),
       rolling(6),
       rs("foo-v3", 3, newer),
       {rs("foo-v2", 2, oldT), rs("foo-v1", 1, older)},
       0,
       {0, 0},
       {}},
      // Scales up from zero
      {"proportional scaling: 0 -> 6",
       rolling(6),
       rolling(6),
       rs("foo-v3", 0, newer),
       {rs("foo-v2", 0, oldT), rs("foo-v1", 0, older)},
       6,
       {0, 0},
       {}},
      // Upstream makes foo-v2's update fail in the fake client; the sizes it expects are the
      // arithmetic's: foo-v2 (annotated desired 3) takes the one new replica.
      {"failed rs update",
       rolling(5),
       rolling(5),
       rs("foo-v3", 2, newer),
       {rs("foo-v2", 1, oldT), rs("foo-v1", 1, older)},
       2,
       {2, 1},
       {{"foo-v2", 3}}},
      {"deployment with surge pods",
       rolling(20, num(2)),
       rolling(10, num(2)),
       rs("foo-v2", 6, newer),
       {rs("foo-v1", 6, oldT)},
       11,
       {11},
       {}},
      {"change both surge and size",
       rolling(50, num(6)),
       rolling(10, num(3)),
       rs("foo-v2", 5, newer),
       {rs("foo-v1", 8, oldT)},
       22,
       {34},
       {}},
      // The template changed too, so there is no new ReplicaSet yet.
      {"change both size and template",
       rolling(14),
       rolling(10),
       none,
       {rs("foo-v2", 7, newer), rs("foo-v1", 3, oldT)},
       none,
       {10, 4},
       {}},
      {"saturated but broken new replica set does not affect old pods",
       rolling(2, num(1), num(1)),
       rolling(2, num(1), num(1)),
       broken,
       {rs("foo-v1", 1, oldT)},
       2,
       {1},
       {}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto annotate = [&](ReplicaSetState& r) {
      std::int32_t desired = c.oldDeployment.replicas;
      if (auto it = c.desiredReplicasAnnotations.find(r.name);
          it != c.desiredReplicasAnnotations.end()) {
        desired = it->second;
      }
      dep::set_replicas_annotations(r, desired, desired + dep::max_surge(c.oldDeployment));
    };
    std::optional<ReplicaSetState> newRS = c.newRS;
    if (newRS) annotate(*newRS);
    std::vector<ReplicaSetState> oldRSs = c.oldRSs;
    for (auto& r : oldRSs) annotate(r);

    const auto scales = dep::scale(c.deployment, 0, newRS ? &*newRS : nullptr, oldRSs);

    std::vector<ReplicaSetState> all = oldRSs;
    if (newRS) all.push_back(*newRS);
    const auto sizes = sizes_after(all, scales);
    if (c.expectedNew) CHECK(sizes.at(newRS->name) == *c.expectedNew);
    REQUIRE(c.expectedOld.size() == oldRSs.size());
    for (std::size_t i = 0; i < oldRSs.size(); ++i) {
      INFO("old " << oldRSs[i].name);
      CHECK(sizes.at(oldRSs[i].name) == c.expectedOld[i]);
    }
  }
}

TEST_CASE("deployment sync: scaling events and annotation writes", "[deployment]") {
  // isScalingEvent: an active ReplicaSet annotated with another desired count. Inactive ones
  // and unannotated ones do not count.
  const DeploymentSpec d = rolling(10, num(3), num(2));
  ReplicaSetState a = rs("web-1", 4);
  ReplicaSetState b = rs("web-2", 0);
  b.annotations.desiredReplicas = 7;
  std::vector<ReplicaSetState> all = {a, b};
  CHECK_FALSE(dep::is_scaling_event(d, all));
  all[0].annotations.desiredReplicas = 10;
  CHECK_FALSE(dep::is_scaling_event(d, all));
  all[0].annotations.desiredReplicas = 8;
  CHECK(dep::is_scaling_event(d, all));

  // Every write stamps (replicas, replicas + maxSurge) = (10, 13).
  dep::apply_scales(all, std::vector<ReplicaSetScale>{{"web-1", 4, 6}}, d);
  CHECK(all[0].spec.replicas == 6);
  CHECK(all[0].annotations.desiredReplicas == 10);
  CHECK(all[0].annotations.maxReplicas == 13);
  CHECK_FALSE(dep::is_scaling_event(d, all));
  CHECK_THROWS_AS(dep::apply_scales(all, std::vector<ReplicaSetScale>{{"nope", 1, 2}}, d),
                  std::invalid_argument);
}

TEST_CASE("deployment rolling: a 10-replica rollout with the 25 %/25 % defaults, sync by sync",
          "[deployment]") {
  // domain-reference §1.3: surge ceil(2.5) = 3, unavailable floor(2.5) = 2, so at most 13 pods
  // and at least 8 available. Worked by hand from reconcileNewReplicaSet/reconcileOldReplicaSets.
  const DeploymentSpec d = rolling(10, IntOrPercent::percent(25), IntOrPercent::percent(25));
  ReplicaSetState old = rs("web-1", 10, at_seconds(0));
  old.revision = 1;
  set_status(old, 10, 10, 10);
  dep::set_replicas_annotations(old, 10, 13);

  // Sync 1: the new ReplicaSet is created at min(13 - 10, 10 - 0) = 3. In the same sync
  // reconcileNewReplicaSet has nothing left to do and reconcileOldReplicaSets may remove
  // 13 - 8 - (3 - 0 available) = 2 old replicas: cleanup finds none unhealthy, scale-down takes
  // 10 available - 8 = 2.
  const std::vector<ReplicaSetState> olds = {old};
  ReplicaSetState neu = dep::create_new_replica_set(d, "web-2", at_seconds(60), olds);
  CHECK(neu.spec.replicas == 3);
  CHECK(neu.revision == 2);
  CHECK(neu.annotations.desiredReplicas == 10);
  CHECK(neu.annotations.maxReplicas == 13);
  auto step = dep::rollout_rolling(d, olds, neu);
  CHECK(step.action == Action::scaled_down);
  CHECK(step.scales == std::vector<ReplicaSetScale>{{"web-1", 10, 8}});

  // The ReplicaSet controller deletes 2 old pods; no new pod is available yet.
  old.spec.replicas = 8;
  set_status(old, 8, 8, 8);
  // Sync 2: 11 pods, so the new ReplicaSet grows by min(13 - 11, 10 - 3) = 2.
  step = dep::rollout_rolling(d, std::vector<ReplicaSetState>{old}, neu);
  CHECK(step.action == Action::scaled_up);
  CHECK(step.scales == std::vector<ReplicaSetScale>{{"web-2", 3, 5}});
  neu.spec.replicas = 5;

  // Sync 3: 13 pods, no growth; 13 - 8 - (5 - 0) = 0: no old replica may go.
  step = dep::rollout_rolling(d, std::vector<ReplicaSetState>{old}, neu);
  CHECK(step.action == Action::none);
  CHECK(step.scales.empty());

  // Three new pods become available: 8 + 3 = 11 available, 13 - 8 - 2 = 3 may go, and
  // 11 - 8 = 3 do.
  set_status(neu, 5, 3, 3);
  step = dep::rollout_rolling(d, std::vector<ReplicaSetState>{old}, neu);
  CHECK(step.action == Action::scaled_down);
  CHECK(step.scales == std::vector<ReplicaSetScale>{{"web-1", 8, 5}});
}

TEST_CASE("deployment rolling: unhealthy old replicas go first, oldest ReplicaSet first",
          "[deployment]") {
  // Two old ReplicaSets of 4 (older, 1 unavailable) and 4 (newer, 2 unavailable), a new one of 2
  // with 2 available; replicas 10, maxSurge 0, maxUnavailable 2: minAvailable 8,
  // maxScaledDown = 10 - 8 - 0 = 2. Cleanup takes 1 from the older and 1 from the newer; then
  // 3 + 2 + 2 = 7 available <= 8: no further scale-down.
  const DeploymentSpec d = rolling(10, num(0), num(2));
  const ReplicaSetState older = with_available(rs("web-1", 4, at_seconds(0)), 3);
  const ReplicaSetState newer = with_available(rs("web-2", 4, at_seconds(10)), 2);
  const ReplicaSetState neu = with_available(rs("web-3", 2, at_seconds(20)), 2);
  // Given newest first: the order the controller acts in does not depend on it.
  const std::vector<ReplicaSetState> old = {newer, older};
  const std::vector<ReplicaSetState> all = {newer, older, neu};
  const auto dec = dep::reconcile_old_replica_sets(d, all, old, neu);
  CHECK(dec.maxScaledDown == 2);
  CHECK(dec.cleanedUp == 2);
  CHECK(dec.scaledDown == 0);
  CHECK(dec.scales == std::vector<ReplicaSetScale>{{"web-1", 4, 3}, {"web-2", 4, 3}});
}

TEST_CASE("deployment rolling: more available than desired is an error in cleanup",
          "[deployment]") {
  // cleanupUnhealthyReplicas refuses to "scale down" to more than spec.replicas, which it
  // would compute while the ReplicaSet still reports 7 available after being cut to 5:
  // min(budget, 5 - 7) = -2 replicas, 5 -> 7. With the new ReplicaSet fully available the
  // budget is 10 - 8 - 0 = 2 > 0, so cleanup runs; reconcileOldReplicaSets then reports no
  // scaling.
  const DeploymentSpec d = rolling(10, num(0), num(2));
  const ReplicaSetState shrinking = with_available(rs("web-1", 5, at_seconds(0)), 7);
  const ReplicaSetState neu = with_available(rs("web-2", 5, at_seconds(10)), 5);
  const auto r = dep::cleanup_unhealthy_replicas(std::vector<ReplicaSetState>{shrinking}, 3);
  CHECK_FALSE(r.error.empty());
  CHECK(r.scaledDown == 0);
  CHECK(r.scales.empty());
  const std::vector<ReplicaSetState> all = {shrinking, neu};
  const auto dec =
      dep::reconcile_old_replica_sets(d, all, std::vector<ReplicaSetState>{shrinking}, neu);
  CHECK_FALSE(dec.scaled());
  CHECK_FALSE(dec.error.empty());
}
