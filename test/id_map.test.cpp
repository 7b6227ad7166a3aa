// The flat id -> value map behind per-node puller and layer-cache tables.
#include "podsim/sim/id_map.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <stdexcept>

using podsim::sim::IdMap;

TEST_CASE("id map: insert, find, count and erase", "[engine][id_map]") {
  IdMap<std::uint32_t> counts;
  CHECK(counts.empty());
  CHECK(counts.find(7) == nullptr);
  CHECK_FALSE(counts.erase(7));

  ++counts[7];
  ++counts[7];
  ++counts[0];
  counts[42] = 5;
  CHECK(counts.size() == 3);
  REQUIRE(counts.find(7) != nullptr);
  CHECK(*counts.find(7) == 2);
  CHECK(*counts.find(0) == 1);
  CHECK(*counts.find(42) == 5);
  CHECK_FALSE(counts.contains(8));

  CHECK(counts.erase(7));
  CHECK_FALSE(counts.contains(7));
  CHECK(counts.size() == 2);
  // A key inserted again starts from a value-initialized value, not the erased one.
  CHECK(counts[7] == 0);
  CHECK(counts.size() == 3);
}

TEST_CASE("id map: growth and erasure keep every other key reachable", "[engine][id_map]") {
  // 1,000 keys force several doublings from 8 slots; erasing every even key shifts entries
  // back over the holes, and every odd key must still be found with its own value.
  IdMap<std::uint64_t> squares;
  for (std::uint32_t k = 0; k < 1000; ++k) squares[k] = std::uint64_t{k} * k;
  CHECK(squares.size() == 1000);
  for (std::uint32_t k = 0; k < 1000; k += 2) CHECK(squares.erase(k));
  CHECK(squares.size() == 500);
  for (std::uint32_t k = 0; k < 1000; ++k) {
    const std::uint64_t* v = squares.find(k);
    if (k % 2 == 0) {
      CHECK(v == nullptr);
    } else {
      REQUIRE(v != nullptr);
      CHECK(*v == std::uint64_t{k} * k);
    }
  }
  // Iteration visits each odd key once: 1 + 3 + ... + 999 = 500^2 = 250,000.
  std::uint64_t key_sum = 0;
  std::size_t visited = 0;
  for (const auto& [key, value] : squares) {
    key_sum += key;
    ++visited;
    CHECK(value == std::uint64_t{key} * key);
  }
  CHECK(visited == 500);
  CHECK(key_sum == 250'000);
}

TEST_CASE("id map: large and clustered ids", "[engine][id_map]") {
  // Ids near the top of the range and multiples of a power of two (which a plain modulo would
  // pile into one slot) are all told apart.
  IdMap<int> m;
  const std::uint32_t top = UINT32_MAX - 1;
  m[top] = 1;
  for (std::uint32_t i = 1; i <= 64; ++i) m[i << 20] = static_cast<int>(i);
  CHECK(m.size() == 65);
  CHECK(*m.find(top) == 1);
  CHECK(*m.find(64u << 20) == 64);
  CHECK(m.erase(1u << 20));
  CHECK(*m.find(2u << 20) == 2);
  CHECK_THROWS_AS(m[IdMap<int>::kEmpty], std::invalid_argument);
}

TEST_CASE("id map: clear keeps the map usable", "[engine][id_map]") {
  IdMap<int> m;
  for (std::uint32_t k = 0; k < 20; ++k) m[k] = 1;
  m.clear();
  CHECK(m.empty());
  CHECK(m.find(3) == nullptr);
  CHECK(m.begin() == m.end());
  m[3] = 9;
  CHECK(m.size() == 1);
  CHECK(*m.find(3) == 9);
}

TEST_CASE("id map: matches std::map over a mixed sequence", "[engine][id_map]") {
  // Keys 0..63 in an 8- to 128-slot table collide constantly; the reference is std::map.
  IdMap<std::uint32_t> m;
  std::map<std::uint32_t, std::uint32_t> reference;
  std::uint32_t x = 12345;
  for (int step = 0; step < 20'000; ++step) {
    x = x * 1103515245u + 12345u;  // a fixed LCG: the same sequence on every platform
    const std::uint32_t key = (x >> 16) % 64;
    if ((x >> 8) % 3 == 0) {
      CHECK(m.erase(key) == (reference.erase(key) == 1));
    } else {
      ++m[key];
      ++reference[key];
    }
  }
  REQUIRE(m.size() == reference.size());
  for (const auto& [key, value] : reference) {
    const std::uint32_t* v = m.find(key);
    REQUIRE(v != nullptr);
    CHECK(*v == value);
  }
}
