// CloneSet update selection and order: Kruise's updatesort and cloneset_update.go, against the
// upstream tables and hand-worked cases.
#include "podsim/model/cloneset_update_order.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <catch2/catch.hpp>
#include <compare>
#include <optional>
#include <string>
#include <vector>

using podsim::model::CloneSetPriorityStrategy;
using podsim::model::CloneSetScatterTerm;
using podsim::model::CloneSetSpec;
using podsim::model::CloneSetWeightTerm;
using podsim::model::IntOrPercent;
using podsim::model::PodOrderPhase;
using namespace podsim::model::cloneset;

namespace {

Labels L(std::initializer_list<std::pair<const std::string, std::string>> kv) {
  return Labels(kv);
}

// Pods that carry only labels, as the updatesort tests build them.
std::vector<PodState> labelled_pods(const std::vector<Labels>& labels) {
  std::vector<PodState> pods(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) pods[i].labels = &labels[i];
  return pods;
}

std::vector<std::size_t> iota_indexes(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

bool same_terms(const std::vector<CloneSetScatterTerm>& a,
                const std::vector<CloneSetScatterTerm>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].value != b[i].value) return false;
  }
  return true;
}

std::string terms_str(const std::vector<CloneSetScatterTerm>& terms) {
  std::string out;
  for (const auto& t : terms) out += fmt::format("{}={} ", t.key, t.value);
  return out;
}

}  // namespace

// --- pkg/util/updatesort/priority_sort_test.go ---------------------------------------------

TEST_CASE("cloneset update order: priority compare (Kruise TestCompare)",
          "[cloneset][update-order]") {
  // TestCompare, openkruise/kruise v1.8.2 pkg/util/updatesort/priority_sort_test.go: every case.
  // Upstream checks compare(podI, podJ, defaultVal=true), i.e. "I first, or a tie". `want` is
  // the finer answer worked out by hand from the weights and orders (in the comments).
  const CloneSetPriorityStrategy w1{
      .weightPriority = {{20, {{"key", "foo"}}}, {10, {{"key", "bar"}}}}, .orderPriority = {}};
  const CloneSetPriorityStrategy w2{
      .weightPriority = {{20, {{"key1", "foo"}}}, {10, {{"key2", "bar"}}}, {15, {{"key3", "baz"}}}},
      .orderPriority = {}};
  const CloneSetPriorityStrategy w3{
      .weightPriority = {{20, {{"key1", "foo"}}}, {10, {{"key2", "bar"}}}, {5, {{"key3", "baz"}}}},
      .orderPriority = {}};
  const CloneSetPriorityStrategy o{.weightPriority = {}, .orderPriority = {"key1", "key2"}};
  using std::weak_ordering;
  struct Case {
    const CloneSetPriorityStrategy* strategy;
    Labels podI, podJ;
    bool upstream;
    weak_ordering want;
  };
  const std::vector<Case> cases = {
      {&w1, {}, {}, true, weak_ordering::equivalent},                                    // 0 vs 0
      {&w1, L({{"key", "foo"}}), L({{"key", "foo"}}), true, weak_ordering::equivalent},  // 20 vs 20
      {&w1, L({{"key", "bar"}}), L({{"key", "foo"}}), false, weak_ordering::greater},    // 10 vs 20
      {&w1, {}, L({{"key", "bar"}}), false, weak_ordering::greater},                     // 0 vs 10
      {&w1, {}, L({{"key", "foo"}}), false, weak_ordering::greater},                     // 0 vs 20
      {&w2, L({{"key1", "foo"}}), L({{"key2", "bar"}, {"key3", "baz"}}), false,
       weak_ordering::greater},  // 20 vs 10+15
      {&w3, L({{"key2", "bar"}, {"key3", "baz"}}), L({{"key1", "foo"}}), false,
       weak_ordering::greater},                       // 10+5 vs 20
      {&o, {}, {}, true, weak_ordering::equivalent},  // level -1 vs -1
      {&o, L({{"key1", "o-10"}}), L({{"key1", "o-5"}}), true, weak_ordering::less},  // 10 > 5
      {&o, L({{"key1", "o-10"}}), L({{"key1", "o-10"}}), true, weak_ordering::equivalent},
      {&o, L({{"key1", "o-10"}}), L({{"key1", "o-20"}}), false, weak_ordering::greater},  // 10 < 20
      {&o, L({{"key2", "o-20"}}), L({{"key1", "o-10"}}), false,
       weak_ordering::greater},  // level 1 vs 0
      {&o, L({{"key2", "o-20"}}), L({{"key2", "o-10"}}), true, weak_ordering::less},  // 20 > 10
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO("case #" << i);
    const weak_ordering got = compare_update_priority(*c.strategy, c.podI, c.podJ);
    CHECK((got < 0 || got == 0) == c.upstream);
    CHECK(got == c.want);
  }
}

