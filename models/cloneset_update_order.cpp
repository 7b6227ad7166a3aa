#include "podsim/model/cloneset_update_order.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

namespace podsim::model::cloneset {

namespace {

const Labels& labels_of(const PodState& p) {
  static const Labels kNone;
  return p.labels ? *p.labels : kNone;
}

// labels[key] as Go reads a map: "" when absent.
std::string_view label_value(const Labels& labels, const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? std::string_view{} : std::string_view{it->second};
}

bool selector_matches(const std::map<std::string, std::string>& match_labels,
                      const Labels& labels) {
  // An empty selector matches every pod (ValidatedLabelSelectorAsSelector).
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

std::int64_t weight_priority(const CloneSetPriorityStrategy& s, const Labels& labels) {
  std::int64_t weight = 0;
  for (const CloneSetWeightTerm& t : s.weightPriority) {
    if (selector_matches(t.matchLabels, labels)) weight += t.weight;
  }
  return weight;
}

// (level, order): the index of the first orderPriority key the pod has and the integer suffix
// of its value; (-1, 0) if it has none.
std::pair<std::int64_t, std::int64_t> order_priority(const CloneSetPriorityStrategy& s,
                                                     const Labels& labels) {
  for (std::size_t i = 0; i < s.orderPriority.size(); ++i) {
    if (auto it = labels.find(s.orderPriority[i]); it != labels.end()) {
      return {static_cast<std::int64_t>(i), int_from_string_suffix(it->second)};
    }
  }
  return {-1, 0};
}

struct ScatterGroup {
  int groupNum = 0;
  int matchedGroupSize = 0;
  int unmatchedGroupSize = 0;
  int unmatchedRemainder = 0;
};

ScatterGroup new_scatter_group(int matched, int unmatched) {
  ScatterGroup g;
  g.groupNum = std::min(matched, unmatched);
  // Callers guarantee both counts >= 1 (scatter_by_term returns early otherwise).
  g.matchedGroupSize = static_cast<int>(std::round(static_cast<double>(matched) / g.groupNum));
  g.unmatchedGroupSize = static_cast<int>(std::round(static_cast<double>(unmatched) / g.groupNum));
  return g;
}

// calculateGroupByDensity: if the pods waiting are at most as dense in matching pods as the
// whole set, group them by their own counts; else by the whole set's group sizes, with the
// unmatched pods that do not fit a group going first.
ScatterGroup group_by_density(int totalMatched, int totalUnmatched, int updateMatched,
                              int updateUnmatched) {
  const ScatterGroup total = new_scatter_group(totalMatched, totalUnmatched);
  const ScatterGroup update = new_scatter_group(updateMatched, updateUnmatched);
  // float32, as in Go.
  if (static_cast<float>(totalUnmatched) / static_cast<float>(totalMatched) >=
      static_cast<float>(updateUnmatched) / static_cast<float>(updateMatched)) {
    return update;
  }
  ScatterGroup g;
  g.matchedGroupSize = total.matchedGroupSize;
  g.unmatchedGroupSize = total.unmatchedGroupSize;
  if (updateMatched / g.matchedGroupSize < updateUnmatched / g.unmatchedGroupSize) {
    g.groupNum = updateMatched / g.matchedGroupSize;
  } else {
    g.groupNum = updateUnmatched / g.unmatchedGroupSize;
  }
  g.unmatchedRemainder = updateUnmatched - g.groupNum * g.unmatchedGroupSize;
  return g;
}

// migrateItems: move the next `size` items of src (from `pos`) to dst, or all that remain.
void migrate(const std::vector<std::size_t>& src, std::size_t& pos, std::vector<std::size_t>& dst,
             int size) {
  const std::size_t take = std::min(src.size() - pos, static_cast<std::size_t>(std::max(size, 0)));
  dst.insert(dst.end(), src.begin() + static_cast<std::ptrdiff_t>(pos),
             src.begin() + static_cast<std::ptrdiff_t>(pos + take));
  pos += take;
}

}  // namespace

std::int64_t int_from_string_suffix(std::string_view v) {
  std::size_t start = v.size();
  while (start > 0 && v[start - 1] >= '0' && v[start - 1] <= '9') --start;
  if (start == v.size()) return 0;
  std::int64_t out = 0;
  for (std::size_t i = start; i < v.size(); ++i) {
    const int d = v[i] - '0';
    if (out > (std::numeric_limits<std::int64_t>::max() - d) / 10) return 0;  // ParseInt fails
    out = out * 10 + d;
  }
  return out;
}

std::weak_ordering compare_update_priority(const CloneSetPriorityStrategy& s, const Labels& a,
                                           const Labels& b) {
  if (!s.weightPriority.empty()) {
    const std::int64_t wa = weight_priority(s, a), wb = weight_priority(s, b);
    if (wa != wb) return wa > wb ? std::weak_ordering::less : std::weak_ordering::greater;
  } else if (!s.orderPriority.empty()) {
    const auto [level_a, order_a] = order_priority(s, a);
    const auto [level_b, order_b] = order_priority(s, b);
    if (level_a != level_b) {
      return level_a < level_b ? std::weak_ordering::less : std::weak_ordering::greater;
    }
    if (order_a != order_b) {
      return order_a > order_b ? std::weak_ordering::less : std::weak_ordering::greater;
    }
  }
  return std::weak_ordering::equivalent;
}

void sort_by_priority(const CloneSetPriorityStrategy& s, std::span<const PodState> pods,
                      std::vector<std::size_t>& indexes) {
  if (s.weightPriority.empty() && s.orderPriority.empty()) return;
  std::stable_sort(indexes.begin(), indexes.end(), [&](std::size_t i, std::size_t j) {
    const auto ord = compare_update_priority(s, labels_of(pods[i]), labels_of(pods[j]));
    if (ord != 0) return ord < 0;
    return i > j;  // Go's tie value: indexes[i] > indexes[j]
  });
}

std::vector<CloneSetScatterTerm> scatter_terms(std::span<const CloneSetScatterTerm> strategy,
                                               std::span<const PodState> pods,
                                               std::span<const std::size_t> indexes) {
  if (strategy.size() == 1) return {strategy.begin(), strategy.end()};
  std::vector<CloneSetScatterTerm> terms;
  std::map<std::pair<std::string, std::string>, int> count;
  for (const CloneSetScatterTerm& term : strategy) {
    for (std::size_t idx : indexes) {
      const Labels& labels = labels_of(pods[idx]);
      auto it = labels.find(term.key);
      if (it == labels.end() || it->second != term.value) continue;
      auto [c, inserted] = count.try_emplace({term.key, term.value}, 0);
      if (inserted) terms.push_back(term);
      ++c->second;
    }
  }
  std::stable_sort(terms.begin(), terms.end(), [&](const auto& a, const auto& b) {
    return count[{a.key, a.value}] > count[{b.key, b.value}];
  });
  return terms;
}

std::vector<std::size_t> scatter_by_term(const CloneSetScatterTerm& term,
                                         std::span<const PodState> pods,
                                         std::vector<std::size_t> indexes) {
  auto matches = [&](const PodState& p) {
    return label_value(labels_of(p), term.key) == term.value;
  };
  std::vector<std::size_t> matched, unmatched;
  for (std::size_t i : indexes) (matches(pods[i]) ? matched : unmatched).push_back(i);
  if (matched.size() <= 1 || unmatched.size() <= 1) return indexes;

  int totalMatched = 0, totalUnmatched = 0;
  for (const PodState& p : pods) (matches(p) ? totalMatched : totalUnmatched)++;

  // The last matching pod goes to the very end.
  const std::size_t last_matched = matched.back();
  matched.pop_back();
  --totalMatched;

  const ScatterGroup g =
      group_by_density(totalMatched, totalUnmatched, static_cast<int>(matched.size()),
                       static_cast<int>(unmatched.size()));
  std::vector<std::size_t> out;
  out.reserve(indexes.size());
  std::size_t m = 0, u = 0;
  if (g.unmatchedRemainder > 0) migrate(unmatched, u, out, g.unmatchedRemainder);
  for (int i = 0; i < g.groupNum; ++i) {
    migrate(matched, m, out, g.matchedGroupSize);
    migrate(unmatched, u, out, g.unmatchedGroupSize);
  }
  out.insert(out.end(), matched.begin() + static_cast<std::ptrdiff_t>(m), matched.end());
  out.insert(out.end(), unmatched.begin() + static_cast<std::ptrdiff_t>(u), unmatched.end());
  out.push_back(last_matched);
  return out;
}

std::vector<std::size_t> scatter_sort(std::span<const CloneSetScatterTerm> strategy,
                                      std::span<const PodState> pods,
                                      std::vector<std::size_t> indexes) {
  if (strategy.empty() || indexes.size() <= 1) return indexes;
  for (const CloneSetScatterTerm& term : scatter_terms(strategy, pods, indexes)) {
    indexes = scatter_by_term(term, pods, std::move(indexes));
  }
  return indexes;
}

std::vector<std::size_t> sort_update_indexes(const CloneSetSpec& spec,
                                             std::span<const PodState> pods,
                                             std::vector<std::size_t> indexes) {
  // Go uses the unstable sort.Slice; stable here so ties stay deterministic.
  std::stable_sort(indexes.begin(), indexes.end(), [&](std::size_t i, std::size_t j) {
    return active_pods_less(pods[i].order, pods[j].order);
  });
  if (spec.priorityStrategy) sort_by_priority(*spec.priorityStrategy, pods, indexes);
  if (!spec.scatterStrategy.empty()) {
    indexes = scatter_sort(spec.scatterStrategy, pods, std::move(indexes));
  }
  std::stable_partition(indexes.begin(), indexes.end(), [&](std::size_t i) {
    return pods[i].lifecycle == LifecycleState::PreparingUpdate;
  });
  return indexes;
}

std::vector<std::size_t> limit_update_indexes(const Diffs& diffs, std::span<const PodState> pods,
                                              std::vector<std::size_t> indexes,
                                              RevisionId target_revision) {
  const std::size_t update_diff = static_cast<std::size_t>(std::abs(diffs.updateNum));
  if (update_diff < indexes.size()) indexes.resize(update_diff);

  int unavailable = 0, target_unavailable = 0;
  for (const PodState& p : pods) {
    if (is_available(p)) continue;
    ++unavailable;
    if (p.revision == target_revision) ++target_unavailable;
  }
  std::size_t can_update = 0;
  for (std::size_t i : indexes) {
    // Unavailable pods at the target revision stay within maxUnavailable...
    if (target_unavailable + static_cast<int>(can_update) >= diffs.updateMaxUnavailable) break;
    // ...and so do unavailable pods of all revisions; updating an unavailable pod adds none.
    if (is_available(pods[i])) {
      if (unavailable >= diffs.updateMaxUnavailable) break;
      ++unavailable;
    }
    ++can_update;
  }
  if (can_update < indexes.size()) indexes.resize(can_update);
  return indexes;
}

std::vector<std::size_t> update_candidates(std::span<const PodState> pods, int update_num,
                                           RevisionId update_revision) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    const PodState& p = pods[i];
    const bool at_update = p.revision == update_revision;
    const bool wait_update = update_num > 0 ? !at_update : at_update;
    if (!wait_update) continue;
    switch (p.lifecycle) {
      case LifecycleState::PreparingDelete:
        continue;
      case LifecycleState::Updated:
        break;  // updated once already, but not to this revision
      default:
        if (p.in_place_grace) continue;
        break;
    }
    out.push_back(i);
  }
  return out;
}

UpdatePlan plan_update(const CloneSetSpec& spec, std::span<const PodState> pods,
                       RevisionId current_revision, RevisionId update_revision,
                       const DiffOptions& options) {
  DiffOptions update_options = options;
  update_options.for_scale = false;
  UpdatePlan plan;
  plan.diffs = calculate_diffs(spec, pods, current_revision, update_revision, update_options);
  plan.target_revision = plan.diffs.updateNum < 0 ? current_revision : update_revision;
  if (spec.paused || plan.diffs.updateNum == 0) return plan;
  plan.pods = sort_update_indexes(spec, pods,
                                  update_candidates(pods, plan.diffs.updateNum, update_revision));
  plan.pods = limit_update_indexes(plan.diffs, pods, std::move(plan.pods), plan.target_revision);
  return plan;
}

}  // namespace podsim::model::cloneset
