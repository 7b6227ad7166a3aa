// Image pulls against hand-worked timelines: kubelet serialization, containerd's concurrent
// downloads and sequential unpack, shared bandwidth, the layer cache, P2P, lazy pulls and
// interrupts. Sizes are in MB = 1e6 bytes so that times come out round.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/image_puller.hpp"
#include "podsim/sim.hpp"
#include "podsim/sim/flow_network.hpp"

using namespace podsim;
using model::ImageId;
using model::ImagePullConfig;
using model::ImagePuller;
using model::LayerId;
using model::NodeId;
using model::NodeShape;
using model::PullPolicy;
using model::PullResult;
using sim::Duration;
using sim::Simulation;
using sim::Time;

namespace {

constexpr double MB = 1e6;
constexpr std::uint64_t kMB = 1'000'000;

// A pod's pull: records when it returned and what it said.
struct Outcome {
  std::optional<PullResult> result;
  double at = -1;
};

sim::Process pod(Simulation& sim, ImagePuller& puller, NodeId node, ImageId image, Outcome& out,
                 Duration start = {}, PullPolicy policy = PullPolicy::IfNotPresent) {
  co_await sim.timeout(start);
  PullResult result;
  auto pull = puller.pull(result, node, image, policy);
  co_await std::move(pull);
  out.result = std::move(result);
  out.at = sim.now().seconds();
}

NodeShape shape(double nic_bytes_per_s, double unpack_bytes_per_s,
                std::uint64_t disk = 100ULL << 30) {
  NodeShape s;
  s.nic_bytes_per_s = nic_bytes_per_s;
  s.unpack_bytes_per_s = unpack_bytes_per_s;
  s.image_disk_bytes = disk;
  return s;
}

constexpr double kInstantUnpack = 1e18;  // unpack of any test layer rounds to 0 ns

Time at_seconds(double s) {
  return Time::zero() + sim::seconds(s);
}

}  // namespace

TEST_CASE("image pull: three layers, downloads shared fairly, unpack overlapping", "[image]") {
  // Layers 100/200/300 MB compressed, 200/400/600 MB unpacked; NIC 100 MB/s (registry far
  // faster); unpack 400 MB/s; max_concurrent_downloads 3; no request latency.
  //   0 s: the three downloads share 100 MB/s, 33.3 MB/s each.
  //   3 s: L1 done (100 MB); L2, L3 have 100 MB each. Unpack L1: 200/400 = 0.5 s -> 3.5 s.
  //        L2, L3 at 50 MB/s.  5 s: L2 done (100 MB more); L3 has 100 MB left, alone: 6 s.
  //   L2 applies 5 -> 6 s (400/400), L3 is fetched at 6 s and L2 applied at 6 s: 6 -> 7.5 s.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const LayerId l1 = catalog.add_layer("sha256:l1", 100 * kMB, 200 * kMB);
  const LayerId l2 = catalog.add_layer("sha256:l2", 200 * kMB, 400 * kMB);
  const LayerId l3 = catalog.add_layer("sha256:l3", 300 * kMB, 600 * kMB);
  const ImageId app = catalog.add_image("app:v1", {l1, l2, l3});
  const ImageId base = catalog.add_image("base:v1", {l1});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, 400 * MB));

  SECTION("cold") {
    Outcome out;
    sim.start(pod(sim, puller, 0, app, out));
    sim.run();
    REQUIRE(out.result);
    CHECK(out.result->ok);
    CHECK(out.at == Approx(7.5).margin(1e-6));
    CHECK(out.result->bytes_from_registry == 600 * kMB);
    CHECK(out.result->layers_fetched == 3);
    CHECK(out.result->queued == Duration{});
    CHECK(puller.node_has_image(0, app));
    CHECK(puller.node_has_image(0, base));  // its only layer came with app
    CHECK(puller.nodes_with_image(app) == 1);
    CHECK(puller.layer_cache(0).used_bytes() == 1200 * kMB);
    CHECK(puller.counters().layer_downloads == 3);
    CHECK(puller.active_pulls() == 0);
  }
  SECTION("with the base layer cached") {
    // base: L1 alone, 1 s + 0.5 s unpack = 1.5 s. app at 1.5 s: L2, L3 at 50 MB/s; L2 done
    // after 4 s (5.5 s), L3 has 100 MB left: +1 s (6.5 s). Apply L2 5.5 -> 6.5, L3 6.5 -> 8 s.
    Outcome first, second;
    sim.start(pod(sim, puller, 0, base, first));
    sim.start(pod(sim, puller, 0, app, second, sim::seconds(1.5)));
    sim.run();
    CHECK(first.at == Approx(1.5).margin(1e-6));
    CHECK(second.at == Approx(8.0).margin(1e-6));
    CHECK(second.result->bytes_from_registry == 500 * kMB);
    CHECK(second.result->layers_cached == 1);
    CHECK(second.result->layers_fetched == 2);
    CHECK(puller.counters().bytes_from_registry == 600 * kMB);
  }
}

