#include "podsim/sim/listener_list.hpp"

namespace podsim::sim {

void Listener::detach() {
  if (list_ != nullptr) list_->unlink(*this);
}

ListenerList::~ListenerList() {
  while (head_ != nullptr) unlink(*head_);
}

void ListenerList::add(Listener& l) {
  l.detach();
  l.list_ = this;
  l.prev_ = tail_;
  l.next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = &l;
  } else {
    head_ = &l;
  }
  tail_ = &l;
}

void ListenerList::unlink(Listener& l) {
  if (l.prev_ != nullptr) {
    l.prev_->next_ = l.next_;
  } else {
    head_ = l.next_;
  }
  if (l.next_ != nullptr) {
    l.next_->prev_ = l.prev_;
  } else {
    tail_ = l.prev_;
  }
  l.list_ = nullptr;
  l.prev_ = l.next_ = nullptr;
}

void ListenerList::notify_all() {
  // Detach the current generation first so that re-subscriptions land in a fresh list.
  Listener* stop_after = tail_;
  while (head_ != nullptr) {
    Listener* l = head_;
    const bool last = (l == stop_after);
    unlink(*l);
    l->notify();
    if (last) break;
  }
}

bool ListenerList::notify_one() {
  if (head_ == nullptr) return false;
  Listener* l = head_;
  unlink(*l);
  l->notify();
  return true;
}

}  // namespace podsim::sim
