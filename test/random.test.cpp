#include "podsim/sim/random.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using podsim::sim::RandomStream;

namespace {

std::vector<std::uint64_t> first_outputs(RandomStream stream, int count) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(stream.next_u64());
  return out;
}

}  // namespace

TEST_CASE("random: splitmix64 reproduces the reference test vector", "[random]") {
  // Vigna's splitmix64.c seeded with 0 (the published first outputs, also the seeding that the
  // xoshiro authors recommend).
  std::uint64_t state = 0;
  CHECK(podsim::sim::splitmix64_next(state) == 0xE220A8397B1DCDAFULL);
  CHECK(podsim::sim::splitmix64_next(state) == 0x6E789E6AA1B965F4ULL);
  CHECK(podsim::sim::splitmix64_next(state) == 0x06C45D188009454FULL);
  CHECK(podsim::sim::splitmix64_next(state) == 0xF88BB8A8724C81ECULL);
}

TEST_CASE("random: the stream is xoshiro256++ seeded by splitmix64", "[random]") {
  // Reference xoshiro256plusplus.c with its state filled by splitmix64(0) (the four values
  // above): the published sequence used by other implementations' tests, e.g. Zig's std.
  const std::vector<std::uint64_t> expected = {0x53175D61490B23DFULL, 0x61DA6F3DC380D507ULL,
                                               0x5C0FDF91EC9A7BFCULL, 0x02EEBF8C3BBE5E1AULL,
                                               0x7ECA04EBAF4A5EEAULL, 0x0543C37757F08D9AULL};
  CHECK(first_outputs(RandomStream(0), 6) == expected);
}

TEST_CASE("random: FNV-1a 64 matches the published test vectors", "[random]") {
  CHECK(podsim::sim::fnv1a64("") == 0xCBF29CE484222325ULL);
  CHECK(podsim::sim::fnv1a64("a") == 0xAF63DC4C8601EC8CULL);
  CHECK(podsim::sim::fnv1a64("foobar") == 0x85944171F73967E8ULL);
}

TEST_CASE("random: derived stream keys are pinned forever", "[random]") {
  // Computed by an independent Python transcription of the formulas documented in random.hpp
  // (name/index tags, mix64, xoshiro256++, (k + 0.5) / 2^52). If this fails, every simulated
  // result of every user has changed.
  auto stream = RandomStream::derive(42, {"replication", 3, "pod", 17, "image_pull"});
  CHECK(stream.key() == 0xDE9FE8DED9D0F345ULL);
  CHECK(stream.next_u64() == 0x68431E14456536BDULL);
  CHECK(stream.uniform01() == 0.4630136813362905);
  CHECK(stream.uniform01() == 0.9313420471889106);
}

TEST_CASE("random: same seed gives the same sequence, different seeds differ", "[random]") {
  CHECK(first_outputs(RandomStream(7), 100) == first_outputs(RandomStream(7), 100));
  CHECK(first_outputs(RandomStream(7), 100) != first_outputs(RandomStream(8), 100));

  // A copy continues exactly where the original is.
  RandomStream original(99);
  original.next_u64();
  RandomStream copy = original;
  CHECK(original.next_u64() == copy.next_u64());
  CHECK(original == copy);
}

TEST_CASE("random: derive is a chain of child() and does not depend on draws", "[random]") {
  const std::uint64_t seed = 2024;
  const auto derived = RandomStream::derive(seed, {"replication", 3, "pod", 17});
  RandomStream root(seed);
  const auto chained = root.child("replication").child(3).child("pod").child(17);
  CHECK(derived.key() == chained.key());
  CHECK(first_outputs(derived, 10) == first_outputs(chained, 10));

  for (int i = 0; i < 5; ++i) root.next_u64();
  CHECK(root.child("replication").key() == RandomStream(seed).child("replication").key());

  const std::string owned_name = "replication";
  CHECK(root.child(owned_name).key() == root.child("replication").key());
  CHECK(root.child(std::string_view("pod")).key() == root.child("pod").key());
  CHECK(root.child(std::uint64_t{3}).key() == root.child(3).key());
}

TEST_CASE("random: different labels give different streams", "[random]") {
  const RandomStream root(1);
  CHECK(root.child("image_pull").key() != root.child("unpack").key());
  CHECK(root.child("3").key() != root.child(3).key());  // a name is not an index
  CHECK(root.child(0).key() != root.child(1).key());
  CHECK(root.child("a").child("b").key() != root.child("b").child("a").key());
  CHECK(root.child("pod").key() != root.key());
  CHECK(first_outputs(root.child("image_pull"), 10) != first_outputs(root.child("unpack"), 10));
}

TEST_CASE("random: sibling streams are uncorrelated", "[random]") {
  // For independent uniforms the sample Pearson r has standard deviation 1/sqrt(n); |r| < 4/sqrt(n)
  // fails with probability about 6e-5.
  constexpr int n = 100000;
  auto first = RandomStream::derive(5, {"variant", 0, "pod", 1});
  auto second = RandomStream::derive(5, {"variant", 0, "pod", 2});
  double sum_x = 0, sum_y = 0, sum_xx = 0, sum_yy = 0, sum_xy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = first.uniform01(), y = second.uniform01();
    sum_x += x, sum_y += y, sum_xx += x * x, sum_yy += y * y, sum_xy += x * y;
  }
  const double cov = sum_xy / n - (sum_x / n) * (sum_y / n);
  const double var_x = sum_xx / n - (sum_x / n) * (sum_x / n);
  const double var_y = sum_yy / n - (sum_y / n) * (sum_y / n);
  const double r = cov / std::sqrt(var_x * var_y);
  CHECK(std::abs(r) < 4 / std::sqrt(double{n}));
}

TEST_CASE("random: uniform01 is in (0, 1) with mean 1/2 and variance 1/12", "[random]") {
  // For U ~ U(0,1): Var(U) = 1/12, so the mean of n has standard error sqrt(1/(12 n));
  // Var((U - 1/2)^2) = 1/80 - 1/144 = 1/180, so the variance estimate has s.e. sqrt(1/(180 n)).
  constexpr int n = 200000;
  RandomStream stream(123);
  double sum = 0, sum_squares = 0, smallest = 1, largest = 0;
  for (int i = 0; i < n; ++i) {
    const double u = stream.uniform01();
    sum += u;
    sum_squares += (u - 0.5) * (u - 0.5);
    smallest = std::min(smallest, u);
    largest = std::max(largest, u);
  }
  CHECK(smallest > 0);
  CHECK(largest < 1);
  CHECK(std::abs(sum / n - 0.5) < 5 * std::sqrt(1.0 / (12.0 * n)));
  CHECK(std::abs(sum_squares / n - 1.0 / 12) < 5 * std::sqrt(1.0 / (180.0 * n)));
}

TEST_CASE("random: RandomStream is a UniformRandomBitGenerator", "[random]") {
  static_assert(std::uniform_random_bit_generator<RandomStream>);
  STATIC_REQUIRE(RandomStream::min() == 0);
  STATIC_REQUIRE(RandomStream::max() == ~std::uint64_t{0});
  RandomStream a(3), b(3);
  CHECK(a() == b.next_u64());
}
