#include "podsim/model/cloneset_scale_order.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace podsim::model::cloneset {

namespace {

bool after_or_zero(const std::optional<sim::Time>& t1, const std::optional<sim::Time>& t2) {
  if (!t1 || !t2) return !t1;
  return *t1 > *t2;
}

bool counts_as_updated(const PodState& p, RevisionId update_revision, const DiffOptions& o) {
  // revision.IsPodUpdate, as GroupUpdateAndNotUpdatePods and Scale()'s diffs use it.
  if (o.gates.PreparingUpdateAsUpdate && p.lifecycle == LifecycleState::PreparingUpdate) {
    return true;
  }
  return p.revision == update_revision;
}

// Deletes the `candidates` that are not ready, and ready ones while `ready_limit` lasts.
std::vector<std::size_t> within_ready_limit(std::span<const PodState> pods,
                                            std::span<const std::size_t> candidates,
                                            int& ready_limit) {
  std::vector<std::size_t> out;
  for (std::size_t i : candidates) {
    if (!is_ready(pods[i])) {
      out.push_back(i);
    } else if (ready_limit > 0) {
      out.push_back(i);
      --ready_limit;
    }
  }
  return out;
}

}  // namespace

bool scale_down_less(const PodState& a, double rank_a, const PodState& b, double rank_b,
                     bool compare_available) {
  const PodOrderKey& ka = a.order;
  const PodOrderKey& kb = b.order;
  if (ka.node.has_value() != kb.node.has_value()) return !ka.node.has_value();
  if (ka.phase != kb.phase) return ka.phase < kb.phase;
  if (compare_available && is_available(a) != is_available(b)) return !is_available(a);
  if (ka.ready != kb.ready) return !ka.ready;
  if (ka.deletion_cost != kb.deletion_cost) return ka.deletion_cost < kb.deletion_cost;
  if (rank_a != rank_b) return rank_a > rank_b;
  if (ka.ready && kb.ready && ka.ready_since != kb.ready_since) {
    return after_or_zero(ka.ready_since, kb.ready_since);
  }
  if (ka.max_restarts != kb.max_restarts) return ka.max_restarts > kb.max_restarts;
  if (ka.created != kb.created) return after_or_zero(ka.created, kb.created);
  return false;
}

std::vector<double> same_node_ranker(std::span<const PodState> pods,
                                     std::span<const std::size_t> group) {
  // Positions in `group` of each node's pods, in group order.
  std::map<NodeId, std::vector<std::size_t>> on_node;
  for (std::size_t g = 0; g < group.size(); ++g) {
    if (const auto& node = pods[group[g]].order.node) on_node[*node].push_back(g);
  }
  std::vector<double> ranks(group.size(), 0.0);
  for (auto& [node, members] : on_node) {
    if (members.size() <= 1) continue;
    std::stable_sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) {
      return scale_down_less(pods[group[x]], 0, pods[group[y]], 0, /*compare_available=*/false);
    });
    // The last pod, the best to keep, stays at rank 0.
    const std::size_t ranked = members.size() - 1;
    for (std::size_t i = 0; i < ranked; ++i) ranks[members[i]] = static_cast<double>(ranked - i);
  }
  return ranks;
}

void sort_for_scale_down(std::span<const PodState> pods, std::vector<std::size_t>& group) {
  const std::vector<double> ranks = same_node_ranker(pods, group);
  std::vector<std::size_t> order(group.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return scale_down_less(pods[group[x]], ranks[x], pods[group[y]], ranks[y],
                           /*compare_available=*/true);
  });
  std::vector<std::size_t> sorted;
  sorted.reserve(group.size());
  for (std::size_t i : order) sorted.push_back(group[i]);
  group = std::move(sorted);
}

std::vector<std::size_t> choose_pods_to_delete(std::span<const PodState> pods, int total,
                                               int current_rev_diff,
                                               std::span<const std::size_t> not_updated,
                                               std::span<const std::size_t> updated) {
  auto choose = [&](std::span<const std::size_t> group, int diff) {
    std::vector<std::size_t> g(group.begin(), group.end());
    const std::size_t n = static_cast<std::size_t>(std::max(diff, 0));
    if (n < g.size()) {
      sort_for_scale_down(pods, g);
      g.resize(n);
    }
    return g;  // all of them when diff >= size (Kruise logs diff > size as unexpected)
  };
  if (current_rev_diff >= total) return choose(not_updated, total);
  if (current_rev_diff > 0) {
    std::vector<std::size_t> out = choose(not_updated, current_rev_diff);
    const std::vector<std::size_t> more = choose(updated, total - current_rev_diff);
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  return choose(updated, total);
}

ScalePlan plan_scale(const CloneSetSpec& spec, std::span<const PodState> pods,
                     RevisionId current_revision, RevisionId update_revision,
                     const DiffOptions& options) {
  ScalePlan plan;
  std::vector<std::size_t> specified, pre_delete;
  int num_to_delete = 0;  // pods specified-delete or PreparingDelete (or both)
  for (std::size_t i = 0; i < pods.size(); ++i) {
    const bool spec_del = pods[i].specified_delete;
    const bool pre = pods[i].lifecycle == LifecycleState::PreparingDelete;
    if (spec_del) specified.push_back(i);
    if (pre) pre_delete.push_back(i);
    if (spec_del || pre) ++num_to_delete;
  }

  // 1. managePreparingDelete: replicas went back up, so pods on their way out (and not
  // specified for deletion) stay.
  int keep = spec.replicas - static_cast<int>(pods.size()) + num_to_delete;
  for (std::size_t i : pre_delete) {
    if (keep <= 0) break;
    if (pods[i].specified_delete) continue;
    plan.cancel_delete.push_back(i);
    --keep;
  }
  if (!plan.cancel_delete.empty()) return plan;

  // 2. The numbers, with Scale()'s rule for updated pods.
  DiffOptions scale_options = options;
  scale_options.for_scale = true;
  plan.diffs = calculate_diffs(spec, pods, current_revision, update_revision, scale_options);
  Diffs& d = plan.diffs;

  // 3. Scale out; this ends the reconcile even when the limit allows no creation.
  if (d.scaleUpNum > 0) {
    const int creations = d.scaleUpLimit;
    plan.create_current = std::min(creations, d.scaleUpNumOldRevision);
    plan.create_update = creations - plan.create_current;
    return plan;
  }

  // 4. Pods already in PreparingDelete: without hooks, delete them.
  if (!pre_delete.empty()) {
    plan.delete_pods = pre_delete;
    return plan;
  }

  // 5. Specified deletes (PreparingDelete ones were handled above).
  int ready_limit = d.deleteReadyLimit;
  if (!specified.empty()) {
    plan.delete_pods = within_ready_limit(pods, specified, ready_limit);
    if (!plan.delete_pods.empty()) return plan;
  }

  // 6. Scale in, unless deletions are still pending.
  if (d.scaleDownNum > 0 && num_to_delete == 0) {
    std::vector<std::size_t> updated, not_updated;
    for (std::size_t i = 0; i < pods.size(); ++i) {
      (counts_as_updated(pods[i], update_revision, options) ? updated : not_updated).push_back(i);
    }
    const std::vector<std::size_t> chosen = choose_pods_to_delete(
        pods, d.scaleDownNum, d.scaleDownNumOldRevision, not_updated, updated);
    plan.delete_pods = within_ready_limit(pods, chosen, ready_limit);
  }
  return plan;
}

}  // namespace podsim::model::cloneset
