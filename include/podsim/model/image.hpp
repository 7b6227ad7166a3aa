#pragma once
// Container images as the runtime sees them: an ordered list of layers, each with a digest and
// its compressed (downloaded) and unpacked (on disk) size. Versions of one app share base layers,
// so layers are interned once in the catalog and referred to by id.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace podsim::model {

using LayerId = std::uint32_t;
using ImageId = std::uint32_t;

struct Layer {
  LayerId id = 0;
  std::string digest;
  std::uint64_t compressed_bytes = 0;
  std::uint64_t unpacked_bytes = 0;
};

struct Image {
  ImageId id = 0;
  std::string name;  // e.g. "registry.example.com/web:v2"
  std::vector<LayerId> layers;  // base first, as applied
  std::uint64_t compressed_bytes = 0;
  std::uint64_t unpacked_bytes = 0;
};

/// Every layer and image of a scenario. Adding a layer twice with the same digest returns the
/// same id (and requires the same sizes).
class ImageCatalog {
 public:
  LayerId add_layer(std::string_view digest, std::uint64_t compressed_bytes,
                    std::uint64_t unpacked_bytes);
  ImageId add_image(std::string_view name, std::vector<LayerId> layers);

  const Layer& layer(LayerId id) const { return layers_[id]; }
  const Image& image(ImageId id) const { return images_[id]; }
  std::size_t layer_count() const { return layers_.size(); }
  std::size_t image_count() const { return images_.size(); }
  /// Looks an image up by name; throws std::out_of_range naming it if unknown.
  ImageId find_image(std::string_view name) const;
  bool has_image(std::string_view name) const;

 private:
  std::vector<Layer> layers_;
  std::vector<Image> images_;
  std::unordered_map<std::string, LayerId> layer_by_digest_;
  std::unordered_map<std::string, ImageId> image_by_name_;
};

}  // namespace podsim::model
