#include "podsim/report/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace podsim::report {

namespace {
// Beyond this llround would overflow; no simulated run gets near it (292 years).
constexpr double kMaxExactSeconds = 9.0e9;
}  // namespace

std::int64_t to_nanoseconds(double seconds) {
  return static_cast<std::int64_t>(std::llround(seconds * 1e9));
}

std::string format_ns(std::int64_t ns) {
  // Unsigned magnitude so that INT64_MIN does not overflow on negation.
  const bool negative = ns < 0;
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(ns) + 1 : static_cast<std::uint64_t>(ns);
  return fmt::format("{}{}.{:09}", negative ? "-" : "", magnitude / 1'000'000'000u,
                     magnitude % 1'000'000'000u);
}

std::string fixed_seconds(double seconds) {
  if (!std::isfinite(seconds)) return {};
  if (std::abs(seconds) >= kMaxExactSeconds) return fmt::format("{:.9f}", seconds);
  return format_ns(to_nanoseconds(seconds));
}

std::string shortest(double x) {
  if (!std::isfinite(x)) return {};
  std::string s = fmt::format("{}", x);
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

}  // namespace podsim::report
