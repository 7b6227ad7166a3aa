#include "podsim/model/image.hpp"

#include <stdexcept>

namespace podsim::model {

LayerId ImageCatalog::add_layer(std::string_view digest, std::uint64_t compressed_bytes,
                                std::uint64_t unpacked_bytes) {
  if (auto it = layer_by_digest_.find(std::string(digest)); it != layer_by_digest_.end()) {
    const Layer& existing = layers_[it->second];
    if (existing.compressed_bytes != compressed_bytes ||
        existing.unpacked_bytes != unpacked_bytes) {
      throw std::invalid_argument("layer " + std::string(digest) +
                                  " declared twice with different sizes");
    }
    return existing.id;
  }
  const auto id = static_cast<LayerId>(layers_.size());
  layers_.push_back(Layer{id, std::string(digest), compressed_bytes, unpacked_bytes});
  layer_by_digest_.emplace(std::string(digest), id);
  return id;
}

ImageId ImageCatalog::add_image(std::string_view name, std::vector<LayerId> layers) {
  if (image_by_name_.contains(std::string(name))) {
    throw std::invalid_argument("image " + std::string(name) + " declared twice");
  }
  if (layers.empty()) throw std::invalid_argument("image " + std::string(name) + " has no layers");
  Image img;
  img.id = static_cast<ImageId>(images_.size());
  img.name = std::string(name);
  for (LayerId l : layers) {
    if (l >= layers_.size()) throw std::invalid_argument("image " + img.name + ": unknown layer");
    img.compressed_bytes += layers_[l].compressed_bytes;
    img.unpacked_bytes += layers_[l].unpacked_bytes;
  }
  img.layers = std::move(layers);
  image_by_name_.emplace(img.name, img.id);
  images_.push_back(std::move(img));
  return images_.back().id;
}

ImageId ImageCatalog::find_image(std::string_view name) const {
  auto it = image_by_name_.find(std::string(name));
  if (it == image_by_name_.end()) throw std::out_of_range("unknown image " + std::string(name));
  return it->second;
}

bool ImageCatalog::has_image(std::string_view name) const {
  return image_by_name_.contains(std::string(name));
}

}  // namespace podsim::model
