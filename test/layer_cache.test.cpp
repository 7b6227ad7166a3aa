// A node's layer cache and kubelet image GC, against hand-worked cases.
#include "podsim/model/layer_cache.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

using podsim::model::ImageGcPolicy;
using podsim::model::LayerCache;
using podsim::model::LayerId;
using podsim::sim::Time;

namespace {
Time at(std::int64_t s) {
  return Time::from_ns(s * 1'000'000'000);
}
}  // namespace

TEST_CASE("layer cache: GC evicts least-recently-used unpinned layers to the low threshold",
          "[image][gc]") {
  // Disk 1000 B, imageGCHighThresholdPercent 85 (850 B), Low 80 (800 B).
  // A=300 (t=1), B=300 (t=2), C=200 (t=3): 800 B = 80 %, below 85 %: no GC.
  LayerCache cache(1000);
  std::vector<LayerId> evicted;
  const LayerId a = 1, b = 2, c = 3, d = 4;
  REQUIRE(cache.add(a, 300, at(1), evicted));
  REQUIRE(cache.add(b, 300, at(2), evicted));
  REQUIRE(cache.add(c, 200, at(3), evicted));
  CHECK(evicted.empty());
  CHECK(cache.used_bytes() == 800);
  cache.touch(a, at(4));  // A is now the most recently used of the three

  SECTION("unpinned: the oldest (B) goes") {
    // D=100 at t=5: 900 B >= 850 B triggers GC down to <= 800 B. LRU order B(2), C(3), A(4),
    // D(5): evicting B alone leaves 600 B.
    REQUIRE(cache.add(d, 100, at(5), evicted));
    CHECK(evicted == std::vector<LayerId>{b});
    CHECK(cache.used_bytes() == 600);
    CHECK_FALSE(cache.contains(b));
    CHECK(cache.contains(a));
    CHECK(cache.contains(c));
    CHECK(cache.contains(d));
    CHECK(cache.size() == 3);
  }
  SECTION("a pinned layer survives: the next oldest (C) goes instead") {
    // B is used by a running container. Evicting C (200) gives 700 B <= 800 B.
    cache.pin(b);
    REQUIRE(cache.add(d, 100, at(5), evicted));
    CHECK(evicted == std::vector<LayerId>{c});
    CHECK(cache.used_bytes() == 700);
    CHECK(cache.contains(b));
    cache.unpin(b);
    CHECK(cache.pins(b) == 0);
    CHECK(cache.contains(b));  // unpinning does not evict; the next GC may
  }
}

TEST_CASE("layer cache: no room and too large are refused, not crashed on", "[image][gc]") {
  LayerCache cache(1000);
  std::vector<LayerId> evicted;
  CHECK_FALSE(cache.can_ever_hold(1001));
  CHECK(cache.can_ever_hold(1000));
  CHECK_FALSE(cache.add(7, 1001, at(0), evicted));
  CHECK(cache.used_bytes() == 0);

  // Layer 1 (600 B) is pinned. Adding 2 (300 B) reaches 900 B >= 850 B, but GC spares the
  // layer just added and 1 is pinned: nothing goes. Adding 3 (100 B) reaches 1000 B: GC evicts
  // 2, the oldest unpinned, leaving 700 B <= 800 B.
  cache.pin(1);
  REQUIRE(cache.add(1, 600, at(1), evicted));
  REQUIRE(cache.add(2, 300, at(2), evicted));
  CHECK(evicted.empty());
  CHECK(cache.used_bytes() == 900);
  REQUIRE(cache.add(3, 100, at(3), evicted));
  CHECK(evicted == std::vector<LayerId>{2});
  evicted.clear();
  // A 500 B layer needs usage <= 500 B first; evicting every unpinned layer (3, 100 B) only
  // reaches 600 B, so nothing is evicted and the add fails ("no space left on device").
  CHECK_FALSE(cache.add(4, 500, at(4), evicted));
  CHECK(evicted.empty());
  CHECK(cache.used_bytes() == 700);
  // A 400 B layer fits once layer 3 (100 B) goes: 600 + 400 = 1000 B. GC then finds nothing
  // to collect: layer 1 is pinned and the layer just added is spared.
  REQUIRE(cache.add(4, 400, at(5), evicted));
  CHECK(evicted == std::vector<LayerId>{3});
  CHECK(cache.used_bytes() == 1000);
  CHECK(cache.contains(4));
}

TEST_CASE("layer cache: pins before presence and bad thresholds", "[image][gc]") {
  LayerCache cache(1000);
  cache.pin(5);  // a pull pins what it is about to fetch
  CHECK(cache.pins(5) == 1);
  CHECK_FALSE(cache.contains(5));
  CHECK(cache.used_bytes() == 0);
  cache.unpin(5);
  CHECK_THROWS_AS(cache.unpin(5), std::logic_error);
  CHECK_THROWS_AS(LayerCache(1000, ImageGcPolicy{80, 85}), std::invalid_argument);
}
