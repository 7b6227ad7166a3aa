#include "podsim/model/deployment_controller.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "podsim/model/controller_pod_order.hpp"
#include "podsim/model/deployment_rolling.hpp"

namespace podsim::model {

using deployment::ReplicaSetScale;
using deployment::ReplicaSetState;

DeploymentController::DeploymentController(Cluster& cluster, ClientRateLimiter& client,
                                           const ControllerConfig& config, std::uint32_t id,
                                           DeploymentSpec spec)
    : WorkloadController(cluster, client, config, id, spec.name), spec_(std::move(spec)) {
  // Validates the fenceposts now rather than in the middle of a run.
  (void)deployment::max_surge(spec_);
  (void)deployment::max_unavailable(spec_);
  update_revision_ = add_revision(spec_.template_);
}

std::string DeploymentController::strategy() const {
  return spec_.strategy == DeploymentStrategyType::Recreate ? "Recreate" : "RollingUpdate";
}

TemplateDiff DeploymentController::set_template(const PodTemplate& tmpl) {
  TemplateDiff diff = diff_templates(spec_.template_, tmpl);
  spec_.template_ = tmpl;
  update_revision_ = revision_for(tmpl);
  spec_changed();
  return diff;
}

void DeploymentController::scale(std::int32_t replicas) {
  check_replicas(replicas);
  spec_.replicas = replicas;
  spec_changed();
}

void DeploymentController::set_paused(bool paused) {
  spec_.paused = paused;
  request_sync();
}

std::string DeploymentController::set_name(std::uint32_t revision) const {
  return fmt::format("{}-{}", name(), revision);
}

std::uint32_t DeploymentController::revision_of_set(const ReplicaSetState& rs) const {
  return static_cast<std::uint32_t>(rs.revision);
}

std::vector<ReplicaSetState> DeploymentController::observed() const {
  std::vector<ReplicaSetState> sets = sets_;
  for (ReplicaSetState& rs : sets) {
    rs.status = {};
    rs.status.terminatingReplicas = 0;
    rs.status.observedGeneration = 1;
  }
  for (const PodId id : pods()) {
    const std::uint32_t rev = revision_of(id);
    const auto it = std::find_if(sets.begin(), sets.end(), [&](const ReplicaSetState& rs) {
      return revision_of_set(rs) == rev;
    });
    if (it == sets.end()) continue;
    const Pod& p = cluster().pod(id);
    if (p.phase == PodPhase::terminated) continue;
    if (p.deletion_requested) {
      ++*it->status.terminatingReplicas;
      continue;
    }
    ++it->status.replicas;
    if (p.ready) ++it->status.readyReplicas;
    if (p.available) ++it->status.availableReplicas;
  }
  return sets;
}

WorkloadStatus DeploymentController::status() const {
  const std::vector<ReplicaSetState> sets = observed();
  WorkloadStatus s;
  s.replicas = spec_.replicas;
  s.expected_updated = spec_.replicas;
  for (const ReplicaSetState& rs : sets) {
    s.pods += rs.status.replicas;
    s.terminating += rs.status.terminatingReplicas.value_or(0);
    s.ready += rs.status.readyReplicas;
    s.available += rs.status.availableReplicas;
    if (revision_of_set(rs) == update_revision_) {
      s.updated = rs.status.replicas;
      s.updated_ready = rs.status.readyReplicas;
      s.updated_available = rs.status.availableReplicas;
    }
  }
  return s;
}

bool DeploymentController::rollout_complete() const {
  const std::vector<ReplicaSetState> sets = observed();
  const auto it = std::find_if(sets.begin(), sets.end(), [&](const ReplicaSetState& rs) {
    return revision_of_set(rs) == update_revision_;
  });
  if (it == sets.end()) return spec_.replicas == 0 && deployment::actual_replica_count(sets) == 0;
  return deployment::deployment_complete(spec_, deployment::calculate_status(sets, &*it));
}

void DeploymentController::sync() {
  std::vector<ReplicaSetState> sets = observed();
  sync_replica_sets(sets);
  sync_deployment(std::move(sets));
}

// The ReplicaSet controller: pods follow each ReplicaSet's spec.replicas.
void DeploymentController::sync_replica_sets(const std::vector<ReplicaSetState>& sets) {
  bool creating = false;
  for (const ReplicaSetState& rs : sets) {
    const std::uint32_t rev = revision_of_set(rs);
    const std::int32_t diff = rs.spec.replicas - rs.status.replicas;
    if (diff > 0 && !creating) {
      create_pods(diff, rev);  // one slow-start series at a time; others wait for the next sync
      creating = true;
    } else if (diff < 0) {
      // getPodsToDelete: ActivePodsWithRanks, ranked by related pods on the same node.
      std::vector<PodId> mine;
      std::vector<PodOrderKey> keys;
      std::vector<PodOrderKey> related;
      for (const PodId id : active_pods()) {
        const PodOrderKey key = order_key(id);
        related.push_back(key);
        if (revision_of(id) == rev) {
          mine.push_back(id);
          keys.push_back(key);
        }
      }
      const std::vector<int> ranks = same_node_ranks(keys, related);
      std::vector<std::size_t> order(mine.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      const RankedPodOrderOptions options{.now = simulation().now()};
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return active_pods_with_ranks_less(keys[a], ranks[a], keys[b], ranks[b], options);
      });
      const auto n = static_cast<std::size_t>(std::min(-diff, config().burst_replicas));
      for (std::size_t i = 0; i < n && i < order.size(); ++i) delete_pod(mine[order[i]]);
    }
  }
}

