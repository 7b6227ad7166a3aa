// Kruise's calculateDiffsWithExpectation, against the upstream table and hand-worked rounding.
#include "podsim/model/cloneset_diffs.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

using podsim::model::CloneSetSpec;
using podsim::model::IntOrPercent;
using podsim::model::PodOrderPhase;
using podsim::model::cloneset::calculate_diffs;
using podsim::model::cloneset::DiffOptions;
using podsim::model::cloneset::Diffs;
using podsim::model::cloneset::LifecycleState;
using podsim::model::cloneset::partition_replicas;
using podsim::model::cloneset::PodState;
using podsim::model::cloneset::resolve_limits;
using podsim::model::cloneset::RevisionId;

namespace Catch {
template <>
struct StringMaker<Diffs> {
  static std::string convert(const Diffs& d) { return podsim::model::cloneset::to_string(d); }
};
}  // namespace Catch

namespace {

IntOrPercent I(int v) {
  return IntOrPercent::integer(v);
}
IntOrPercent P(double p) {
  return IntOrPercent::percent(p);
}

constexpr RevisionId kOld = 1;  // "old_rev"
constexpr RevisionId kNew = 2;  // "new_rev"
constexpr auto Normal = LifecycleState::Normal;
constexpr auto Updating = LifecycleState::Updating;
constexpr auto PreparingUpdate = LifecycleState::PreparingUpdate;
constexpr auto PreparingDelete = LifecycleState::PreparingDelete;
constexpr bool kReady = true, kNotReady = false;
constexpr bool kDelete = true, kKeep = false;

// createTestPod(revision, lifecycleState, ready, specifiedDelete): a ready pod is Running with
// Ready=True (minReadySeconds is 0, so also available); a not-ready one has no status at all.
struct TestPod {
  RevisionId revision;
  LifecycleState lifecycle;
  bool ready;
  bool specified_delete;
};

PodState to_state(const TestPod& t) {
  PodState p;
  p.revision = t.revision;
  p.lifecycle = t.lifecycle;
  p.order.phase = t.ready ? PodOrderPhase::Running : PodOrderPhase::Pending;
  p.order.ready = t.ready;
  p.available = t.ready;
  p.specified_delete = t.specified_delete;
  return p;
}

// createTestCloneSet(replicas, partition, maxUnavailable, maxSurge) and the per-case switches.
struct Setup {
  int replicas = 0;
  IntOrPercent partition = {};
  IntOrPercent maxUnavailable = {};
  IntOrPercent maxSurge = {};
  bool paused = false;                                   // setUpdateStrategyPaused
  std::optional<IntOrPercent> scaleMaxUnavailable = {};  // setScaleStrategy
  bool excludePreparingDelete = false;  // setLabels scaling-exclude-preparing-delete
  bool revisionConsistent = false;      // currentRevision = new_rev
  bool rollbackGate = true;             // !disableFeatureGate
  bool forScale = false;                // isPodUpdate: revision.IsPodUpdate
};

struct DiffCase {
  const char* name;
  Setup setup;
  std::vector<TestPod> pods;
  Diffs expect;
};

Diffs run(const Setup& s, const std::vector<TestPod>& test_pods) {
  CloneSetSpec spec;
  spec.replicas = s.replicas;
  spec.partition = s.partition;
  spec.maxUnavailable = s.maxUnavailable;
  spec.maxSurge = s.maxSurge;
  spec.paused = s.paused;
  spec.scaleMaxUnavailable = s.scaleMaxUnavailable;
  std::vector<PodState> pods;
  for (const TestPod& t : test_pods) pods.push_back(to_state(t));
  DiffOptions options;
  // The upstream test turns PreparingUpdateAsUpdate on for every case and
  // CloneSetPartitionRollback on unless the case disables it.
  options.gates.PreparingUpdateAsUpdate = true;
  options.gates.CloneSetPartitionRollback = s.rollbackGate;
  options.scalingExcludePreparingDelete = s.excludePreparingDelete;
  options.for_scale = s.forScale;
  const RevisionId current = s.revisionConsistent ? kNew : kOld;
  return calculate_diffs(spec, pods, current, kNew, options);
}

// Every case of TestCalculateDiffsWithExpectation, openkruise/kruise v1.8.2
// pkg/controller/cloneset/sync/cloneset_sync_utils_test.go, in upstream order.
const std::vector<DiffCase>& upstream_cases() {
  static const std::vector<DiffCase> cases = {
      {"an empty cloneset",
       {.replicas = 0, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {},
       {}},
      {"increase replicas to 5 (step 1/2)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {},
       {.scaleUpNum = 5, .scaleUpLimit = 5}},
      {"increase replicas to 5 (step 2/2)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"specified delete 1 pod (all ready) (step 1/3)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.deleteReadyLimit = 1}},
      {"specified delete 1 pod (all ready) (step 2/3)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"specified delete 1 pod (all ready) (step 3/3)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"specified delete 2 pod (all ready) (step 1/6)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.deleteReadyLimit = 1}},
      {"specified delete 2 pod (all ready) (step 2/6)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"specified delete 2 pod (all ready) (step 3/6)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"specified delete 2 pod (all ready) (step 4/6)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.deleteReadyLimit = 1}},
      {"specified delete 2 pod (all ready) (step 5/6)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"specified delete 2 pod (all ready) (step 6/6)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"specified delete 2 pod and replicas to 4 (step 1/3)",
       {.replicas = 4, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kNotReady, kDelete},
        {kNew, Normal, kNotReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.deleteReadyLimit = 2}},
      {"specified delete 2 pod and replicas to 4 (step 2/3)",
       {.replicas = 4, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"specified delete 2 pod and replicas to 4 (step 3/3)",
       {.replicas = 4, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"update partition=3 (step 1/3)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.updateNum = 2, .updateMaxUnavailable = 1}},
      {"update partition=3 (step 2/3)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.updateNum = 1, .updateMaxUnavailable = 1}},
      {"update partition=3 (step 3/3)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {}},
      {"rollback partition=4 (step 1/3)",
       {.replicas = 5, .partition = I(4), .maxUnavailable = I(2), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.updateNum = -3, .updateMaxUnavailable = 2}},
      {"rollback partition=4 (step 2/3)",
       {.replicas = 5, .partition = I(4), .maxUnavailable = I(2), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.updateNum = -1, .updateMaxUnavailable = 2}},
      {"rollback partition=4 (step 3/3)",
       {.replicas = 5, .partition = I(4), .maxUnavailable = I(2), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {}},
      {"specified delete with maxSurge (step 1/4)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(1)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1, .useSurge = 1}},
      {"specified delete with maxSurge (step 2/4)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(1)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.useSurge = 1}},
      {"specified delete with maxSurge (step 3/4)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(1)},
       {{kNew, Normal, kReady, kDelete},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.deleteReadyLimit = 1, .useSurge = 1}},
      {"specified delete with maxSurge (step 4/4)",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(1)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"update in-place partition=3 with maxSurge (step 1/4)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1,
        .scaleUpLimit = 1,
        .useSurge = 1,
        .updateNum = 2,
        .updateMaxUnavailable = 1}},
      {"update in-place partition=3 with maxSurge (step 2/4)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.useSurge = 1, .updateNum = 1, .updateMaxUnavailable = 2}},
      {"update in-place partition=3 with maxSurge (step 3/4)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Updating, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 0}},
      {"update in-place partition=3 with maxSurge (step 4/4)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 1}},
      {"update recreate partition=3 with maxSurge (step 1/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1,
        .scaleUpLimit = 1,
        .useSurge = 1,
        .updateNum = 2,
        .updateMaxUnavailable = 1}},
      {"update recreate partition=3 with maxSurge (step 2/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.useSurge = 1, .updateNum = 1, .updateMaxUnavailable = 2}},
      {"update recreate partition=3 with maxSurge (step 3/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kDelete},
        {kNew, Normal, kNotReady, kKeep}},
       {.deleteReadyLimit = 1,
        .useSurge = 1,
        .useSurgeOldRevision = 1,
        .updateNum = 1,
        .updateMaxUnavailable = 2}},
      {"update recreate partition=3 with maxSurge (step 4/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleUpNum = 1,
        .scaleUpLimit = 1,
        .useSurge = 1,
        .updateNum = 1,
        .updateMaxUnavailable = 1}},
      {"update recreate partition=3 with maxSurge (step 5/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 0}},
      {"update recreate partition=3 with maxSurge (step 6/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 1}},
      {"update recreate partition=3 with maxSurge (step 7/7)",
       {.replicas = 5, .partition = I(3), .maxUnavailable = I(1), .maxSurge = I(1)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"update recreate partition=99% with maxUnavailable=3, maxSurge=2 (step 1/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = I(3), .maxSurge = I(2)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1,
        .scaleUpLimit = 1,
        .useSurge = 1,
        .updateNum = 1,
        .updateMaxUnavailable = 3}},
      {"update recreate partition=99% with maxUnavailable=3, maxSurge=2 (step 2/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = I(3), .maxSurge = I(2)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 3}},
      {"update recreate partition=99% with maxUnavailable=3, maxSurge=2 (step 3/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = I(3), .maxSurge = I(2)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"update recreate partition=99% with maxUnavailable=40%, maxSurge=30% (step 1/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = P(40), .maxSurge = P(30)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1,
        .scaleUpLimit = 1,
        .useSurge = 1,
        .updateNum = 1,
        .updateMaxUnavailable = 2}},
      {"update recreate partition=99% with maxUnavailable=40%, maxSurge=30% (step 2/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = P(40), .maxSurge = P(30)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 2}},
      {"update recreate partition=99% with maxUnavailable=40%, maxSurge=30% (step 3/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = P(40), .maxSurge = P(30)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"update recreate partition=99% with maxUnavailable=30%, maxSurge=30% (step 1/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = P(30), .maxSurge = P(30)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1,
        .scaleUpLimit = 1,
        .useSurge = 1,
        .updateNum = 1,
        .updateMaxUnavailable = 1}},
      {"update recreate partition=99% with maxUnavailable=30%, maxSurge=30% (step 2/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = P(30), .maxSurge = P(30)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .scaleDownNumOldRevision = 1, .deleteReadyLimit = 1}},
      {"update recreate partition=99% with maxUnavailable=30%, maxSurge=30% (step 3/3)",
       {.replicas = 5, .partition = P(99), .maxUnavailable = P(30), .maxSurge = P(30)},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"revision consistent 1",
       {.replicas = 5,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .revisionConsistent = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"revision consistent 2",
       {.replicas = 5,
        .partition = I(3),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .revisionConsistent = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"revision consistent 3",
       {.replicas = 5,
        .partition = I(3),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .revisionConsistent = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"revision consistent 4",
       {.replicas = 5,
        .partition = I(1),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .revisionConsistent = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.updateNum = 2, .updateMaxUnavailable = 1}},
      {"allow to update when fail to scale out normally",
       {.replicas = 5,
        .partition = I(1),
        .maxUnavailable = I(2),
        .maxSurge = I(0),
        .revisionConsistent = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1, .updateNum = 1, .updateMaxUnavailable = 1}},
      {"allow to update when fail to scale in normally",
       {.replicas = 5,
        .partition = I(1),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .revisionConsistent = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {.scaleDownNum = 1,
        .scaleDownNumOldRevision = 2,
        .deleteReadyLimit = 2,
        .updateNum = 1,
        .updateMaxUnavailable = 2}},
      {"disable rollback feature-gate",
       {.replicas = 5,
        .partition = I(4),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .rollbackGate = false},
       {{kOld, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"increase replicas 0 to 5 with scale maxUnavailable = 2",
       {.replicas = 5,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .scaleMaxUnavailable = I(2)},
       {},
       {.scaleUpNum = 5, .scaleUpLimit = 2}},
      {"increase replicas 3 to 6 with scale maxUnavailable = 2, not ready pod = 1",
       {.replicas = 6,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .scaleMaxUnavailable = I(2)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleUpNum = 3, .scaleUpLimit = 1}},
      {"increase replicas 3 to 6 with scale maxUnavailable = 2, not ready pod = 2",
       {.replicas = 6,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .scaleMaxUnavailable = I(2)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleUpNum = 3, .scaleUpLimit = 0}},
      {"[scalingExcludePreparingDelete=false] specific delete a pod with lifecycle hook (step 1/4)",
       {.replicas = 3, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kDelete}},
       {.deleteReadyLimit = 1}},
      {"[scalingExcludePreparingDelete=false] specific delete a pod with lifecycle hook (step 2/4)",
       {.replicas = 3, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete}},
       {}},
      {"[scalingExcludePreparingDelete=false] specific delete a pod with lifecycle hook (step 3/4)",
       {.replicas = 3, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep}, {kNew, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"[scalingExcludePreparingDelete=false] specific delete a pod with lifecycle hook (step 4/4)",
       {.replicas = 3, .partition = I(0), .maxUnavailable = I(1), .maxSurge = I(0)},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook (step 1/4)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kDelete}},
       {.deleteReadyLimit = 1}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook (step 2/4)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook (step 3/4)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook (step 4/4)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook and then "
       "cancel (step 1/5)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kDelete}},
       {.deleteReadyLimit = 1}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook and then "
       "cancel (step 2/5)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook and then "
       "cancel (step 3/5)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook and then "
       "cancel (step 4/5)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 1, .deleteReadyLimit = 1}},
      {"[scalingExcludePreparingDelete=true] specific delete a pod with lifecycle hook and then "
       "cancel (step 5/5)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific scale down with lifecycle hook, then scale "
       "up pods (step 1/6)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific scale down with lifecycle hook, then scale "
       "up pods (step 2/6)",
       {.replicas = 2,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kDelete}},
       {.deleteReadyLimit = 2}},
      {"[scalingExcludePreparingDelete=true] specific scale down with lifecycle hook, then scale "
       "up pods (step 3/6)",
       {.replicas = 2,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific scale down with lifecycle hook, then scale "
       "up pods (step 4/6)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"[scalingExcludePreparingDelete=true] specific scale down with lifecycle hook, then scale "
       "up pods (step 5/6)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, PreparingDelete, kReady, kDelete},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"[scalingExcludePreparingDelete=true] specific scale down with lifecycle hook, then scale "
       "up pods (step 6/6)",
       {.replicas = 3,
        .partition = I(0),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true},
       {{kNew, Normal, kReady, kKeep},
        {kNew, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {}},
      {"[scalingWithPreparingUpdate=true] scaling up when a preparing pod is not updated, and "
       "expected-updated is 1",
       {.replicas = 4,
        .partition = P(90),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true,
        .forScale = true},
       {{kOld, PreparingUpdate, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpNumOldRevision = 1, .scaleUpLimit = 1}},
      {"[scalingWithPreparingUpdate=true] scaling up when a preparing pod is not updated, and "
       "expected-updated is 2",
       {.replicas = 4,
        .partition = I(2),
        .maxUnavailable = I(1),
        .maxSurge = I(0),
        .excludePreparingDelete = true,
        .forScale = true},
       {{kOld, PreparingUpdate, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 1, .scaleUpLimit = 1}},
      {"[UpdateStrategyPaused=true] scale up pods with maxSurge=3,maxUnavailable=0",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(3), .paused = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleUpNum = 2, .scaleUpLimit = 2, .updateNum = 3, .updateMaxUnavailable = -2}},
      {"[UpdateStrategyPaused=true] scale down pods with maxSurge=3,maxUnavailable=0",
       {.replicas = 3, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(3), .paused = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep}},
       {.scaleDownNum = 2,
        .scaleDownNumOldRevision = 5,
        .deleteReadyLimit = 2,
        .updateNum = 3,
        .updateMaxUnavailable = 2}},
      {"[UpdateStrategyPaused=true] create 0 newRevision pods with maxSurge=3,maxUnavailable=0",
       {.replicas = 5, .partition = I(0), .maxUnavailable = I(0), .maxSurge = I(3), .paused = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 3,
        .scaleDownNumOldRevision = 5,
        .updateNum = 2,
        .updateMaxUnavailable = 3}},
      {"[UpdateStrategyPaused=true] create 0 newRevision pods with maxSurge=3,maxUnavailable=0",
       {.replicas = 5, .partition = I(2), .maxUnavailable = I(0), .maxSurge = I(3), .paused = true},
       {{kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kOld, Normal, kReady, kKeep},
        {kNew, Normal, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep},
        {kNew, Normal, kNotReady, kKeep}},
       {.scaleDownNum = 3, .scaleDownNumOldRevision = 3}},

  };
  return cases;
}

}  // namespace

TEST_CASE("cloneset diffs: every case of Kruise's TestCalculateDiffsWithExpectation",
          "[cloneset][diffs]") {
  const auto& cases = upstream_cases();
  REQUIRE(cases.size() == 80);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const DiffCase& c = cases[i];
    DYNAMIC_SECTION(fmt::format("#{} {}", i, c.name)) {
      CHECK(run(c.setup, c.pods) == c.expect);
    }
  }
}

TEST_CASE("cloneset diffs: maxUnavailable, maxSurge and partition rounding", "[cloneset][diffs]") {
  CloneSetSpec spec;  // defaults: maxUnavailable 20%, maxSurge 0, partition 0

  SECTION("default maxUnavailable 20% rounds up without surge (domain-reference §2.2 table)") {
    spec.replicas = 10;
    CHECK(resolve_limits(spec).maxUnavailable == 2);  // ceil(2.0)
    spec.replicas = 7;
    CHECK(resolve_limits(spec).maxUnavailable == 2);  // ceil(1.4)
    spec.replicas = 3;
    CHECK(resolve_limits(spec).maxUnavailable == 1);  // ceil(0.6)
  }
  SECTION("with maxSurge > 0 it rounds down") {
    spec.maxSurge = I(1);
    spec.replicas = 7;
    CHECK(resolve_limits(spec).maxUnavailable == 1);  // floor(1.4)
    spec.replicas = 3;
    CHECK(resolve_limits(spec).maxUnavailable == 0);  // floor(0.6)
  }
  SECTION("maxSurge % rounds up; paused forces 0, so maxUnavailable rounds up again") {
    spec.replicas = 4;
    spec.maxSurge = P(30);
    spec.maxUnavailable = P(30);
    auto lim = resolve_limits(spec);
    CHECK(lim.maxSurge == 2);        // ceil(1.2)
    CHECK(lim.maxUnavailable == 1);  // floor(1.2): surge in use
    spec.paused = true;
    lim = resolve_limits(spec);
    CHECK(lim.maxSurge == 0);
    CHECK(lim.maxUnavailable == 2);  // ceil(1.2)
  }
  SECTION("scaleStrategy.maxUnavailable: unset is MaxInt32, % rounds up") {
    spec.replicas = 5;
    CHECK(resolve_limits(spec).scaleMaxUnavailable == 2147483647);
    spec.scaleMaxUnavailable = P(50);
    CHECK(resolve_limits(spec).scaleMaxUnavailable == 3);  // ceil(2.5)
  }
  SECTION("partition: % rounds up, the replicas-1 rule, clamping") {
    CHECK(partition_replicas(P(30), 5) == 2);    // ceil(1.5)
    CHECK(partition_replicas(P(99), 5) == 4);    // ceil(4.95) = 5 = replicas, not 100%: 5-1
    CHECK(partition_replicas(P(100), 5) == 5);   // "100%" keeps every pod old
    CHECK(partition_replicas(P(50), 1) == 1);    // ceil(0.5) = 1; the rule needs replicas > 1
    CHECK(partition_replicas(P(12.5), 8) == 1);  // fractional %: ceil(1.0)
    CHECK(partition_replicas(I(5), 5) == 5);     // an integer is never lowered
    CHECK(partition_replicas(I(7), 5) == 5);     // clamped to replicas
    CHECK(partition_replicas(P(0), 5) == 0);
  }
}

TEST_CASE("cloneset diffs: PreparingUpdate counts as updated only for Scale()",
          "[cloneset][diffs]") {
  // The pods of the upstream case "[scalingWithPreparingUpdate=true] ... expected-updated is 1"
  // (replicas 4, partition 90% -> 3, maxUnavailable 1), but with Update()'s rule: all three pods
  // are old. updateOldDiff = 3 - 3 = 0, updateNewDiff = 0 - (4 - 3) = -1, so updateNum = 0.
  // Scale up 4 - 3 = 1; old pods wanted 3, present 3, so scaleUpNumOldRevision = 0.
  // The PreparingUpdate pod is unavailable (lifecycle), so scaleUpLimit = min(1, MaxInt32 - 1).
  Setup s{.replicas = 4,
          .partition = P(90),
          .maxUnavailable = I(1),
          .maxSurge = I(0),
          .excludePreparingDelete = true};
  const std::vector<TestPod> pods = {{kOld, PreparingUpdate, kReady, kKeep},
                                     {kOld, Normal, kReady, kKeep},
                                     {kOld, Normal, kReady, kKeep}};
  CHECK(run(s, pods) == Diffs{.scaleUpNum = 1, .scaleUpLimit = 1});
  // With Scale()'s rule the upstream expectation holds: one more old pod is wanted.
  s.forScale = true;
  CHECK(run(s, pods) == Diffs{.scaleUpNum = 1, .scaleUpNumOldRevision = 1, .scaleUpLimit = 1});
}

TEST_CASE("cloneset diffs: without CloneSetPartitionRollback a raised partition does nothing",
          "[cloneset][diffs]") {
  // Upstream "rollback partition=4 (step 1/3)": replicas 5, partition 4, maxUnavailable 2,
  // 4 new + 1 old. With the gate: updateOldDiff = 1 - 4 = -3, updateNewDiff = 4 - 1 = 3,
  // updateNum = -3. Without it both clamp to 0 and nothing is to be done.
  Setup s{.replicas = 5, .partition = I(4), .maxUnavailable = I(2), .maxSurge = I(0)};
  const std::vector<TestPod> pods = {{kNew, Normal, kReady, kKeep},
                                     {kNew, Normal, kReady, kKeep},
                                     {kNew, Normal, kReady, kKeep},
                                     {kNew, Normal, kReady, kKeep},
                                     {kOld, Normal, kReady, kKeep}};
  CHECK(run(s, pods) == Diffs{.updateNum = -3, .updateMaxUnavailable = 2});
  s.rollbackGate = false;
  CHECK(run(s, pods).empty());
}
