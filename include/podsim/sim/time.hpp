#pragma once
// Simulated time: integer nanoseconds, so that a run never depends on floating-point rounding
// of event times and ties are exact.

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>

namespace podsim::sim {

/// A span of simulated time in nanoseconds. Example: `Duration d = seconds(1.5);`
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration from_ns(std::int64_t ns) { return Duration(ns); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator-() const { return Duration(-ns_); }
  constexpr Duration operator*(std::int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration& operator+=(Duration o) { return ns_ += o.ns_, *this; }
  constexpr Duration& operator-=(Duration o) { return ns_ -= o.ns_, *this; }

 private:
  constexpr explicit Duration(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

/// An instant of simulated time: nanoseconds since the start of the run.
class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ns(std::int64_t ns) { return Time(ns); }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const Time&) const = default;
  /// Saturates at Time::max() so that "never" plus a delay stays "never".
  constexpr Time operator+(Duration d) const {
    if (d.ns() > 0 && ns_ > std::numeric_limits<std::int64_t>::max() - d.ns()) return max();
    return Time(ns_ + d.ns());
  }
  constexpr Time operator-(Duration d) const { return Time(ns_ - d.ns()); }
  constexpr Duration operator-(Time o) const { return Duration::from_ns(ns_ - o.ns_); }
  constexpr Time& operator+=(Duration d) { return *this = *this + d; }

 private:
  constexpr explicit Time(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

constexpr Duration nanoseconds(std::int64_t ns) {
  return Duration::from_ns(ns);
}
constexpr Duration microseconds(std::int64_t us) {
  return Duration::from_ns(us * 1'000);
}
constexpr Duration milliseconds(std::int64_t ms) {
  return Duration::from_ns(ms * 1'000'000);
}

/// Converts seconds to the nearest nanosecond; negative and NaN inputs become zero (a sampled
/// stage duration is never negative) and very large ones saturate.
inline Duration seconds(double s) {
  if (!(s > 0)) return Duration{};
  const double ns = std::round(s * 1e9);
  if (ns >= 9.2e18) return Duration::max();
  return Duration::from_ns(static_cast<std::int64_t>(ns));
}

}  // namespace podsim::sim
