#pragma once
// Values with units as scenario files write them: bandwidths ("10Gbps", "1.25GB/s"), byte sizes
// ("5GB", "300MiB", "1.5Gi") and durations in Go's time.Duration syntax ("250ms", "1m30s").
// Each parser throws std::invalid_argument whose message quotes the bad value and says what is
// accepted; the YAML reader adds the file, line and column.

#include <cstdint>
#include <string>
#include <string_view>

#include "podsim/sim/time.hpp"

namespace podsim::loader {

/// A bandwidth in bytes per second (> 0).
///
/// A decimal number (no sign, no exponent) followed directly by a unit:
///   bits:  bps or bit/s with an optional prefix k/K, M, G, T, P (powers of 1000) or
///          Ki, Mi, Gi, Ti, Pi (powers of 1024): "10Gbps", "100Mbps", "1Gbit/s", "800Kbps";
///   bytes: B/s with the same prefixes: "1.25GB/s", "100MB/s", "512MiB/s", "1.5GiB/s".
/// "Bps" is rejected as too easily confused with "bps"; the error suggests both spellings.
/// Example: `parse_bandwidth("10Gbps") == 1.25e9`.
double parse_bandwidth(std::string_view text);

/// A size in bytes, rounded up to a whole byte.
///
/// Either a Kubernetes quantity without the sub-unit suffixes n, u, m ("5G", "1.5Gi", "1e9",
/// "512") or a number with a byte unit: B, kB/KB, MB, GB, TB, PB, EB (powers of 1000) or KiB,
/// MiB, GiB, TiB, PiB, EiB (powers of 1024): "5GB", "300MiB". A plain number is bytes.
/// Example: `parse_byte_size("300MiB") == 314572800`.
std::int64_t parse_byte_size(std::string_view text);

struct DurationOptions {
  /// Read a bare number ("30", "1.5") as seconds. Off by default: a bare number is an error
  /// that suggests adding a unit.
  bool bare_number_is_seconds = false;
  /// Accept a leading '-'.
  bool allow_negative = false;
};

/// A duration in Go's time.ParseDuration syntax: a sequence of decimal numbers, each with an
/// optional fraction and a unit (ns, us or µs, ms, s, m, h), with an optional leading sign:
/// "250ms", "30s", "5m", "1h", "1m30s", "1.5s", "100us", "10ns". "0" needs no unit. Fractions
/// below a nanosecond are truncated, as in Go.
/// Example: `parse_duration("1m30s") == sim::seconds(90)`.
sim::Duration parse_duration(std::string_view text, DurationOptions options = {});

/// Formats a duration as Go's Duration.String() does: "1m30s", "250ms", "1.5s", "0s".
std::string format_duration(sim::Duration d);

}  // namespace podsim::loader
