#pragma once
// Processes: C++20 coroutines that read like the lifecycle they model.
//
//   sim::Process pod(sim::Simulation& sim) {
//     co_await sim.timeout(sim::seconds(2));   // schedule
//     co_await image_ready;                    // an Event
//   }
//   sim.start(pod(sim));
//
// A process is owned by the Simulation once started; a ProcessRef names it afterwards (to
// interrupt or join it) and goes stale, harmlessly, once the process has finished.

#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <utility>

#include "podsim/sim/event_queue.hpp"
#include "podsim/sim/frame_pool.hpp"
#include "podsim/sim/listener_list.hpp"

namespace podsim::sim {

class Simulation;
class Wait;

/// Thrown inside a process at the point where it waits when another party interrupts it.
/// A process that does not catch it simply ends.
class Interrupted : public std::exception {
 public:
  explicit Interrupted(std::uint64_t cause) : cause_(cause) {}
  std::uint64_t cause() const { return cause_; }
  const char* what() const noexcept override { return "process interrupted"; }

 private:
  std::uint64_t cause_;
};

/// A stable name for a started process.
struct ProcessRef {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  friend bool operator==(const ProcessRef&, const ProcessRef&) = default;
};

namespace detail {

/// Book-keeping shared by every process, kept in its coroutine frame.
struct ProcessState {
  // Resumes the process for the first time.
  struct Starter final : Activation {
    ProcessState* state = nullptr;
    void fire() override;
  };

  Simulation* sim = nullptr;
  Wait* waiting = nullptr;  // what the process is suspended on, if anything
  std::coroutine_handle<> root;
  ListenerList done;  // joiners
  std::exception_ptr error;
  std::optional<std::uint64_t> interrupt;  // delivered at the next wait
  Starter starter;
  std::uint32_t slot = UINT32_MAX;
  bool finished = false;
};

}  // namespace detail

class Process {
 public:
  struct promise_type : detail::ProcessState, PooledFrame {
    Process get_return_object() {
      return Process(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct Finish {
        bool await_ready() noexcept { return false; }
        void await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          // The frame is destroyed by the simulation once control returns to it.
          h.promise().finished = true;
          h.promise().done.notify_all();
        }
        void await_resume() noexcept {}
      };
      return Finish{};
    }
    void return_void() {}
    void unhandled_exception() {
      try {
        throw;
      } catch (const Interrupted&) {
        // An interrupt nobody handled ends the process quietly, as a kill would.
      } catch (...) {
        error = std::current_exception();
      }
    }
  };

  Process(Process&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Process& operator=(Process&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() {
    if (handle_) handle_.destroy();
  }

 private:
  friend class Simulation;
  explicit Process(std::coroutine_handle<promise_type> h) : handle_(h) {}
  std::coroutine_handle<promise_type> release() { return std::exchange(handle_, {}); }
  std::coroutine_handle<promise_type> handle_;
};

}  // namespace podsim::sim
