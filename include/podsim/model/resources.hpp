#pragma once
// CPU and memory as the scheduler counts them: requests, in millicores and bytes.

#include <cstdint>

namespace podsim::model {

struct Resources {
  std::int64_t cpu_millis = 0;
  std::int64_t memory_bytes = 0;

  Resources& operator+=(const Resources& o) {
    cpu_millis += o.cpu_millis;
    memory_bytes += o.memory_bytes;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    cpu_millis -= o.cpu_millis;
    memory_bytes -= o.memory_bytes;
    return *this;
  }
  friend Resources operator+(Resources a, const Resources& b) { return a += b; }
  friend Resources operator-(Resources a, const Resources& b) { return a -= b; }
  friend bool operator==(const Resources&, const Resources&) = default;
  /// True if `this` fits within `capacity` in every dimension.
  bool fits_in(const Resources& capacity) const {
    return cpu_millis <= capacity.cpu_millis && memory_bytes <= capacity.memory_bytes;
  }
};

}  // namespace podsim::model
