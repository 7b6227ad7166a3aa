#pragma once
// Which images each node holds, as the kubelet reports them in node status and the scheduler's
// ImageLocality plugin reads them.

#include <cstddef>
#include <cstdint>
#include <span>

#include "podsim/model/image.hpp"
#include "podsim/model/node.hpp"

namespace podsim::model {

class ImageInventory {
 public:
  virtual ~ImageInventory() = default;
  /// True if every layer of the image is present (pulled and unpacked) on the node.
  virtual bool node_has_image(NodeId node, ImageId image) const = 0;
  /// Number of nodes for which node_has_image is true.
  virtual std::uint32_t nodes_with_image(ImageId image) const = 0;
  /// For each i, out[i] = node_has_image(nodes[i], image) (1 or 0); `out` is at least as long
  /// as `nodes`. The scheduler asks once per image and cycle for all the nodes it scores, so an
  /// implementation can answer without a virtual call per node.
  virtual void nodes_have_image(ImageId image, std::span<const NodeId> nodes,
                                std::span<std::uint8_t> out) const {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      out[i] = node_has_image(nodes[i], image) ? 1 : 0;
    }
  }
};

}  // namespace podsim::model
