// Kubernetes' ActivePods and ActivePodsWithRanks orderings, against the upstream tables.
#include "podsim/model/controller_pod_order.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

using podsim::model::active_pods_less;
using podsim::model::active_pods_with_ranks_less;
using podsim::model::logarithmic_rank_diff;
using podsim::model::NodeId;
using podsim::model::PodOrderKey;
using podsim::model::PodOrderPhase;
using podsim::model::RankedPodOrderOptions;
using podsim::model::same_node_ranks;
using podsim::sim::Time;

namespace {

constexpr std::int64_t kHour = 3600LL * 1'000'000'000;
// metav1.Now() and then; "a month ago" is 30 days here (AddDate(0, -1, 0) is 28-31 days; every
// case only needs it far older than hours: log2 bucket 51 either way).
const Time kNow = Time::from_ns(1000 * kHour);
const Time kMonthAgo = Time::from_ns(kNow.ns() - 30 * 24 * kHour);
Time hours_ago(std::int64_t h) {
  return Time::from_ns(kNow.ns() - h * kHour);
}

constexpr std::optional<NodeId> kUnscheduled = std::nullopt;
constexpr std::optional<Time> kZero = std::nullopt;  // Go's zero metav1.Time

struct NamedPod {
  std::string name;
  PodOrderKey key;
};

// The `pod(name, nodeName, phase, ready, restarts, readySince, created, annotations)` helper
// of TestSortingActivePodsWithRanks: restarts are only recorded for ready pods.
PodOrderKey pod(std::optional<NodeId> node, PodOrderPhase phase, bool ready, std::int32_t restarts,
                std::optional<Time> ready_since, std::optional<Time> created,
                std::int32_t deletion_cost = 0) {
  PodOrderKey k;
  k.node = node;
  k.phase = phase;
  k.ready = ready;
  if (ready) {
    k.ready_since = ready_since;
    k.max_restarts = restarts;
  }
  k.created = created;
  k.deletion_cost = deletion_cost;
  return k;
}

}  // namespace

TEST_CASE("pod order: ActivePods sorts by Kubernetes' deletion preference (TestSortingActivePods)",
          "[pod-order]") {
  // TestSortingActivePods, kubernetes/kubernetes pkg/controller/controller_utils_test.go: its
  // one case ("Sorts by active pod"), sorted from 20 shuffles as upstream does. Node "bar" = 2,
  // "foo" = 1. Restarts: {3, 0} -> max 3, {2, 1} -> max 2.
  const std::vector<NamedPod> want = {
      {"unscheduled", pod(kUnscheduled, PodOrderPhase::Pending, false, 0, kZero, kZero)},
      {"scheduledButPending", pod(2, PodOrderPhase::Pending, false, 0, kZero, kZero)},
      {"unknownPhase", pod(1, PodOrderPhase::Unknown, false, 0, kZero, kZero)},
      {"runningButNotReady", pod(1, PodOrderPhase::Running, false, 0, kZero, kZero)},
      {"runningNoLastTransitionTime", pod(1, PodOrderPhase::Running, true, 3, kZero, kZero)},
      {"runningWithLastTransitionTime", pod(1, PodOrderPhase::Running, true, 3, kNow, kZero)},
      {"runningLongerTime", pod(1, PodOrderPhase::Running, true, 3, kMonthAgo, kZero)},
      {"lowerContainerRestartCount", pod(1, PodOrderPhase::Running, true, 2, kMonthAgo, kNow)},
      {"oldest", pod(1, PodOrderPhase::Running, true, 2, kMonthAgo, kMonthAgo)},
  };
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    std::vector<NamedPod> pods = want;
    std::shuffle(pods.begin(), pods.end(), rng);
    std::sort(pods.begin(), pods.end(),
              [](const NamedPod& a, const NamedPod& b) { return active_pods_less(a.key, b.key); });
    std::vector<std::string> got, expected;
    for (const auto& p : pods) got.push_back(p.name);
    for (const auto& p : want) expected.push_back(p.name);
    CHECK(got == expected);
  }
}

