#include "podsim/sim/frame_pool.hpp"

#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace podsim::sim::frame_pool {

namespace {

constexpr std::size_t kGranule = 32;  // a multiple of alignof(std::max_align_t)
constexpr std::size_t kClasses = 64;  // frames up to 2 KiB are pooled; larger ones are rare
constexpr std::size_t kLargest = kGranule * kClasses;
constexpr std::size_t kSlabBytes = 64 * 1024;  // also the slab's alignment
// Slabs are carved out of 2 MiB chunks, aligned to their size: one allocation (and one mmap) per
// 32 slabs, and one huge page where the kernel has them.
constexpr std::size_t kChunkBytes = 2 * 1024 * 1024;

static_assert(kGranule % alignof(std::max_align_t) == 0);

struct FreeFrame {
  FreeFrame* next;
};

struct Slab {
  Slab* prev = nullptr;  // in its class's list of slabs with room
  Slab* next = nullptr;
  FreeFrame* free = nullptr;   // frames given back
  std::byte* fresh = nullptr;  // never handed out, from here to the end of the slab
  std::uint32_t live = 0;      // frames handed out
  bool listed = false;
};
constexpr std::size_t kHeaderBytes = (sizeof(Slab) + kGranule - 1) / kGranule * kGranule;

std::byte* end_of(Slab* slab) {
  return reinterpret_cast<std::byte*>(slab) + kSlabBytes;
}
Slab* slab_of(void* frame) {
  return reinterpret_cast<Slab*>(reinterpret_cast<std::uintptr_t>(frame) & ~(kSlabBytes - 1));
}

// Every slab of a chunk is used before the next chunk is taken, so its memory is mapped at once:
// as one transparent huge page where the kernel allows it (a chunk is aligned to its size), so
// that a fleet's frames (hundreds of MiB, touched at random) take few TLB entries; and in one
// call rather than a page fault per page (a fault costs microseconds in a VM). Both are hints:
// without them the pages are faulted in as they are touched.
void map_chunk(void* chunk) {
#ifdef MADV_HUGEPAGE
  (void)madvise(chunk, kChunkBytes, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
  (void)madvise(chunk, kChunkBytes, MADV_POPULATE_WRITE);
#endif
}

class ThreadPool {
 public:
  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() {
    // Frames still handed out (a simulation outliving its thread) keep every chunk.
    if (in_use_ != 0) return;
    for (void* chunk : chunks_) std::free(chunk);
  }

  void* allocate(std::size_t size_class) {
    const std::size_t bytes = (size_class + 1) * kGranule;
    Slab* slab = with_room_[size_class];
    if (slab == nullptr) {
      slab = new_slab();
      link(size_class, slab);
    }
    void* frame;
    if (slab->free != nullptr) {
      frame = slab->free;
      slab->free = slab->free->next;
    } else {
      frame = slab->fresh;
      slab->fresh += bytes;
    }
    ++slab->live;
    ++in_use_;
    if (slab->free == nullptr && end_of(slab) - slab->fresh < static_cast<std::ptrdiff_t>(bytes)) {
      unlink(size_class, slab);  // full
    }
    return frame;
  }

  void deallocate(void* frame, std::size_t size_class) noexcept {
    Slab* slab = slab_of(frame);
    auto* node = static_cast<FreeFrame*>(frame);
    node->next = slab->free;
    slab->free = node;
    --slab->live;
    --in_use_;
    if (slab->live == 0) {
      if (slab->listed) unlink(size_class, slab);
      release(slab);
    } else if (!slab->listed) {
      link(size_class, slab);
    }
  }

  std::size_t in_use() const noexcept { return in_use_; }

 private:
  Slab* new_slab() {
    void* memory;
    if (empty_ != nullptr) {
      memory = std::exchange(empty_, empty_->next);
    } else {
      if (chunk_left_ == chunk_end_) {
        chunks_.reserve(chunks_.size() + 1);  // before the allocation, so that it cannot leak
        chunk_left_ = static_cast<std::byte*>(std::aligned_alloc(kChunkBytes, kChunkBytes));
        if (chunk_left_ == nullptr) throw std::bad_alloc();
        chunks_.push_back(chunk_left_);
        map_chunk(chunk_left_);
        chunk_end_ = chunk_left_ + kChunkBytes;
      }
      memory = std::exchange(chunk_left_, chunk_left_ + kSlabBytes);
    }
    auto* slab = new (memory) Slab;
    slab->fresh = static_cast<std::byte*>(memory) + kHeaderBytes;
    return slab;
  }
  // An empty slab waits for any class's next new slab; chunks stay with the thread until it
  // exits, so a model's peak frame memory is taken once and then reused.
  void release(Slab* slab) noexcept { slab->next = std::exchange(empty_, slab); }
  void link(std::size_t size_class, Slab* slab) noexcept {
    slab->prev = nullptr;
    slab->next = with_room_[size_class];
    if (slab->next != nullptr) slab->next->prev = slab;
    with_room_[size_class] = slab;
    slab->listed = true;
  }
  void unlink(std::size_t size_class, Slab* slab) noexcept {
    if (slab->prev != nullptr) {
      slab->prev->next = slab->next;
    } else {
      with_room_[size_class] = slab->next;
    }
    if (slab->next != nullptr) slab->next->prev = slab->prev;
    slab->prev = slab->next = nullptr;
    slab->listed = false;
  }

  std::array<Slab*, kClasses> with_room_{};
  Slab* empty_ = nullptr;  // through Slab::next
  std::vector<void*> chunks_;
  std::byte* chunk_left_ = nullptr;  // slabs not yet handed out, up to chunk_end_
  std::byte* chunk_end_ = nullptr;
  std::size_t in_use_ = 0;
};

ThreadPool& this_thread_pool() {
  thread_local ThreadPool pool;
  return pool;
}

std::size_t class_of(std::size_t bytes) {
  return (bytes + kGranule - 1) / kGranule - 1;
}

}  // namespace

void* allocate(std::size_t bytes) {
  if (bytes == 0 || bytes > kLargest) return ::operator new(bytes);
  return this_thread_pool().allocate(class_of(bytes));
}

void deallocate(void* frame, std::size_t bytes) noexcept {
  if (bytes == 0 || bytes > kLargest) {
    ::operator delete(frame);
    return;
  }
  this_thread_pool().deallocate(frame, class_of(bytes));
}

std::size_t frames_in_use() noexcept {
  return this_thread_pool().in_use();
}

}  // namespace podsim::sim::frame_pool
