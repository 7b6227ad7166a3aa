#include "podsim/sim/random.hpp"

#include <random>

namespace podsim::sim {

// Checked here so the header need not include <random>.
static_assert(std::uniform_random_bit_generator<RandomStream>);

RandomStream::RandomStream(std::uint64_t key) : key_(key), state_{} {
  // Four consecutive splitmix64 outputs are distinct (mix64 is a bijection), so the state is
  // never all zero, the one state xoshiro must avoid.
  std::uint64_t seeder = key;
  for (auto& word : state_) word = splitmix64_next(seeder);
}

RandomStream RandomStream::child(StreamLabel label) const {
  return RandomStream(mix64(key_ ^ label.word()));
}

}  // namespace podsim::sim
