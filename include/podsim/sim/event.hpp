#pragma once
// A one-shot signal processes can wait for, alone or in combination:
//
//   sim::Event image_ready(sim);
//   co_await image_ready;                                   // until image_ready.trigger()
//   std::size_t first = co_await sim::any_of(ready, deadline);  // index of the first to fire
//   co_await sim::all_of(pulled_a, pulled_b);

#include <cstddef>
#include <initializer_list>
#include <vector>

#include "podsim/sim/wait.hpp"

namespace podsim::sim {

class Event {
 public:
  explicit Event(Simulation& sim) : sim_(sim), timer_(*this) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  Simulation& simulation() const { return sim_; }
  bool triggered() const { return triggered_; }
  /// Wakes every waiter (in the order they started waiting) at the current time. Triggering a
  /// triggered event does nothing.
  void trigger();
  /// Triggers at a later time (replacing an earlier such request).
  void trigger_at(Time t) { sim_.schedule(timer_, t); }
  void trigger_in(Duration d) { trigger_at(sim_.now() + d); }
  /// Makes the event untriggered again and drops a pending trigger_at.
  void reset() {
    triggered_ = false;
    timer_.cancel();
  }

  /// For awaiters: who is waiting.
  ListenerList& listeners() { return listeners_; }

  SignalWait operator co_await() { return SignalWait(sim_, &listeners_, triggered_); }

 private:
  struct Timer final : Activation {
    explicit Timer(Event& e) : event(e) {}
    void fire() override { event.trigger(); }
    Event& event;
  };
  Simulation& sim_;
  ListenerList listeners_;
  Timer timer_;
  bool triggered_ = false;
};

/// Waits for several events: all of them (all_of) or the first (any_of, which yields the index
/// of the event that fired first; if several already have, the lowest index).
class CompositeWait final : public Wait {
 public:
  enum class Mode { all, any };
  CompositeWait(Mode mode, std::initializer_list<Event*> events);

  bool await_ready();
  void await_suspend(std::coroutine_handle<> h);
  std::size_t await_resume() const {
    check_interrupt();
    return first_;
  }

 private:
  struct Member final : Listener {
    CompositeWait* owner = nullptr;
    std::size_t index = 0;
    void notify() override { owner->on_member(index); }
  };
  void on_member(std::size_t index);
  void withdraw() override;

  Mode mode_;
  std::vector<Event*> events_;
  std::vector<Member> members_;
  std::size_t remaining_ = 0;
  std::size_t first_ = 0;
};

template <class... Events>
CompositeWait all_of(Event& first, Events&... rest) {
  return CompositeWait(CompositeWait::Mode::all, {&first, &rest...});
}
template <class... Events>
CompositeWait any_of(Event& first, Events&... rest) {
  return CompositeWait(CompositeWait::Mode::any, {&first, &rest...});
}

}  // namespace podsim::sim
