#pragma once
// The simulation: a clock, the future event list and the processes that drive it.
//
// The loop pops the earliest activation, advances the clock to its time and fires it. Ties fire
// in the order they were scheduled, so a run is a pure function of (inputs, seed).

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "podsim/sim/event_queue.hpp"
#include "podsim/sim/process.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::sim {

// Awaitables defined in wait.hpp (include it, or podsim/sim.hpp, to co_await them).
class TimeoutWait;
class SignalWait;

class Simulation {
 public:
  Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  /// Destroys processes that have not finished (see destroy_processes).
  ~Simulation();
  /// Destroys every unfinished process now, newest first, unwinding their locals (leases,
  /// transfers, waits). An owner whose model objects are referenced from process frames calls
  /// this in its destructor, before those objects go.
  void destroy_processes();

  Time now() const { return now_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t pending_events() const { return queue_.size(); }
  /// Time of the next event, Time::max() if there is none.
  Time next_event_time() { return queue_.next_time(); }

  // ---- Scheduling -------------------------------------------------------------------------
  /// Queues `a` at `at` (>= now), or moves it there if already queued.
  void schedule(Activation& a, Time at);
  void schedule_in(Activation& a, Duration delay) { schedule(a, now_ + delay); }
  /// One-shot callback. Nodes are pooled, so steady-state calls do not allocate unless the
  /// callable itself is too large for std::function's inline buffer.
  void call_at(Time at, std::function<void()> fn);
  void call_in(Duration delay, std::function<void()> fn) { call_at(now_ + delay, std::move(fn)); }

  // ---- Running ----------------------------------------------------------------------------
  /// Fires the earliest event; false when there is none. Rethrows what a process threw.
  bool step();
  /// Runs until no event is left or stop() is called.
  void run();
  /// Fires every event at or before `until`, then leaves the clock at `until` (unless stopped).
  void run_until(Time until);
  /// Makes run()/run_until() return after the event being fired.
  void stop() { stop_requested_ = true; }

  // ---- Processes --------------------------------------------------------------------------
  /// Takes ownership of a process and starts it at the current time (after events already
  /// queued for now).
  ProcessRef start(Process p);
  bool alive(ProcessRef ref) const { return lookup(ref) != nullptr; }
  std::size_t live_processes() const { return live_processes_; }
  /// Delivers Interrupted(cause) to the process where it waits (or at its next wait if it is
  /// running or not started). Whatever it waited for is withdrawn. False if it has finished.
  bool interrupt(ProcessRef ref, std::uint64_t cause = 0);

  /// co_await sim.timeout(d): suspends the current process for d.
  TimeoutWait timeout(Duration d);
  TimeoutWait timeout_until(Time t);
  /// co_await sim.join(ref): waits until the process has finished (at once if it has).
  SignalWait join(ProcessRef ref);

  /// The process being resumed right now (nullptr outside processes).
  detail::ProcessState* active_process() const { return active_; }
  /// Resumes a suspended coroutine on behalf of `p`; used by Wait and the starter.
  void resume(detail::ProcessState& p, std::coroutine_handle<> h);

 private:
  struct Callback;
  detail::ProcessState* lookup(ProcessRef ref) const;
  void reap(detail::ProcessState& p);

  Time now_ = Time::zero();
  EventQueue queue_;
  std::uint64_t events_processed_ = 0;
  bool stop_requested_ = false;
  detail::ProcessState* active_ = nullptr;

  struct Slot {
    detail::ProcessState* state = nullptr;
    std::uint32_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_processes_ = 0;

  std::vector<std::unique_ptr<Callback>> callbacks_;
  std::vector<Callback*> free_callbacks_;
};

}  // namespace podsim::sim
