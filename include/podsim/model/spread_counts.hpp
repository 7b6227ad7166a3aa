#pragma once
// How many pods of each workload (spread group) sit on each node, for PodTopologySpread's
// hostname scoring. Stored per group as a dense list of the nodes it occupies, so a cycle reads
// the counts for its sampled nodes by walking one short contiguous list instead of chasing a
// pointer per sampled node.
//
//   SpreadCounts counts;
//   counts.add(group, node);                 // a pod of `group` was assumed on `node`
//   for (auto [node, pods] : counts.nodes_of(group)) { ... }

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "podsim/model/node.hpp"

namespace podsim::model {

class SpreadCounts {
 public:
  using Entry = std::pair<NodeId, std::uint32_t>;  // (node, pods of the group on it)

  void add(std::uint32_t group, NodeId node);
  /// Undoes one add(group, node); a no-op if there is none.
  void remove(std::uint32_t group, NodeId node);
  std::uint32_t count(std::uint32_t group, NodeId node) const;
  /// The nodes holding at least one pod of the group, in no particular order.
  std::span<const Entry> nodes_of(std::uint32_t group) const;

 private:
  static std::uint64_t key(std::uint32_t group, NodeId node) {
    return (std::uint64_t{group} << 32) | node;
  }
  // (group, node) -> index in the group's list: an open-addressing table (linear probing,
  // backward-shift deletion), so adding a pod allocates nothing once the table has grown.
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = 0;
    bool used = false;
  };
  static std::size_t hash(std::uint64_t k) {
    k ^= k >> 33;  // murmur3 fmix64
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k);
  }
  Slot* find_slot(std::uint64_t k);
  const Slot* find_slot(std::uint64_t k) const;
  Slot& insert_slot(std::uint64_t k, bool& inserted);
  void erase_slot(Slot& slot);
  void grow();

  std::unordered_map<std::uint32_t, std::vector<Entry>> by_group_;
  std::vector<Slot> slots_;  // capacity a power of two, or empty
  std::size_t slots_used_ = 0;
};

}  // namespace podsim::model
