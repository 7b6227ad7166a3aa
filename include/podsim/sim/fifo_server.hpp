#pragma once
// A server with c identical slots and a queue: the kubelet's image-pull queue, unpack workers,
// the scheduler's single cycle. Waiters are served by priority (higher first), then in arrival
// order.
//
//   sim::FifoServer pulls(sim, 1);
//   {
//     auto lease = co_await pulls.acquire();   // waits for a free slot
//     co_await sim.timeout(pull_time);
//   }                                          // the lease gives the slot back

#include <cstdint>

#include "podsim/sim/intrusive_list.hpp"
#include "podsim/sim/wait.hpp"

namespace podsim::sim {

class FifoServer {
 public:
  FifoServer(Simulation& sim, std::uint32_t capacity);
  FifoServer(const FifoServer&) = delete;
  FifoServer& operator=(const FifoServer&) = delete;

  /// Holds one slot until destroyed or released.
  class Lease {
   public:
    Lease() = default;
    explicit Lease(FifoServer* server) : server_(server) {}
    Lease(Lease&& o) noexcept : server_(o.server_) { o.server_ = nullptr; }
    Lease& operator=(Lease&& o) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }
    bool held() const { return server_ != nullptr; }
    void release();

   private:
    FifoServer* server_ = nullptr;
  };

  class Acquire final : public Wait {
   public:
    Acquire(FifoServer& server, int priority)
        : Wait(server.sim_), server_(server), priority_(priority) {}
    Acquire(const Acquire&) = delete;
    Acquire& operator=(const Acquire&) = delete;
    /// A waiter destroyed while queued or granted (its process torn down) gives way.
    ~Acquire() override { withdraw(); }
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h);
    Lease await_resume();

   private:
    friend class FifoServer;
    friend class IntrusiveList<Acquire>;
    void withdraw() override;
    FifoServer& server_;
    int priority_;
    Time enqueued_at_;
    Acquire* prev = nullptr;  // queue links
    Acquire* next = nullptr;
    enum class State { idle, queued, granted } state_ = State::idle;
  };

  /// co_await server.acquire(priority): a Lease once a slot is free.
  Acquire acquire(int priority = 0) { return Acquire(*this, priority); }
  /// Takes a slot without waiting if one is free and nobody queues (for callback-style users).
  bool try_acquire();
  /// Gives a slot back: the next waiter, if any, gets it at the current time.
  void release();

  std::uint32_t capacity() const { return capacity_; }
  std::uint32_t busy() const { return busy_; }
  std::uint32_t queue_length() const { return queued_; }

  // ---- Observations since construction or the last reset_statistics() -------------------
  std::uint64_t grants() const { return grants_; }
  /// Total time grants spent queued (zero for immediate grants).
  Duration total_wait() const { return total_wait_; }
  double mean_queue_length() const;
  double mean_busy() const;
  void reset_statistics();

 private:
  void enqueue(Acquire& a);
  void unlink(Acquire& a);
  void grant(Acquire& a);
  void account();  // integrates queue length and busy slots up to now

  Simulation& sim_;
  std::uint32_t capacity_;
  std::uint32_t busy_ = 0;
  std::uint32_t queued_ = 0;
  IntrusiveList<Acquire> queue_;

  std::uint64_t grants_ = 0;
  Duration total_wait_;
  Time stats_since_;
  Time last_change_;
  double queue_area_ = 0;  // item-nanoseconds
  double busy_area_ = 0;
};

}  // namespace podsim::sim