TEST_CASE("image pull: serialized vs parallel kubelet pulls of two images", "[image]") {
  // Images A and B: one layer each, 100 MB compressed, 200 MB unpacked; NIC 100 MB/s;
  // unpack 400 MB/s (0.5 s per layer); both pods ask at 0 s, A first.
  auto run = [](bool serialize, std::uint32_t unpack_workers) {
    Simulation sim;
    sim::FlowNetwork net(sim);
    model::ImageCatalog catalog;
    const ImageId a = catalog.add_image("a", {catalog.add_layer("sha256:a", 100 * kMB, 200 * kMB)});
    const ImageId b = catalog.add_image("b", {catalog.add_layer("sha256:b", 100 * kMB, 200 * kMB)});
    ImagePullConfig config;
    config.serializeImagePulls = serialize;
    config.registry_bytes_per_s = 100e9;
    ImagePuller puller(sim, net, catalog, config);
    NodeShape s = shape(100 * MB, 400 * MB);
    s.unpack_workers = unpack_workers;
    puller.add_node(0, s);
    Outcome oa, ob;
    sim.start(pod(sim, puller, 0, a, oa));
    sim.start(pod(sim, puller, 0, b, ob));
    sim.run();
    return std::vector<Outcome>{oa, ob};
  };
  SECTION("serializeImagePulls=true") {
    // A: 1 s download + 0.5 s unpack = 1.5 s. B waits for the slot until 1.5 s, then the same
    // 1.5 s: 3.0 s.
    auto o = run(true, 1);
    CHECK(o[0].at == Approx(1.5).margin(1e-6));
    CHECK(o[1].at == Approx(3.0).margin(1e-6));
    CHECK(o[1].result->queued.seconds() == Approx(1.5).margin(1e-6));
  }
  SECTION("serializeImagePulls=false, one unpack worker") {
    // Both download at 50 MB/s: fetched at 2 s. One unpack worker: A 2 -> 2.5 s, B 2.5 -> 3 s.
    auto o = run(false, 1);
    CHECK(o[0].at == Approx(2.5).margin(1e-6));
    CHECK(o[1].at == Approx(3.0).margin(1e-6));
    CHECK(o[1].result->queued == Duration{});
  }
  SECTION("serializeImagePulls=false, two unpack workers") {
    auto o = run(false, 2);  // both unpack 2 -> 2.5 s
    CHECK(o[0].at == Approx(2.5).margin(1e-6));
    CHECK(o[1].at == Approx(2.5).margin(1e-6));
  }
}

TEST_CASE("image pull: N nodes, registry-bound or NIC-bound; cached layers not pulled again",
          "[image]") {
  // Image: 100 MB + 300 MB = 400 MB on each of N = 4 nodes, unpack instant.
  const int n = 4;
  struct Run {
    double last = 0;
    std::uint64_t registry_bytes = 0;
    std::uint64_t second_bytes = 0;
    double second_last = 0;
  };
  auto run = [&](double registry, double nic) {
    Simulation sim;
    sim::FlowNetwork net(sim);
    model::ImageCatalog catalog;
    const LayerId small = catalog.add_layer("sha256:small", 100 * kMB, 100 * kMB);
    const LayerId big = catalog.add_layer("sha256:big", 300 * kMB, 300 * kMB);
    const LayerId extra = catalog.add_layer("sha256:extra", 50 * kMB, 50 * kMB);
    const ImageId v1 = catalog.add_image("app:v1", {big, small});
    const ImageId v2 = catalog.add_image("app:v2", {big, extra});  // shares the 300 MB layer
    ImagePullConfig config;
    config.registry_bytes_per_s = registry;
    ImagePuller puller(sim, net, catalog, config);
    std::vector<Outcome> first(n), second(n);
    for (int i = 0; i < n; ++i) {
      puller.add_node(static_cast<NodeId>(i), shape(nic, kInstantUnpack));
      sim.start(pod(sim, puller, static_cast<NodeId>(i), v1, first[i]));
      sim.start(pod(sim, puller, static_cast<NodeId>(i), v2, second[i], sim::seconds(100)));
    }
    sim.run();
    Run r;
    for (int i = 0; i < n; ++i) {
      r.last = std::max(r.last, first[i].at);
      r.second_last = std::max(r.second_last, second[i].at - 100);
      r.second_bytes += second[i].result->bytes_from_registry;
    }
    r.registry_bytes = puller.counters().bytes_from_registry;
    CHECK(puller.nodes_with_image(v1) == n);
    CHECK(puller.nodes_with_image(v2) == n);
    return r;
  };
  SECTION("registry-bound: N x size / B") {
    // Registry 200 MB/s, NIC 1 GB/s: 8 flows at 25 MB/s; the 100 MB layers end at 4 s, then the
    // four 300 MB layers (200 MB left) at 50 MB/s: 8 s = 4 x 400 MB / 200 MB/s.
    // v2 later: only the 50 MB layer on each node: 4 x 50 / 200 = 1 s.
    const Run r = run(200 * MB, 1000 * MB);
    CHECK(r.last == Approx(8.0).margin(1e-6));
    CHECK(r.registry_bytes == n * 400 * kMB + n * 50 * kMB);
    CHECK(r.second_bytes == n * 50 * kMB);
    CHECK(r.second_last == Approx(1.0).margin(1e-6));
  }
  SECTION("NIC-bound: size / NIC") {
    // Registry 100 GB/s, NIC 100 MB/s: per node 2 flows at 50 MB/s; the 100 MB layer ends at
    // 2 s, the 300 MB one has 200 MB left at 100 MB/s: 4 s = 400 MB / 100 MB/s.
    const Run r = run(100e9, 100 * MB);
    CHECK(r.last == Approx(4.0).margin(1e-6));
    CHECK(r.second_last == Approx(0.5).margin(1e-6));  // 50 MB at 100 MB/s
  }
}

