// The Deployment controller's arithmetic against the upstream unit-test tables of
// kubernetes/kubernetes pkg/controller/deployment/util/deployment_util_test.go (and
// recreate_test.go for oldPodsRunning). Inputs and expected values are the upstream ones; each
// table names the Go test it comes from. Cases podsim cannot represent are skipped with the
// reason.
//
// Not ported at all (API-object plumbing, no arithmetic): TestEqualIgnoreHash,
// TestFindNewReplicaSet, TestFindOldReplicaSets (pod-template matching), TestGetCondition,
// TestSetCondition, TestRemoveCondition (condition-list bookkeeping),
// TestGetNonNegativeInt32FromAnnotation (annotation string parsing: podsim stores these
// annotations as integers), TestGetDeploymentsForReplicaSet (listers).
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "podsim/model/deployment_rollout_math.hpp"

using podsim::model::DeploymentSpec;
using podsim::model::DeploymentStrategyType;
using podsim::model::IntOrPercent;
using podsim::sim::Time;
namespace dep = podsim::model::deployment;
using dep::DeploymentStatus;
using dep::PodStatusPhase;
using dep::ReplicaSetState;

namespace {

IntOrPercent num(std::int32_t v) {
  return IntOrPercent::integer(v);
}
IntOrPercent pct(double p) {
  return IntOrPercent::percent(p);
}

DeploymentSpec rolling(std::int32_t replicas, IntOrPercent maxSurge, IntOrPercent maxUnavailable) {
  DeploymentSpec d;
  d.replicas = replicas;
  d.strategy = DeploymentStrategyType::RollingUpdate;
  d.maxSurge = maxSurge;
  d.maxUnavailable = maxUnavailable;
  return d;
}

DeploymentSpec recreate(std::int32_t replicas) {
  DeploymentSpec d;
  d.replicas = replicas;
  d.strategy = DeploymentStrategyType::Recreate;
  return d;
}

ReplicaSetState rs(std::string name, std::int32_t specReplicas) {
  ReplicaSetState r;
  r.name = std::move(name);
  r.spec.replicas = specReplicas;
  return r;
}

// status.replicas, readyReplicas, availableReplicas.
void set_status(ReplicaSetState& r, std::int32_t replicas, std::int32_t ready,
                std::int32_t available) {
  r.status.replicas = replicas;
  r.status.readyReplicas = ready;
  r.status.availableReplicas = available;
}

Time at_seconds(std::int64_t s) {
  return Time::from_ns(s * 1'000'000'000);
}

constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();

}  // namespace

// deployment_util_test.go TestGetReplicaCountForReplicaSets.
TEST_CASE("deployment util: replica sums over ReplicaSets", "[deployment]") {
  ReplicaSetState rs1 = rs("foo-rs", 1);
  rs1.status.observedGeneration = 1;
  rs1.status.replicas = 2;
  rs1.status.terminatingReplicas = 3;
  // Upstream sets rs1's observedGeneration a second time where rs2's was meant, so rs2 keeps 0.
  ReplicaSetState rs2 = rs("bar-rs", 2);
  rs2.status.replicas = 3;
  rs2.status.terminatingReplicas = 1;
  ReplicaSetState rs3 = rs("unsynced-rs", 3);  // never reported: terminating counts as 0
  ReplicaSetState rs4 = rs("dropped-rs", 1);   // reported without terminatingReplicas: unknown
  rs4.status.observedGeneration = 1;
  rs4.status.replicas = 1;

  struct Case {
    const char* name;
    std::vector<ReplicaSetState> sets;
    std::int32_t count;
    std::int32_t actual;
    std::optional<std::int32_t> terminating;
  };
  const std::vector<Case> cases = {
      {"scaling down rs1", {rs1}, 1, 2, 3},
      {"scaling down rs1 and rs2", {rs1, rs2}, 3, 5, 4},
      {"scaling up rs3", {rs3}, 3, 0, 0},
      {"scaling down rs1 and rs2 and scaling up rs3", {rs1, rs2, rs3}, 6, 5, 4},
      {"invalid/unknown terminating status for rs4", {rs4}, 1, 1, std::nullopt},
      {"invalid/unknown terminating status for rs4 with rs1, rs2 and rs3",
       {rs1, rs2, rs3, rs4},
       7,
       6,
       std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(dep::replica_count(c.sets) == c.count);
    CHECK(dep::actual_replica_count(c.sets) == c.actual);
    CHECK(dep::terminating_replica_count(c.sets) == c.terminating);
  }
}

// deployment_util_test.go TestResolveFenceposts. A nil maxSurge/maxUnavailable is integer 0 in
// podsim (the Go code reads nil as 0 too).
TEST_CASE("deployment util: ResolveFenceposts", "[deployment]") {
  struct Case {
    IntOrPercent maxSurge;
    IntOrPercent maxUnavailable;
    std::int32_t desired;
    std::int32_t surge;
    std::int32_t unavailable;
  };
  const std::vector<Case> cases = {
      {pct(0), pct(0), 0, 0, 1},
      {pct(39), pct(39), 10, 4, 3},
      // {"oops", "39%"} and {"55%", "urg"} (errors): not representable, IntOrPercent is typed.
      // The error podsim can meet, a fractional percentage, is tested below.
      {num(0) /*nil*/, pct(39), 10, 0, 3},
      {pct(39), num(0) /*nil*/, 10, 4, 0},
      {num(0) /*nil*/, num(0) /*nil*/, 10, 0, 1},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    INFO("case " << i << ": " << c.maxSurge.str() << " / " << c.maxUnavailable.str() << " of "
                 << c.desired);
    const auto f = dep::resolve_fenceposts(c.maxSurge, c.maxUnavailable, c.desired);
    CHECK(f.surge == c.surge);
    CHECK(f.unavailable == c.unavailable);
  }
}

TEST_CASE("deployment util: fenceposts of the 25 %/25 % defaults and fractional percentages",
          "[deployment]") {
  // domain-reference §1.1: ceil/floor of 25 % of replicas, unavailable 0 when surge is not.
  const DeploymentSpec d10 = rolling(10, pct(25), pct(25));
  CHECK(dep::max_surge(d10) == 3);        // ceil 2.5
  CHECK(dep::max_unavailable(d10) == 2);  // floor 2.5
  const DeploymentSpec d3 = rolling(3, pct(25), pct(25));
  CHECK(dep::max_surge(d3) == 1);  // ceil 0.75
  CHECK(dep::max_unavailable(d3) == 0);
  const DeploymentSpec d1 = rolling(1, pct(25), pct(25));
  CHECK(dep::max_surge(d1) == 1);
  CHECK(dep::max_unavailable(d1) == 0);

  // Kubernetes parses "12.5%" with Atoi and rejects it; podsim's IntOrPercent can hold it.
  CHECK_THROWS_AS(dep::resolve_fenceposts(pct(12.5), pct(25), 10), std::invalid_argument);
  CHECK_THROWS_AS(dep::max_unavailable(rolling(10, pct(25), pct(0.5))), std::invalid_argument);
}

// deployment_util_test.go TestNewRSNewReplicas: allRSs holds only a 5-replica ReplicaSet (not
// the new one); maxUnavailable 1.
TEST_CASE("deployment util: NewRSNewReplicas", "[deployment]") {
  struct Case {
    const char* name;
    DeploymentStrategyType strategy;
    std::int32_t depReplicas;
    std::int32_t newRSReplicas;
    std::int32_t maxSurge;
    std::int32_t expected;
  };
  const std::vector<Case> cases = {
      {"can not scale up - to newRSReplicas", DeploymentStrategyType::RollingUpdate, 1, 5, 1, 5},
      {"scale up - to depReplicas", DeploymentStrategyType::RollingUpdate, 6, 2, 10, 6},
      {"recreate - to depReplicas", DeploymentStrategyType::Recreate, 3, 1, 1, 3},
  };
  const std::vector<ReplicaSetState> all = {rs("rs5", 5)};
  for (const auto& c : cases) {
    INFO(c.name);
    DeploymentSpec d = rolling(c.depReplicas, num(c.maxSurge), num(1));
    d.strategy = c.strategy;
    CHECK(dep::new_rs_new_replicas(d, all, rs("new", c.newRSReplicas)) == c.expected);
  }
}

// deployment_util_test.go TestDeploymentComplete: deployment(desired, current, updated,
// available, maxUnavailable, maxSurge).
TEST_CASE("deployment util: DeploymentComplete", "[deployment]") {
  struct Case {
    const char* name;
    std::int32_t desired, current, updated, available, maxUnavailable, maxSurge;
    bool expected;
  };
  const std::vector<Case> cases = {
      {"not complete: min but not all pods become available", 5, 5, 5, 4, 1, 0, false},
      {"not complete: min availability is not honored", 5, 5, 5, 3, 1, 0, false},
      {"complete", 5, 5, 5, 5, 0, 0, true},
      {"not complete: all pods are available but not updated", 5, 5, 4, 5, 0, 0, false},
      {"not complete: still running old pods", 1, 2, 1, 1, 0, 1, false},
      {"not complete: one replica deployment never comes up", 1, 1, 1, 0, 1, 1, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const DeploymentSpec d = rolling(c.desired, num(c.maxSurge), num(c.maxUnavailable));
    DeploymentStatus s;
    s.replicas = c.current;
    s.updatedReplicas = c.updated;
    s.availableReplicas = c.available;
    CHECK(dep::deployment_complete(d, s) == c.expected);
  }
}

// deployment_util_test.go TestDeploymentProgressing: (current, updated, ready, available) before
// and after.
TEST_CASE("deployment util: DeploymentProgressing", "[deployment]") {
  const auto status = [](std::int32_t current, std::int32_t updated, std::int32_t ready,
                         std::int32_t available) {
    DeploymentStatus s;
    s.replicas = current;
    s.updatedReplicas = updated;
    s.readyReplicas = ready;
    s.availableReplicas = available;
    return s;
  };
  struct Case {
    const char* name;
    DeploymentStatus before, after;
    bool expected;
  };
  const std::vector<Case> cases = {
      {"progressing: updated pods", status(10, 4, 4, 4), status(10, 6, 4, 4), true},
      {"not progressing", status(10, 4, 4, 4), status(10, 4, 4, 4), false},
      {"progressing: old pods removed", status(10, 4, 6, 6), status(8, 4, 6, 6), true},
      {"not progressing: less new pods", status(10, 7, 3, 3), status(10, 6, 3, 3), false},
      {"progressing: less overall but more new pods", status(10, 4, 7, 7), status(8, 8, 5, 5),
       true},
      {"progressing: more ready pods", status(10, 10, 9, 8), status(10, 10, 10, 8), true},
      {"progressing: more available pods", status(10, 10, 10, 9), status(10, 10, 10, 10), true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(dep::deployment_progressing(c.before, c.after) == c.expected);
  }
}

// deployment_util_test.go TestDeploymentTimedOut. Times are 2016-01-01 00:mm:ss upstream; here
// seconds since 00:00. A nil progressDeadlineSeconds ("no deadline") is INT32_MAX in podsim.
TEST_CASE("deployment util: DeploymentTimedOut", "[deployment]") {
  struct Case {
    const char* name;
    std::int32_t progressDeadlineSeconds;
    std::string reason;
    Time lastUpdate;
    Time now;
    bool expected;
  };
  const Time t0109 = at_seconds(69), t0111 = at_seconds(71), t0120 = at_seconds(80);
  const std::vector<Case> cases = {
      {"nil progressDeadlineSeconds specified - no timeout", kInt32Max, "", t0109, t0120, false},
      {"infinite progressDeadlineSeconds specified - no timeout", kInt32Max, "", t0109, t0120,
       false},
      {"progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s", 10, "", t0109,
       t0120, true},
      {"progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s", 10, "", t0111,
       t0120, false},
      {"previous status was a complete deployment", kInt32Max,
       std::string(dep::NewRSAvailableReason), Time::zero(), t0120, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    DeploymentSpec d;
    d.progressDeadlineSeconds = c.progressDeadlineSeconds;
    const dep::ProgressingCondition cond{c.reason, c.lastUpdate};
    CHECK(dep::deployment_timed_out(d, cond, c.now) == c.expected);
  }
}

TEST_CASE("deployment util: the progress deadline is strict and sticky", "[deployment]") {
  // lastUpdateTime + progressDeadlineSeconds < now (time.Before): exactly at the deadline is
  // not late yet; ProgressDeadlineExceeded stays timed out; no condition, no judgement.
  DeploymentSpec d;  // progressDeadlineSeconds 600
  const dep::ProgressingCondition cond{std::string(dep::ReplicaSetUpdatedReason), at_seconds(0)};
  CHECK_FALSE(dep::deployment_timed_out(d, cond, at_seconds(600)));
  CHECK(dep::deployment_timed_out(d, cond, at_seconds(600) + podsim::sim::nanoseconds(1)));
  const dep::ProgressingCondition late{std::string(dep::TimedOutReason), at_seconds(0)};
  CHECK(dep::deployment_timed_out(d, late, at_seconds(1)));
  CHECK_FALSE(dep::deployment_timed_out(d, std::nullopt, at_seconds(10'000)));
}

// deployment_util_test.go TestMaxUnavailable (maxSurge 1).
TEST_CASE("deployment util: MaxUnavailable", "[deployment]") {
  struct Case {
    const char* name;
    DeploymentSpec d;
    std::int32_t expected;
  };
  const std::vector<Case> cases = {
      {"maxUnavailable less than replicas", rolling(10, num(1), num(5)), 5},
      {"maxUnavailable equal replicas", rolling(10, num(1), num(10)), 10},
      {"maxUnavailable greater than replicas", rolling(5, num(1), num(10)), 5},
      {"maxUnavailable with replicas is 0", rolling(0, num(1), num(10)), 0},
      // Upstream leaves replicas unset; podsim's default (1) does not matter for Recreate.
      {"maxUnavailable with Recreate deployment strategy", recreate(1), 0},
      {"maxUnavailable less than replicas with percents", rolling(10, num(1), pct(50)), 5},
      {"maxUnavailable equal replicas with percents", rolling(10, num(1), pct(100)), 10},
      {"maxUnavailable greater than replicas with percents", rolling(5, num(1), pct(100)), 5},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(dep::max_unavailable(c.d) == c.expected);
  }
}

// deployment_util_test.go TestMinAvailable (maxSurge 1).
TEST_CASE("deployment util: MinAvailable", "[deployment]") {
  struct Case {
    const char* name;
    DeploymentSpec d;
    std::int32_t expected;
  };
  const std::vector<Case> cases = {
      {"replicas greater than maxUnavailable", rolling(10, num(1), num(5)), 5},
      {"replicas equal maxUnavailable", rolling(10, num(1), num(10)), 0},
      {"replicas less than maxUnavailable", rolling(5, num(1), num(10)), 0},
      {"replicas is 0", rolling(0, num(1), num(10)), 0},
      {"minAvailable with Recreate deployment strategy", recreate(10), 0},
      {"replicas greater than maxUnavailable with percents", rolling(10, num(1), pct(60)), 4},
      {"replicas equal maxUnavailable with percents", rolling(10, num(1), pct(100)), 0},
      {"replicas less than maxUnavailable with percents", rolling(5, num(1), pct(100)), 0},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(dep::min_available(c.d) == c.expected);
  }
}

// deployment_util_test.go TestGetReplicaSetFraction (maxUnavailable 1; the
// enableDeploymentPodReplacementPolicy column is false in every row). A missing max-replicas
// annotation is nullopt; "0" is 0.
TEST_CASE("deployment util: getReplicaSetFraction", "[deployment]") {
  struct Case {
    const char* name;
    std::int32_t deploymentReplicas;
    std::int32_t deploymentStatusReplicas;
    std::int32_t deploymentMaxSurge;
    std::int32_t rsReplicas;
    std::optional<std::int32_t> maxReplicasAnnotation;
    std::int32_t expectedFraction;
  };
  const std::vector<Case> cases = {
      {"empty deployment always scales to 0", 0, 0, 0, 10, std::nullopt, -10},
      {"unsynced deployment does not scale when max-replicas annotation is missing (removed by "
       "a 3rd party)",
       10, 0, 0, 5, std::nullopt, 0},
      {"unsynced deployment does not scale when max-replicas annotation is incorrectly set to 0 "
       "(by a 3rd party)",
       10, 0, 0, 5, 0, 0},
      {"scale up by 1/5 should increase RS replicas by 1/5 when max-replicas annotation is "
       "missing (removed by a 3rd party)",
       120, 100, 0, 50, std::nullopt, 10},
      {"scale up by 1/5 should increase RS replicas by 1/5 when max-replicas annotation is "
       "incorrectly set to 0 (by a 3rd party)",
       120, 100, 0, 50, 0, 10},
      {"scale up by 1/5 should increase RS replicas by 1/5", 120, 0, 0, 50, 100, 10},
      {"scale up with maxSurge by 1/5 should increase RS replicas approximately by 1/5", 120, 0, 10,
       50, 110, 9},
      {"scale down by 1/6 should decrease RS replicas by 1/6", 10, 0, 0, 6, 12, -1},
      {"scale down with maxSurge by 1/6 should decrease RS replicas approximately by 1/6", 100, 0,
       10, 50, 130, -8},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const DeploymentSpec d = rolling(c.deploymentReplicas, num(c.deploymentMaxSurge), num(1));
    ReplicaSetState r = rs("nginx", c.rsReplicas);
    r.annotations.maxReplicas = c.maxReplicasAnnotation;
    CHECK(dep::replica_set_fraction(d, c.deploymentStatusReplicas, r) == c.expectedFraction);
  }
}

// deployment_util_test.go TestAnnotationUtils, subtests SetReplicasAnnotations and IsSaturated.
// Subtest SetNewReplicaSetAnnotations is not ported: it checks the revision and revision-history
// annotation strings, which podsim does not keep.
TEST_CASE("deployment util: replicas annotations and IsSaturated", "[deployment]") {
  ReplicaSetState r = rs("nginx", 0);
  CHECK(dep::set_replicas_annotations(r, 10, 11));
  CHECK(r.annotations.desiredReplicas == 10);
  CHECK(r.annotations.maxReplicas == 11);

  // Deployment of 1 replica (generateDeployment); the ReplicaSet believes in 1 and has it.
  DeploymentSpec d;
  d.replicas = 1;
  r.annotations.desiredReplicas = 1;
  r.status.availableReplicas = 1;
  r.spec.replicas = 1;
  CHECK(dep::is_saturated(d, &r));
}

TEST_CASE("deployment util: IsSaturated needs all three, and a ReplicaSet", "[deployment]") {
  // Closed form of IsSaturated: spec.replicas, the desired-replicas annotation and
  // status.availableReplicas all equal replicas.
  DeploymentSpec d;
  d.replicas = 3;
  ReplicaSetState r = rs("web-new", 3);
  r.status.availableReplicas = 3;
  CHECK_FALSE(dep::is_saturated(d, nullptr));
  CHECK_FALSE(dep::is_saturated(d, &r));  // no annotation: the ReplicaSet does not know
  r.annotations.desiredReplicas = 3;
  CHECK(dep::is_saturated(d, &r));
  r.status.availableReplicas = 2;
  CHECK_FALSE(dep::is_saturated(d, &r));
  r.status.availableReplicas = 3;
  r.annotations.desiredReplicas = 2;  // written before a scaling event
  CHECK_FALSE(dep::is_saturated(d, &r));
}

// deployment_util_test.go TestReplicasAnnotationsNeedUpdate, against (10, 20).
TEST_CASE("deployment util: ReplicasAnnotationsNeedUpdate", "[deployment]") {
  struct Case {
    const char* name;
    std::optional<std::int32_t> desired;
    std::optional<std::int32_t> max;
    bool expected;
  };
  const std::vector<Case> cases = {
      {"test Annotations nil", std::nullopt, std::nullopt, true},
      {"test desiredReplicas update", 8, 20, true},
      {"test maxReplicas update", 10, 16, true},
      {"test needn't update", 10, 20, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    ReplicaSetState r = rs("hello", 0);
    r.annotations.desiredReplicas = c.desired;
    r.annotations.maxReplicas = c.max;
    CHECK(dep::replicas_annotations_need_update(r, 10, 20) == c.expected);
  }
}

// recreate_test.go TestOldPodsRunning. Upstream's podMapWithUIDs pods have no phase set, which
// the Go switch treats as non-terminal; they are Pending here.
TEST_CASE("deployment util: Recreate oldPodsRunning", "[deployment]") {
  ReplicaSetState withUid = rs("foo-uid", 0);  // rsWithUID: 0 replicas, no status
  ReplicaSetState statusOne = rs("rs-1", 0);
  statusOne.status.replicas = 1;
  const ReplicaSetState statusZero = rs("rs-1", 0);
  using P = PodStatusPhase;
  struct Case {
    const char* name;
    std::vector<ReplicaSetState> oldRSs;
    std::vector<PodStatusPhase> oldPods;
    bool expected;
  };
  const std::vector<Case> cases = {
      {"no old RSs", {}, {}, false},
      {"old RSs with running pods",
       {withUid, withUid},
       {P::Pending, P::Pending, P::Pending, P::Pending},
       true},
      {"old RSs without pods but with non-zero status replicas", {statusOne}, {}, true},
      {"old RSs without pods or non-zero status replicas", {statusZero}, {}, false},
      {"old RSs with zero status replicas but pods in terminal state are present",
       {statusZero},
       {P::Failed, P::Succeeded},
       false},
      {"old RSs with zero status replicas but pod in unknown phase present",
       {statusZero},
       {P::Unknown},
       true},
      {"old RSs with zero status replicas with pending pod present",
       {statusZero},
       {P::Pending},
       true},
      {"old RSs with zero status replicas with running pod present",
       {statusZero},
       {P::Running},
       true},
      {"old RSs with zero status replicas but pods in terminal state and pending are present",
       {statusZero},
       {P::Failed, P::Succeeded, P::Pending},
       true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(dep::old_pods_running(c.oldRSs, c.oldPods) == c.expected);
  }
}

TEST_CASE("deployment util: status counters from the ReplicaSets", "[deployment]") {
  // calculateStatus by hand: old 6 pods (5 ready, 4 available, spec already cut to 4), new 5
  // pods (3 ready, 2 available, spec 6).
  ReplicaSetState old = rs("web-1", 4);
  set_status(old, 6, 5, 4);
  ReplicaSetState neu = rs("web-2", 6);
  set_status(neu, 5, 3, 2);
  const std::vector<ReplicaSetState> all = {old, neu};
  const auto s = dep::calculate_status(all, &neu);
  CHECK(s.replicas == 11);
  CHECK(s.updatedReplicas == 5);
  CHECK(s.readyReplicas == 8);
  CHECK(s.availableReplicas == 6);
  CHECK(s.unavailableReplicas == 4);  // spec 10 - 6 available
  // Scaling down: more available than desired is no unavailability.
  old.spec.replicas = 0;
  neu.spec.replicas = 2;
  const std::vector<ReplicaSetState> down = {old, neu};
  CHECK(dep::calculate_status(down, &neu).unavailableReplicas == 0);
  CHECK(dep::calculate_status(down, nullptr).updatedReplicas == 0);
}
