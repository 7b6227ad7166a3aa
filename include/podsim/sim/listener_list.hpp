#pragma once
// An intrusive list of parties waiting for a signal. Waiters live in coroutine frames, so
// waiting allocates nothing, and a waiter that gives up (interrupt, any_of) unlinks in O(1).

#include "podsim/sim/intrusive_list.hpp"

namespace podsim::sim {

class ListenerList;

class Listener {
 public:
  Listener() = default;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  virtual ~Listener() { detach(); }

  bool attached() const { return list_ != nullptr; }
  void detach();

 protected:
  friend class ListenerList;
  friend class IntrusiveList<Listener>;
  /// Called once when the signal comes; the listener is already detached by then.
  virtual void notify() = 0;

 private:
  ListenerList* list_ = nullptr;
  Listener* prev = nullptr;  // list links
  Listener* next = nullptr;
};

class ListenerList {
 public:
  ListenerList() = default;
  ListenerList(const ListenerList&) = delete;
  ListenerList& operator=(const ListenerList&) = delete;
  ~ListenerList();

  bool empty() const { return listeners_.empty(); }
  /// Appends: listeners are notified in the order they started to wait.
  void add(Listener& l);
  /// Detaches every listener and notifies each, oldest first. Listeners added during the
  /// notification wait for the next signal.
  void notify_all();
  /// Detaches and notifies the oldest listener only; false if there is none.
  bool notify_one();

 private:
  friend class Listener;
  void unlink(Listener& l);
  IntrusiveList<Listener> listeners_;
};

}  // namespace podsim::sim