TEST_CASE("image pull: concurrent pulls of one image on a node download each layer once",
          "[image]") {
  // [L1 100 MB, L2 200 MB], unpacked = compressed, NIC 100 MB/s, unpack 400 MB/s, parallel
  // kubelet pulls. The first pull fetches both layers, the second waits for them.
  // L1, L2 at 50 MB/s: L1 at 2 s (unpack -> 2.25 s); L2 has 100 MB left at 100 MB/s: 3 s,
  // unpack 200/400 = 0.5 s -> 3.5 s. Both pulls return at 3.5 s.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:1", 100 * kMB, 100 * kMB),
                                catalog.add_layer("sha256:2", 200 * kMB, 200 * kMB)});
  ImagePullConfig config;
  config.serializeImagePulls = false;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, 400 * MB));
  Outcome first, second;
  sim.start(pod(sim, puller, 0, image, first));
  sim.start(pod(sim, puller, 0, image, second));
  sim.run();
  CHECK(first.at == Approx(3.5).margin(1e-6));
  CHECK(second.at == Approx(3.5).margin(1e-6));
  CHECK(puller.counters().layer_downloads == 2);
  CHECK(puller.counters().bytes_from_registry == 300 * kMB);
  CHECK(first.result->layers_fetched == 2);
  CHECK(second.result->layers_shared == 2);
  CHECK(second.result->bytes_from_registry == 0);
  CHECK(puller.node_bytes_received(0) == 300 * kMB);
}

TEST_CASE("image pull: request latency, max_concurrent_downloads and pull policies", "[image]") {
  // Four 100 MB layers, NIC 100 MB/s, unpack instant, 0.5 s per registry request.
  auto run = [](std::uint32_t max_downloads) {
    Simulation sim;
    sim::FlowNetwork net(sim);
    model::ImageCatalog catalog;
    std::vector<LayerId> layers;
    for (int i = 0; i < 4; ++i) {
      layers.push_back(catalog.add_layer("sha256:" + std::to_string(i), 100 * kMB, 100 * kMB));
    }
    const ImageId image = catalog.add_image("app", layers);
    ImagePullConfig config;
    config.registry_bytes_per_s = 100e9;
    config.request_latency = sim::milliseconds(500);
    config.max_concurrent_downloads = max_downloads;
    ImagePuller puller(sim, net, catalog, config);
    puller.add_node(0, shape(100 * MB, kInstantUnpack));
    Outcome cold, warm, always;
    sim.start(pod(sim, puller, 0, image, cold));
    sim.start(pod(sim, puller, 0, image, warm, sim::seconds(100)));
    sim.start(pod(sim, puller, 0, image, always, sim::seconds(200), PullPolicy::Always));
    sim.run();
    // IfNotPresent with the image present: no queue, no registry contact.
    CHECK(warm.at == Approx(100).margin(1e-6));
    CHECK(warm.result->already_present);
    // Always with the image present: one manifest request, no bytes.
    CHECK(always.at == Approx(200.5).margin(1e-6));
    CHECK(always.result->bytes_from_registry == 0);
    CHECK(always.result->layers_cached == 4);
    CHECK_FALSE(always.result->already_present);
    return cold.at;
  };
  // Limit 1: manifest 0.5 s, then 4 x (0.5 s request + 1 s bytes) = 6.5 s.
  CHECK(run(1) == Approx(6.5).margin(1e-6));
  // Limit 3: manifest 0.5 s; three requests 0.5 -> 1 s; three flows at 33.3 MB/s end at 4 s;
  // the fourth request 4 -> 4.5 s, its bytes 4.5 -> 5.5 s.
  CHECK(run(3) == Approx(5.5).margin(1e-6));
}

