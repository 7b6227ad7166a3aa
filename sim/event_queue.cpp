#include "podsim/sim/event_queue.hpp"

#include <cassert>

namespace podsim::sim {

namespace {
constexpr std::uint32_t kArity = 4;
}

Activation::~Activation() {
  cancel();
}

Time Activation::queued_time() const {
  return queue_->heap_[slot_].time;
}

void Activation::cancel() {
  if (queued()) queue_->remove(*this);
}

EventQueue::~EventQueue() {
  for (Entry& e : heap_) e.target->slot_ = Activation::kNotQueued;
}

void EventQueue::schedule(Activation& a, Time t) {
  const Entry e{t, next_sequence_++, &a};
  if (a.queued()) {
    assert(a.queue_ == this);
    reposition(a.slot_, e);
    return;
  }
  a.queue_ = this;
  heap_.push_back(e);
  sift_up(static_cast<std::uint32_t>(heap_.size() - 1), e);
}

void EventQueue::remove(Activation& a) {
  assert(a.queued() && a.queue_ == this);
  const std::uint32_t slot = a.slot_;
  a.slot_ = Activation::kNotQueued;
  const Entry last = heap_.back();
  heap_.pop_back();
  if (slot < heap_.size()) reposition(slot, last);
}

Activation& EventQueue::pop(Time& when) {
  assert(!heap_.empty());
  const Entry top = heap_.front();
  const Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0, last);
  top.target->slot_ = Activation::kNotQueued;
  when = top.time;
  return *top.target;
}

void EventQueue::reposition(std::uint32_t slot, Entry e) {
  if (slot > 0 && earlier(e, heap_[(slot - 1) / kArity])) {
    sift_up(slot, e);
  } else {
    sift_down(slot, e);
  }
}

// Both sifts move a hole instead of swapping, writing each entry once.
void EventQueue::sift_up(std::uint32_t slot, Entry e) {
  while (slot > 0) {
    const std::uint32_t parent = (slot - 1) / kArity;
    if (!earlier(e, heap_[parent])) break;
    place(slot, heap_[parent]);
    slot = parent;
  }
  place(slot, e);
}

void EventQueue::sift_down(std::uint32_t slot, Entry e) {
  const auto size = static_cast<std::uint32_t>(heap_.size());
  for (;;) {
    const std::uint32_t first = slot * kArity + 1;
    if (first >= size) break;
    const std::uint32_t end = first + kArity < size ? first + kArity : size;
    std::uint32_t best = first;
    for (std::uint32_t c = first + 1; c < end; ++c) {
      if (earlier(heap_[c], heap_[best])) best = c;
    }
    if (!earlier(heap_[best], e)) break;
    place(slot, heap_[best]);
    slot = best;
  }
  place(slot, e);
}

}  // namespace podsim::sim
