#include <catch2/catch.hpp>
#include <stdexcept>

#include "podsim/loader/units.hpp"

using podsim::loader::DurationOptions;
using podsim::loader::format_duration;
using podsim::loader::parse_bandwidth;
using podsim::loader::parse_byte_size;
using podsim::loader::parse_duration;
namespace sim = podsim::sim;

TEST_CASE("Bandwidths in bits and bytes become bytes per second", "[loader]") {
  struct Case {
    const char* text;
    double bytes_per_second;
  };
  const Case cases[] = {
      {"10Gbps", 1.25e9},          // 10e9 / 8
      {"100Mbps", 12.5e6},         // 100e6 / 8
      {"1Gbit/s", 125e6},          // 1e9 / 8
      {"800Kbps", 100e3},          // 800e3 / 8
      {"800kbps", 100e3},          //
      {"1bps", 0.125},             //
      {"1.25GB/s", 1.25e9},        //
      {"100MB/s", 100e6},          //
      {"512MiB/s", 536870912.0},   // 512 * 2^20
      {"1.5GiB/s", 1610612736.0},  // 1.5 * 2^30
      {"8B/s", 8.0},               //
      {"1Tbps", 125e9},            //
      {"0.1Gbps", 12.5e6},         // 1e8 / 8
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(parse_bandwidth(c.text) == c.bytes_per_second);
  }
}

TEST_CASE("Byte sizes accept byte units and Kubernetes suffixes", "[loader]") {
  struct Case {
    const char* text;
    std::int64_t bytes;
  };
  const Case cases[] = {
      {"5GB", 5000000000},
      {"300MiB", 314572800},  // 300 * 2^20
      {"1.5Gi", 1610612736},
      {"512", 512},
      {"512B", 512},
      {"1KB", 1000},
      {"1kB", 1000},
      {"1KiB", 1024},
      {"1.5", 2},
      {"5G", 5000000000},
      {"1e9", 1000000000},
      {"0", 0},
      {"1EiB", 1152921504606846976},
      {"2K", 2000},
      {"0.5KiB", 512},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(parse_byte_size(c.text) == c.bytes);
  }
}

TEST_CASE("Durations follow Go's time.ParseDuration", "[loader]") {
  struct Case {
    const char* text;
    std::int64_t ns;
  };
  const Case cases[] = {
      {"250ms", 250000000},
      {"30s", 30000000000},
      {"5m", 300000000000},
      {"1h", 3600000000000},
      {"1m30s", 90000000000},
      {"1.5s", 1500000000},
      {"100us", 100000},
      {"5\u00b5s", 5000},
      {"5\u03bcs", 5000},
      {"10ns", 10},
      {"1h30m10.5s", 5410500000000},
      {"0", 0},
      {"0s", 0},
      {".5s", 500000000},
      {"1.s", 1000000000},
      {"1.0000000005s", 1000000000},  // below a nanosecond: truncated
      {"+2s", 2000000000},
      {"1.5h", 5400000000000},
      {"2562047h47m16.854775807s", 9223372036854775807},  // the int64 maximum
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(parse_duration(c.text).ns() == c.ns);
  }
}

TEST_CASE("Duration contexts can allow bare seconds and negative values", "[loader]") {
  const DurationOptions seconds{.bare_number_is_seconds = true};
  CHECK(parse_duration("30", seconds) == sim::seconds(30));
  CHECK(parse_duration("1.5", seconds).ns() == 1500000000);
  CHECK(parse_duration("2m", seconds) == sim::seconds(120));
  const DurationOptions negative{.allow_negative = true};
  CHECK(parse_duration("-1.5s", negative).ns() == -1500000000);
}

TEST_CASE("Durations format as Go prints them", "[loader]") {
  CHECK(format_duration(sim::seconds(90)) == "1m30s");
  CHECK(format_duration(sim::milliseconds(250)) == "250ms");
  CHECK(format_duration(sim::seconds(1.5)) == "1.5s");
  CHECK(format_duration(sim::Duration{}) == "0s");
  CHECK(format_duration(sim::seconds(3600)) == "1h0m0s");
  CHECK(format_duration(sim::nanoseconds(1500)) == "1.5\u00b5s");
  CHECK(format_duration(sim::nanoseconds(10)) == "10ns");
  CHECK(format_duration(-sim::seconds(1.5)) == "-1.5s");
  CHECK(format_duration(sim::seconds(3725.25)) == "1h2m5.25s");
}