TEST_CASE("image pull: containerd download limit per pull or per node", "[image]") {
  // Two parallel kubelet pulls of different one-layer images (100 MB each), NIC 100 MB/s,
  // max_concurrent_downloads 1, unpack instant.
  auto run = [](model::DownloadLimitScope scope) {
    Simulation sim;
    sim::FlowNetwork net(sim);
    model::ImageCatalog catalog;
    const ImageId a = catalog.add_image("a", {catalog.add_layer("sha256:a", 100 * kMB, 1)});
    const ImageId b = catalog.add_image("b", {catalog.add_layer("sha256:b", 100 * kMB, 1)});
    ImagePullConfig config;
    config.serializeImagePulls = false;
    config.max_concurrent_downloads = 1;
    config.download_limit_scope = scope;
    config.registry_bytes_per_s = 100e9;
    ImagePuller puller(sim, net, catalog, config);
    puller.add_node(0, shape(100 * MB, kInstantUnpack));
    Outcome oa, ob;
    sim.start(pod(sim, puller, 0, a, oa));
    sim.start(pod(sim, puller, 0, b, ob));
    sim.run();
    return std::pair{oa.at, ob.at};
  };
  // containerd 1.7/2.0: a semaphore per pull, both at 50 MB/s: both at 2 s.
  const auto per_pull = run(model::DownloadLimitScope::per_pull);
  CHECK(per_pull.first == Approx(2.0).margin(1e-6));
  CHECK(per_pull.second == Approx(2.0).margin(1e-6));
  // containerd 2.1+: one node-wide slot: A 0 -> 1 s, B 1 -> 2 s.
  const auto per_node = run(model::DownloadLimitScope::per_node);
  CHECK(per_node.first == Approx(1.0).margin(1e-6));
  CHECK(per_node.second == Approx(2.0).margin(1e-6));
}

TEST_CASE("image pull: GC through the puller keeps the inventory right", "[image][gc]") {
  // Disk 1000 MB (GC at >= 850 MB, down to <= 800 MB). X, Y: 400 MB unpacked each; Z: 100 MB.
  // Pull X, then Y (800 MB, no GC). X runs (pinned). Pull Z: 900 MB -> GC evicts the only
  // unpinned layer, Y's, leaving 500 MB.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId x = catalog.add_image("x", {catalog.add_layer("sha256:x", kMB, 400 * kMB)});
  const ImageId y = catalog.add_image("y", {catalog.add_layer("sha256:y", kMB, 400 * kMB)});
  const ImageId z = catalog.add_image("z", {catalog.add_layer("sha256:z", kMB, 100 * kMB)});
  ImagePuller puller(sim, net, catalog, {});
  puller.add_node(0, shape(100 * MB, kInstantUnpack, 1000 * kMB));
  Outcome ox, oy, oz;
  sim.start(pod(sim, puller, 0, x, ox));
  sim.start(pod(sim, puller, 0, y, oy, sim::seconds(10)));
  sim.run_until(at_seconds(20));
  CHECK(puller.layer_cache(0).used_bytes() == 800 * kMB);
  CHECK(puller.nodes_with_image(y) == 1);
  puller.pin_image(0, x);
  sim.start(pod(sim, puller, 0, z, oz));
  sim.run();
  CHECK(oz.result->ok);
  CHECK(puller.layer_cache(0).used_bytes() == 500 * kMB);
  CHECK(puller.node_has_image(0, x));
  CHECK(puller.node_has_image(0, z));
  CHECK_FALSE(puller.node_has_image(0, y));
  CHECK(puller.nodes_with_image(y) == 0);
  CHECK(puller.nodes_with_image(x) == 1);
  puller.unpin_image(0, x);
}

TEST_CASE("image pull: a layer larger than the disk fails with a reason", "[image][gc]") {
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId huge =
      catalog.add_image("huge:v1", {catalog.add_layer("sha256:huge", 10 * kMB, 2000 * kMB)});
  ImagePuller puller(sim, net, catalog, {});
  puller.add_node(0, shape(100 * MB, kInstantUnpack, 1000 * kMB));
  Outcome out;
  sim.start(pod(sim, puller, 0, huge, out));
  sim.run();
  REQUIRE(out.result);
  CHECK_FALSE(out.result->ok);
  CHECK_THAT(out.result->failure, Catch::Contains("sha256:huge") && Catch::Contains("image disk"));
  CHECK(out.result->bytes_from_registry == 0);
  CHECK(puller.counters().pulls_failed == 1);
  CHECK(puller.layer_cache(0).used_bytes() == 0);
  CHECK(puller.kubelet_pull_queue(0).busy() == 0);
}

