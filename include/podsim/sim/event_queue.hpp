#pragma once
// The future event list: an indexed 4-ary min-heap ordered by (time, insertion sequence).
//
// Ties go to the earlier insertion, so a run is a pure function of its inputs. Every entry knows
// its heap slot, which makes cancel and reschedule O(log n) in place: the bandwidth model moves
// flow completions on every rate change and must not leave stale entries behind.

#include <cstdint>
#include <vector>

#include "podsim/sim/time.hpp"

namespace podsim::sim {

class EventQueue;

/// Something that can wait in an EventQueue: a timer, a suspended process, a flow completion.
/// Owned by its user; destroying it while queued removes it from the queue.
class Activation {
 public:
  Activation() = default;
  Activation(const Activation&) = delete;
  Activation& operator=(const Activation&) = delete;
  virtual ~Activation();

  bool queued() const { return slot_ != kNotQueued; }
  /// The time it is queued for (meaningful only while queued()).
  Time queued_time() const;
  /// Removes it from its queue; a no-op when not queued.
  void cancel();

 protected:
  friend class EventQueue;
  friend class Simulation;
  /// Called by the simulation when its time comes (it is no longer queued by then).
  virtual void fire() = 0;

 private:
  static constexpr std::uint32_t kNotQueued = UINT32_MAX;
  EventQueue* queue_ = nullptr;
  std::uint32_t slot_ = kNotQueued;
};

class EventQueue {
 public:
  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  ~EventQueue();

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  /// Earliest queued time; Time::max() when empty.
  Time next_time() const { return heap_.empty() ? Time::max() : heap_.front().time; }

  /// Queues `a` at `t`, or moves it there if it is already queued. A moved activation orders
  /// after everything already queued for the same time, exactly as if it were queued anew.
  void schedule(Activation& a, Time t);
  void remove(Activation& a);
  /// Removes and returns the earliest activation; the queue must not be empty.
  Activation& pop(Time& when);

 private:
  friend class Activation;
  struct Entry {
    Time time;
    std::uint64_t sequence;
    Activation* target;
  };
  static bool earlier(const Entry& a, const Entry& b) {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }
  void place(std::uint32_t slot, const Entry& e) {
    heap_[slot] = e;
    e.target->slot_ = slot;
  }
  void sift_up(std::uint32_t slot, Entry e);
  void sift_down(std::uint32_t slot, Entry e);
  void reposition(std::uint32_t slot, Entry e);

  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace podsim::sim