// --- pkg/util/updatesort/scatter_sort_test.go ----------------------------------------------

TEST_CASE("cloneset update order: scatter terms (Kruise TestGenerateRules)",
          "[cloneset][update-order]") {
  // TestGenerateRules, openkruise/kruise v1.8.2 pkg/util/updatesort/scatter_sort_test.go: the two
  // active cases (three more are commented out upstream: they use a "*" value Kruise never
  // implemented).
  struct Case {
    const char* desc;
    std::vector<Labels> podLabels;
    std::vector<CloneSetScatterTerm> strategy;
    std::vector<CloneSetScatterTerm> expected;
  };
  const std::vector<Case> cases = {
      {"one pod one label",
       {L({}), L({}), L({}), L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}},
       {{"labelA", "AAA"}}},
      {"same pods a label",
       {L({}), L({}), L({{"labelB", "B"}}), L({{"labelB", "BBB"}}), L({{"labelA", "AAA"}}),
        L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {{"labelA", "AAA"}, {"labelB", "BBB"}}},
  };
  for (const Case& c : cases) {
    INFO(c.desc);
    const auto pods = labelled_pods(c.podLabels);
    const auto indexes = iota_indexes(pods.size());
    const auto got = scatter_terms(c.strategy, pods, indexes);
    INFO("got " << terms_str(got));
    CHECK(same_terms(got, c.expected));
  }
}

