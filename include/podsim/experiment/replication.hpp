#pragma once
// One replication of one variant: build the world, deploy the workloads, wait until they are
// available, run the releases, and measure. A pure function of (world, seed).

#include <cstdint>

#include "podsim/experiment/result.hpp"
#include "podsim/experiment/scenario.hpp"

namespace podsim::experiment {

struct ReplicationOptions {
  std::uint32_t index = 0;
  std::uint64_t seed = 1;  // the replication's root seed
  bool trace = false;      // keep every pod's spans
};

ReplicationResult run_replication(const World& world, const ReplicationOptions& options);

}  // namespace podsim::experiment