TEST_CASE("image pull: pinned layers fill the disk: no space left on device", "[image][gc]") {
  // Disk 1000 MB. A (600 MB) runs, pinned. B needs 500 MB: only 400 MB free, nothing
  // evictable: B fails after downloading, its layer not kept.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId a = catalog.add_image("a", {catalog.add_layer("sha256:a", kMB, 600 * kMB)});
  const ImageId b = catalog.add_image("b", {catalog.add_layer("sha256:b", kMB, 500 * kMB)});
  ImagePuller puller(sim, net, catalog, {});
  puller.add_node(0, shape(100 * MB, kInstantUnpack, 1000 * kMB));
  Outcome oa, ob;
  sim.start(pod(sim, puller, 0, a, oa));
  sim.run();
  puller.pin_image(0, a);
  sim.start(pod(sim, puller, 0, b, ob));
  sim.run();
  CHECK_FALSE(ob.result->ok);
  CHECK_THAT(ob.result->failure, Catch::Contains("no space left on device"));
  CHECK_FALSE(puller.node_has_image(0, b));
  CHECK(puller.layer_cache(0).used_bytes() == 600 * kMB);
  CHECK(puller.layer_cache(0).pins(1) == 0);  // the failed pull let go of its pin
}

TEST_CASE("image pull: P2P, the second node fetches from the first", "[image][p2p]") {
  // Registry 50 MB/s, NICs 100 MB/s, one 100 MB layer, unpack instant.
  // Node 0 at 0 s: from the registry, 2 s. Node 1 at 10 s: from node 0 (its NIC egress and
  // node 1's NIC), 1 s. Registry bytes: 100 MB once; peer bytes: 100 MB.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:l", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 50 * MB;
  config.peer_to_peer = true;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  puller.add_node(1, shape(100 * MB, kInstantUnpack));
  Outcome first, second;
  sim.start(pod(sim, puller, 0, image, first));
  sim.start(pod(sim, puller, 1, image, second, sim::seconds(10)));
  sim.run();
  CHECK(first.at == Approx(2.0).margin(1e-6));
  CHECK(second.at == Approx(11.0).margin(1e-6));
  CHECK(second.result->bytes_from_peers == 100 * kMB);
  CHECK(second.result->bytes_from_registry == 0);
  CHECK(puller.counters().bytes_from_registry == 100 * kMB);
  CHECK(puller.counters().bytes_from_peers == 100 * kMB);
  CHECK(puller.node_bytes_uploaded(0) == 100 * kMB);
  CHECK(puller.node_bytes_received(1) == 100 * kMB);
  CHECK(puller.layer_cache(0).pins(0) == 0);  // the upload pin is gone
  CHECK(puller.nodes_with_image(image) == 2);
}

TEST_CASE("image pull: lazy pull returns after its fraction, the rest follows", "[image][lazy]") {
  // Two 100 MB layers, NIC 100 MB/s, f = 0.3. The first 30 MB of each layer come first, at
  // 50 MB/s each: ready at 0.6 s (= 0.3 x 200 MB / 100 MB/s). The remaining 70 MB of each at
  // 50 MB/s: complete at 0.6 + 1.4 = 2.0 s.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:1", 100 * kMB, 300 * kMB),
                                catalog.add_layer("sha256:2", 100 * kMB, 300 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, 1 * MB));  // slow unpack: lazy layers skip it
  puller.set_lazy_pull(image, 0.3);
  std::vector<std::pair<double, bool>> completions;
  puller.set_on_pull_complete(
      [&](const model::PullCompletion& c) { completions.emplace_back(c.at.seconds(), c.ok); });
  Outcome out;
  sim.start(pod(sim, puller, 0, image, out));
  sim.run_until(at_seconds(1));
  REQUIRE(out.result);
  CHECK(out.at == Approx(0.6).margin(1e-6));
  CHECK(out.result->background_pending);
  CHECK(out.result->bytes_from_registry == 60 * kMB);
  CHECK_FALSE(puller.node_has_image(0, image));
  CHECK(puller.kubelet_pull_queue(0).busy() == 0);  // the kubelet slot is free again
  sim.run();
  REQUIRE(completions.size() == 1);
  CHECK(completions[0].first == Approx(2.0).margin(1e-6));
  CHECK(completions[0].second);
  CHECK(puller.node_has_image(0, image));
  CHECK(puller.counters().bytes_from_registry == 200 * kMB);
  CHECK(puller.counters().layer_downloads == 2);
  CHECK(puller.active_pulls() == 0);
}

