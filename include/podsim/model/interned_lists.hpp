#pragma once
// Each distinct list stored once and named by a small index: the scheduler keeps every pending
// and bound pod, and pods of one template share their pool and image lists, so a pod holds two
// indices instead of two heap blocks.
//
//   InternedLists<ImageId> images;
//   const std::uint32_t a = images.intern({3, 4});  // 0
//   images.intern({3, 4}) == a;                      // an equal list: the same index
//   images[a];                                       // span {3, 4}

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace podsim::model {

template <class T>
class InternedLists {
 public:
  /// The index of a list equal to `list`, added if there is none. Lists are never removed:
  /// there are as many as distinct lists were ever interned (templates and revisions).
  std::uint32_t intern(const std::vector<T>& list) {
    auto [it, inserted] = index_.try_emplace(list, static_cast<std::uint32_t>(lists_.size()));
    if (inserted) lists_.push_back(&it->first);  // map nodes never move
    return it->second;
  }
  std::span<const T> operator[](std::uint32_t index) const { return *lists_[index]; }
  std::size_t size() const { return lists_.size(); }

 private:
  std::map<std::vector<T>, std::uint32_t> index_;
  std::vector<const std::vector<T>*> lists_;  // by index, into index_'s keys
};

}  // namespace podsim::model
