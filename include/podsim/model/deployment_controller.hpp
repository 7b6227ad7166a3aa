#pragma once
// The Deployment and ReplicaSet controllers of one Deployment, driving simulated pods with the
// real controllers' arithmetic (deployment_rollout_math.hpp, deployment_rolling.hpp). Each sync
// first lets the ReplicaSet controller converge pods on the ReplicaSets' sizes (creating in
// slow-start batches, deleting in ActivePodsWithRanks order), then runs one syncDeployment step;
// a ReplicaSet resize is acted on by the next sync, after sync_delay, as a watch would deliver it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "podsim/model/deployment_rolling.hpp"
#include "podsim/model/deployment_rollout_math.hpp"
#include "podsim/model/deployment_spec.hpp"
#include "podsim/model/workload_controller.hpp"

namespace podsim::model {

class DeploymentController final : public WorkloadController {
 public:
  DeploymentController(Cluster& cluster, ClientRateLimiter& client, const ControllerConfig& config,
                       std::uint32_t id, DeploymentSpec spec);

  std::string_view kind() const override { return "Deployment"; }
  std::string strategy() const override;
  TemplateDiff set_template(const PodTemplate& tmpl) override;
  void scale(std::int32_t replicas) override;
  void set_paused(bool paused) override;
  WorkloadStatus status() const override;
  bool rollout_complete() const override;
  std::optional<std::int32_t> progress_deadline_seconds() const override {
    return spec_.progressDeadlineSeconds;
  }
  const DeploymentSpec& spec() const { return spec_; }

 protected:
  void sync() override;
  std::int32_t min_ready_seconds() const override { return spec_.minReadySeconds; }

 private:
  /// The ReplicaSets with their status recomputed from the pods.
  std::vector<deployment::ReplicaSetState> observed() const;
  std::uint32_t revision_of_set(const deployment::ReplicaSetState& rs) const;
  std::string set_name(std::uint32_t revision) const;
  void sync_replica_sets(const std::vector<deployment::ReplicaSetState>& sets);
  void sync_deployment(std::vector<deployment::ReplicaSetState> sets);
  void apply(std::span<const deployment::ReplicaSetScale> scales);

  DeploymentSpec spec_;
  std::uint32_t update_revision_ = 0;              // the revision of spec_.template_
  std::vector<deployment::ReplicaSetState> sets_;  // spec and annotations; status is observed
};

}  // namespace podsim::model