TEST_CASE("image pull: a second lazy pull of a layer in flight returns with the first",
          "[image][lazy]") {
  // One 1,250 MB layer, f = 0.1, registry and NIC 125 MB/s, two parallel pulls at t = 0.
  // The first claims the layer; the second follows it. Prefix: 0.1 x 1,250 = 125 MB at
  // 125 MB/s -> both return at 1.0 s (the follower must not wait for the whole layer).
  // The rest, 1,125 MB at 125 MB/s, takes 9 s: the layer is stored and both pulls
  // complete at 10.0 s. One download, 1,250 MB from the registry, all on the first pull.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:1", 1250 * kMB, 2500 * kMB)});
  ImagePullConfig config;
  config.serializeImagePulls = false;
  config.registry_bytes_per_s = 125 * MB;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(125 * MB, kInstantUnpack));
  puller.set_lazy_pull(image, 0.1);
  std::vector<double> completions;
  puller.set_on_pull_complete([&](const model::PullCompletion& c) {
    CHECK(c.ok);
    completions.push_back(c.at.seconds());
  });
  Outcome first, second;
  sim.start(pod(sim, puller, 0, image, first));
  sim.start(pod(sim, puller, 0, image, second));
  sim.run_until(at_seconds(2));
  REQUIRE(first.result);
  REQUIRE(second.result);
  CHECK(first.at == Approx(1.0).margin(1e-6));
  CHECK(second.at == Approx(1.0).margin(1e-6));
  CHECK(first.result->background_pending);
  CHECK(second.result->background_pending);
  CHECK(first.result->bytes_from_registry == 125 * kMB);
  CHECK(second.result->bytes_from_registry == 0);
  CHECK(second.result->layers_shared == 1);
  CHECK_FALSE(puller.node_has_image(0, image));
  sim.run();
  REQUIRE(completions.size() == 2);
  CHECK(completions[0] == Approx(10.0).margin(1e-6));
  CHECK(completions[1] == Approx(10.0).margin(1e-6));
  CHECK(puller.node_has_image(0, image));
  CHECK(puller.counters().layer_downloads == 1);
  CHECK(puller.counters().bytes_from_registry == 1250 * kMB);
  CHECK(puller.node_bytes_received(0) == 1250 * kMB);
  CHECK(puller.active_pulls() == 0);
}

