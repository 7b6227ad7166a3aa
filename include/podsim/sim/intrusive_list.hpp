#pragma once
// A doubly linked list threaded through its elements: no allocation, O(1) removal of any
// element. Waiters of every kind live in coroutine frames or model objects and queue this way.
// Node needs members `Node* prev` and `Node* next` (befriend IntrusiveList if they are private).

namespace podsim::sim {

template <class Node>
class IntrusiveList {
 public:
  bool empty() const { return head_ == nullptr; }
  Node* front() const { return head_; }
  Node* back() const { return tail_; }

  void push_back(Node& n) { insert_after(tail_, n); }
  /// Inserts `n` after `after`, or at the front when `after` is null.
  void insert_after(Node* after, Node& n) {
    n.prev = after;
    n.next = after != nullptr ? after->next : head_;
    if (n.next != nullptr) {
      n.next->prev = &n;
    } else {
      tail_ = &n;
    }
    if (after != nullptr) {
      after->next = &n;
    } else {
      head_ = &n;
    }
  }
  void remove(Node& n) {
    if (n.prev != nullptr) {
      n.prev->next = n.next;
    } else {
      head_ = n.next;
    }
    if (n.next != nullptr) {
      n.next->prev = n.prev;
    } else {
      tail_ = n.prev;
    }
    n.prev = n.next = nullptr;
  }
  Node* pop_front() {
    Node* n = head_;
    if (n != nullptr) remove(*n);
    return n;
  }

 private:
  Node* head_ = nullptr;
  Node* tail_ = nullptr;
};

}  // namespace podsim::sim
