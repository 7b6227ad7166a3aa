#pragma once
// Runs every variant x replication of a scenario on a pool of threads. Replication i of every
// variant gets the same seed (common random numbers); results are stored by index, so they do not
// depend on the number of threads or on which thread ran what.

#include <cstdint>
#include <functional>

#include "podsim/experiment/result.hpp"
#include "podsim/experiment/scenario.hpp"

namespace podsim::experiment {

struct RunOptions {
  std::uint32_t threads = 0;       // 0: std::thread::hardware_concurrency()
  std::uint32_t replications = 0;  // 0: the scenario's
  std::uint64_t seed = 0;          // 0: the scenario's
  bool trace_all = false;          // spans of every replication, not only the first
  /// Called after each finished replication (from worker threads, serialised).
  std::function<void(std::size_t done, std::size_t total)> progress;
};

/// The seed of replication `index` for a scenario seed.
std::uint64_t replication_seed(std::uint64_t scenario_seed, std::uint32_t index);

ExperimentResult run_experiment(const Scenario& scenario, const RunOptions& options = {});

}  // namespace podsim::experiment
