#pragma once
// Images for a fleet when nobody lists them layer by layer: sizes drawn from a fleet-wide mix,
// a share of every image in base layers that apps built on one base have in common, and new
// versions that replace only the top layers (what a typical release changes).
//
//   ImageGenerator gen(catalog, ImageMix{}, sim::RandomStream::derive(seed, {"images"}));
//   ImageId v1 = gen.add_app("web");          // web:v1
//   ImageId v2 = gen.new_version(v1, 1);      // web:v2: same base, new top layer

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/sim/distribution.hpp"
#include "podsim/sim/random.hpp"

namespace podsim::model {

struct ImageMix {
  /// Compressed size of a whole image, in bytes. Default: lognormal with median 245 MB and p90
  /// 750 MB, after the 2026 popular-image figures (median 245 MB, p95 890 MB; latency-figures
  /// §3, low confidence), read as compressed sizes of platform app images.
  sim::DistributionPtr compressed_bytes = sim::dist::lognormal_median_p90(245e6, 750e6);
  /// Share of an image in base layers; the rest is the app's own.
  double base_share = 0.5;
  /// Distinct base images in the fleet; app k builds on base k % bases.
  std::uint32_t bases = 1;
  std::uint32_t base_layers = 4;
  std::uint32_t app_layers = 2;
  /// Unpacked over compressed size: the median gzip layer ratio, 2.6 (latency-figures §3).
  double unpack_ratio = 2.6;
};

class ImageGenerator {
 public:
  /// Throws std::invalid_argument for an impossible mix (no layers, share outside [0, 1], ...).
  /// `base_prefix` names this generator's base layers ("sha256:<base_prefix>-base-<k>-<l>";
  /// empty: "sha256:base-<k>-<l>"): generators sharing one catalog need distinct prefixes, or
  /// their bases collide. App layers are named after the app ("sha256:<app>-v<n>-<l>").
  ImageGenerator(ImageCatalog& catalog, ImageMix mix, sim::RandomStream random,
                 std::string base_prefix = {});

  /// Adds "<app>:v1": the app's base plus its own layers, sizes drawn for this app.
  ImageId add_app(std::string_view app);
  /// Adds the next version of `image` ("<app>:v<n+1>"), whose top `replaced_layers` layers are
  /// new (same sizes as the ones they replace) and the rest shared.
  ImageId new_version(ImageId image, std::uint32_t replaced_layers);

 private:
  const std::vector<LayerId>& base(std::uint32_t index);
  LayerId new_layer(const std::string& digest, double compressed);

  ImageCatalog& catalog_;
  ImageMix mix_;
  sim::RandomStream random_;
  std::string base_prefix_;
  std::vector<std::vector<LayerId>> bases_;
  std::uint32_t apps_ = 0;
};

}  // namespace podsim::model
