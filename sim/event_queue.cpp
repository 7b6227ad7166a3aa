#include "podsim/sim/event_queue.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace podsim::sim {

namespace {
constexpr std::size_t kArity = 4;
}

// ---- Activation ----------------------------------------------------------------------------

Activation::~Activation() {
  if (queue_ != nullptr) queue_->detach(*this);
}

void Activation::cancel() {
  if (queued()) queue_->remove(*this);
}

// ---- EventQueue ----------------------------------------------------------------------------

EventQueue::~EventQueue() {
  for (Slot& s : slots_) {
    if (s.target != nullptr) {
      s.target->queue_ = nullptr;
      s.target->state_ = 0;
    }
  }
}

void EventQueue::attach(Activation& a) {
  std::uint32_t slot;
  if (free_slots_.empty()) {
    if (slots_.size() > kSlotMask) throw std::length_error("EventQueue: too many activations");
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  slots_[slot] = Slot{&a, slot};
  a.queue_ = this;
  a.state_ = slot;
}

void EventQueue::detach(Activation& a) {
  if (a.queued()) --live_;  // its heap entry is stale from now on
  slots_[a.slot()] = Slot{};
  free_slots_.push_back(a.slot());
  a.state_ = 0;
  a.queue_ = nullptr;
}

void EventQueue::schedule(Activation& a, Time t) {
  if (a.queue_ == nullptr) attach(a);
  assert(a.queue_ == this);
  if (!a.queued()) ++live_;  // otherwise the old entry goes stale
  const std::uint64_t sequence = next_sequence_++;
  if (sequence >> (64 - kSlotBits)) throw std::length_error("EventQueue: sequence exhausted");
  if (t.ns() < 0) throw std::logic_error("EventQueue: negative time");
  a.state_ = sequence << kSlotBits | a.slot();
  slots_[a.slot()].live_key = a.state_;
  if (t == last_popped_) {
    lane_.push_back(make_entry(t, a.state_));  // after every lane entry: the lane stays sorted
  } else {
    push_entry(make_entry(t, a.state_));
  }
  if (heap_.size() + lane_.size() - lane_head_ > 2 * live_ + 1024) sweep();
}

void EventQueue::remove(Activation& a) {
  assert(a.queue_ == this);
  if (!a.queued()) return;
  a.state_ = a.slot();
  slots_[a.slot()].live_key = a.state_;
  --live_;
  if (live_ == 0) {
    heap_.clear();
    lane_.clear();
    lane_head_ = 0;
  }
}

Time EventQueue::next_time() {
  drop_stale_fronts();
  if (lane_first()) return time_of(lane_[lane_head_]);
  return heap_.empty() ? Time::max() : time_of(heap_.front());
}

bool EventQueue::lane_first() const {
  return lane_head_ < lane_.size() && (heap_.empty() || lane_[lane_head_] < heap_.front());
}

Activation& EventQueue::pop(Time& when) {
  drop_stale_fronts();
  Entry top;
  if (lane_first()) {
    top = lane_[lane_head_++];
    if (lane_head_ == lane_.size()) {
      lane_.clear();
      lane_head_ = 0;
    }
  } else {
    assert(!heap_.empty());
    top = heap_.front();
    pop_entry();
  }
  Slot& s = slots_[key_of(top) & kSlotMask];
  Activation& a = *s.target;
  a.state_ = s.live_key = a.slot();
  --live_;
  when = last_popped_ = time_of(top);
  // In large models the next events' slots and activations are cache misses. Load them while
  // this one fires: the next lane entry's, the new top's activation (its slot was prefetched one
  // pop earlier, as a child of the root) and the slots of the root's children, the candidates
  // for the pop after.
  if (lane_head_ < lane_.size())
    __builtin_prefetch(slots_[key_of(lane_[lane_head_]) & kSlotMask].target);
  if (!heap_.empty()) {
    __builtin_prefetch(slots_[key_of(heap_.front()) & kSlotMask].target);
    const std::size_t end = std::min<std::size_t>(heap_.size(), 1 + kArity);
    for (std::size_t c = 1; c < end; ++c) __builtin_prefetch(&slots_[key_of(heap_[c]) & kSlotMask]);
  }
  return a;
}

void EventQueue::drop_stale_fronts() {
  while (!heap_.empty() && !is_live(heap_.front())) pop_entry();
  while (lane_head_ < lane_.size() && !is_live(lane_[lane_head_])) ++lane_head_;
  if (lane_head_ != 0 && lane_head_ == lane_.size()) {
    lane_.clear();
    lane_head_ = 0;
  }
}

// Rebuilds the heap and the lane from their live entries once stale ones dominate (frequent
// reschedules). The lane keeps its order.
void EventQueue::sweep() {
  std::vector<Entry> live;
  live.reserve(live_);
  for (std::size_t i = 0; i < heap_.size(); ++i) {
    if (is_live(heap_[i])) live.push_back(heap_[i]);
  }
  heap_.clear();
  for (const Entry& e : live) push_entry(e);
  std::size_t kept = 0;
  for (std::size_t i = lane_head_; i < lane_.size(); ++i) {
    if (is_live(lane_[i])) lane_[kept++] = lane_[i];
  }
  lane_.resize(kept);
  lane_head_ = 0;
}

// Both sifts move a hole instead of swapping, writing each entry once.
void EventQueue::sift_up(std::size_t slot, Entry e) {
  while (slot > 0) {
    const std::size_t parent = (slot - 1) / kArity;
    if (!(e < heap_[parent])) break;
    heap_[slot] = heap_[parent];
    slot = parent;
  }
  heap_[slot] = e;
}

void EventQueue::push_entry(Entry e) {
  heap_.push_back(e);
  sift_up(heap_.size() - 1, e);
}

// Floyd's variant: walk the hole down to a leaf along the smallest children (no comparison
// with the moved entry on the way), then sift the last entry up from there; it rarely rises.
void EventQueue::pop_entry() {
  const Entry e = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return;
  std::size_t slot = 0;
  for (;;) {
    const std::size_t first = slot * kArity + 1;
    if (first + kArity <= size) {
      // Branch-free minimum of four.
      const std::size_t a = heap_[first + 1] < heap_[first] ? first + 1 : first;
      const std::size_t b = heap_[first + 3] < heap_[first + 2] ? first + 3 : first + 2;
      const std::size_t best = heap_[b] < heap_[a] ? b : a;
      heap_[slot] = heap_[best];
      slot = best;
    } else if (first < size) {
      std::size_t best = first;
      for (std::size_t c = first + 1; c < size; ++c) {
        if (heap_[c] < heap_[best]) best = c;
      }
      heap_[slot] = heap_[best];
      slot = best;
    } else {
      break;
    }
  }
  sift_up(slot, e);
}

}  // namespace podsim::sim
