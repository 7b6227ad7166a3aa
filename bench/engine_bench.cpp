#include "engine_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <queue>
#include <utility>

#include "podsim/sim.hpp"
#include "podsim/sim/random.hpp"

namespace podsim::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Exp(1) seconds in nanoseconds; both sides draw the same stream.
std::int64_t exp_ns(sim::RandomStream& rng) {
  return static_cast<std::int64_t>(-std::log(rng.uniform01()) * 1e9);
}

// One model entity of the hold model: when it fires it holds again for Exp(1). Entities reach
// the model through one context pointer, as the bare side has no per-entity state at all.
struct HoldModel {
  sim::Simulation sim;
  sim::RandomStream rng{42};
};
HoldModel* hold_model = nullptr;

struct Holder final : sim::Activation {
  void fire() override {
    hold_model->sim.schedule(*this, hold_model->sim.now() + sim::nanoseconds(exp_ns(hold_model->rng)));
  }
};

double podsim_hold(std::uint64_t pending, std::uint64_t events) {
  HoldModel model;
  hold_model = &model;
  sim::Simulation& sim = model.sim;
  std::vector<Holder> holders(pending);
  for (Holder& h : holders) sim.schedule(h, sim::Time::zero() + sim::nanoseconds(exp_ns(model.rng)));
  for (std::uint64_t i = 0; i < pending; ++i) sim.step();  // warm up: mix the heap
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < events; ++i) sim.step();
  const double rate = static_cast<double>(events) / seconds_since(start);
  hold_model = nullptr;
  return rate;
}

double bare_hold(std::uint64_t pending, std::uint64_t events) {
  using Entry = std::pair<std::int64_t, std::uint64_t>;  // (time, sequence)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  sim::RandomStream rng(42);
  std::uint64_t sequence = 0;
  for (std::uint64_t i = 0; i < pending; ++i) heap.emplace(exp_ns(rng), sequence++);
  auto hold = [&] {
    const std::int64_t now = heap.top().first;
    heap.pop();
    heap.emplace(now + exp_ns(rng), sequence++);
  };
  for (std::uint64_t i = 0; i < pending; ++i) hold();
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < events; ++i) hold();
  return static_cast<double>(events) / seconds_since(start);
}

sim::Process ticker(sim::Simulation& sim, std::uint64_t timeouts) {
  for (std::uint64_t i = 0; i < timeouts; ++i) co_await sim.timeout(sim::nanoseconds(1));
}

double coroutine_timeouts(std::uint64_t timeouts) {
  sim::Simulation sim;
  sim.start(ticker(sim, timeouts));
  const auto start = Clock::now();
  sim.run();
  return static_cast<double>(sim.events_processed()) / seconds_since(start);
}

}  // namespace

EngineBenchResult run_engine_bench(const EngineBenchOptions& options) {
  EngineBenchResult result;
  for (std::uint64_t n : options.pending) {
    HoldResult r;
    r.pending = n;
    // Alternate the two sides and keep each one's best, so that drift hits both alike.
    for (int rep = 0; rep < options.repetitions; ++rep) {
      r.bare_heap_events_per_s =
          std::max(r.bare_heap_events_per_s, bare_hold(n, options.events_per_point));
      r.podsim_events_per_s =
          std::max(r.podsim_events_per_s, podsim_hold(n, options.events_per_point));
    }
    result.hold.push_back(r);
  }
  result.coroutine_timeouts = options.coroutine_timeouts;
  for (int rep = 0; rep < options.repetitions; ++rep) {
    result.coroutine_events_per_s =
        std::max(result.coroutine_events_per_s, coroutine_timeouts(options.coroutine_timeouts));
  }
  return result;
}

}  // namespace podsim::bench