TEST_CASE("cloneset update order: scatter by one term (Kruise TestScatterPodsByRule)",
          "[cloneset][update-order]") {
  // TestScatterPodsByRule, openkruise/kruise v1.8.2 pkg/util/updatesort/scatter_sort_test.go:
  // every case. As upstream, a case has as many pods as expected indexes (extra podLabels are
  // unused) and each label string is "k=v,k=v"; a part without '=' adds no label.
  struct Case {
    const char* desc;
    std::vector<std::string> podLabels;
    std::vector<std::size_t> expected;
  };
  const std::vector<Case> cases = {
      {"no label", {""}, {0}},
      {"only one scattered pod", {"labelA=AAA"}, {0}},
      {"odd scattered pod + odd ordinary pod", {"labelA=AAA", "bbb"}, {0, 1}},
      {"even scattered pods + even ordinary pods",
       {"", "", "", "", "labelA=AAA", "labelA=AAA"},
       {4, 0, 1, 2, 3, 5}},
      {"odd scattered pods + odd ordinary pods",
       {"", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA"},
       {3, 0, 1, 4, 2, 5}},
      {"even scattered pods + odd ordinary pods",
       {"", "", "", "labelA=AAA", "", "", "labelA=AAA"},
       {3, 0, 1, 2, 4, 5, 6}},
      {"odd scattered pods + even ordinary pods",
       {"", "", "", "", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA"},
       {6, 0, 1, 2, 7, 3, 4, 5, 8}},
      {"even scattered pods + even ordinary pods + scattered pods more than ordinary pods",
       {"", "", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA"},
       {2, 3, 0, 4, 1, 5}},
      {"odd scattered pods + odd ordinary pods + scattered pods more than ordinary pods",
       {"", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA"},
       {3, 0, 1, 4, 2, 5}},
      {"even scattered pods + odd ordinary pods + scattered pods more than ordinary pods",
       {"", "", "labelA=AAA", "", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA",
        "labelA=AAA"},
       {2, 4, 0, 5, 6, 1, 7, 3, 8}},
      {"odd scattered pods + even ordinary pods + scattered pods more than ordinary pods",
       {"", "labelA=AAA", "", "labelA=AAA", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA"},
       {1, 0, 3, 2, 6, 4, 7, 5, 8}},
      {"invalid label",
       {"", "", "", "", "ee", "a", "", "labelA=AAA", "labelA=AAA", "labelA=AAA,labelB=BBB"},
       {7, 0, 1, 2, 3, 8, 4, 5, 6, 9}},
  };
  const CloneSetScatterTerm term{"labelA", "AAA"};
  for (const Case& c : cases) {
    INFO(c.desc);
    std::vector<Labels> labels(c.expected.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::string_view rest = c.podLabels[i];
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view part = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const std::size_t eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        labels[i][std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
      }
    }
    const auto pods = labelled_pods(labels);
    const auto got = scatter_by_term(term, pods, iota_indexes(pods.size()));
    INFO(fmt::format("got {}", got));
    CHECK(got == c.expected);
  }
}

TEST_CASE("cloneset update order: scatter sort (Kruise TestSort)", "[cloneset][update-order]") {
  // TestSort, openkruise/kruise v1.8.2 pkg/util/updatesort/scatter_sort_test.go: every active
  // case but "reserveOrdinals nil in slice", whose nil pod (a hole Advanced StatefulSet's
  // reserveOrdinals leaves) podsim's pod lists cannot have. As upstream, the pods waiting are the
  // first len(expected) pods; the rest only count towards the totals.
  struct Case {
    const char* desc;
    std::vector<Labels> podLabels;
    std::vector<CloneSetScatterTerm> strategy;
    std::vector<std::size_t> expected;
  };
  const std::vector<Case> cases = {
      {"a scattered pod + a ordinary pod",
       {L({{"labelA", "AAA"}, {"labelB", "BBB"}})},
       {{"labelA", "AAA"}},
       {0}},
      {"all ordinary pods", {L({}), L({}), L({}), L({}), L({}), L({})}, {}, {0, 1, 2, 3, 4, 5}},
      {"one pod one label",
       {L({}), L({}), L({}), L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}},
       {4, 0, 1, 2, 3, 5}},
      {"one pod more labels",
       {L({}), L({}), L({}), L({}), L({{"sdfb", "eee"}}), L({{"dsf", "same"}}),
        L({{"labelB", "BBB"}}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}),
        L({{"labelA", "AAA"}, {"labelB", "BBB"}})},
       {{"labelB", "BBB"}},
       {6, 0, 1, 2, 3, 4, 5, 7, 8, 9}},
      {"2 dimensions + one pod one label",
       {L({{"labelB", "BBB"}}), L({{"labelB", "BBB"}}), L({}), L({}), L({{"labelA", "AAA"}}),
        L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {0, 4, 2, 3, 5, 1}},
      {"2 dimensions + one pod more labels",
       {L({}), L({}), L({}), L({{"labelB", "BBB"}}), L({{"labelA", "AAA"}, {"labelB", "BBB"}}),
        L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {4, 0, 1, 2, 5, 3}},
      {"2 dimensions + same label + sequence: A + B",
       {L({}), L({}), L({}), L({}), L({{"sdfb", "eee"}}), L({{"dsf", "same"}}),
        L({{"labelB", "BBB"}}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}),
        L({{"labelB", "BBB"}})},
       {{"labelB", "BBB"}, {"labelA", "AAA"}},
       {7, 6, 0, 1, 2, 3, 4, 5, 9, 8}},
      {"2 dimensions + same label + sequence: B + A",
       {L({}), L({}), L({}), L({}), L({{"sdfb", "eee"}}), L({{"dsf", "same"}}),
        L({{"labelB", "BBB"}}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}),
        L({{"labelB", "BBB"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {6, 7, 0, 1, 2, 3, 4, 5, 8, 9}},
      {"2 dimensions + same pod same label + even scatter pods + even ordinary pods",
       {L({}), L({}), L({}), L({}), L({{"sdfb", "eee"}}), L({{"dsf", "same"}}),
        L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}),
        L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {6, 0, 1, 2, 3, 4, 5, 7, 8, 9}},
      {"2 dimensions + same pod same label + even scatter pods + odd ordinary pods",
       {L({}), L({}), L({}), L({{"sdfb", "eee"}}), L({{"dsf", "same"}}),
        L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}),
        L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {5, 0, 1, 2, 3, 4, 6, 7, 8}},
      {"2 dimensions + same pod same label + odd scatter pods + odd ordinary pods",
       {L({}), L({}), L({}), L({{"labelA", "AAA"}}), L({{"sdfb", "eee"}}), L({{"dsf", "same"}}),
        L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}), L({})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {3, 0, 1, 2, 4, 5, 7, 6}},
      {"2 dimensions + same pod same label + odd scatter pods + odd ordinary pods",
       {L({}), L({}), L({}), L({{"labelA", "AAA"}}), L({}), L({}), L({{"sdfb", "eee"}}),
        L({{"dsf", "same"}}), L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}),
        L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {0, 1, 2, 4, 3, 5, 6, 7, 9, 10, 8}},
      {"2 dimensions + same pod same label + even scatter pods + even ordinary pods + scatter pods "
       "more than ordinary pods",
       {L({}), L({}), L({}), L({{"labelA", "AAA"}}), L({{"sdfb", "eee"}, {"labelA", "AAA"}}),
        L({{"dsf", "same"}}), L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}),
        L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {6, 3, 0, 1, 4, 2, 5, 7, 8, 9}},
      {"2 dimensions + same pod same label + even scatter pods + odd ordinary pods + scatter pods "
       "more than ordinary pods",
       {L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}), L({{"sdfb", "eee"}}),
        L({{"dsf", "same"}}), L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}),
        L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {5, 1, 0, 3, 2, 4, 6, 7, 8}},
      {"2 dimensions + same pod same label + odd scatter pods + odd ordinary pods + scatter pods "
       "more than ordinary pods",
       {L({{"labelA", "AAA"}}), L({}), L({}), L({{"labelA", "AAA"}}),
        L({{"sdfb", "eee"}, {"labelA", "AAA"}}), L({{"dsf", "same"}}),
        L({{"labelA", "AAA"}, {"labelB", "BBB"}}), L({}), L({}),
        L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {1, 0, 2, 3, 5, 4, 7, 6}},
      {"2 dimensions + same pod same label + odd scatter pods + odd ordinary pods + scatter pods "
       "more than ordinary pods",
       {L({}), L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}), L({}), L({{"labelA", "AAA"}}),
        L({{"sdfb", "eee"}}), L({{"dsf", "same"}}), L({{"labelA", "AAA"}, {"labelB", "BBB"}}),
        L({}), L({}), L({{"labelB", "BBB"}, {"labelA", "AAA"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}},
       {0, 2, 1, 4, 3, 6, 7, 5, 9, 10, 8}},
      {"3 dimensions + one pod one label",
       {L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}), L({{"labelB", "BBB"}}),
        L({{"labelB", "BBB"}}), L({{"labelC", "CCC"}}), L({{"labelC", "CCC"}}),
        L({{"labelC", "CCC"}}), L({{"labelC", "CCC"}}), L({{"labelC", "CCC"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}, {"labelC", "CCC"}},
       {3, 1, 5, 0, 6, 7, 8, 9, 2, 4}},
      {"3 dimensions + one pod more label",
       {L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}, {"labelC", "CCC"}}),
        L({{"labelB", "BBB"}, {"labelC", "CCC"}}), L({{"labelB", "BBB"}}), L({}), L({}),
        L({{"labelC", "CCC"}}), L({{"labelC", "CCC"}}), L({{"labelC", "CCC"}})},
       {{"labelA", "AAA"}, {"labelB", "BBB"}, {"labelC", "CCC"}},
       {3, 2, 0, 7, 8, 5, 6, 9, 1, 4}},
      {"continuous sort 1",
       {L({}), L({}), L({}), L({}), L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}),
        L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}},
       {0, 1, 4, 2, 3, 5}},
      {"continuous sort 2",
       {L({{"labelA", "AAA"}}), L({{"labelA", "AAA"}}), L({}), L({}), L({}), L({}), L({}), L({}),
        L({}), L({{"labelA", "AAA"}})},
       {{"labelA", "AAA"}},
       {2, 0, 3, 4, 5, 6, 1}},
  };
  REQUIRE(cases.size() == 20);
  for (const Case& c : cases) {
    INFO(c.desc);
    const auto pods = labelled_pods(c.podLabels);
    const auto got = scatter_sort(c.strategy, pods, iota_indexes(c.expected.size()));
    INFO(fmt::format("got {}", got));
    CHECK(got == c.expected);
  }
}

