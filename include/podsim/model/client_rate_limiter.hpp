#pragma once
// A client's API rate limit: client-go's token bucket (qps tokens per second, up to burst
// stored), used with reservations the way rate.Limiter.Wait does, so a caller learns at once
// when its request may go out and no event is needed per token.
//
//   ClientRateLimiter binds(50, 100);          // kube-scheduler clientConnection defaults
//   sim::Time go = binds.reserve(sim.now());   // >= now; later than now once the burst is spent

#include <algorithm>
#include <cstdint>

#include "podsim/sim/time.hpp"

namespace podsim::model {

class ClientRateLimiter {
 public:
  /// qps <= 0 means unlimited. The bucket starts full.
  ClientRateLimiter(double qps, std::int32_t burst)
      : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_) {}

  bool limited() const { return qps_ > 0; }

  /// Takes one token and returns when it is available: now if the bucket has one, otherwise
  /// the time the refill reaches it (tokens go negative, queuing later callers behind).
  sim::Time reserve(sim::Time now) {
    if (!limited()) return now;
    if (now > last_) {
      tokens_ = std::min(burst_, tokens_ + (now - last_).seconds() * qps_);
      last_ = now;
    }
    tokens_ -= 1;
    if (tokens_ >= 0) return now;
    return now + sim::seconds(-tokens_ / qps_);
  }

  /// client-go's TryAccept (rate.Limiter.Allow): takes a token if one is there, else refuses
  /// without waiting. Do not mix with reserve() on one limiter.
  bool try_accept(sim::Time now) {
    if (!limited()) return true;
    if (now > last_) {
      tokens_ = std::min(burst_, tokens_ + (now - last_).seconds() * qps_);
      last_ = now;
    }
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double qps_;
  double burst_;
  double tokens_;
  sim::Time last_ = sim::Time::zero();
};

}  // namespace podsim::model