TEST_CASE("image pull: an interrupted pull leaves nothing half-present and frees its slot",
          "[image][interrupt]") {
  // Image A = [L1 100 MB, L2 200 MB], image C = [c 100 MB]; NIC 100 MB/s; serialized pulls;
  // unpack instant. Pod A starts at 0 s; pod C asks at 0 s and queues behind A.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const LayerId l1 = catalog.add_layer("sha256:1", 100 * kMB, 100 * kMB);
  const LayerId l2 = catalog.add_layer("sha256:2", 200 * kMB, 200 * kMB);
  const ImageId a = catalog.add_image("a", {l1, l2});
  const ImageId c = catalog.add_image("c", {catalog.add_layer("sha256:c", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  Outcome oa, oc;

  SECTION("before any layer is complete") {
    // At 1.5 s L1 and L2 have 75 MB each (50 MB/s). The interrupt aborts both; C gets the slot
    // at 1.5 s and takes 1 s: 2.5 s. Registry bytes: 75 + 75 + 100 = 250 MB.
    const sim::ProcessRef pa = sim.start(pod(sim, puller, 0, a, oa));
    sim.start(pod(sim, puller, 0, c, oc));
    sim.call_at(at_seconds(1.5), [&] { sim.interrupt(pa); });
    sim.run_until(at_seconds(1.6));
    CHECK_FALSE(oa.result);
    CHECK(puller.layer_cache(0).size() == 0);
    CHECK(puller.layer_cache(0).pins(l1) == 0);
    CHECK(net.active_flows() == 1);  // C's layer only
    sim.run();
    CHECK(oc.at == Approx(2.5).margin(1e-6));
    CHECK(oc.result->queued.seconds() == Approx(1.5).margin(1e-6));
    CHECK(puller.counters().bytes_from_registry == 250 * kMB);
    CHECK(puller.counters().pulls_aborted == 1);
    CHECK_FALSE(puller.node_has_image(0, a));
    CHECK(puller.layer_cache(0).size() == 1);
    CHECK(puller.active_pulls() == 0);
  }
  SECTION("after the first layer is complete, it stays") {
    // L1 is done at 2 s; at 2.5 s L2 has 150 MB. Interrupt: L1 stays, L2 is gone.
    const sim::ProcessRef pa = sim.start(pod(sim, puller, 0, a, oa));
    sim.call_at(at_seconds(2.5), [&] { sim.interrupt(pa); });
    sim.run();
    CHECK(puller.layer_cache(0).contains(l1));
    CHECK_FALSE(puller.layer_cache(0).contains(l2));
    CHECK(puller.layer_cache(0).used_bytes() == 100 * kMB);
    CHECK(puller.kubelet_pull_queue(0).busy() == 0);
    CHECK(net.active_flows() == 0);
  }
}

TEST_CASE("image pull: an interrupt during unpack frees the unpack worker", "[image][interrupt]") {
  // A = [L 100 MB, 400 MB unpacked], C = [c 100 MB, 100 MB unpacked]; NIC 100 MB/s, unpack
  // 100 MB/s, serialized pulls. A downloads 0 -> 1 s and unpacks 1 -> 5 s; it is interrupted at
  // 2 s. C gets the kubelet slot at 2 s, downloads 2 -> 3 s and unpacks on the freed worker
  // 3 -> 4 s. A's layer is not present.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const LayerId l = catalog.add_layer("sha256:l", 100 * kMB, 400 * kMB);
  const ImageId a = catalog.add_image("a", {l});
  const ImageId c = catalog.add_image("c", {catalog.add_layer("sha256:c", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, 100 * MB));
  Outcome oa, oc;
  const sim::ProcessRef pa = sim.start(pod(sim, puller, 0, a, oa));
  sim.start(pod(sim, puller, 0, c, oc));
  sim.call_at(at_seconds(2), [&] { sim.interrupt(pa); });
  sim.run();
  CHECK_FALSE(oa.result);
  REQUIRE(oc.result);
  CHECK(oc.at == Approx(4.0).margin(1e-6));
  CHECK_FALSE(puller.layer_cache(0).contains(l));
  CHECK(puller.layer_cache(0).used_bytes() == 100 * kMB);
  CHECK(puller.node_bytes_received(0) == 200 * kMB);  // A's bytes arrived, then were dropped
}

TEST_CASE("image pull: a waiting pull takes over when the fetching one is interrupted",
          "[image][interrupt]") {
  // Parallel pulls P1, P2 of [L 100 MB], NIC 100 MB/s, unpack instant. P1 fetches, P2 waits.
  // P1 is interrupted at 0.5 s (50 MB arrived, discarded). P2 fetches L itself from 0.5 s:
  // done at 1.5 s. Registry bytes 150 MB.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:l", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.serializeImagePulls = false;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  Outcome o1, o2;
  const sim::ProcessRef p1 = sim.start(pod(sim, puller, 0, image, o1));
  sim.start(pod(sim, puller, 0, image, o2));
  sim.call_at(at_seconds(0.5), [&] { sim.interrupt(p1); });
  sim.run();
  CHECK_FALSE(o1.result);
  REQUIRE(o2.result);
  CHECK(o2.at == Approx(1.5).margin(1e-6));
  CHECK(o2.result->layers_fetched == 1);
  CHECK(puller.counters().bytes_from_registry == 150 * kMB);
  CHECK(puller.counters().layer_downloads == 1);
  CHECK(puller.node_has_image(0, image));
}

TEST_CASE("image pull: prefetch warms a node without the kubelet queue", "[image]") {
  // Prefetch of [L 100 MB] at 0 s (NIC 100 MB/s, unpack instant) while a pod pulls another
  // 100 MB image through the serialized kubelet queue: they share the NIC (50 MB/s each), both
  // done at 2 s. A pod pulling the prefetched image at 5 s finds it present.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId warm =
      catalog.add_image("warm", {catalog.add_layer("sha256:w", 100 * kMB, 100 * kMB)});
  const ImageId other =
      catalog.add_image("other", {catalog.add_layer("sha256:o", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100e9;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  std::vector<double> done;
  puller.set_on_pull_complete([&](const model::PullCompletion& c) {
    if (c.image == warm) done.push_back(c.at.seconds());
  });
  Outcome o_other, o_warm;
  puller.prefetch(0, warm);
  sim.start(pod(sim, puller, 0, other, o_other));
  sim.start(pod(sim, puller, 0, warm, o_warm, sim::seconds(5)));
  sim.run();
  REQUIRE(done.size() == 1);
  CHECK(done[0] == Approx(2.0).margin(1e-6));
  CHECK(o_other.at == Approx(2.0).margin(1e-6));
  CHECK(o_warm.result->already_present);
  CHECK(o_warm.at == Approx(5.0).margin(1e-6));
}

TEST_CASE("image pull: invalid kubelet settings are refused", "[image]") {
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  ImagePullConfig config;
  config.maxParallelImagePulls = 4;  // with serializeImagePulls still true
  CHECK_THROWS_AS(ImagePuller(sim, net, catalog, config), std::invalid_argument);
  config.serializeImagePulls = false;
  CHECK_NOTHROW(ImagePuller(sim, net, catalog, config));
  ImagePullConfig qps;
  qps.registryBurst = 0;  // with registryPullQPS 5: no pull could ever get a token
  CHECK_THROWS_WITH(ImagePuller(sim, net, catalog, qps), Catch::Contains("registryBurst"));
  qps.registryPullQPS = 0;  // unlimited: the burst does not matter
  CHECK_NOTHROW(ImagePuller(sim, net, catalog, qps));
  ImagePullConfig failures;
  failures.pull_failure_probability = 1.5;
  CHECK_THROWS_AS(ImagePuller(sim, net, catalog, failures), std::invalid_argument);
}

namespace {
sim::Process pod_with_draw(Simulation& sim, ImagePuller& puller, NodeId node, ImageId image,
                           Outcome& out, Duration start, double failure_draw) {
  co_await sim.timeout(start);
  PullResult result;
  auto pull = puller.pull(result, node, image, PullPolicy::IfNotPresent, failure_draw);
  co_await std::move(pull);
  out.result = std::move(result);
  out.at = sim.now().seconds();
}
}  // namespace

TEST_CASE("image pull: registryPullQPS refuses a pull that finds no token", "[image][qps]") {
  // Three images of one 100 MB layer; NIC and registry 100 MB/s, unpack instant: 1 s each.
  // registryPullQPS 0.5, registryBurst 1. Serialized: a takes the token at 0 and pulls [0, 1];
  // b gets the slot at 1 and finds 0.5 tokens: "pull QPS exceeded" at once, after 1 s queued.
  // c asks at 2: 0.5 + 0.5 = 1 token: pulls [2, 3].
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  std::vector<ImageId> images;
  for (const char* name : {"a", "b", "c"}) {
    images.push_back(catalog.add_image(
        name, {catalog.add_layer(std::string("sha256:") + name, 100 * kMB, 100 * kMB)}));
  }
  ImagePullConfig config;
  config.registry_bytes_per_s = 100 * MB;
  config.registryPullQPS = 0.5;
  config.registryBurst = 1;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  Outcome a, b, c;
  sim.start(pod(sim, puller, 0, images[0], a));
  sim.start(pod(sim, puller, 0, images[1], b));
  sim.start(pod(sim, puller, 0, images[2], c, sim::seconds(2)));
  sim.run();
  CHECK(a.result->ok);
  CHECK(a.at == Approx(1.0).margin(1e-6));
  CHECK_FALSE(b.result->ok);
  CHECK(b.result->retryable);
  CHECK(b.result->failure == "pull QPS exceeded");
  CHECK(b.at == Approx(1.0).margin(1e-6));
  CHECK(b.result->queued.seconds() == Approx(1.0).margin(1e-6));
  CHECK(c.result->ok);
  CHECK(c.at == Approx(3.0).margin(1e-6));
  CHECK(puller.counters().pulls_throttled == 1);
  CHECK(puller.counters().pulls_started == 2);  // b never reached containerd
  CHECK_FALSE(puller.node_has_image(0, images[1]));
}

TEST_CASE("image pull: an injected registry failure ends the attempt after the manifest",
          "[image]") {
  // pull_failure_probability 0.5, request latency 0.25 s: a draw of 0.4 fails at 0.25 with no
  // byte moved; a draw of 0.6 pulls: 0.25 + 0.25 (layer request) + 1 s download = 1.5 s.
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:app", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100 * MB;
  config.request_latency = sim::milliseconds(250);
  config.pull_failure_probability = 0.5;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  puller.add_node(1, shape(100 * MB, kInstantUnpack));
  Outcome failed, pulled;
  sim.start(pod_with_draw(sim, puller, 0, image, failed, Duration{}, 0.4));
  sim.start(pod_with_draw(sim, puller, 1, image, pulled, sim::seconds(5), 0.6));
  sim.run();
  CHECK_FALSE(failed.result->ok);
  CHECK(failed.result->retryable);
  CHECK_THAT(failed.result->failure, Catch::Contains("registry error"));
  CHECK(failed.at == Approx(0.25).margin(1e-6));
  CHECK(pulled.result->ok);
  CHECK(pulled.at == Approx(6.5).margin(1e-6));
  CHECK(puller.counters().pulls_failed == 1);
  CHECK(puller.counters().pulls_failed_registry == 1);
  CHECK(puller.node_bytes_received(0) == 0);
  CHECK(puller.counters().bytes_from_registry == 100 * kMB);
}

TEST_CASE("image pull: reset_node gives an elastic slot a fresh, empty node", "[image]") {
  Simulation sim;
  sim::FlowNetwork net(sim);
  model::ImageCatalog catalog;
  const ImageId image =
      catalog.add_image("app", {catalog.add_layer("sha256:app", 100 * kMB, 100 * kMB)});
  ImagePullConfig config;
  config.registry_bytes_per_s = 100 * MB;
  ImagePuller puller(sim, net, catalog, config);
  puller.add_node(0, shape(100 * MB, kInstantUnpack));
  Outcome first;
  sim.start(pod(sim, puller, 0, image, first));
  sim.run_until(at_seconds(0.5));
  CHECK_FALSE(puller.reset_node(0));  // a pull is under way
  sim.run();
  REQUIRE(puller.node_has_image(0, image));
  puller.pin_image(0, image);
  CHECK_FALSE(puller.reset_node(0));  // a container uses it
  puller.unpin_image(0, image);
  CHECK(puller.reset_node(0));
  CHECK_FALSE(puller.node_has_image(0, image));
  CHECK(puller.nodes_with_image(image) == 0);
  CHECK(puller.layer_cache(0).used_bytes() == 0);
  CHECK(puller.node_bytes_received(0) == 0);
  // It pulls again, over the same NIC link, in the same 1 s.
  Outcome again;
  sim.start(pod(sim, puller, 0, image, again));
  const double t0 = sim.now().seconds();
  sim.run();
  CHECK(again.result->layers_fetched == 1);
  CHECK(again.at == Approx(t0 + 1.0).margin(1e-6));
}