TEST_CASE("cloneset update order: scatter spreads 3 of 10 pods to 1st, 6th and 10th",
          "[cloneset][update-order]") {
  // The CloneSet user manual's example (domain-reference §2.5.1). Worked through
  // scatterPodsByRule: matched [0 1 2], unmatched [3..9]; pod 2 is kept for the end; densities
  // 7/2 (all pods, one matched held back) >= 7/2 (waiting), so groups come from the waiting
  // pods: 2 groups of round(2/2) = 1 matched and round(7/2) = 4 unmatched:
  // [0] [3 4 5 6] [1] [7 8 9], then 2.
  std::vector<Labels> labels(10);
  for (int i : {0, 1, 2}) labels[static_cast<std::size_t>(i)] = L({{"zone", "a"}});
  const auto pods = labelled_pods(labels);
  const std::vector<CloneSetScatterTerm> strategy = {{"zone", "a"}};
  CHECK(scatter_sort(strategy, pods, iota_indexes(10)) ==
        std::vector<std::size_t>{0, 3, 4, 5, 6, 1, 7, 8, 9, 2});
}

TEST_CASE("cloneset update order: equal priority goes by descending pod index",
          "[cloneset][update-order]") {
  // prioritySort passes indexes[i] > indexes[j] as the tie value, so among equal-weight pods
  // the later pod comes first whatever order they arrived in. Weights: pod 0 and 3 match
  // (10), 1 and 2 do not (0). Input order [1 0 2 3] -> [3 0] then [2 1].
  std::vector<Labels> labels = {L({{"tier", "canary"}}), {}, {}, L({{"tier", "canary"}})};
  const auto pods = labelled_pods(labels);
  const CloneSetPriorityStrategy strategy{.weightPriority = {{10, {{"tier", "canary"}}}},
                                          .orderPriority = {}};
  std::vector<std::size_t> indexes = {1, 0, 2, 3};
  sort_by_priority(strategy, pods, indexes);
  CHECK(indexes == std::vector<std::size_t>{3, 0, 2, 1});
  // orderPriority: a pod with none of the keys (level -1) sorts before keyed pods; among keyed
  // pods, the higher integer suffix first.
  std::vector<Labels> ordered = {L({{"batch", "b-1"}}), {}, L({{"batch", "b-7"}})};
  const auto opods = labelled_pods(ordered);
  const CloneSetPriorityStrategy order{.weightPriority = {}, .orderPriority = {"batch"}};
  std::vector<std::size_t> oi = {0, 1, 2};
  sort_by_priority(order, opods, oi);
  CHECK(oi == std::vector<std::size_t>{1, 2, 0});
  CHECK(int_from_string_suffix("o-10") == 10);
  CHECK(int_from_string_suffix("v2x") == 0);
  CHECK(int_from_string_suffix("99999999999999999999") == 0);  // overflows int64
}