TEST_CASE("pod order: ActivePodsWithRanks (TestSortingActivePodsWithRanks)", "[pod-order]") {
  // TestSortingActivePodsWithRanks, kubernetes/kubernetes pkg/controller/controller_utils_test.go:
  // every equality and inequality case. Node "node" = 1. Feature gates on unless a case turns
  // one off; Now = kNow. All UIDs are empty upstream, so equal here (0).
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
  const auto unscheduled5Hours =
      pod(kUnscheduled, PodOrderPhase::Pending, false, 0, hours_ago(5), hours_ago(5));
  const auto unscheduled8Hours =
      pod(kUnscheduled, PodOrderPhase::Pending, false, 0, hours_ago(8), hours_ago(8));
  const auto ready2Hours =
      pod(kUnscheduled, PodOrderPhase::Running, true, 0, hours_ago(2), kMonthAgo);
  const auto ready5Hours =
      pod(kUnscheduled, PodOrderPhase::Running, true, 0, hours_ago(5), kMonthAgo);
  const auto ready10Hours =
      pod(kUnscheduled, PodOrderPhase::Running, true, 0, hours_ago(8), kMonthAgo);

  RankedPodOrderOptions on;
  on.now = kNow;

  SECTION("equality tests") {
    struct Eq {
      PodOrderKey p1, p2;
    };
    const std::vector<Eq> cases = {
        {unscheduledPod, unscheduledPod},
        {scheduledPendingPod, scheduledPendingPod},
        {unknownPhasePod, unknownPhasePod},
        {runningNotReadyPod, runningNotReadyPod},
        {runningReadyNowCreatedThen, runningReadyNowCreatedThen},
        {runningReadyNow, runningReadyNow},
        {runningReadyThen, runningReadyThen},
        {runningReadyNowHighRestarts, runningReadyNowHighRestarts},
        {runningReadyNowCreatedThen, runningReadyNowCreatedThen},
        // 5 h and 8 h are both in log2 bucket 44 (1.8e13 and 2.9e13 ns): a tie.
        {unscheduled5Hours, unscheduled8Hours},
        {ready5Hours, ready10Hours},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
      INFO("equality test " << i);
      CHECK_FALSE(active_pods_with_ranks_less(cases[i].p1, 1, cases[i].p2, 1, on));
      CHECK_FALSE(active_pods_with_ranks_less(cases[i].p2, 1, cases[i].p1, 1, on));
    }
  }
  SECTION("inequality tests") {
    struct Ineq {
      PodOrderKey lesser;
      int lesser_rank;
      PodOrderKey greater;
      int greater_rank;
      bool disablePodDeletionCost = false;
    };
    const std::vector<Ineq> cases = {
        {unscheduledPod, 1, scheduledPendingPod, 2},
        {unscheduledPod, 2, scheduledPendingPod, 1},
        {scheduledPendingPod, 1, unknownPhasePod, 2},
        {unknownPhasePod, 1, runningNotReadyPod, 2},
        {runningNotReadyPod, 1, runningReadyNoLastTransitionTimePod, 1},
        {runningReadyNoLastTransitionTimePod, 1, runningReadyNow, 1},
        {runningReadyNow, 2, runningReadyNoLastTransitionTimePod, 1},
        {runningReadyNow, 1, runningReadyThen, 1},
        {runningReadyNow, 2, runningReadyThen, 1},
        {runningReadyNowHighRestarts, 1, runningReadyNow, 1},
        {runningReadyNow, 2, runningReadyNowHighRestarts, 1},
        {runningReadyNow, 1, runningReadyNowCreatedThen, 1},
        {runningReadyNowCreatedThen, 2, runningReadyNow, 1},
        {lowPodDeletionCost, 2, highPodDeletionCost, 1},
        {highPodDeletionCost, 2, lowPodDeletionCost, 1, /*disablePodDeletionCost=*/true},
        // 2 h is bucket 42, 5 h bucket 44: the more recently ready goes first.
        {ready2Hours, 1, ready5Hours, 1},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Ineq& c = cases[i];
      INFO("inequality test " << i);
      RankedPodOrderOptions opt = on;
      opt.PodDeletionCost = !c.disablePodDeletionCost;
      CHECK(active_pods_with_ranks_less(c.lesser, c.lesser_rank, c.greater, c.greater_rank, opt));
      CHECK_FALSE(
          active_pods_with_ranks_less(c.greater, c.greater_rank, c.lesser, c.lesser_rank, opt));
    }
  }
}

