// CloneSet scale decisions and scale-down order: Kruise's pod_sorter.go and cloneset_scale.go,
// against the upstream tests and hand-worked cases.
#include "podsim/model/cloneset_scale_order.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <vector>

using podsim::model::CloneSetSpec;
using podsim::model::IntOrPercent;
using podsim::model::NodeId;
using podsim::model::PodOrderPhase;
using podsim::sim::Time;
using namespace podsim::model::cloneset;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const Time kNow = Time::from_ns(100'000 * kSecond);
const Time kMonthAgo = Time::from_ns(kNow.ns() - 30 * 24 * 3600 * kSecond);
constexpr std::optional<Time> kZero = std::nullopt;
constexpr std::optional<NodeId> kUnscheduled = std::nullopt;

// pod(name, nodeName, phase, ready, restarts, readySince, created, annotations) of Kruise's
// pod_sorter_test.go; readiness and restarts only recorded for ready pods.
PodState pod(std::optional<NodeId> node, PodOrderPhase phase, bool ready, std::int32_t restarts,
             std::optional<Time> ready_since, std::optional<Time> created, std::int32_t cost = 0) {
  PodState p;
  p.lifecycle = LifecycleState::None;
  p.order.node = node;
  p.order.phase = phase;
  p.order.ready = ready;
  if (ready) {
    p.order.ready_since = ready_since;
    p.order.max_restarts = restarts;
  }
  p.order.created = created;
  p.order.deletion_cost = cost;
  p.available = ready;
  return p;
}

}  // namespace

TEST_CASE("cloneset scale order: Kruise's ActivePodsWithRanks (TestSortingActivePods)",
          "[cloneset][scale-order]") {
  // TestSortingActivePods, openkruise/kruise v1.8.2
  // pkg/controller/cloneset/utils/pod_sorter_test.go: every case, with no Ranker and no
  // AvailableFunc as upstream. Node "node" = 1.
  const auto unscheduledPod = pod(kUnscheduled, PodOrderPhase::Pending, false, 0, kZero, kZero);
  const auto scheduledPendingPod = pod(1, PodOrderPhase::Pending, false, 0, kZero, kZero);
  const auto unknownPhasePod = pod(1, PodOrderPhase::Unknown, false, 0, kZero, kZero);
  const auto runningNotReadyPod = pod(1, PodOrderPhase::Running, false, 0, kZero, kZero);
  const auto runningReadyNoLastTransitionTimePod =
      pod(1, PodOrderPhase::Running, true, 0, kZero, kZero);
  const auto runningReadyNow = pod(1, PodOrderPhase::Running, true, 0, kNow, kNow);
  const auto runningReadyThen = pod(1, PodOrderPhase::Running, true, 0, kMonthAgo, kMonthAgo);
  const auto runningReadyNowHighRestarts = pod(1, PodOrderPhase::Running, true, 9001, kNow, kNow);
  const auto runningReadyNowCreatedThen = pod(1, PodOrderPhase::Running, true, 0, kNow, kMonthAgo);
  const auto lowPodDeletionCost = pod(1, PodOrderPhase::Running, true, 0, kNow, kMonthAgo, 10);
  const auto highPodDeletionCost = pod(1, PodOrderPhase::Running, true, 0, kNow, kMonthAgo, 100);

  for (const PodState* p :
       {&unscheduledPod, &scheduledPendingPod, &unknownPhasePod, &runningNotReadyPod,
        &runningReadyNowCreatedThen, &runningReadyNow, &runningReadyThen,
        &runningReadyNowHighRestarts, &runningReadyNowCreatedThen}) {
    CHECK_FALSE(scale_down_less(*p, 0, *p, 0, false));
  }
  struct Ineq {
    const PodState* lesser;
    const PodState* greater;
  };
  const std::vector<Ineq> cases = {
      {&unscheduledPod, &scheduledPendingPod},
      {&unscheduledPod, &scheduledPendingPod},
      {&scheduledPendingPod, &unknownPhasePod},
      {&unknownPhasePod, &runningNotReadyPod},
      {&runningNotReadyPod, &runningReadyNoLastTransitionTimePod},
      {&runningReadyNoLastTransitionTimePod, &runningReadyNow},
      {&runningReadyNow, &runningReadyThen},
      {&runningReadyNowHighRestarts, &runningReadyNow},
      {&runningReadyNow, &runningReadyNowCreatedThen},
      {&lowPodDeletionCost, &highPodDeletionCost},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("test" << i);
    CHECK(scale_down_less(*cases[i].lesser, 0, *cases[i].greater, 0, false));
    CHECK_FALSE(scale_down_less(*cases[i].greater, 0, *cases[i].lesser, 0, false));
  }
}

