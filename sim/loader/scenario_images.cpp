// `images:`: each image by the name manifests write in `image:`, as explicit layers, as a new
// version of another image (`from:` + `replace_top_layers`), or generated from a size.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "podsim/loader/suggest.hpp"
#include "podsim/model/image_generator.hpp"
#include "podsim/sim/random.hpp"
#include "scenario_sections.hpp"

namespace podsim::loader::sections {
namespace {

// The median gzip layer ratio, unpacked over compressed (latency-figures §3), as ImageMix uses.
constexpr double kUnpackRatio = 2.6;

struct LayerSizes {
  std::uint64_t compressed = 0;
  std::uint64_t unpacked = 0;
};

LayerSizes read_layer_sizes(const Node& layer, std::initializer_list<std::string_view> keys) {
  layer.check_keys(keys);
  LayerSizes s;
  s.compressed = static_cast<std::uint64_t>(layer.required("size").as_byte_size());
  if (const auto n = layer.find("unpacked")) {
    s.unpacked = static_cast<std::uint64_t>(n->as_byte_size());
  } else {
    s.unpacked =
        static_cast<std::uint64_t>(std::ceil(static_cast<double>(s.compressed) * kUnpackRatio));
  }
  return s;
}

// Digests podsim makes up: stable for an image name and a layer index, distinct between images.
std::string made_up_digest(const std::string& image, std::size_t index) {
  return fmt::format("sha256:{}-{}", image, index);
}

class ImageReader {
 public:
  ImageReader(const Node& images, std::uint64_t seed, experiment::World& world, NextVersions& next)
      : seed_(seed), world_(world), next_(next) {
    for (const auto& [name, node] : unique_entries(images)) {
      names_.push_back(name);
      nodes_.emplace(name, node);
    }
  }

  void read_all() {
    for (const std::string& name : names_) define(name);
  }

 private:
  model::ImageId define(const std::string& name) {
    if (world_.catalog.has_image(name)) return world_.catalog.find_image(name);
    const Node& node = nodes_.at(name);
    if (!resolving_.insert(name).second) {
      node.fail(fmt::format("image '{}' is built from itself (a cycle of 'from')", name));
    }
    const model::ImageId id = build(name, node);
    resolving_.erase(name);
    if (const auto lazy = node.find("lazy_pull")) {
      const double f = lazy->as_number(0, 1);
      if (!(f > 0)) lazy->fail("must be > 0 (the fraction of the image needed to start)");
      world_.lazy_pull.emplace_back(id, f);
    }
    return id;
  }

  model::ImageId build(const std::string& name, const Node& node) {
    const int forms = int{node.has("layers")} + int{node.has("from")} + int{node.has("generate")};
    if (forms != 1) {
      node.fail(fmt::format("an image has exactly one of layers, from or generate, got {}",
                            forms == 0 ? std::string("none") : std::string("several")));
    }
    if (node.has("layers")) return explicit_layers(name, node);
    if (node.has("from")) return new_version(name, node);
    return generated(name, node);
  }

  model::LayerId add_layer(const Node& at, const std::string& digest, LayerSizes s) {
    try {
      return world_.catalog.add_layer(digest, s.compressed, s.unpacked);
    } catch (const std::invalid_argument& e) {
      at.fail(e.what());
    }
  }

  model::ImageId add_image(const Node& at, const std::string& name,
                           std::vector<model::LayerId> layers) {
    try {
      return world_.catalog.add_image(name, std::move(layers));
    } catch (const std::invalid_argument& e) {
      at.fail(e.what());
    }
  }

  model::ImageId explicit_layers(const std::string& name, const Node& node) {
    node.check_keys({"layers", "lazy_pull"});
    const auto items = node.required("layers").items();
    if (items.empty()) node.required("layers").fail("an image needs at least one layer");
    std::vector<model::LayerId> layers;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const LayerSizes s = read_layer_sizes(items[i], {"size", "unpacked", "digest"});
      const std::string digest = items[i].has("digest") ? items[i].required<std::string>("digest")
                                                        : made_up_digest(name, i);
      layers.push_back(add_layer(items[i], digest, s));
    }
    return add_image(node, name, std::move(layers));
  }

