#pragma once
// The cluster's private per-pod state: the public Pod plus what its lifecycle process needs.
// Shared by cluster.cpp and pod_lifecycle.cpp only.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "podsim/model/cluster.hpp"

namespace podsim::model {

struct Cluster::PodRuntime {
  explicit PodRuntime(sim::Simulation& sim) : bound(sim), idle(sim) {}

  Pod pod;
  std::string stream_key;     // names the pod's random streams
  std::vector<PoolId> pools;  // eligible pools the pod fits in
  std::string unplaceable;    // why no pool can ever hold it (then it stalls)
  sim::Event bound;           // the scheduler bound it
  sim::Event idle;            // never triggered: a running pod waits here for requests
  sim::ProcessRef process;
  bool interrupt_pending = false;  // an interrupt not yet caught by the lifecycle
  std::vector<std::pair<std::size_t, ImageId>> update;  // pending in-place update
  InPlaceUpdateOptions update_options;
  std::vector<ImageId> pins;  // images pinned on the host by its containers

  struct Deferred {
    Stage stage;
    std::int32_t container;
    sim::Time start;
    sim::Time end;
  };
  std::vector<Deferred> deferred;
};

}  // namespace podsim::model
