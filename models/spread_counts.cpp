#include "podsim/model/spread_counts.hpp"

namespace podsim::model {

void SpreadCounts::add(std::uint32_t group, NodeId node) {
  std::vector<Entry>& list = by_group_[group];
  auto [it, inserted] = position_.try_emplace(key(group, node), 0);
  if (inserted) {
    it->second = static_cast<std::uint32_t>(list.size());
    list.emplace_back(node, 1);
  } else {
    ++list[it->second].second;
  }
}

void SpreadCounts::remove(std::uint32_t group, NodeId node) {
  auto it = position_.find(key(group, node));
  if (it == position_.end()) return;
  std::vector<Entry>& list = by_group_[group];
  const std::uint32_t index = it->second;
  if (--list[index].second > 0) return;
  position_.erase(it);
  if (index + 1 != list.size()) {  // move the last entry into the hole
    list[index] = list.back();
    position_[key(group, list[index].first)] = index;
  }
  list.pop_back();
}

std::uint32_t SpreadCounts::count(std::uint32_t group, NodeId node) const {
  auto it = position_.find(key(group, node));
  return it == position_.end() ? 0 : by_group_.at(group)[it->second].second;
}

std::span<const SpreadCounts::Entry> SpreadCounts::nodes_of(std::uint32_t group) const {
  auto it = by_group_.find(group);
  if (it == by_group_.end()) return {};
  return it->second;
}

}  // namespace podsim::model