// --- pkg/controller/cloneset/sync/cloneset_update_test.go ----------------------------------

namespace {

// A pod with only a status phase and Ready, as the upstream update tests write them.
PodState status_pod(PodOrderPhase phase, bool ready) {
  PodState p;
  p.order.phase = phase;
  p.order.ready = ready;
  p.available = ready;  // minReadySeconds 0
  return p;
}

}  // namespace

TEST_CASE("cloneset update order: default ActivePods order (Kruise TestSortUpdateIndexes)",
          "[cloneset][update-order]") {
  // TestSortUpdateIndexes, openkruise/kruise v1.8.2
  // pkg/controller/cloneset/sync/cloneset_update_test.go: its one case.
  const std::vector<PodState> pods = {
      status_pod(PodOrderPhase::Pending, true),  status_pod(PodOrderPhase::Pending, false),
      status_pod(PodOrderPhase::Pending, false), status_pod(PodOrderPhase::Running, true),
      status_pod(PodOrderPhase::Running, false),
  };
  CHECK(sort_update_indexes(CloneSetSpec{}, pods, {0, 1, 3, 4}) ==
        std::vector<std::size_t>{1, 0, 4, 3});
}

TEST_CASE("cloneset update order: limitUpdateIndexes (Kruise TestCalculateUpdateCount)",
          "[cloneset][update-order]") {
  // TestCalculateUpdateCount, openkruise/kruise v1.8.2
  // pkg/controller/cloneset/sync/cloneset_update_test.go: every case, with
  // CloneSetPartitionRollback on as upstream. Pods: 'R' = readyPod() (Running, Ready),
  // '.' = an empty pod. Pods listed in `old` are at the current revision, the rest updated.
  // Unset fields take the API defaults: partition 0, maxUnavailable 20%, maxSurge 0.
  struct Case {
    int replicas;
    std::optional<IntOrPercent> partition, maxUnavailable, maxSurge;
    std::vector<std::size_t> old;
    std::string pods;
    std::size_t expected;
  };
  const auto I = IntOrPercent::integer;
  const auto P = IntOrPercent::percent;
  const std::vector<Case> cases = {
      {3, {}, {}, {}, {0, 1, 2}, "RRR", 1},
      {3, {}, {}, {}, {0, 1, 2}, "R.R", 0},
      {3, {}, {}, {}, {0, 1, 2}, ".RR", 1},
      {10, {}, {}, {}, {0, 1, 2, 3, 4, 5, 6, 7, 8}, ".RRRRRRR.R", 1},
      {3, I(2), I(3), {}, {0, 1}, ".RR", 0},
      {8, I(2), P(50), {}, {0, 1, 2, 3, 4, 5, 6}, ".R.RRRR.", 3},
      // old revision all unavailable, partition 0, maxUnavailable 2: update only 2
      {5, I(0), I(2), {}, {0, 1, 2, 3, 4}, ".....", 2},
      // ... and 2 already updating: update none
      {5, I(0), I(2), {}, {0, 1, 2}, ".....", 0},
      // ... 1 updated and 1 updating: update 1
      {5, I(0), I(2), {}, {0, 1, 2}, "...R.", 1},
      // maxSurge 1, 1 creating: update 2
      {5, I(0), I(2), I(1), {0, 1, 2, 3, 4}, "......", 2},
      // maxSurge 1, 1 updated and 1 updating: update 2
      {5, I(0), I(2), I(1), {0, 1, 2, 3}, "....R.", 2},
      // maxSurge 1, 1 updated and 2 updating: update 1
      {5, I(0), I(2), I(1), {0, 1, 2}, "....R.", 1},
      // maxSurge 1, 3 updating: update none
      {5, I(0), I(2), I(1), {0, 1, 2}, "......", 0},
      // rollback with maxUnavailable while the new-revision pods are unavailable
      {8, I(7), I(2), {}, {0, 1, 2}, "RRR.....", 2},
      // maxUnavailable 0 and maxSurge 2, one surge pod in use
      {4, {}, I(0), I(2), {0, 1}, "RRRRR", 1},
      // maxUnavailable 0 and maxSurge 2, two surge pods in use
      {4, {}, I(0), I(2), {0, 1, 2, 3}, "RRRRRR", 2},
  };
  const RevisionId current = 1, updated = 2;
  for (std::size_t n = 0; n < cases.size(); ++n) {
    const Case& c = cases[n];
    INFO("case #" << n);
    CloneSetSpec spec;
    spec.replicas = c.replicas;
    if (c.partition) spec.partition = *c.partition;
    if (c.maxUnavailable) spec.maxUnavailable = *c.maxUnavailable;
    if (c.maxSurge) spec.maxSurge = *c.maxSurge;
    std::vector<PodState> pods;
    std::vector<std::size_t> new_indexes;
    for (std::size_t i = 0; i < c.pods.size(); ++i) {
      const bool ready = c.pods[i] == 'R';
      PodState p = status_pod(ready ? PodOrderPhase::Running : PodOrderPhase::Pending, ready);
      const bool old = std::find(c.old.begin(), c.old.end(), i) != c.old.end();
      p.revision = old ? current : updated;
      if (!old) new_indexes.push_back(i);
      pods.push_back(p);
    }
    DiffOptions options;
    options.gates.CloneSetPartitionRollback = true;
    const Diffs diffs = calculate_diffs(spec, pods, current, updated, options);
    std::vector<std::size_t> wait;
    RevisionId target = 0;
    if (diffs.updateNum > 0) {
      wait = c.old;
      target = updated;
    } else if (diffs.updateNum < 0) {
      wait = new_indexes;
      target = current;
    }
    CHECK(limit_update_indexes(diffs, pods, wait, target).size() == c.expected);
  }
}

