#pragma once
// One node's content store: which layers are unpacked on its image disk, how much of the disk
// they use, when each was last used, and the kubelet's image garbage collection.
//
//   LayerCache cache(100ULL << 30);            // imageGCHighThresholdPercent 85, Low 80
//   cache.pin(base);                           // a pull or a running container uses it
//   std::vector<LayerId> evicted;
//   if (!cache.add(base, 300 << 20, sim.now(), evicted)) { /* no space left on device */ }
//
// Simplifications (documented, deliberate):
// - The kubelet collects whole images every 5 minutes; here layers are collected at once, when a
//   layer is added and usage reaches the high threshold. Layers, not images, are the unit because
//   images share layers and a layer is freed only when no image on the node needs it.
// - Only unpacked (snapshot) bytes count; compressed blobs are assumed discarded after unpack.
// - imageMinimumGCAge (2 min) is not modelled.

#include <cstdint>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/sim/id_map.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::model {

/// Kubelet image GC thresholds, percent of the image disk (KubeletConfiguration defaults,
/// domain-reference §3.3 [K-KCFG]).
struct ImageGcPolicy {
  std::uint32_t imageGCHighThresholdPercent = 85;
  std::uint32_t imageGCLowThresholdPercent = 80;
};

class LayerCache {
 public:
  /// Throws std::invalid_argument unless 0 <= low <= high <= 100.
  explicit LayerCache(std::uint64_t capacity_bytes, ImageGcPolicy policy = {});

  std::uint64_t capacity_bytes() const { return capacity_; }
  std::uint64_t used_bytes() const { return used_; }
  /// Number of layers present.
  std::size_t size() const { return present_; }
  const ImageGcPolicy& policy() const { return policy_; }

  /// True if the layer is unpacked on this node.
  bool contains(LayerId layer) const;
  /// False for a layer that can never be stored, being larger than the whole disk.
  bool can_ever_hold(std::uint64_t bytes) const { return bytes <= capacity_; }

  /// Reference counts: a layer with pins (used by a running or pulling container) is never
  /// evicted. A layer may be pinned before it is present (a pull pins what it will fetch).
  void pin(LayerId layer);
  void unpin(LayerId layer);
  std::uint32_t pins(LayerId layer) const;

  /// Marks a present layer as used now (LRU order); no-op if absent.
  void touch(LayerId layer, sim::Time now);
  sim::Time last_used(LayerId layer) const;

  /// Stores an unpacked layer (a no-op returning true if present). Makes room first by evicting
  /// least-recently-used unpinned layers; returns false, storing and evicting nothing, if even
  /// evicting every unpinned layer could not make room ("no space left on device"). Then runs image
  /// GC if usage reached the high threshold, sparing the layer just added. Evicted layers are
  /// appended to `evicted`.
  bool add(LayerId layer, std::uint64_t bytes, sim::Time now, std::vector<LayerId>& evicted);

  /// Image GC: if usage >= imageGCHighThresholdPercent of capacity, evicts least-recently-used
  /// unpinned layers (ties: lower layer id first) until usage <= imageGCLowThresholdPercent.
  void collect_garbage(std::vector<LayerId>& evicted);

 private:
  struct Entry {
    std::uint64_t bytes = 0;
    sim::Time last_used;
    std::uint32_t pins = 0;
    bool present = false;
  };
  // Evicts LRU unpinned layers until used_ <= target; returns whether it got there. With
  // all_or_nothing it evicts nothing when the target cannot be reached.
  bool evict_down_to(std::uint64_t target, bool all_or_nothing, std::vector<LayerId>& evicted);

  std::uint64_t capacity_;
  ImageGcPolicy policy_;
  std::uint64_t used_ = 0;
  std::size_t present_ = 0;
  sim::IdMap<Entry> entries_;  // present or pinned layers
  std::vector<std::pair<sim::Time, LayerId>> scratch_;
};

}  // namespace podsim::model
