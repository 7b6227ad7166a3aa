#include "podsim/model/layer_cache.hpp"

#include <algorithm>
#include <stdexcept>

namespace podsim::model {

LayerCache::LayerCache(std::uint64_t capacity_bytes, ImageGcPolicy policy)
    : capacity_(capacity_bytes), policy_(policy) {
  if (policy.imageGCLowThresholdPercent > policy.imageGCHighThresholdPercent ||
      policy.imageGCHighThresholdPercent > 100) {
    throw std::invalid_argument(
        "image GC: need imageGCLowThresholdPercent <= imageGCHighThresholdPercent <= 100");
  }
}

bool LayerCache::contains(LayerId layer) const {
  const Entry* e = entries_.find(layer);
  return e != nullptr && e->present;
}

void LayerCache::pin(LayerId layer) {
  ++entries_[layer].pins;
}

void LayerCache::unpin(LayerId layer) {
  Entry* e = entries_.find(layer);
  if (e == nullptr || e->pins == 0) {
    throw std::logic_error("LayerCache: unpin of a layer that is not pinned");
  }
  if (--e->pins == 0 && !e->present) entries_.erase(layer);
}

std::uint32_t LayerCache::pins(LayerId layer) const {
  const Entry* e = entries_.find(layer);
  return e == nullptr ? 0 : e->pins;
}

void LayerCache::touch(LayerId layer, sim::Time now) {
  Entry* e = entries_.find(layer);
  if (e != nullptr && e->present) e->last_used = now;
}

sim::Time LayerCache::last_used(LayerId layer) const {
  const Entry* e = entries_.find(layer);
  return e == nullptr ? sim::Time::zero() : e->last_used;
}

bool LayerCache::add(LayerId layer, std::uint64_t bytes, sim::Time now,
                     std::vector<LayerId>& evicted) {
  if (Entry* e = entries_.find(layer); e != nullptr && e->present) {
    e->last_used = now;
    return true;
  }
  if (bytes > capacity_) return false;
  if (used_ + bytes > capacity_ &&
      !evict_down_to(capacity_ - bytes, /*all_or_nothing=*/true, evicted)) {
    return false;
  }
  Entry& e = entries_[layer];
  e.bytes = bytes;
  e.last_used = now;
  e.present = true;
  used_ += bytes;
  ++present_;
  // The layer just stored is about to be used: GC spares it (the kubelet's
  // imageMinimumGCAge protects fresh images the same way).
  ++e.pins;
  collect_garbage(evicted);  // may move entries: look the layer up again
  --entries_.find(layer)->pins;
  return true;
}

void LayerCache::collect_garbage(std::vector<LayerId>& evicted) {
  // Integer percent comparisons as the kubelet does them, without its rounding of usage.
  if (used_ * 100 < capacity_ * policy_.imageGCHighThresholdPercent || used_ == 0) return;
  evict_down_to(capacity_ * policy_.imageGCLowThresholdPercent / 100, /*all_or_nothing=*/false,
                evicted);
}

bool LayerCache::evict_down_to(std::uint64_t target, bool all_or_nothing,
                               std::vector<LayerId>& evicted) {
  if (used_ <= target) return true;
  // GC is rare (usage must climb from low back to high between runs), so a sort per run is
  // cheaper overall than keeping an LRU order up to date on every touch. Sorting by (last used,
  // id) also makes the order independent of the table's.
  scratch_.clear();
  std::uint64_t evictable = 0;
  for (const auto& [id, e] : entries_) {
    if (e.present && e.pins == 0) {
      scratch_.emplace_back(e.last_used, id);
      evictable += e.bytes;
    }
  }
  if (all_or_nothing && used_ - evictable > target) return false;
  std::sort(scratch_.begin(), scratch_.end());
  for (const auto& [when, id] : scratch_) {
    if (used_ <= target) break;
    used_ -= entries_.find(id)->bytes;
    --present_;
    entries_.erase(id);
    evicted.push_back(id);
  }
  return used_ <= target;
}

}  // namespace podsim::model