TEST_CASE("Bad values with units give messages naming the value and what is accepted", "[loader]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const char* const bandwidth_help =
      "use bits per second (bps, kbps, Mbps, Gbps, Tbps or Mbit/s, Gbit/s) or bytes per second "
      "(B/s, kB/s, MB/s, GB/s, MiB/s, GiB/s)";
  const Case bandwidths[] = {
      {"10GBps",
       "invalid bandwidth '10GBps': ambiguous unit 'GBps'; write 'GB/s' for bytes or 'Gbps' for "
       "bits per second"},
      {"10", "invalid bandwidth '10': missing unit; write '10Mbps' (bits) or '10MB/s' (bytes)"},
      {"0Gbps", "invalid bandwidth '0Gbps': must be > 0"},
      {"-1Gbps", "invalid bandwidth '-1Gbps': must be > 0"},
      {"1.2.3Gbps", "invalid bandwidth '1.2.3Gbps': malformed number"},
  };
  for (const auto& c : bandwidths) {
    INFO(c.text);
    CHECK_THROWS_WITH(parse_bandwidth(c.text), c.message);
  }
  CHECK_THROWS_WITH(parse_bandwidth("10Gb"),
                    std::string("invalid bandwidth '10Gb': unknown unit 'Gb'; ") + bandwidth_help);
  CHECK_THROWS_WITH(
      parse_bandwidth("10xbps"),
      std::string("invalid bandwidth '10xbps': unknown unit 'xbps'; ") + bandwidth_help);

  const char* const size_help =
      "use bytes (512), B, kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024) or "
      "Kubernetes suffixes (k, M, G, Ki, Mi, Gi, ...)";
  CHECK_THROWS_WITH(parse_byte_size("5m"),
                    "invalid byte size '5m': 'm' means 1/1000 of a byte in Kubernetes notation; "
                    "for mega write M, MB or Mi");
  CHECK_THROWS_WITH(parse_byte_size("-5GB"), "invalid byte size '-5GB': must not be negative");
  CHECK_THROWS_WITH(parse_byte_size("5XB"),
                    std::string("invalid byte size '5XB': unknown unit 'XB'; ") + size_help);
  CHECK_THROWS_WITH(parse_byte_size("5Qi"),
                    std::string("invalid byte size '5Qi': unknown unit 'Qi'; ") + size_help);
  CHECK_THROWS_WITH(parse_byte_size("8EiB"),
                    "invalid byte size '8EiB': too large (does not fit in a 64-bit integer)");

  const char* const duration_help = "use ns, us, ms, s, m or h, e.g. 250ms, 30s, 5m, 1m30s";
  const Case durations[] = {
      {"30",
       "invalid duration '30': missing unit; write '30s' for seconds or '30ms' for milliseconds"},
      {"-5s", "invalid duration '-5s': must not be negative"},
      {"1.2.3s", "invalid duration '1.2.3s': malformed number"},
      {"2562047h47m16.854775808s",
       "invalid duration '2562047h47m16.854775808s': too large (at most about 292 years)"},
  };
  for (const auto& c : durations) {
    INFO(c.text);
    CHECK_THROWS_WITH(parse_duration(c.text), c.message);
  }
  CHECK_THROWS_WITH(parse_duration(""),
                    std::string("invalid duration '': empty; ") + duration_help);
  CHECK_THROWS_WITH(parse_duration("5x"),
                    std::string("invalid duration '5x': unknown unit 'x'; ") + duration_help);
  CHECK_THROWS_WITH(parse_duration("1m30"),
                    std::string("invalid duration '1m30': missing unit; ") + duration_help);
  CHECK_THROWS_WITH(
      parse_duration("abc"),
      std::string("invalid duration 'abc': expected a number at 'abc'; ") + duration_help);
  CHECK_THROWS_WITH(
      parse_duration("+"),
      std::string("invalid duration '+': expected a number after the sign; ") + duration_help);
  CHECK_THROWS_WITH(parse_duration("5S"),
                    std::string("invalid duration '5S': unknown unit 'S'; ") + duration_help);
}
