#pragma once
// Nodes and node pools: the shape of a machine and what is placed on it.

#include <cstdint>
#include <map>
#include <string>

#include "podsim/model/resources.hpp"

namespace podsim::model {

using NodeId = std::uint32_t;
using PoolId = std::uint32_t;
using PodId = std::uint32_t;

/// What one node of a pool offers.
struct NodeShape {
  Resources allocatable;
  std::uint32_t max_pods = 110;            // kubelet maxPods default
  double nic_bytes_per_s = 1.25e9;         // 10 Gbit/s
  std::uint64_t image_disk_bytes = 100ULL << 30;
  double unpack_bytes_per_s = 200e6;       // per worker, unpacked bytes
  std::uint32_t unpack_workers = 1;        // containerd applies layers one at a time
};

/// A node's scheduling state: the scheduler reserves requests here when it binds, the kubelet
/// releases them when a pod's termination completes.
struct Node {
  NodeId id = 0;
  PoolId pool = 0;
  std::string name;
  NodeShape shape;
  std::map<std::string, std::string> labels;
  Resources requested;
  std::uint32_t pods = 0;
  bool ready = true;  // false while an autoscaled node is still provisioning

  bool fits(const Resources& request) const {
    return ready && pods < shape.max_pods && (requested + request).fits_in(shape.allocatable);
  }
};

}  // namespace podsim::model
