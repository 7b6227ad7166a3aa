#include "podsim/loader/units.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <stdexcept>

#include "podsim/loader/quantity.hpp"

namespace podsim::loader {
namespace {

struct Prefix {
  std::string_view name;
  int exp10;
  int exp2;
};

// Prefixes of bandwidth and byte units: SI (k and K both mean 1000) and IEC binary.
constexpr std::array<Prefix, 12> kPrefixes{{
    {"", 0, 0},
    {"k", 3, 0},
    {"K", 3, 0},
    {"M", 6, 0},
    {"G", 9, 0},
    {"T", 12, 0},
    {"P", 15, 0},
    {"Ki", 0, 10},
    {"Mi", 0, 20},
    {"Gi", 0, 30},
    {"Ti", 0, 40},
    {"Pi", 0, 50},
}};

const Prefix* find_prefix(std::string_view name) {
  for (const auto& p : kPrefixes) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

constexpr std::string_view kBandwidthHelp =
    "use bits per second (bps, kbps, Mbps, Gbps, Tbps or Mbit/s, Gbit/s) or bytes per second "
    "(B/s, kB/s, MB/s, GB/s, MiB/s, GiB/s)";

[[noreturn]] void bad_bandwidth(std::string_view text, std::string_view reason) {
  throw std::invalid_argument(fmt::format("invalid bandwidth '{}': {}", text, reason));
}

}  // namespace

double parse_bandwidth(std::string_view text) {
  if (text.empty()) bad_bandwidth(text, fmt::format("empty; {}", kBandwidthHelp));
  if (text[0] == '-') bad_bandwidth(text, "must be > 0");
  const auto scanned = detail::scan_decimal(text, /*allow_sign=*/false);
  if (!scanned) {
    bad_bandwidth(text, fmt::format("expected a number with a unit such as 10Gbps or 100MB/s; {}",
                                    kBandwidthHelp));
  }
  const std::string_view unit = scanned->rest;
  if (unit.empty()) {
    bad_bandwidth(text,
                  fmt::format("missing unit; write '{0}Mbps' (bits) or '{0}MB/s' (bytes)", text));
  }
  if (unit[0] == '.') bad_bandwidth(text, "malformed number");
  bool bits = false;
  std::string_view prefix;
  if (ends_with(unit, "bps")) {
    bits = true;
    prefix = unit.substr(0, unit.size() - 3);
  } else if (ends_with(unit, "bit/s")) {
    bits = true;
    prefix = unit.substr(0, unit.size() - 5);
  } else if (ends_with(unit, "B/s")) {
    prefix = unit.substr(0, unit.size() - 3);
  } else if (ends_with(unit, "Bps")) {
    const std::string_view p = unit.substr(0, unit.size() - 3);
    bad_bandwidth(text, fmt::format("ambiguous unit '{0}'; write '{1}B/s' for bytes or '{1}bps' "
                                    "for bits per second",
                                    unit, p));
  } else {
    bad_bandwidth(text, fmt::format("unknown unit '{}'; {}", unit, kBandwidthHelp));
  }
  const Prefix* p = find_prefix(prefix);
  if (!p) bad_bandwidth(text, fmt::format("unknown unit '{}'; {}", unit, kBandwidthHelp));
  const double value = detail::to_double(scanned->number, p->exp10, p->exp2) / (bits ? 8 : 1);
  if (!(value > 0)) bad_bandwidth(text, "must be > 0");
  if (!(value < std::numeric_limits<double>::infinity())) bad_bandwidth(text, "too large");
  return value;
}

std::int64_t parse_byte_size(std::string_view text) {
  const auto bad = [&](std::string_view reason) -> std::invalid_argument {
    return std::invalid_argument(fmt::format("invalid byte size '{}': {}", text, reason));
  };
  constexpr std::string_view help =
      "use bytes (512), B, kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024) "
      "or Kubernetes suffixes (k, M, G, Ki, Mi, Gi, ...)";
  if (text.empty()) throw bad(fmt::format("empty; {}", help));
  const auto scanned = detail::scan_decimal(text, /*allow_sign=*/true);
  if (!scanned) throw bad(fmt::format("expected a number with an optional unit; {}", help));
  if (scanned->number.negative && !scanned->number.digits.empty()) {
    throw bad("must not be negative");
  }
  const std::string_view unit = scanned->rest;
  if (!unit.empty() && unit[0] == '.') throw bad("malformed number");
  int exp10 = 0, exp2 = 0;
  if (ends_with(unit, "B")) {
    std::string_view prefix = unit.substr(0, unit.size() - 1);
    const Prefix* p = nullptr;
    if (prefix == "Ei") {
      exp2 = 60;
    } else if (prefix == "E") {
      exp10 = 18;
    } else if ((p = find_prefix(prefix)) != nullptr) {
      exp10 = p->exp10;
      exp2 = p->exp2;
    } else {
      throw bad(fmt::format("unknown unit '{}'; {}", unit, help));
    }
  } else if (unit == "n" || unit == "u" || unit == "m") {
    throw bad(fmt::format(
        "'{}' means 1/{} of a byte in Kubernetes notation; for mega write M, MB or Mi", unit,
        unit == "n"   ? "10^9"
        : unit == "u" ? "10^6"
                      : "1000"));
  } else if (unit == "K") {
    exp10 = 3;
  } else if (!detail::quantity_suffix(unit, exp10, exp2)) {
    throw bad(fmt::format("unknown unit '{}'; {}", unit, help));
  }
  const auto bytes = detail::scaled_ceil(scanned->number, exp10, exp2);
  if (!bytes) throw bad("too large (does not fit in a 64-bit integer)");
  return *bytes;
}

namespace {

struct DurationUnit {
  std::string_view name;
  std::int64_t ns;
};

constexpr std::array<DurationUnit, 8> kDurationUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"\u00b5s", 1'000},  // micro sign
    {"\u03bcs", 1'000},  // Greek small letter mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

constexpr std::string_view kDurationHelp = "use ns, us, ms, s, m or h, e.g. 250ms, 30s, 5m, 1m30s";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Wide enough that a number times an hour in nanoseconds cannot wrap before the range check.
__extension__ using Wide = unsigned __int128;

// The magnitude in nanoseconds of an unsigned Go duration such as "1m30.5s".
template <class Bad>
std::int64_t parse_unsigned_duration(std::string_view s, const Bad& bad) {
  constexpr auto kMax = static_cast<Wide>(std::numeric_limits<std::int64_t>::max());
  Wide total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) {
      throw bad(fmt::format("expected a number at '{}'; {}", s, kDurationHelp));
    }
    Wide whole = 0;
    bool digits = false;
    while (!s.empty() && is_digit(s[0])) {
      whole = whole * 10 + static_cast<unsigned>(s[0] - '0');
      if (whole > kMax) throw bad("too large (at most about 292 years)");
      s.remove_prefix(1);
      digits = true;
    }
    Wide fraction = 0, scale = 1;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      while (!s.empty() && is_digit(s[0])) {
        if (scale < static_cast<Wide>(1'000'000'000'000'000'000ULL)) {
          fraction = fraction * 10 + static_cast<unsigned>(s[0] - '0');
          scale *= 10;
        }  // further digits are below a nanosecond for every unit: dropped
        s.remove_prefix(1);
        digits = true;
      }
    }
    if (!digits) throw bad("malformed number");
    std::size_t unit_end = 0;
    while (unit_end < s.size() && !(s[unit_end] == '.' || is_digit(s[unit_end]))) ++unit_end;
    if (unit_end == 0) {
      throw bad(!s.empty() && s[0] == '.' ? "malformed number"
                                          : fmt::format("missing unit; {}", kDurationHelp));
    }
    const std::string_view unit = s.substr(0, unit_end);
    s.remove_prefix(unit_end);
    const DurationUnit* u = nullptr;
    for (const auto& candidate : kDurationUnits) {
      if (candidate.name == unit) u = &candidate;
    }
    if (!u) throw bad(fmt::format("unknown unit '{}'; {}", unit, kDurationHelp));
    const auto unit_ns = static_cast<Wide>(u->ns);
    const Wide part = whole * unit_ns + fraction * unit_ns / scale;
    total += part;
    if (whole > kMax / unit_ns || total > kMax) throw bad("too large (at most about 292 years)");
  }
  return static_cast<std::int64_t>(total);
}

}  // namespace

