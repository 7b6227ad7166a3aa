#pragma once
// Where coroutine frames live. A model starts processes and tasks by the million, many alive at
// once (every pod's lifecycle, its sync, its pulls), and frees them in bursts: a general-purpose
// allocator spends more time splitting and merging chunks than the model spends running them.
// Frames come instead from a per-thread slab allocator: one free list per 32-byte size class,
// each class carving its frames out of 64 KiB slabs of its own; a slab whose frames are all back
// is shared again by every class, so memory follows a model's phases (every pod scheduling, then
// pulling, then running) instead of staying with the class that first needed it. Slabs come in
// 2 MiB chunks that the thread keeps: its peak frame memory is taken once, then reused; a chunk's
// pages are mapped when it is taken, as one huge page where the kernel allows it.
//
//   struct promise_type : sim::PooledFrame { ... };  // the coroutine's frame is pooled
//
// A simulation runs on one thread, so its frames are allocated and freed on one thread and the
// lists need no lock. A thread's chunks go back to the system when it exits with no frame in use.

#include <cstddef>

namespace podsim::sim {

namespace frame_pool {

/// A block of at least `bytes` for a coroutine frame, aligned for any type.
void* allocate(std::size_t bytes);
/// Gives back a frame from allocate(bytes) with the same `bytes`, on the same thread.
void deallocate(void* frame, std::size_t bytes) noexcept;

/// Frames of this thread's pool that are handed out (for tests).
std::size_t frames_in_use() noexcept;

}  // namespace frame_pool

/// Base of promise types whose coroutine frames come from the frame pool (or of any object
/// that lives and dies with a process).
struct PooledFrame {
  static void* operator new(std::size_t bytes) { return frame_pool::allocate(bytes); }
  static void operator delete(void* frame, std::size_t bytes) noexcept {
    frame_pool::deallocate(frame, bytes);
  }
};

}  // namespace podsim::sim
