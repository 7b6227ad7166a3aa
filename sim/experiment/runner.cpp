#include "podsim/experiment/runner.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "podsim/experiment/replication.hpp"
#include "podsim/sim/random.hpp"

namespace podsim::experiment {

std::uint64_t replication_seed(std::uint64_t scenario_seed, std::uint32_t index) {
  return sim::RandomStream::derive(scenario_seed, {"replication", index}).key();
}

ExperimentResult run_experiment(const Scenario& scenario, const RunOptions& options) {
  ExperimentResult result;
  result.scenario = scenario.name;
  result.file = scenario.file;
  result.seed = options.seed != 0 ? options.seed : scenario.seed;
  result.replications = options.replications != 0 ? options.replications : scenario.replications;
  result.comparisons = scenario.comparisons;
  result.variants.resize(scenario.variants.size());
  for (std::size_t v = 0; v < scenario.variants.size(); ++v) {
    result.variants[v].name = scenario.variants[v].name;
    result.variants[v].description = scenario.variants[v].description;
    result.variants[v].replications.resize(result.replications);
  }

  const std::size_t total = scenario.variants.size() * result.replications;
  std::uint32_t threads =
      options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  threads = std::max<std::uint32_t>(
      1, std::min<std::uint32_t>(threads,
                                 static_cast<std::uint32_t>(std::max<std::size_t>(total, 1))));

  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards done, first_error and the progress callback
  std::size_t done = 0;
  std::exception_ptr first_error;
  auto work = [&] {
    for (;;) {
      const std::size_t task = next.fetch_add(1);
      if (task >= total) return;
      // Replication-major order: the first replications of every variant finish first.
      const std::size_t v = task % scenario.variants.size();
      const auto r = static_cast<std::uint32_t>(task / scenario.variants.size());
      try {
        ReplicationOptions ro{.index = r,
                              .seed = replication_seed(result.seed, r),
                              .trace = options.trace_all || r == 0};
        result.variants[v].replications[r] = run_replication(scenario.variants[v].world, ro);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
        next.store(total);  // stop handing out work
        return;
      }
      std::lock_guard lock(mutex);
      ++done;
      if (options.progress) options.progress(done, total);
    }
  };
  if (threads == 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (std::uint32_t t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
  return result;
}

}  // namespace podsim::experiment
