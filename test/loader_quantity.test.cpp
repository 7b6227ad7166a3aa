#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "podsim/loader/quantity.hpp"

using podsim::loader::parse_cpu_millis;
using podsim::loader::parse_memory_bytes;
using podsim::loader::Quantity;

TEST_CASE("CPU quantities become millicores, rounded up like MilliValue", "[loader]") {
  struct Case {
    const char* text;
    std::int64_t millis;
  };
  const Case cases[] = {
      {"500m", 500}, {"2", 2000},      {"0.1", 100},     {"1m", 1},        {"0.0001", 1},
      {"1.5", 1500}, {"+2", 2000},     {".5", 500},      {"2.", 2000},     {"0", 0},
      {"-0", 0},     {"100u", 1},      {"1n", 1},        {"250000u", 250}, {"1e3", 1000000},
      {"1E-3", 1},   {"1.0001", 1001}, {"0.5k", 500000}, {"00012", 12000}, {"1e+2", 100000},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(parse_cpu_millis(c.text) == c.millis);
  }
}

TEST_CASE("Memory quantities become whole bytes, rounded up like Value", "[loader]") {
  struct Case {
    const char* text;
    std::int64_t bytes;
  };
  const Case cases[] = {
      {"128Mi", 134217728},  // 128 * 2^20
      {"1G", 1000000000},
      {"1.5Gi", 1610612736},  // 1.5 * 2^30
      {"0.5Ki", 512},
      {"1Ki", 1024},
      {"1.5", 2},
      {"100m", 1},  // 0.1 byte, rounded up
      {"1e9", 1000000000},
      {"9E", 9000000000000000000},
      {"1Ei", 1152921504606846976},            // 2^60
      {"12345678901234567890n", 12345678902},  // 12345678901.23456789
      {"2Ti", 2199023255552},                  // 2 * 2^40
      {"0.000000001", 1},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(parse_memory_bytes(c.text) == c.bytes);
  }
}

TEST_CASE("Negative quantities round away from zero", "[loader]") {
  CHECK(Quantity::parse("-0.0001").milli_value() == -1);
  CHECK(Quantity::parse("-1.5").value() == -2);
  CHECK(Quantity::parse("-1").negative());
  CHECK_FALSE(Quantity::parse("-0").negative());
  CHECK(Quantity::parse("0").is_zero());
}

TEST_CASE("Quantities convert to the nearest double", "[loader]") {
  CHECK(Quantity::parse("1.5Gi").to_double() == 1610612736.0);
  CHECK(Quantity::parse("500m").to_double() == 0.5);
  CHECK(Quantity::parse("-2k").to_double() == -2000.0);
  CHECK(Quantity::parse("0.1").to_double() == 0.1);
  CHECK(Quantity::parse("1.5Gi").text() == "1.5Gi");
}

TEST_CASE("Bad quantities give messages that name the value and what is accepted", "[loader]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "invalid quantity '': empty; expected a number such as 500m, 2, 1.5Gi or 1e3"},
      {"12Qi",
       "invalid quantity '12Qi': unknown suffix 'Qi' (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, "
       "Ti, Pi, Ei or an exponent such as e3)"},
      {"1.2.3", "invalid quantity '1.2.3': malformed number"},
      {"abc",
       "invalid quantity 'abc': expected a number with an optional suffix, such as 500m, 2, 1.5Gi "
       "or 1e3"},
      {"-",
       "invalid quantity '-': expected a number with an optional suffix, such as 500m, 2, "
       "1.5Gi or 1e3"},
      {"1K", "invalid quantity '1K': unknown suffix 'K' (did you mean 'k' (10^3) or 'Ki' (2^10)?)"},
      {"1GB",
       "invalid quantity '1GB': unknown suffix 'GB' (quantities have no 'B': did you mean "
       "'G'?)"},
      {"1MiB",
       "invalid quantity '1MiB': unknown suffix 'MiB' (quantities have no 'B': did you "
       "mean 'Mi'?)"},
      {"2gi", "invalid quantity '2gi': unknown suffix 'gi' (did you mean 'Gi'?)"},
      {"1e",
       "invalid quantity '1e': unknown suffix 'e' (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, "
       "Pi, Ei or an exponent such as e3)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK_THROWS_WITH(Quantity::parse(c.text), c.message);
  }
  CHECK_THROWS_WITH(parse_cpu_millis("-1"), "invalid quantity '-1': must not be negative");
  CHECK_THROWS_WITH(parse_memory_bytes("-1Gi"), "invalid quantity '-1Gi': must not be negative");
  CHECK_THROWS_WITH(parse_memory_bytes("8Ei"),  // 2^63 > int64 max
                    "invalid quantity '8Ei': too large (does not fit in a 64-bit integer)");
  CHECK_THROWS_WITH(parse_cpu_millis("10P"),  // 10^19 millicores
                    "invalid quantity '10P': too large (does not fit in a 64-bit integer)");
  CHECK_THROWS_AS(Quantity::parse("1 Gi"), std::invalid_argument);
}
