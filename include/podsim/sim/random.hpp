#pragma once
// Portable, reproducible random streams: xoshiro256++ seeded by splitmix64, with named child
// streams derived from one root seed so that every replication, variant, entity and stage draws
// from its own stream (common random numbers between the variants of a comparison).

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string_view>

namespace podsim::sim {

/// One step of Vigna's splitmix64 generator: advances `state` and returns the next output.
/// Example: `std::uint64_t s = 0; splitmix64_next(s) == 0xE220A8397B1DCDAF`.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// The splitmix64 finalizer: a bijective 64-bit mixer (every input bit affects every output bit).
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// FNV-1a 64-bit hash of the bytes of `text`; fixed forever because stream keys depend on it.
constexpr std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

namespace detail {
template <class T>
concept StreamName = std::convertible_to<const T&, std::string_view>;
template <class T>
concept StreamIndex = std::integral<T> && !std::same_as<T, bool>;
}  // namespace detail

/// One step of a stream path: a name ("image_pull") or an index (replication 3, pod 17).
/// Example: `StreamLabel{"pod"}`, `StreamLabel{17}`.
class StreamLabel {
 public:
  // Implicit, so that paths read as literals: derive(seed, {"pod", 17}).
  template <detail::StreamName Text>
  constexpr StreamLabel(const Text& name)  // NOLINT(google-explicit-constructor)
      : word_(mix64(fnv1a64(std::string_view(name)) ^ kNameTag)) {}

  template <detail::StreamIndex Index>
  constexpr StreamLabel(Index index)  // NOLINT(google-explicit-constructor)
      : word_(mix64(static_cast<std::uint64_t>(index) ^ kIndexTag)) {}

  /// The label's 64-bit word that is mixed into the parent key.
  constexpr std::uint64_t word() const { return word_; }

 private:
  // Tags keep the name "3" and the index 3 apart.
  static constexpr std::uint64_t kNameTag = 0x6E616D6500000000ULL;   // "name"
  static constexpr std::uint64_t kIndexTag = 0x696E647800000000ULL;  // "indx"
  std::uint64_t word_;
};

/// A stream of random numbers identified by a 64-bit key.
///
/// Generator: xoshiro256++ (Blackman & Vigna), state seeded with four splitmix64 outputs of the
/// key, as the authors recommend. Derivation of child keys, STABLE FOREVER (changing any of this
/// changes every simulated result):
///
///   name label  n: word = mix64(fnv1a64(n) ^ 0x6E616D6500000000)
///   index label i: word = mix64(uint64(i) ^ 0x696E647800000000)
///   child key      = mix64(parent_key ^ word)
///
/// A child depends only on its parent's key and the label, never on how many numbers the parent
/// has drawn. Satisfies std::uniform_random_bit_generator.
///
/// Example:
///   auto replication = RandomStream(seed).child("replication").child(3);
///   auto pull = RandomStream::derive(seed, {"replication", 3, "pod", 17, "image_pull"});
///   double u = pull.uniform01();  // in (0, 1)
class RandomStream {
 public:
  using result_type = std::uint64_t;

  /// The stream whose key is `key` (a root seed is a key).
  explicit RandomStream(std::uint64_t key);

  /// The stream at `path` below the root seed: `derive(s, {a, b})` is
  /// `RandomStream(s).child(a).child(b)`.
  static RandomStream derive(std::uint64_t root_seed, std::initializer_list<StreamLabel> path) {
    std::uint64_t key = root_seed;
    for (const StreamLabel& label : path) key = mix64(key ^ label.word());
    return RandomStream(key);
  }

  /// An independent stream named by `label` below this one.
  RandomStream child(StreamLabel label) const;

  /// The key that identifies this stream (its seed).
  std::uint64_t key() const { return key_; }

  /// The next 64 random bits (xoshiro256++).
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// A uniform double in the open interval (0, 1): (k + 0.5) / 2^52 for the top 52 bits k.
  /// Every value is exact, so is 1 - u; the extremes are 2^-53 and 1 - 2^-53. Inverse CDFs
  /// therefore never see 0 or 1 and never return an infinite sample.
  double uniform01() {
    constexpr double kScale = 1.0 / 4503599627370496.0;  // 2^-52
    return (static_cast<double>(next_u64() >> 12) + 0.5) * kScale;
  }

  std::uint64_t operator()() { return next_u64(); }
  static constexpr std::uint64_t min() { return 0; }
  static constexpr std::uint64_t max() { return std::numeric_limits<std::uint64_t>::max(); }

  friend bool operator==(const RandomStream&, const RandomStream&) = default;

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t key_;
  std::uint64_t state_[4];
};

}  // namespace podsim::sim
