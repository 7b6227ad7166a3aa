// The coroutine frame pool: frames of every size class are aligned, disjoint and reused, slabs
// are shared between classes once empty, and process and task frames come from it.
#include "podsim/sim/frame_pool.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "podsim/sim.hpp"

using namespace podsim::sim;

TEST_CASE("frame pool: frames are aligned, disjoint and counted", "[engine][frame_pool]") {
  const std::size_t before = frame_pool::frames_in_use();
  struct Block {
    unsigned char* p;
    std::size_t bytes;
  };
  std::vector<Block> blocks;
  // Every size from 1 to 2,100 bytes (the last ones are past the largest class: not pooled),
  // each filled with its own byte.
  for (std::size_t bytes = 1; bytes <= 2100; bytes += 7) {
    auto* p = static_cast<unsigned char*>(frame_pool::allocate(bytes));
    CHECK(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t) == 0);
    std::memset(p, static_cast<int>(bytes % 251), bytes);
    blocks.push_back({p, bytes});
  }
  // 300 sizes, of which those up to 2,048 bytes (293 of them: 1, 8, ..., 2045) are pooled.
  CHECK(frame_pool::frames_in_use() == before + 293);
  for (const Block& b : blocks) {
    bool intact = true;
    for (std::size_t i = 0; i < b.bytes; ++i) intact = intact && b.p[i] == b.bytes % 251;
    CHECK(intact);
  }
  for (const Block& b : blocks) frame_pool::deallocate(b.p, b.bytes);
  CHECK(frame_pool::frames_in_use() == before);
}

TEST_CASE("frame pool: a freed frame is the next one of its class", "[engine][frame_pool]") {
  void* keep = frame_pool::allocate(300);  // keeps the slab alive
  void* a = frame_pool::allocate(300);
  frame_pool::deallocate(a, 300);
  void* b = frame_pool::allocate(290);  // 290 and 300 round to the same 32-byte class (320)
  CHECK(b == a);
  void* c = frame_pool::allocate(330);  // the next class: not that frame
  CHECK(c != a);
  frame_pool::deallocate(c, 330);
  frame_pool::deallocate(b, 290);
  frame_pool::deallocate(keep, 300);
}

TEST_CASE("frame pool: an emptied slab serves another size class", "[engine][frame_pool]") {
  // Slabs are 64 KiB (127 frames of 512 bytes after the header): 1,000 such frames fill 8.
  // Once all are freed, the 1,000 frames of 256 bytes that follow are carved out of those
  // emptied slabs, not new memory. At most one slab of the 256-byte class may already hold
  // frames of earlier tests (255 frames of room), so at least 745 land in the old slabs.
  const auto slab_of = [](void* p) { return reinterpret_cast<std::uintptr_t>(p) >> 16; };
  std::vector<void*> big;
  std::set<std::uintptr_t> slabs;
  for (int i = 0; i < 1000; ++i) {
    big.push_back(frame_pool::allocate(512));
    slabs.insert(slab_of(big.back()));
  }
  CHECK(slabs.size() >= 8);
  CHECK(slabs.size() <= 9);  // one more if a slab of that class already had room
  for (void* p : big) frame_pool::deallocate(p, 512);
  std::vector<void*> small;
  std::size_t reused = 0;
  for (int i = 0; i < 1000; ++i) {
    small.push_back(frame_pool::allocate(256));
    reused += slabs.count(slab_of(small.back()));
  }
  CHECK(reused >= 745);
  for (void* p : small) frame_pool::deallocate(p, 256);
}

namespace {
Task<int> answer(Simulation& sim) {
  co_await sim.timeout(seconds(1));
  co_return 42;
}
Process asker(Simulation& sim, int& out, std::size_t& frames_while_waiting) {
  frames_while_waiting = frame_pool::frames_in_use();
  out = co_await answer(sim);
}
}  // namespace

TEST_CASE("frame pool: process and task frames come from the pool", "[engine][frame_pool]") {
  const std::size_t before = frame_pool::frames_in_use();
  std::size_t while_waiting = 0;
  int out = 0;
  {
    Simulation sim;
    sim.start(asker(sim, out, while_waiting));
    sim.run();
  }
  CHECK(out == 42);
  CHECK(while_waiting == before + 1);  // the process's frame; the task's is made after
  CHECK(frame_pool::frames_in_use() == before);
}
