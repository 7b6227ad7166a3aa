#pragma once
// The future event list: entries ordered by (time, insertion sequence).
//
// Ties go to the earlier insertion, so a run is a pure function of its inputs. Entries are 16
// bytes: the time and one word holding the sequence number (high 40 bits) and a slot (low 24
// bits) in a table of activation pointers. They wait in one of two places:
// - the current-time lane, a FIFO, for entries scheduled at the time of the latest pop (a
//   process woken now, a process started now): in sequence order, so already sorted, and taken
//   in O(1);
// - a 4-ary min-heap for the rest. Sifting touches nothing but the heap itself.
// A pop takes the smaller of the two fronts, which is the order one heap would give.
// An activation remembers the sequence of its live entry; cancel and reschedule leave the old
// entry stale, to be skipped when it surfaces (the slot table, not the activation, is consulted
// first, so an activation may die with stale entries queued) and swept out when stale entries
// outnumber the live ones.

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

  bool queued() const { return (state_ >> kSlotBits) != 0; }
  /// Removes it from its queue; a no-op when not queued.
  void cancel();

 protected:
  friend class EventQueue;
  friend class Simulation;
  /// Called by the simulation when its time comes (it is no longer queued by then).
  virtual void fire() = 0;

 private:
  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (1ULL << kSlotBits) - 1;
  std::uint64_t live_sequence() const { return state_ >> kSlotBits; }
  std::uint32_t slot() const { return static_cast<std::uint32_t>(state_ & kSlotMask); }

  EventQueue* queue_ = nullptr;
  std::uint64_t state_ = 0;  // sequence of the live entry (0: not queued) << 24 | slot
};

class EventQueue {
 public:
  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  ~EventQueue();

  bool empty() const { return live_ == 0; }
  std::size_t size() const { return live_; }
  /// Earliest queued time; Time::max() when empty.
  Time next_time();

  /// Queues `a` at `t`, or moves it there if it is already queued. A moved activation orders
  /// after everything already queued for the same time, exactly as if it were queued anew.
  void schedule(Activation& a, Time t);
  void remove(Activation& a);
  /// Removes and returns the earliest activation; the queue must not be empty.
  Activation& pop(Time& when);

 private:
  friend class Activation;
  static constexpr int kSlotBits = Activation::kSlotBits;
  static constexpr std::uint64_t kSlotMask = Activation::kSlotMask;

  // (time, sequence, slot) as one unsigned 128-bit number: one comparison orders two entries.
  // Times are never negative, so the unsigned order is the time order.
  __extension__ using Entry = unsigned __int128;
  static Entry make_entry(Time t, std::uint64_t key) {
    return static_cast<Entry>(static_cast<std::uint64_t>(t.ns())) << 64 | key;
  }
  static Time time_of(Entry e) {
    return Time::from_ns(static_cast<std::int64_t>(static_cast<std::uint64_t>(e >> 64)));
  }
  static std::uint64_t key_of(Entry e) { return static_cast<std::uint64_t>(e); }
  // The slot keeps a copy of its activation's live key, so that skipping a stale entry never
  // touches the activation (which may be gone) and checking a live one costs no extra miss.
  struct Slot {
    Activation* target = nullptr;
    std::uint64_t live_key = 0;  // == the live entry's key; sequence part 0 when not queued
  };
  bool is_live(Entry e) const { return slots_[key_of(e) & kSlotMask].live_key == key_of(e); }
  void attach(Activation& a);
  void detach(Activation& a);
  void sift_up(std::size_t slot, Entry e);
  void push_entry(Entry e);
  void pop_entry();
  void drop_stale_fronts();
  /// Whether the earliest entry is the lane's front rather than the heap's top (after
  /// drop_stale_fronts(); false when the lane is empty).
  bool lane_first() const;
  void sweep();

  std::vector<Entry> heap_;
  std::vector<Entry> lane_;  // the current-time lane, from lane_head_ on
  std::size_t lane_head_ = 0;
  Time last_popped_;  // entries for this time go to the lane
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_ = 0;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace podsim::sim
