#include "podsim/sim/listener_list.hpp"

namespace podsim::sim {

void Listener::detach() {
  if (list_ != nullptr) list_->unlink(*this);
}

ListenerList::~ListenerList() {
  while (!listeners_.empty()) unlink(*listeners_.front());
}

void ListenerList::add(Listener& l) {
  l.detach();
  l.list_ = this;
  listeners_.push_back(l);
}

void ListenerList::unlink(Listener& l) {
  listeners_.remove(l);
  l.list_ = nullptr;
}

void ListenerList::notify_all() {
  // Detach the current generation first so that re-subscriptions land in a fresh list.
  Listener* stop_after = listeners_.back();
  while (!listeners_.empty()) {
    Listener* l = listeners_.front();
    const bool last = (l == stop_after);
    unlink(*l);
    l->notify();
    if (last) break;
  }
}

bool ListenerList::notify_one() {
  if (listeners_.empty()) return false;
  Listener* l = listeners_.front();
  unlink(*l);
  l->notify();
  return true;
}

}  // namespace podsim::sim
