#pragma once
// What a process can co_await. Each awaiter lives in the waiting coroutine's frame and is itself
// the activation that resumes it, so waiting allocates nothing.

#include <cassert>
#include <coroutine>

#include "podsim/sim/simulation.hpp"

namespace podsim::sim {

/// Base of every awaiter that suspends a process. A subclass registers with whatever it waits
/// for in await_suspend, calls wake() when that happens, and undoes its registration in
/// withdraw() when the process is interrupted instead.
class Wait : public Activation {
 public:
  explicit Wait(Simulation& sim) : sim_(sim) {}

 protected:
  friend class Simulation;

  /// True if the current process has an interrupt to deliver: then it must not suspend.
  bool interrupt_pending() const {
    const detail::ProcessState* p = sim_.active_process();
    assert(p != nullptr && "only processes can wait");
    return p->interrupt.has_value();
  }
  void suspend(std::coroutine_handle<> h) {
    handle_ = h;
    process_ = sim_.active_process();
    process_->waiting = this;
  }
  /// Throws Interrupted if the wait ended because of an interrupt.
  void check_interrupt() const {
    detail::ProcessState* p = sim_.active_process();
    if (p->interrupt) {
      const std::uint64_t cause = *p->interrupt;
      p->interrupt.reset();
      throw Interrupted(cause);
    }
  }
  /// The awaited thing happened: resume the process at the current time.
  void wake() { sim_.schedule(*this, sim_.now()); }
  /// The process is being interrupted: stop waiting for the awaited thing.
  virtual void withdraw() { cancel(); }

  void fire() override { sim_.resume(*process_, handle_); }

  Simulation& sim_;
  detail::ProcessState* process_ = nullptr;
  std::coroutine_handle<> handle_;
};

/// co_await sim.timeout(d)
class TimeoutWait final : public Wait {
 public:
  TimeoutWait(Simulation& sim, Time at) : Wait(sim), at_(at) {}
  bool await_ready() const { return interrupt_pending(); }
  void await_suspend(std::coroutine_handle<> h) {
    suspend(h);
    sim_.schedule(*this, at_);
  }
  void await_resume() const { check_interrupt(); }

 private:
  Time at_;
};

/// Waits until a ListenerList is signalled, unless it already was: the awaiter behind events
/// (co_await event) and joins (co_await sim.join(ref)).
class SignalWait final : public Wait, private Listener {
 public:
  /// `signal` null or `already` true: nothing to wait for.
  SignalWait(Simulation& sim, ListenerList* signal, bool already)
      : Wait(sim), signal_(already ? nullptr : signal) {}
  bool await_ready() const { return signal_ == nullptr || interrupt_pending(); }
  void await_suspend(std::coroutine_handle<> h) {
    suspend(h);
    signal_->add(*this);
  }
  void await_resume() const { check_interrupt(); }

 private:
  void notify() override { wake(); }
  void withdraw() override {
    Listener::detach();
    cancel();
  }
  ListenerList* signal_;
};

inline TimeoutWait Simulation::timeout(Duration d) {
  return TimeoutWait(*this, now_ + d);
}
inline TimeoutWait Simulation::timeout_until(Time t) {
  return TimeoutWait(*this, t < now_ ? now_ : t);
}
inline SignalWait Simulation::join(ProcessRef ref) {
  detail::ProcessState* p = lookup(ref);
  return SignalWait(*this, p != nullptr ? &p->done : nullptr, false);
}

}  // namespace podsim::sim