  model::ImageId new_version(const std::string& name, const Node& node) {
    node.check_keys({"from", "replace_top_layers", "new_layers", "lazy_pull"});
    const Node from = node.required("from");
    const std::string base_name = from.as<std::string>();
    if (!nodes_.contains(base_name)) {
      std::vector<std::string_view> known(names_.begin(), names_.end());
      const auto suggestion = did_you_mean(base_name, known);
      from.fail(fmt::format("unknown image '{}'{}", base_name,
                            suggestion ? fmt::format(" (did you mean '{}'?)", *suggestion)
                                       : std::string(" (it must be listed under images)")));
    }
    const model::ImageId base = define(base_name);
    std::vector<model::LayerId> layers = world_.catalog.image(base).layers;
    // One top layer by default: the app's own layer is what a typical release rebuilds.
    std::uint32_t replaced = 1;
    if (const auto n = node.find("replace_top_layers")) {
      replaced = static_cast<std::uint32_t>(n->as_int(1, static_cast<std::int64_t>(layers.size())));
    }
    std::vector<Node> sizes;
    if (const auto n = node.find("new_layers")) {
      sizes = n->items();
      if (sizes.size() != replaced) {
        n->fail(fmt::format("gives {} layers for {} replaced (replace_top_layers)", sizes.size(),
                            replaced));
      }
    }
    const std::size_t first = layers.size() - replaced;
    for (std::size_t i = first; i < layers.size(); ++i) {
      LayerSizes s;
      if (sizes.empty()) {
        // Same sizes as the layer it replaces: a rebuild of the same code.
        const model::Layer& old = world_.catalog.layer(layers[i]);
        s = {old.compressed_bytes, old.unpacked_bytes};
      } else {
        s = read_layer_sizes(sizes[i - first], {"size", "unpacked"});
      }
      layers[i] = add_layer(sizes.empty() ? node : sizes[i - first], made_up_digest(name, i), s);
    }
    const model::ImageId id = add_image(node, name, std::move(layers));
    next_[base].push_back(id);
    return id;
  }

  model::ImageId generated(const std::string& name, const Node& node) {
    node.check_keys({"generate", "lazy_pull"});
    const Node g = node.required("generate");
    g.check_keys({"size", "base_share", "base_layers", "app_layers", "unpack_ratio", "seed"});
    model::ImageMix mix;  // defaults: image_generator.hpp (latency-figures §3)
    mix.bases = 1;
    if (const auto n = g.find("size"))
      mix.compressed_bytes = parse_value_distribution(*n, ValueUnit::bytes);
    if (const auto n = g.find("base_share")) mix.base_share = n->as_number(0, 1);
    if (const auto n = g.find("base_layers"))
      mix.base_layers = static_cast<std::uint32_t>(n->as_int(0, 1000));
    if (const auto n = g.find("app_layers"))
      mix.app_layers = static_cast<std::uint32_t>(n->as_int(1, 1000));
    if (const auto n = g.find("unpack_ratio")) mix.unpack_ratio = n->as_number(1, 1000);
    if (mix.base_share > 0 && mix.base_layers == 0) {
      g.required("base_layers").fail("must be >= 1 when base_share > 0");
    }
    const std::uint64_t seed = g.has("seed") ? static_cast<std::uint64_t>(g.required("seed").as_int(
                                                   0, std::numeric_limits<std::int64_t>::max()))
                                             : seed_;
    // Drawn in a scratch catalog, then stored under this image's name and made-up digests.
    model::ImageCatalog scratch;
    model::ImageGenerator generator(scratch, mix,
                                    sim::RandomStream::derive(seed, {"images", name}));
    const model::Image& drawn = scratch.image(generator.add_app("image"));
    std::vector<model::LayerId> layers;
    for (std::size_t i = 0; i < drawn.layers.size(); ++i) {
      const model::Layer& l = scratch.layer(drawn.layers[i]);
      layers.push_back(
          add_layer(g, made_up_digest(name, i), {l.compressed_bytes, l.unpacked_bytes}));
    }
    return add_image(node, name, std::move(layers));
  }

  std::uint64_t seed_;
  experiment::World& world_;
  NextVersions& next_;
  std::vector<std::string> names_;
  std::map<std::string, Node> nodes_;
  std::set<std::string> resolving_;
};

}  // namespace

void read_images(const Node& images, std::uint64_t seed, experiment::World& world,
                 NextVersions& next) {
  ImageReader(images, seed, world, next).read_all();
}

model::ImageId find_image(const model::ImageCatalog& catalog, const Node& at,
                          const std::string& name) {
  if (catalog.has_image(name)) return catalog.find_image(name);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < catalog.image_count(); ++i) {
    names.push_back(catalog.image(static_cast<model::ImageId>(i)).name);
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  const auto suggestion = did_you_mean(name, views);
  at.fail(fmt::format("unknown image '{}' ({})", name,
                      suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                 : std::string("list it under images")));
}

}  // namespace podsim::loader::sections
