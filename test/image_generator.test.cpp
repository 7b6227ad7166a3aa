// Fleet images generated from a size mix.
#include "podsim/model/image_generator.hpp"

#include <catch2/catch.hpp>

#include "podsim/sim/statistics.hpp"

using namespace podsim;
using namespace podsim::model;

TEST_CASE("image generator: shared base, app layers, new versions", "[image]") {
  ImageCatalog catalog;
  ImageMix mix;
  mix.compressed_bytes = sim::dist::constant(1000e6);  // 1 GB images
  mix.base_share = 0.5;
  mix.base_layers = 4;
  mix.app_layers = 2;
  mix.unpack_ratio = 2;
  ImageGenerator gen(catalog, mix, sim::RandomStream(1));
  const ImageId web = gen.add_app("web");
  const ImageId api = gen.add_app("api");
  // 500 MB of base in 4 layers of 125 MB, 500 MB of app in 2 layers of 250 MB; unpacked x2.
  const Image& w = catalog.image(web);
  CHECK(w.name == "web:v1");
  CHECK(w.layers.size() == 6);
  CHECK(w.compressed_bytes == 1'000'000'000);
  CHECK(w.unpacked_bytes == 2'000'000'000);
  CHECK(catalog.layer(w.layers[0]).compressed_bytes == 125'000'000);
  CHECK(catalog.layer(w.layers[5]).compressed_bytes == 250'000'000);
  // One base: both apps share its four layers, not their own.
  const Image& a = catalog.image(api);
  for (int l = 0; l < 4; ++l) CHECK(a.layers[l] == w.layers[l]);
  CHECK(a.layers[4] != w.layers[4]);

  const ImageId web2 = gen.new_version(web, 1);
  const Image& w2 = catalog.image(web2);
  CHECK(w2.name == "web:v2");
  for (int l = 0; l < 5; ++l) CHECK(w2.layers[l] == catalog.image(web).layers[l]);
  CHECK(w2.layers[5] != catalog.image(web).layers[5]);
  CHECK(w2.compressed_bytes == 1'000'000'000);
  CHECK(catalog.image(gen.new_version(web2, 2)).name == "web:v3");
  CHECK_THROWS_WITH(gen.new_version(web, 7), Catch::Contains("cannot replace 7 of its 6"));
}

TEST_CASE("image generator: app sizes follow the mix; bases by index", "[image]") {
  ImageCatalog catalog;
  ImageMix mix;
  mix.compressed_bytes = sim::dist::exponential(400e6);
  mix.base_share = 0.25;
  mix.bases = 3;
  ImageGenerator gen(catalog, mix, sim::RandomStream::derive(7, {"images"}));
  sim::RunningStats app_bytes;
  std::vector<ImageId> images;
  for (int k = 0; k < 3000; ++k) {
    images.push_back(gen.add_app("app" + std::to_string(k)));
    const Image& img = catalog.image(images.back());
    double own = 0;
    for (std::size_t l = 4; l < img.layers.size(); ++l) {
      own += static_cast<double>(catalog.layer(img.layers[l]).compressed_bytes);
    }
    app_bytes.add(own);
  }
  // App layers carry 75% of an Exp(mean 400 MB) draw: mean 300 MB, sd 300 MB; 3000 draws give a
  // standard error of about 5.5 MB.
  CHECK(app_bytes.mean() == Approx(300e6).margin(5 * 300e6 / std::sqrt(3000.0)));
  // App k builds on base k % 3.
  CHECK(catalog.image(images[0]).layers[0] == catalog.image(images[3]).layers[0]);
  CHECK(catalog.image(images[0]).layers[0] != catalog.image(images[1]).layers[0]);
}

TEST_CASE("image generator: impossible mixes are refused", "[image]") {
  ImageCatalog catalog;
  ImageMix mix;
  mix.base_share = 1.5;
  CHECK_THROWS_WITH(ImageGenerator(catalog, mix, sim::RandomStream(1)),
                    Catch::Contains("base_share"));
  mix.base_share = 0.5;
  mix.app_layers = 0;
  CHECK_THROWS_WITH(ImageGenerator(catalog, mix, sim::RandomStream(1)),
                    Catch::Contains("app_layers"));
}
