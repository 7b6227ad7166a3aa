#pragma once
// A reusable callback activation owned by a model component (a link's next completion, a
// retry). Rescheduling moves it in the queue; it never allocates after construction.
//
//   sim::Timer retry(sim, [&] { try_again(); });
//   retry.schedule_in(sim::seconds(1));

#include <functional>
#include <utility>

#include "podsim/sim/simulation.hpp"

namespace podsim::sim {

class Timer final : public Activation {
 public:
  Timer(Simulation& sim, std::function<void()> on_fire) : sim_(sim), on_fire_(std::move(on_fire)) {}

  void schedule_at(Time t) { sim_.schedule(*this, t); }
  void schedule_in(Duration d) { sim_.schedule(*this, sim_.now() + d); }

 private:
  void fire() override { on_fire_(); }
  Simulation& sim_;
  std::function<void()> on_fire_;
};

}  // namespace podsim::sim
