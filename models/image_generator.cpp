#include "podsim/model/image_generator.hpp"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace podsim::model {

ImageGenerator::ImageGenerator(ImageCatalog& catalog, ImageMix mix, sim::RandomStream random,
                               std::string base_prefix)
    : catalog_(catalog),
      mix_(std::move(mix)),
      random_(random),
      base_prefix_(base_prefix.empty() ? std::string("base") : fmt::format("{}-base", base_prefix)),
      bases_(mix_.bases) {
  if (!mix_.compressed_bytes) throw std::invalid_argument("image mix: compressed_bytes missing");
  if (!(mix_.base_share >= 0 && mix_.base_share <= 1)) {
    throw std::invalid_argument("image mix: base_share must be in [0, 1], got " +
                                std::to_string(mix_.base_share));
  }
  if (mix_.bases == 0) throw std::invalid_argument("image mix: bases must be at least 1");
  if (mix_.app_layers == 0) throw std::invalid_argument("image mix: app_layers must be >= 1");
  if (mix_.base_share > 0 && mix_.base_layers == 0) {
    throw std::invalid_argument("image mix: a base share needs base_layers >= 1");
  }
  if (!(mix_.unpack_ratio >= 1)) {
    throw std::invalid_argument("image mix: unpack_ratio must be >= 1, got " +
                                std::to_string(mix_.unpack_ratio));
  }
}

LayerId ImageGenerator::new_layer(const std::string& digest, double compressed) {
  const auto c = static_cast<std::uint64_t>(std::ceil(std::max(compressed, 1.0)));
  const auto u = static_cast<std::uint64_t>(std::ceil(static_cast<double>(c) * mix_.unpack_ratio));
  return catalog_.add_layer(digest, c, u);
}

// A base's size comes from one draw of the mix, made when an app first needs it.
const std::vector<LayerId>& ImageGenerator::base(std::uint32_t index) {
  std::vector<LayerId>& layers = bases_[index];
  if (layers.empty() && mix_.base_share > 0) {
    sim::RandomStream r = random_.child("base").child(index);
    const double bytes = mix_.compressed_bytes->sample(r) * mix_.base_share;
    for (std::uint32_t l = 0; l < mix_.base_layers; ++l) {
      layers.push_back(new_layer(fmt::format("sha256:{}-{}-{}", base_prefix_, index, l),
                                 bytes / mix_.base_layers));
    }
  }
  return layers;
}

ImageId ImageGenerator::add_app(std::string_view app) {
  const std::uint32_t k = apps_++;
  std::vector<LayerId> layers = base(k % mix_.bases);
  sim::RandomStream r = random_.child("app").child(std::string(app));
  const double bytes = mix_.compressed_bytes->sample(r) * (1 - mix_.base_share);
  for (std::uint32_t l = 0; l < mix_.app_layers; ++l) {
    layers.push_back(new_layer(fmt::format("sha256:{}-v1-{}", app, l), bytes / mix_.app_layers));
  }
  return catalog_.add_image(fmt::format("{}:v1", app), std::move(layers));
}

ImageId ImageGenerator::new_version(ImageId image, std::uint32_t replaced_layers) {
  const Image& old = catalog_.image(image);
  if (replaced_layers == 0 || replaced_layers > old.layers.size()) {
    throw std::invalid_argument("image " + old.name + ": cannot replace " +
                                std::to_string(replaced_layers) + " of its " +
                                std::to_string(old.layers.size()) + " layers");
  }
  const auto colon = old.name.rfind(":v");
  const std::string app = old.name.substr(0, colon);
  const int version = colon == std::string::npos ? 1 : std::stoi(old.name.substr(colon + 2));
  const std::string tag = fmt::format("v{}", version + 1);
  std::vector<LayerId> layers = old.layers;  // copy: the catalog may grow below
  for (std::size_t i = layers.size() - replaced_layers; i < layers.size(); ++i) {
    const Layer& replaced = catalog_.layer(layers[i]);
    layers[i] = new_layer(fmt::format("sha256:{}-{}-{}", app, tag, i),
                          static_cast<double>(replaced.compressed_bytes));
  }
  return catalog_.add_image(fmt::format("{}:{}", app, tag), std::move(layers));
}

}  // namespace podsim::model
