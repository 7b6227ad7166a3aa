#include "podsim/model/controller_manager.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "podsim/model/cloneset_controller.hpp"
#include "podsim/model/deployment_controller.hpp"

namespace podsim::model {

ControllerManager::ControllerManager(Cluster& cluster, ControllerManagerConfig config)
    : cluster_(cluster),
      config_(config),
      kube_client_(config.kube_controller_manager.api_qps,
                   config.kube_controller_manager.api_burst),
      kruise_client_(config.kruise_manager.api_qps, config.kruise_manager.api_burst) {
  cluster_.add_listener([this](PodId pod, PodEvent event) {
    const std::uint32_t owner = cluster_.pod(pod).owner.workload;
    if (owner == 0 || owner > workloads_.size()) return;  // not created by a controller here
    workloads_[owner - 1]->pod_event(pod, event);
  });
}

ControllerManager::~ControllerManager() = default;

void ControllerManager::check_name(const std::string& name) const {
  if (name.empty()) throw std::invalid_argument("a workload needs a name");
  for (const auto& w : workloads_) {
    if (w->name() == name) throw std::invalid_argument(fmt::format("two workloads named {}", name));
  }
}

WorkloadController& ControllerManager::add(const DeploymentSpec& spec) {
  check_name(spec.name);
  const auto id = static_cast<std::uint32_t>(workloads_.size() + 1);
  workloads_.push_back(std::make_unique<DeploymentController>(
      cluster_, kube_client_, config_.kube_controller_manager, id, spec));
  return *workloads_.back();
}

WorkloadController& ControllerManager::add(const CloneSetSpec& spec) {
  check_name(spec.name);
  const auto id = static_cast<std::uint32_t>(workloads_.size() + 1);
  workloads_.push_back(std::make_unique<CloneSetController>(cluster_, kruise_client_,
                                                            config_.kruise_manager, id, spec));
  return *workloads_.back();
}

WorkloadController* ControllerManager::find(std::string_view name) {
  for (auto& w : workloads_) {
    if (w->name() == name) return w.get();
  }
  return nullptr;
}

}  // namespace podsim::model