TEST_CASE("cloneset update order: plan_update end to end", "[cloneset][update-order]") {
  // replicas 5, partition 0, maxUnavailable 2, all 5 pods old and available except as noted.
  // updateNum = 5 - 0 = 5, updateMaxUnavailable = 2 + 5 - 5 = 2.
  CloneSetSpec spec;
  spec.replicas = 5;
  spec.maxUnavailable = IntOrPercent::integer(2);
  const RevisionId current = 1, updated = 2;
  std::vector<PodState> pods(5);
  for (std::size_t i = 0; i < pods.size(); ++i) {
    pods[i] = status_pod(PodOrderPhase::Running, true);
    pods[i].revision = current;
    pods[i].order.node = 1;
    pods[i].order.ready_since = podsim::sim::Time::from_ns(100);
    pods[i].order.created = podsim::sim::Time::from_ns(static_cast<std::int64_t>(i));
  }

  SECTION("newest first (ActivePods), two at a time") {
    // All equal but creation time: newer pods first -> 4, 3, 2, 1, 0; maxUnavailable keeps 2.
    const UpdatePlan plan = plan_update(spec, pods, current, updated);
    CHECK(plan.diffs == Diffs{.updateNum = 5, .updateMaxUnavailable = 2});
    CHECK(plan.target_revision == updated);
    CHECK(plan.pods == std::vector<std::size_t>{4, 3});
  }
  SECTION("PreparingUpdate first; PreparingDelete and grace-period pods skipped") {
    pods[0].lifecycle = LifecycleState::PreparingUpdate;  // unavailable (lifecycle)
    pods[4].lifecycle = LifecycleState::PreparingDelete;  // unavailable, not a candidate
    pods[3].in_place_grace = true;                        // not a candidate
    // Unavailable: pods 0 and 4 -> 2 already. Candidates sorted: 0 (PreparingUpdate), then
    // ActivePods: 0 is unavailable but Ready, so by creation time 2, 1. Walk: pod 0 is
    // unavailable, costs nothing (target-revision unavailable 0 + 0 < 2); pod 2 is available
    // and 2 >= 2 unavailable already: stop.
    const UpdatePlan plan = plan_update(spec, pods, current, updated);
    CHECK(plan.pods == std::vector<std::size_t>{0});
  }
  SECTION("paused: nothing") {
    spec.paused = true;
    CHECK(plan_update(spec, pods, current, updated).pods.empty());
  }
  SECTION("done: nothing") {
    for (auto& p : pods) p.revision = updated;
    const UpdatePlan plan = plan_update(spec, pods, updated, updated);
    CHECK(plan.diffs.empty());
    CHECK(plan.pods.empty());
  }
}
