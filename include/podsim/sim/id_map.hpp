#pragma once
// A hash map from 32-bit ids (layers, images) to small values in one flat array: open
// addressing, linear probing, deletion by backward shift (no tombstones). Per-node tables that
// fill and drain all simulation long (layers in flight, a node's layer cache) then allocate only
// when they outgrow their largest size so far, and are freed with a single delete.
//
//   sim::IdMap<std::uint32_t> counts;
//   ++counts[image];                         // inserts a value-initialized value first
//   if (const std::uint32_t* c = counts.find(image)) use(*c);
//   counts.erase(image);
//   for (const auto& [image, count] : counts) ...
//
// Any key but kEmpty (UINT32_MAX) may be stored. Inserting and erasing move entries: pointers,
// references and iterators are valid only until the next insertion or erasure. The iteration
// order depends on the history of the map; callers that need an order sort.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

namespace podsim::sim {

template <class V>
class IdMap {
 public:
  using Key = std::uint32_t;
  static constexpr Key kEmpty = UINT32_MAX;
  struct Slot {
    Key key = kEmpty;
    V value{};
  };

  template <class S>
  class Iterator {
   public:
    Iterator(S* at, S* end) : at_(at), end_(end) { skip_empty(); }
    S& operator*() const { return *at_; }
    S* operator->() const { return at_; }
    Iterator& operator++() {
      ++at_;
      skip_empty();
      return *this;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.at_ == b.at_; }

   private:
    void skip_empty() {
      while (at_ != end_ && at_->key == kEmpty) ++at_;
    }
    S* at_;
    S* end_;
  };

  IdMap() = default;
  IdMap(IdMap&&) noexcept = default;
  IdMap& operator=(IdMap&&) noexcept = default;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  V* find(Key key) {
    if (size_ == 0) return nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  const V* find(Key key) const { return const_cast<IdMap*>(this)->find(key); }
  bool contains(Key key) const { return find(key) != nullptr; }

  /// The key's value, value-initialized first if the key is absent.
  V& operator[](Key key) {
    if (key == kEmpty) throw std::invalid_argument("IdMap: the key UINT32_MAX is reserved");
    // Grow at 3/4 full (linear probing stays short below that), before probing so that one
    // probe finds the key or the slot for it.
    if ((size_ + 1) * 4 > capacity() * 3) rehash(capacity() == 0 ? kMinCapacity : 2 * capacity());
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return s.value;
      if (s.key == kEmpty) {
        s.key = key;
        s.value = V{};
        ++size_;
        return s.value;
      }
    }
  }

  /// Removes the key; false if it was absent.
  bool erase(Key key) {
    if (size_ == 0) return false;
    std::size_t hole = home(key);
    while (slots_[hole].key != key) {
      if (slots_[hole].key == kEmpty) return false;
      hole = (hole + 1) & mask_;
    }
    // Backward shift: each later entry of the run moves into the hole unless that would put it
    // before its home slot, so that every entry stays reachable from its home without gaps.
    for (std::size_t i = (hole + 1) & mask_; slots_[i].key != kEmpty; i = (i + 1) & mask_) {
      const std::size_t displaced = (i - home(slots_[i].key)) & mask_;
      if (displaced >= ((i - hole) & mask_)) {
        slots_[hole] = std::move(slots_[i]);
        hole = i;
      }
    }
    slots_[hole].key = kEmpty;
    --size_;
    return true;
  }

  /// Empties the map and keeps its storage.
  void clear() {
    for (std::size_t i = 0; i < capacity(); ++i) slots_[i].key = kEmpty;
    size_ = 0;
  }

  Iterator<Slot> begin() { return {slots_.get(), slots_.get() + capacity()}; }
  Iterator<Slot> end() { return {slots_.get() + capacity(), slots_.get() + capacity()}; }
  Iterator<const Slot> begin() const { return {slots_.get(), slots_.get() + capacity()}; }
  Iterator<const Slot> end() const {
    return {slots_.get() + capacity(), slots_.get() + capacity()};
  }

 private:
  static constexpr std::size_t kMinCapacity = 8;

  std::size_t capacity() const { return slots_ ? mask_ + 1 : 0; }
  // Fibonacci hashing: ids are often dense, and the multiply spreads neighbours apart.
  std::size_t home(Key key) const {
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_);
  }
  std::size_t free_slot(Key key) const {
    std::size_t i = home(key);
    while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
    return i;
  }
  void rehash(std::size_t new_capacity) {
    std::unique_ptr<Slot[]> old = std::exchange(slots_, std::make_unique<Slot[]>(new_capacity));
    const std::size_t old_capacity = old ? mask_ + 1 : 0;
    mask_ = new_capacity - 1;
    shift_ = 64 - std::countr_zero(new_capacity);
    for (std::size_t i = 0; i < old_capacity; ++i) {
      if (old[i].key != kEmpty) slots_[free_slot(old[i].key)] = std::move(old[i]);
    }
  }

  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  int shift_ = 64;  // 64 - log2(capacity): home() keeps the product's top bits
};

}  // namespace podsim::sim
