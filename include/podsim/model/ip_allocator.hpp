#pragma once
// host-local IPAM on one node: a /24 per node, addresses handed out round-robin (the next free
// one after the last given), so a pod recreated on the same node gets a new IP, as with the
// real plugin.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "podsim/model/node.hpp"

namespace podsim::model {

using IpAddress = std::uint32_t;

/// "10.a.b.c" form of an address.
inline std::string to_string_ip(IpAddress ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

class NodeIpAllocator {
 public:
  static constexpr std::uint32_t kHosts = 254;  // .1 - .254 of the node's /24

  /// Node n gets 10.(n / 256 % 256).(n % 256).0/24.
  explicit NodeIpAllocator(NodeId node) : base_((10U << 24) | ((node & 0xFFFFU) << 8)) {}

  /// The next free address after the last one handed out; nullopt if the /24 is exhausted.
  std::optional<IpAddress> allocate() {
    for (std::uint32_t k = 0; k < kHosts; ++k) {
      const std::uint32_t host = (next_ + k) % kHosts;
      if (!used_[host]) {
        used_[host] = true;
        next_ = (host + 1) % kHosts;
        return base_ + host + 1;
      }
    }
    return std::nullopt;
  }
  void release(IpAddress ip) { used_[(ip & 255U) - 1] = false; }

 private:
  IpAddress base_;
  std::bitset<kHosts> used_;  // inline: no pointer to chase when a sandbox gets its IP
  std::uint32_t next_ = 0;
};

}  // namespace podsim::model