TEST_CASE("cloneset scale order: same-node ranks (TestSameNodeRanker)", "[cloneset][scale-order]") {
  // TestSameNodeRanker, openkruise/kruise v1.8.2 pkg/controller/cloneset/utils/pod_sorter_test.go.
  // node a: 0, 4, 10; node b: 3, 6; node c: 5; node d: 7, 8, 9; 1 and 2 unscheduled. The pods are
  // otherwise identical, so each node keeps input order and its last pod is kept (rank 0).
  const NodeId a = 1, b = 2, c = 3, d = 4;
  const std::vector<std::optional<NodeId>> nodes = {
      a, kUnscheduled, kUnscheduled, b, a, c, b, d, d, d, a};
  std::vector<PodState> pods;
  for (const auto& n : nodes)
    pods.push_back(pod(n, PodOrderPhase::Pending, false, 0, kZero, kZero));
  const std::vector<std::size_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // Upstream's map {"0": 2, "4": 1, "3": 1, "7": 2, "8": 1}; every other pod 0.
  CHECK(same_node_ranker(pods, all) == std::vector<double>{2, 0, 0, 1, 1, 0, 0, 2, 1, 0, 0});
}

TEST_CASE("cloneset scale order: Scale() decisions (TestScale)", "[cloneset][scale-order]") {
  // TestScale, openkruise/kruise v1.8.2 pkg/controller/cloneset/sync/cloneset_scale_test.go:
  // every case. replicas 3, maxUnavailable 20% (ceil 0.6 = 1), 5 pods at the one revision
  // (current = update), Running and Ready for 10 s. Upstream checks "modified" and the number
  // of active pods left; the deleted pods' identities are worked out here by hand.
  CloneSetSpec spec;
  spec.replicas = 3;
  spec.maxUnavailable = IntOrPercent::percent(20);
  const RevisionId rev = 7;
  std::vector<PodState> pods(5, pod(kUnscheduled, PodOrderPhase::Running, true, 0,
                                    Time::from_ns(kNow.ns() - 10 * kSecond), kZero));
  for (auto& p : pods) p.revision = rev;

  SECTION("minReadySeconds 9999: nothing can be deleted") {
    // Ready 10 s < 9999 s: all 5 unavailable. scaleDownNum = 5 - 3 = 2, deleteReadyLimit =
    // max(1 + (5 - 3) - 5, 0) = 0, and every chosen pod is ready.
    for (auto& p : pods) p.available = false;
    const ScalePlan plan = plan_scale(spec, pods, rev, rev);
    CHECK(plan.diffs == Diffs{.scaleDownNum = 2, .deleteReadyLimit = 0});
    CHECK_FALSE(plan.modified());  // upstream: modified false, 5 pods
  }
  SECTION("specified delete of pod-0") {
    // scaleDownNum = 5 - 1 - 3 = 1, deleteReadyLimit = 1 + 2 - 0 = 3: pod-0 goes first and
    // ends this reconcile.
    pods[0].specified_delete = true;
    const ScalePlan plan = plan_scale(spec, pods, rev, rev);
    CHECK(plan.modified());
    CHECK(plan.delete_pods == std::vector<std::size_t>{0});  // upstream: 4 pods left
  }
  SECTION("scale 5 -> 3") {
    // scaleDownNum 2, deleteReadyLimit 3; equal pods keep their order: pod-0 and pod-1.
    const ScalePlan plan = plan_scale(spec, pods, rev, rev);
    CHECK(plan.modified());
    CHECK(plan.delete_pods == std::vector<std::size_t>{0, 1});  // upstream: 3 pods left
  }
}

