#include "podsim/model/controller_pod_order.hpp"

#include <cmath>
#include <map>

namespace podsim::model {

namespace {

// afterOrZero: t1 after t2, with an unset time counting as after every set one.
bool after_or_zero(const std::optional<sim::Time>& t1, const std::optional<sim::Time>& t2) {
  if (!t1 || !t2) return !t1;
  return *t1 > *t2;
}

// Criteria 1-3, shared by both comparators. nullopt: no difference found.
std::optional<bool> assignment_phase_readiness(const PodOrderKey& a, const PodOrderKey& b) {
  // Go compares node names; only "exactly one unassigned" decides here.
  if (a.node.has_value() != b.node.has_value()) return !a.node.has_value();
  if (a.phase != b.phase) return a.phase < b.phase;
  if (a.ready != b.ready) return !a.ready;
  return std::nullopt;
}

// A time comparison of ActivePodsWithRanks: plain afterOrZero, or log2 buckets of age with the
// UID deciding inside a bucket.
bool newer_first(const std::optional<sim::Time>& t1, const std::optional<sim::Time>& t2,
                 const PodOrderKey& a, const PodOrderKey& b, const RankedPodOrderOptions& options) {
  if (!options.LogarithmicScaleDown || !options.now || !t1 || !t2) return after_or_zero(t1, t2);
  const std::int64_t diff = logarithmic_rank_diff(*t1, *t2, *options.now);
  if (diff == 0) return a.uid < b.uid;
  return diff < 0;
}

}  // namespace

bool active_pods_less(const PodOrderKey& a, const PodOrderKey& b) {
  if (auto r = assignment_phase_readiness(a, b)) return *r;
  if (a.ready && b.ready && a.ready_since != b.ready_since) {
    return after_or_zero(a.ready_since, b.ready_since);
  }
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  if (a.created != b.created) return after_or_zero(a.created, b.created);
  return false;
}

bool active_pods_with_ranks_less(const PodOrderKey& a, int rank_a, const PodOrderKey& b, int rank_b,
                                 const RankedPodOrderOptions& options) {
  if (auto r = assignment_phase_readiness(a, b)) return *r;
  if (options.PodDeletionCost && a.deletion_cost != b.deletion_cost) {
    return a.deletion_cost < b.deletion_cost;
  }
  // Doubled-up pods go first: deleting them spreads the rest.
  if (rank_a != rank_b) return rank_a > rank_b;
  if (a.ready && b.ready && a.ready_since != b.ready_since) {
    return newer_first(a.ready_since, b.ready_since, a, b, options);
  }
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  if (a.created != b.created) return newer_first(a.created, b.created, a, b, options);
  return false;
}

std::vector<int> same_node_ranks(std::span<const PodOrderKey> pods,
                                 std::span<const PodOrderKey> related) {
  std::map<std::optional<NodeId>, int> on_node;
  for (const PodOrderKey& p : related) ++on_node[p.node];
  std::vector<int> ranks;
  ranks.reserve(pods.size());
  for (const PodOrderKey& p : pods) {
    auto it = on_node.find(p.node);
    ranks.push_back(it == on_node.end() ? 0 : it->second);
  }
  return ranks;
}

std::int64_t logarithmic_rank_diff(sim::Time t1, sim::Time t2, sim::Time now) {
  auto bucket = [&](sim::Time t) -> std::int64_t {
    const std::int64_t age = (now - t).ns();
    if (age <= 0) return -1;
    return static_cast<std::int64_t>(std::log2(static_cast<double>(age)));
  };
  return bucket(t1) - bucket(t2);
}

}  // namespace podsim::model