void DeploymentController::apply(std::span<const ReplicaSetScale> scales) {
  if (scales.empty()) return;
  std::vector<ReplicaSetState> before = sets_;
  deployment::apply_scales(sets_, scales, spec_);
  for (std::size_t i = 0; i < sets_.size(); ++i) {
    const ReplicaSetState& a = before[i];
    const ReplicaSetState& b = sets_[i];
    if (a.spec.replicas != b.spec.replicas ||
        a.annotations.desiredReplicas != b.annotations.desiredReplicas ||
        a.annotations.maxReplicas != b.annotations.maxReplicas) {
      request_sync();  // the ReplicaSet controller (and the next step) see the write
      return;
    }
  }
}

// One syncDeployment step (sync.go, recreate.go, rolling.go).
void DeploymentController::sync_deployment(std::vector<ReplicaSetState> sets) {
  const std::string new_name = set_name(update_revision_);
  auto find_new = [&]() -> ReplicaSetState* {
    const auto it = std::find_if(sets.begin(), sets.end(),
                                 [&](const ReplicaSetState& rs) { return rs.name == new_name; });
    return it == sets.end() ? nullptr : &*it;
  };
  std::vector<ReplicaSetState> old;
  for (const ReplicaSetState& rs : sets) {
    if (rs.name != new_name) old.push_back(rs);
  }
  std::sort(old.begin(), old.end(), deployment::created_before);
  const ReplicaSetState* new_rs = find_new();
  const std::int32_t status_replicas = deployment::actual_replica_count(sets);

  if (spec_.paused || deployment::is_scaling_event(spec_, sets)) {
    apply(deployment::scale(spec_, status_replicas, new_rs, old));
    return;
  }
  auto create_new = [&] {
    ReplicaSetState rs =
        deployment::create_new_replica_set(spec_, new_name, simulation().now(), old);
    rs.revision = update_revision_;  // podsim's revision: the ReplicaSet's template
    sets_.push_back(rs);
    request_sync();
  };
  if (spec_.strategy == DeploymentStrategyType::Recreate) {
    std::vector<ReplicaSetScale> down;
    for (const ReplicaSetState& rs : deployment::filter_active(old)) {
      down.push_back({rs.name, rs.spec.replicas, 0});
    }
    if (!down.empty()) {
      apply(down);
      return;
    }
    std::vector<deployment::PodStatusPhase> old_pods;
    for (const PodId id : pods()) {
      const Pod& p = cluster().pod(id);
      if (revision_of(id) == update_revision_ || p.phase == PodPhase::terminated) continue;
      old_pods.push_back(p.phase == PodPhase::running || p.phase == PodPhase::terminating
                             ? deployment::PodStatusPhase::Running
                             : deployment::PodStatusPhase::Pending);
    }
    if (deployment::old_pods_running(old, old_pods)) return;
    if (new_rs == nullptr) {
      create_new();
      return;
    }
    if (new_rs->spec.replicas != spec_.replicas) {
      const ReplicaSetScale up{new_rs->name, new_rs->spec.replicas, spec_.replicas};
      apply(std::span(&up, 1));
    }
    return;
  }
  if (new_rs == nullptr) {
    create_new();
    return;
  }
  const deployment::RollingSyncDecision step = deployment::rollout_rolling(spec_, old, *new_rs);
  apply(step.scales);
}

}  // namespace podsim::model
