#include "podsim/sim/fifo_server.hpp"

#include <stdexcept>

namespace podsim::sim {

FifoServer::FifoServer(Simulation& sim, std::uint32_t capacity)
    : sim_(sim), capacity_(capacity), stats_since_(sim.now()), last_change_(sim.now()) {
  if (capacity == 0) throw std::invalid_argument("FifoServer: capacity must be at least 1");
}

FifoServer::Lease& FifoServer::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    release();
    server_ = o.server_;
    o.server_ = nullptr;
  }
  return *this;
}

void FifoServer::Lease::release() {
  if (server_ != nullptr) {
    FifoServer* s = server_;
    server_ = nullptr;
    s->release();
  }
}

bool FifoServer::Acquire::await_ready() {
  if (interrupt_pending()) return true;
  if (server_.try_acquire()) {
    state_ = State::granted;
    return true;
  }
  return false;
}

void FifoServer::Acquire::await_suspend(std::coroutine_handle<> h) {
  suspend(h);
  server_.enqueue(*this);
}

FifoServer::Lease FifoServer::Acquire::await_resume() {
  check_interrupt();
  state_ = State::idle;
  return Lease(&server_);
}

void FifoServer::Acquire::withdraw() {
  if (state_ == State::queued) {
    server_.account();
    server_.unlink(*this);
  } else if (state_ == State::granted) {
    // Granted but not yet resumed: the slot goes back to the queue.
    server_.release();
  }
  state_ = State::idle;
  cancel();
}

bool FifoServer::try_acquire() {
  if (busy_ == capacity_ || !queue_.empty()) return false;
  account();
  ++busy_;
  ++grants_;
  return true;
}

void FifoServer::release() {
  if (busy_ == 0) throw std::logic_error("FifoServer: release without a held slot");
  account();
  if (!queue_.empty()) {
    grant(*queue_.front());  // the slot passes straight to the next waiter
  } else {
    --busy_;
  }
}

void FifoServer::enqueue(Acquire& a) {
  account();
  a.state_ = Acquire::State::queued;
  a.enqueued_at_ = sim_.now();
  // Walk back past lower priorities; equal priorities keep arrival order.
  Acquire* after = queue_.back();
  while (after != nullptr && after->priority_ < a.priority_) after = after->prev;
  queue_.insert_after(after, a);
  ++queued_;
}

void FifoServer::unlink(Acquire& a) {
  queue_.remove(a);
  --queued_;
}

void FifoServer::grant(Acquire& a) {
  unlink(a);
  a.state_ = Acquire::State::granted;
  ++grants_;
  total_wait_ += sim_.now() - a.enqueued_at_;
  a.wake();
}

void FifoServer::account() {
  const double dt = static_cast<double>((sim_.now() - last_change_).ns());
  queue_area_ += dt * queued_;
  busy_area_ += dt * busy_;
  last_change_ = sim_.now();
}

double FifoServer::mean_queue_length() const {
  const double span = static_cast<double>((sim_.now() - stats_since_).ns());
  if (span <= 0) return static_cast<double>(queued_);
  const double pending = static_cast<double>((sim_.now() - last_change_).ns()) * queued_;
  return (queue_area_ + pending) / span;
}

double FifoServer::mean_busy() const {
  const double span = static_cast<double>((sim_.now() - stats_since_).ns());
  if (span <= 0) return static_cast<double>(busy_);
  const double pending = static_cast<double>((sim_.now() - last_change_).ns()) * busy_;
  return (busy_area_ + pending) / span;
}

void FifoServer::reset_statistics() {
  grants_ = 0;
  total_wait_ = Duration{};
  stats_since_ = last_change_ = sim_.now();
  queue_area_ = busy_area_ = 0;
}

}  // namespace podsim::sim