TEST_CASE("cloneset scale order: old revision goes first, unhealthy first within it",
          "[cloneset][scale-order]") {
  // Hand-worked. replicas 3, partition 0, maxUnavailable 2 (maxSurge 0). Pods: 0, 1 old
  // (1 not ready), 2, 3, 4 new. scaleDownNum = 5 - 3 = 2; old wanted 0, so
  // scaleDownNumOldRevision = 2 - 0 - 0 = 2: both old pods, in pod order (a group that goes
  // whole is not sorted). deleteReadyLimit = 2 + 2 - 1 = 3 covers the ready one.
  CloneSetSpec spec;
  spec.replicas = 3;
  spec.maxUnavailable = IntOrPercent::integer(2);
  const RevisionId old_rev = 1, new_rev = 2;
  std::vector<PodState> pods(5, pod(1, PodOrderPhase::Running, true, 0, kMonthAgo, kMonthAgo));
  pods[1] = pod(1, PodOrderPhase::Running, false, 0, kZero, kMonthAgo);
  for (std::size_t i = 0; i < pods.size(); ++i) pods[i].revision = i < 2 ? old_rev : new_rev;
  const ScalePlan plan = plan_scale(spec, pods, old_rev, new_rev);
  CHECK(plan.diffs.scaleDownNum == 2);
  CHECK(plan.diffs.scaleDownNumOldRevision == 2);
  CHECK(plan.delete_pods == std::vector<std::size_t>{0, 1});

  SECTION("choose_pods_to_delete splits between the revisions") {
    // 3 to delete, 1 of them old: the old not-ready pod 1 (sorted: 1 of 2), then 2 of the new
    // pods; those share node 1 with ranks 2, 1, 0 in input order (equal pods), so 2 and 3.
    const std::vector<std::size_t> not_updated = {0, 1}, updated = {2, 3, 4};
    CHECK(choose_pods_to_delete(pods, 3, 1, not_updated, updated) ==
          std::vector<std::size_t>{1, 2, 3});
    // All of a group goes unsorted when the diff covers it.
    CHECK(choose_pods_to_delete(pods, 2, 2, not_updated, updated) ==
          std::vector<std::size_t>{0, 1});
  }
}

TEST_CASE("cloneset scale order: scale up splits creations by revision",
          "[cloneset][scale-order]") {
  // Hand-worked. replicas 6, partition 3, 2 old + 1 new pods, all available. scaleUpNum 3,
  // old wanted 3 - 2 = 1; scaleStrategy.maxUnavailable 2 with 0 unavailable allows 2 now:
  // 1 at the current revision, 1 at the update revision.
  CloneSetSpec spec;
  spec.replicas = 6;
  spec.partition = IntOrPercent::integer(3);
  spec.scaleMaxUnavailable = IntOrPercent::integer(2);
  std::vector<PodState> pods(3, pod(1, PodOrderPhase::Running, true, 0, kMonthAgo, kMonthAgo));
  pods[0].revision = pods[1].revision = 1;
  pods[2].revision = 2;
  ScalePlan plan = plan_scale(spec, pods, 1, 2);
  CHECK(plan.diffs.scaleUpNum == 3);
  CHECK(plan.diffs.scaleUpLimit == 2);
  CHECK(plan.create_current == 1);
  CHECK(plan.create_update == 1);
  CHECK(plan.delete_pods.empty());

  SECTION("no room under scaleStrategy.maxUnavailable: nothing, and Update() may run") {
    pods[0].available = false;
    pods[1].available = false;  // 2 unavailable: scaleUpLimit = max(2 - 2, 0) = 0
    plan = plan_scale(spec, pods, 1, 2);
    CHECK(plan.diffs.scaleUpLimit == 0);
    CHECK_FALSE(plan.modified());
  }
}

TEST_CASE("cloneset scale order: a PreparingDelete pod is kept when replicas go back up",
          "[cloneset][scale-order]") {
  // Hand-worked managePreparingDelete: replicas 3, pods 3 of which 1 PreparingDelete (not
  // specified). keep = 3 - 3 + 1 = 1 > 0: it goes back to PreparingNormal.
  CloneSetSpec spec;
  spec.replicas = 3;
  std::vector<PodState> pods(3, pod(1, PodOrderPhase::Running, true, 0, kMonthAgo, kMonthAgo));
  pods[2].lifecycle = LifecycleState::PreparingDelete;
  CHECK(plan_scale(spec, pods, 0, 0).cancel_delete == std::vector<std::size_t>{2});
  // With replicas 2 it is deleted instead: keep = 0; diffs: 3 pods for 2 replicas.
  spec.replicas = 2;
  const ScalePlan plan = plan_scale(spec, pods, 0, 0);
  CHECK(plan.cancel_delete.empty());
  CHECK(plan.delete_pods == std::vector<std::size_t>{2});
}
