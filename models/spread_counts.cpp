#include "podsim/model/spread_counts.hpp"

namespace podsim::model {

SpreadCounts::Slot* SpreadCounts::find_slot(std::uint64_t k) {
  return const_cast<Slot*>(static_cast<const SpreadCounts*>(this)->find_slot(k));
}

const SpreadCounts::Slot* SpreadCounts::find_slot(std::uint64_t k) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(k) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.used) return nullptr;
    if (slot.key == k) return &slot;
  }
}

void SpreadCounts::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (!slot.used) continue;
    std::size_t i = hash(slot.key) & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

SpreadCounts::Slot& SpreadCounts::insert_slot(std::uint64_t k, bool& inserted) {
  if ((slots_used_ + 1) * 4 > slots_.size() * 3) grow();  // load factor <= 3/4
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash(k) & mask;
  while (slots_[i].used) {
    if (slots_[i].key == k) {
      inserted = false;
      return slots_[i];
    }
    i = (i + 1) & mask;
  }
  ++slots_used_;
  slots_[i] = Slot{k, 0, true};
  inserted = true;
  return slots_[i];
}

// Backward-shift deletion: later entries of the probe run move into the hole when their home
// position allows, so lookups never need tombstones.
void SpreadCounts::erase_slot(Slot& slot) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = static_cast<std::size_t>(&slot - slots_.data());
  std::size_t i = hole;
  for (;;) {
    i = (i + 1) & mask;
    if (!slots_[i].used) break;
    const std::size_t home = hash(slots_[i].key) & mask;
    // The entry at i may move to the hole unless its home lies cyclically in (hole, i].
    const bool home_after_hole =
        hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (home_after_hole) continue;
    slots_[hole] = slots_[i];
    hole = i;
  }
  slots_[hole] = Slot{};
  --slots_used_;
}

void SpreadCounts::add(std::uint32_t group, NodeId node) {
  std::vector<Entry>& list = by_group_[group];
  bool inserted = false;
  Slot& slot = insert_slot(key(group, node), inserted);
  if (inserted) {
    slot.value = static_cast<std::uint32_t>(list.size());
    list.emplace_back(node, 1);
  } else {
    ++list[slot.value].second;
  }
}

void SpreadCounts::remove(std::uint32_t group, NodeId node) {
  Slot* slot = find_slot(key(group, node));
  if (slot == nullptr) return;
  std::vector<Entry>& list = by_group_[group];
  const std::uint32_t index = slot->value;
  if (--list[index].second > 0) return;
  erase_slot(*slot);
  if (index + 1 != list.size()) {  // move the last entry into the hole
    list[index] = list.back();
    find_slot(key(group, list[index].first))->value = index;
  }
  list.pop_back();
}

std::uint32_t SpreadCounts::count(std::uint32_t group, NodeId node) const {
  const Slot* slot = find_slot(key(group, node));
  return slot == nullptr ? 0 : by_group_.at(group)[slot->value].second;
}

std::span<const SpreadCounts::Entry> SpreadCounts::nodes_of(std::uint32_t group) const {
  auto it = by_group_.find(group);
  if (it == by_group_.end()) return {};
  return it->second;
}

}  // namespace podsim::model
