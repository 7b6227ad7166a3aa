#pragma once
// An apps/v1 Deployment as podsim reads it: the fields that change how a rollout runs, with the
// API defaults (domain-reference §1.1 [K-ADEF][K-ATYPES]).

#include <cstdint>
#include <string>

#include "podsim/model/int_or_percent.hpp"
#include "podsim/model/pod_template.hpp"

namespace podsim::model {

enum class DeploymentStrategyType : std::uint8_t { RollingUpdate, Recreate };

struct DeploymentSpec {
  std::string name;
  std::int32_t replicas = 1;
  DeploymentStrategyType strategy = DeploymentStrategyType::RollingUpdate;
  /// strategy.rollingUpdate.maxSurge: rounds up against replicas.
  IntOrPercent maxSurge = IntOrPercent::percent(25);
  /// strategy.rollingUpdate.maxUnavailable: rounds down against replicas.
  IntOrPercent maxUnavailable = IntOrPercent::percent(25);
  std::int32_t minReadySeconds = 0;
  std::int32_t progressDeadlineSeconds = 600;
  bool paused = false;
  PodTemplate template_;
};

}  // namespace podsim::model