sim::Duration parse_duration(std::string_view text, DurationOptions options) {
  const auto bad = [&](std::string_view reason) -> std::invalid_argument {
    return std::invalid_argument(fmt::format("invalid duration '{}': {}", text, reason));
  };
  if (text.empty()) throw bad(fmt::format("empty; {}", kDurationHelp));
  std::string_view s = text;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (negative && !options.allow_negative) throw bad("must not be negative");
  if (s == "0") return sim::Duration{};
  // A bare number: seconds where the context allows it, otherwise a hint to add a unit.
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos) {
    if (!options.bare_number_is_seconds) {
      throw bad(
          fmt::format("missing unit; write '{0}s' for seconds or '{0}ms' for milliseconds", s));
    }
    // As if written with the unit "s", so that both spellings round alike.
    const std::int64_t ns = parse_unsigned_duration(std::string(s) + "s", bad);
    return sim::Duration::from_ns(negative ? -ns : ns);
  }
  if (s.empty()) throw bad(fmt::format("expected a number after the sign; {}", kDurationHelp));
  const std::int64_t ns = parse_unsigned_duration(s, bad);
  return sim::Duration::from_ns(negative ? -ns : ns);
}

std::string format_duration(sim::Duration d) {
  std::int64_t ns = d.ns();
  if (ns == 0) return "0s";
  std::string sign;
  auto magnitude = static_cast<std::uint64_t>(ns);
  if (ns < 0) {
    sign = "-";
    magnitude = ~magnitude + 1;
  }
  // Trims trailing zeros of a fraction: 1.500 -> "1.5", 2.000 -> "2".
  const auto with_fraction = [](std::uint64_t whole, std::uint64_t frac, int width) {
    std::string out = std::to_string(whole);
    if (frac == 0) return out;
    std::string f = fmt::format("{:0{}}", frac, width);
    f.erase(f.find_last_not_of('0') + 1);
    return out + "." + f;
  };
  if (magnitude < 1'000) return sign + std::to_string(magnitude) + "ns";
  if (magnitude < 1'000'000)
    return sign + with_fraction(magnitude / 1'000, magnitude % 1'000, 3) + "\u00b5s";
  if (magnitude < 1'000'000'000) {
    return sign + with_fraction(magnitude / 1'000'000, magnitude % 1'000'000, 6) + "ms";
  }
  const std::uint64_t seconds_total = magnitude / 1'000'000'000;
  const std::uint64_t sub = magnitude % 1'000'000'000;
  const std::uint64_t hours = seconds_total / 3600;
  const std::uint64_t minutes = seconds_total / 60 % 60;
  std::string out = sign;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  return out + with_fraction(seconds_total % 60, sub, 9) + "s";
}

}  // namespace podsim::loader
