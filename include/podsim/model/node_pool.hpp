#pragma once
// A node pool as the cluster builds it: a machine shape, labels pods select it by, the stage
// profile of its runtime, a count and optional autoscaling. An elastic pool (serverless: ECI,
// Fargate, virtual-kubelet) gives every pod its own instance, which boots first.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/model/node.hpp"
#include "podsim/model/stage_profile.hpp"
#include "podsim/sim/distribution.hpp"

namespace podsim::model {

enum class NodePoolKind {
  regular,  // count nodes (plus autoscaled ones) shared by many pods
  elastic,  // one instance per pod, booted on demand (instance_boot stage)
};

/// cluster-autoscaler for one pool: pods that cannot be scheduled make it add nodes of the
/// pool's shape, up to max_nodes; a node joins after provisioning_delay. No scale-down.
struct AutoscalingSpec {
  std::uint32_t min_nodes = 0;
  std::uint32_t max_nodes = 0;
  /// Seconds from the decision to the node being Ready. No default figure in latency-figures;
  /// scenarios must give one.
  sim::DistributionPtr provisioning_delay;
};

struct NodePoolSpec {
  std::string name;
  NodePoolKind kind = NodePoolKind::regular;
  /// Regular: each node. Elastic: each instance (a pod must fit in one instance).
  NodeShape shape;
  std::map<std::string, std::string> labels;
  StageProfile profile = StageProfile::defaults();
  /// Regular: nodes at start (raised to autoscaling->min_nodes). Elastic: instances that may
  /// run at once.
  std::uint32_t count = 0;
  std::optional<AutoscalingSpec> autoscaling;  // regular pools only
  /// Elastic: images baked into the instance's image-cache snapshot, present at boot.
  std::vector<ImageId> image_cache_snapshot;
};

}  // namespace podsim::model
