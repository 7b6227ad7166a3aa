#pragma once
// A span's times as integer nanoseconds, checked: pods.csv and trace.json print the same
// numbers and refuse the same bad spans.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "podsim/experiment/result.hpp"
#include "podsim/report/format.hpp"

namespace podsim::report::detail {

struct SpanNs {
  std::int64_t start;
  std::int64_t end;
};

/// Throws std::invalid_argument for a non-finite or absurd time or a span ending before it starts.
inline SpanNs span_ns(const experiment::VariantResult& v, const experiment::ReplicationResult& r,
                      const experiment::PodSpanRecord& span) {
  constexpr double kLimit = 9.0e9;  // seconds; llround of the nanoseconds stays in range
  const bool ok = std::abs(span.start_s) < kLimit && std::abs(span.end_s) < kLimit &&
                  span.end_s >= span.start_s;  // false for NaN too
  if (!ok) {
    throw std::invalid_argument(
        fmt::format("variant '{}', replication {}: pod '{}' has a bad {} span [{}, {}] s", v.name,
                    r.index, span.pod, model::to_string(span.stage), span.start_s, span.end_s));
  }
  return {to_nanoseconds(span.start_s), to_nanoseconds(span.end_s)};
}

}  // namespace podsim::report::detail
