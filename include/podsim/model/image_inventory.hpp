#pragma once
// Which images each node holds, as the kubelet reports them in node status and the scheduler's
// ImageLocality plugin reads them.

#include <cstdint>

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
};

}  // namespace podsim::model