TEST_CASE("pod order: LogarithmicScaleDown buckets and the UID tie-break", "[pod-order]") {
  // Hand-worked: ages 5 h (1.8e13 ns, log2 44.03) and 8 h (2.88e13 ns, log2 44.71) share bucket
  // 44; 2 h (7.2e12 ns, log2 42.71) is bucket 42; age 0 is bucket -1.
  CHECK(logarithmic_rank_diff(hours_ago(5), hours_ago(8), kNow) == 0);
  CHECK(logarithmic_rank_diff(hours_ago(2), hours_ago(5), kNow) == -2);
  CHECK(logarithmic_rank_diff(kNow, hours_ago(2), kNow) == -1 - 42);
  // 2^40 ns is exactly bucket 40; one nanosecond less is bucket 39.
  const Time t40 = Time::from_ns(kNow.ns() - (1LL << 40));
  const Time t39 = Time::from_ns(kNow.ns() - (1LL << 40) + 1);
  CHECK(logarithmic_rank_diff(t40, t39, kNow) == 1);

  auto ready = [](Time since, std::uint64_t uid) {
    PodOrderKey k = pod(1, PodOrderPhase::Running, true, 0, since, kMonthAgo);
    k.uid = uid;
    return k;
  };
  RankedPodOrderOptions on;
  on.now = kNow;
  // Same bucket: the lower UID goes first, whichever became ready more recently.
  CHECK(active_pods_with_ranks_less(ready(hours_ago(8), 1), 1, ready(hours_ago(5), 2), 1, on));
  CHECK_FALSE(
      active_pods_with_ranks_less(ready(hours_ago(5), 2), 1, ready(hours_ago(8), 1), 1, on));
  // Without the gate, or without a clock, the exact times decide: 5 h ago is more recent.
  RankedPodOrderOptions off = on;
  off.LogarithmicScaleDown = false;
  CHECK(active_pods_with_ranks_less(ready(hours_ago(5), 2), 1, ready(hours_ago(8), 1), 1, off));
  RankedPodOrderOptions no_clock;
  CHECK(
      active_pods_with_ranks_less(ready(hours_ago(5), 2), 1, ready(hours_ago(8), 1), 1, no_clock));
}

TEST_CASE("pod order: ranks count related pods on the same node", "[pod-order]") {
  // Hand-worked: related pods on node 1 (x3), node 2 (x1), unscheduled (x2). A pod is ranked by
  // its node's count; the unscheduled ones count each other; node 3 has none.
  const std::vector<PodOrderKey> related = {
      pod(1, PodOrderPhase::Running, true, 0, kNow, kNow),
      pod(1, PodOrderPhase::Running, true, 0, kNow, kNow),
      pod(1, PodOrderPhase::Running, true, 0, kNow, kNow),
      pod(2, PodOrderPhase::Running, true, 0, kNow, kNow),
      pod(kUnscheduled, PodOrderPhase::Pending, false, 0, kZero, kNow),
      pod(kUnscheduled, PodOrderPhase::Pending, false, 0, kZero, kNow),
  };
  const std::vector<PodOrderKey> pods = {related[0], related[3], related[4],
                                         pod(3, PodOrderPhase::Running, true, 0, kNow, kNow)};
  CHECK(same_node_ranks(pods, related) == std::vector<int>{3, 1, 2, 0});
}
