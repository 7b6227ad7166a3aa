#pragma once
// `podsim bench engine`: the classic hold model through podsim's event queue and through a bare
// std::priority_queue in the same binary and the same run, plus a coroutine process doing
// timeouts back to back.

#include <cstdint>
#include <vector>

namespace podsim::bench {

struct HoldResult {
  std::uint64_t pending = 0;
  double podsim_events_per_s = 0;
  double bare_heap_events_per_s = 0;
  double ratio() const { return podsim_events_per_s / bare_heap_events_per_s; }
};

struct EngineBenchResult {
  std::vector<HoldResult> hold;
  std::uint64_t coroutine_timeouts = 0;
  double coroutine_events_per_s = 0;
};

struct EngineBenchOptions {
  std::vector<std::uint64_t> pending = {1'000, 10'000, 100'000, 1'000'000};
  std::uint64_t events_per_point = 4'000'000;  // timed events at each size
  std::uint64_t coroutine_timeouts = 1'000'000;
  int repetitions = 3;  // best of, against noise on shared machines
};

EngineBenchResult run_engine_bench(const EngineBenchOptions& options);

}  // namespace podsim::bench
