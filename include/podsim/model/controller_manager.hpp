#pragma once
// The controller processes of a cluster: kube-controller-manager (Deployments and their
// ReplicaSets) and kruise-manager (CloneSets), each with its own rate-limited API client shared
// by all its workloads. Pod events reach the owning workload's controller.
//
//   ControllerManager controllers(cluster);
//   WorkloadController& web = controllers.add(DeploymentSpec{...});
//   web.start();
//   sim.run();

#include <memory>
#include <string_view>
#include <vector>

#include "podsim/model/client_rate_limiter.hpp"
#include "podsim/model/cloneset_spec.hpp"
#include "podsim/model/cluster.hpp"
#include "podsim/model/controller_config.hpp"
#include "podsim/model/deployment_spec.hpp"
#include "podsim/model/workload_controller.hpp"

namespace podsim::model {

struct ControllerManagerConfig {
  ControllerConfig kube_controller_manager = ControllerConfig::kube_controller_manager();
  ControllerConfig kruise_manager = ControllerConfig::kruise_manager();
};

class ControllerManager {
 public:
  explicit ControllerManager(Cluster& cluster, ControllerManagerConfig config = {});
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;
  ~ControllerManager();

  /// Adds a workload (not started). Names must be unique; throws std::invalid_argument.
  WorkloadController& add(const DeploymentSpec& spec);
  WorkloadController& add(const CloneSetSpec& spec);

  /// By name; nullptr if none.
  WorkloadController* find(std::string_view name);
  const std::vector<std::unique_ptr<WorkloadController>>& workloads() const { return workloads_; }

 private:
  void check_name(const std::string& name) const;

  Cluster& cluster_;
  ControllerManagerConfig config_;
  ClientRateLimiter kube_client_;
  ClientRateLimiter kruise_client_;
  std::vector<std::unique_ptr<WorkloadController>> workloads_;  // id = index + 1
};

}  // namespace podsim::model
