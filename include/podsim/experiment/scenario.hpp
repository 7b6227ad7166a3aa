#pragma once
// A scenario as the experiment runs it: fully typed and validated (the loader builds it from
// YAML; tests build it in code). Each variant is a complete world description: the cluster, the
// images, the workloads and the releases, so comparing strategies is comparing worlds that differ
// in a few fields, run with the same replication seeds (common random numbers).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "podsim/experiment/result.hpp"
#include "podsim/model/cloneset_spec.hpp"
#include "podsim/model/cluster.hpp"
#include "podsim/model/controller_manager.hpp"
#include "podsim/model/deployment_spec.hpp"
#include "podsim/model/image.hpp"
#include "podsim/model/release.hpp"
#include "podsim/sim/distribution.hpp"

namespace podsim::experiment {

using WorkloadSpec = std::variant<model::DeploymentSpec, model::CloneSetSpec>;

const std::string& workload_name(const WorkloadSpec& w);

/// A release and when it happens: seconds after every workload's initial pods are available
/// (drawn per replication from the release's own stream, so variants see the same times).
struct ReleasePlan {
  model::ReleaseSpec spec;
  sim::DistributionPtr at;
};

struct World {
  model::ImageCatalog catalog;
  /// Lazy-pull images (eStargz / Nydus): image -> fraction needed before start.
  std::vector<std::pair<model::ImageId, double>> lazy_pull;
  model::ClusterConfig cluster;  // its seed is replaced by each replication's
  model::ControllerManagerConfig controllers;
  std::vector<WorkloadSpec> workloads;
  std::vector<ReleasePlan> releases;
  /// A replication stops here, declaring unfinished rollouts stalled.
  sim::Duration max_time = sim::seconds(24 * 3600.0);
};

struct Variant {
  std::string name;
  std::string description;
  World world;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  std::uint64_t seed = 1;
  std::uint32_t replications = 10;
  std::vector<Variant> variants;
  std::vector<ComparisonSpec> comparisons;  // empty: every variant against the first
};

}  // namespace podsim::experiment
