#pragma once
// What one replication records: every stage span of every pod, the containers each in-place
// update changed, and the counters reports compare between variants (sandboxes, IP changes,
// pods created, in-place restarts).

#include <cstdint>
#include <deque>
#include <vector>

#include "podsim/model/span.hpp"

namespace podsim::model {

struct ClusterCounters {
  std::uint64_t pods_created = 0;
  std::uint64_t pods_deleted = 0;  // terminations completed
  std::uint64_t sandboxes_created = 0;
  std::uint64_t ips_allocated = 0;
  std::uint64_t instances_booted = 0;   // elastic pools
  std::uint64_t nodes_provisioned = 0;  // autoscaling
  std::uint64_t in_place_updates = 0;   // pods updated in place
  std::uint64_t in_place_restarts = 0;  // containers restarted by in-place updates
  std::uint64_t pods_stalled = 0;
};

/// One container an in-place update changed. The spans alone do not say which containers an
/// update restarted, nor when it began if it has no grace period; its critical path needs both.
struct InPlaceChange {
  PodId pod = 0;
  sim::Time start;             // when the kubelet took the update up (its grace period starts)
  std::int32_t container = 0;  // numbered as Span::container
};

class Recorder {
 public:
  void add(const Span& span) { spans_.push_back(span); }
  /// In the order recorded. A deque: a large run records millions of spans, and a vector would
  /// copy them all each time it grows and keep up to twice the memory.
  const std::deque<Span>& spans() const { return spans_; }
  void add(const InPlaceChange& change) { in_place_changes_.push_back(change); }
  /// In the order the updates began.
  const std::vector<InPlaceChange>& in_place_changes() const { return in_place_changes_; }
  ClusterCounters& counters() { return counters_; }
  const ClusterCounters& counters() const { return counters_; }

 private:
  std::deque<Span> spans_;
  std::vector<InPlaceChange> in_place_changes_;
  ClusterCounters counters_;
};

}  // namespace podsim::model
