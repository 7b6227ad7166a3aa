#include "podsim/sim/event.hpp"

#include <stdexcept>

namespace podsim::sim {

void Event::trigger() {
  if (triggered_) return;
  triggered_ = true;
  timer_.cancel();
  listeners_.notify_all();
}

CompositeWait::CompositeWait(Mode mode, std::initializer_list<Event*> events)
    : Wait((*events.begin())->simulation()), mode_(mode), events_(events) {}

bool CompositeWait::await_ready() {
  if (interrupt_pending()) return true;
  std::size_t done = 0;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i]->triggered()) {
      if (mode_ == Mode::any) {
        first_ = i;
        return true;
      }
      ++done;
    }
  }
  return done == events_.size();
}

void CompositeWait::await_suspend(std::coroutine_handle<> h) {
  suspend(h);
  members_ = std::vector<Member>(events_.size());
  remaining_ = 0;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (events_[i]->triggered()) continue;
    members_[i].owner = this;
    members_[i].index = i;
    events_[i]->listeners().add(members_[i]);
    ++remaining_;
  }
}

void CompositeWait::on_member(std::size_t index) {
  if (mode_ == Mode::any) {
    first_ = index;
    for (Member& m : members_) m.detach();
    wake();
  } else if (--remaining_ == 0) {
    wake();
  }
}

void CompositeWait::withdraw() {
  for (Member& m : members_) m.detach();
  cancel();
}

}  // namespace podsim::sim
