#include "podsim/sim/simulation.hpp"

#include <cassert>
#include <stdexcept>

#include "podsim/sim/wait.hpp"

namespace podsim::sim {

struct Simulation::Callback final : Activation {
  Simulation* owner = nullptr;
  std::function<void()> fn;
  void fire() override {
    // Recycle the node before calling, so that the callback may schedule further callbacks.
    std::function<void()> f = std::move(fn);
    fn = nullptr;
    owner->free_callbacks_.push_back(this);
    f();
  }
};

void detail::ProcessState::Starter::fire() {
  state->sim->resume(*state, state->root);
}

Simulation::Simulation() = default;

Simulation::~Simulation() {
  destroy_processes();
}

void Simulation::destroy_processes() {
  // Newest first; a frame being destroyed may release resources that wake other processes,
  // which only queues activations, never resumes anything.
  for (std::size_t i = slots_.size(); i-- > 0;) {
    Slot& s = slots_[i];
    if (s.state != nullptr) {
      detail::ProcessState* p = s.state;
      s.state = nullptr;
      ++s.generation;
      free_slots_.push_back(static_cast<std::uint32_t>(i));
      --live_processes_;
      p->root.destroy();
    }
  }
}

void Simulation::schedule(Activation& a, Time at) {
  if (at < now_) throw std::logic_error("cannot schedule an event in the past");
  queue_.schedule(a, at);
}

void Simulation::call_at(Time at, std::function<void()> fn) {
  Callback* c;
  if (free_callbacks_.empty()) {
    callbacks_.push_back(std::make_unique<Callback>());
    c = callbacks_.back().get();
    c->owner = this;
  } else {
    c = free_callbacks_.back();
    free_callbacks_.pop_back();
  }
  c->fn = std::move(fn);
  schedule(*c, at);
}

bool Simulation::step() {
  if (queue_.empty()) return false;
  Time when;
  Activation& a = queue_.pop(when);
  now_ = when;
  ++events_processed_;
  a.fire();
  return true;
}

void Simulation::run() {
  stop_requested_ = false;
  while (!stop_requested_ && step()) {
  }
}

void Simulation::run_until(Time until) {
  stop_requested_ = false;
  while (!stop_requested_ && !queue_.empty() && queue_.next_time() <= until) step();
  if (!stop_requested_ && now_ < until) now_ = until;
}

ProcessRef Simulation::start(Process p) {
  auto handle = p.release();
  if (!handle) throw std::logic_error("cannot start an empty process");
  detail::ProcessState& state = handle.promise();
  state.sim = this;
  state.root = handle;
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back({});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  slots_[slot].state = &state;
  state.slot = slot;
  state.starter.state = &state;
  ++live_processes_;
  schedule(state.starter, now_);
  return ProcessRef{slot, slots_[slot].generation};
}

detail::ProcessState* Simulation::lookup(ProcessRef ref) const {
  if (ref.slot >= slots_.size()) return nullptr;
  const Slot& s = slots_[ref.slot];
  return s.generation == ref.generation ? s.state : nullptr;
}

bool Simulation::interrupt(ProcessRef ref, std::uint64_t cause) {
  detail::ProcessState* p = lookup(ref);
  if (p == nullptr || p->finished) return false;
  p->interrupt = cause;
  if (p->waiting != nullptr) {
    Wait* w = p->waiting;
    w->withdraw();
    schedule(*w, now_);
  }
  return true;
}

void Simulation::resume(detail::ProcessState& p, std::coroutine_handle<> h) {
  detail::ProcessState* const outer = active_;
  active_ = &p;
  p.waiting = nullptr;
  h.resume();
  active_ = outer;
  if (p.finished) reap(p);
}

void Simulation::reap(detail::ProcessState& p) {
  std::exception_ptr error = std::move(p.error);
  Slot& s = slots_[p.slot];
  s.state = nullptr;
  ++s.generation;
  free_slots_.push_back(p.slot);
  --live_processes_;
  p.root.destroy();
  if (error) std::rethrow_exception(error);
}

}  // namespace podsim::sim
