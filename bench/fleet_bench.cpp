#include "fleet_bench.hpp"

#include <sys/resource.h>

#include <chrono>
#include <memory>
#include <string>

#include "podsim/model/cluster.hpp"
#include "podsim/sim.hpp"

namespace podsim::bench {

namespace {

constexpr std::uint64_t MiB = 1ULL << 20;

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// A 512 MiB base of four layers shared by every app, and 512 MiB of app layers on top.
void add_images(model::ImageCatalog& catalog, std::uint64_t apps) {
  std::vector<model::LayerId> base;
  for (int l = 0; l < 4; ++l) {
    base.push_back(catalog.add_layer("sha256:base-" + std::to_string(l), 128 * MiB, 256 * MiB));
  }
  for (std::uint64_t a = 0; a < apps; ++a) {
    std::vector<model::LayerId> layers = base;
    for (int l = 0; l < 2; ++l) {
      layers.push_back(catalog.add_layer(
          "sha256:app-" + std::to_string(a) + "-" + std::to_string(l), 256 * MiB, 512 * MiB));
    }
    catalog.add_image("app-" + std::to_string(a) + ":v1", std::move(layers));
  }
}

}  // namespace

FleetBenchResult run_fleet_bench(const FleetBenchOptions& options) {
  model::ImageCatalog catalog;
  add_images(catalog, options.apps);

  model::ClusterConfig config;
  model::NodePoolSpec pool;
  pool.name = "workers";
  pool.count = static_cast<std::uint32_t>(options.nodes);
  pool.shape.allocatable = {64'000, 256LL << 30};
  pool.shape.max_pods = 110;
  config.pools.push_back(pool);
  config.scheduler.qps = 0;  // no client throttling: measure podsim, not the API budget

  sim::Simulation sim;
  const auto wall_start = std::chrono::steady_clock::now();
  FleetBenchResult result;
  {
    model::Cluster cluster(sim, catalog, config);
    cluster.add_listener([&](model::PodId, model::PodEvent e) {
      if (e == model::PodEvent::ready) ++result.ready_pods;
    });
    // One template per app, shared by its pods as a workload's revision is.
    std::vector<std::shared_ptr<const model::PodTemplate>> templates;
    for (std::uint64_t a = 0; a < options.apps; ++a) {
      model::ContainerSpec app;
      app.name = "app";
      app.image = static_cast<model::ImageId>(a);
      app.requests = {250, 512LL << 20};
      app.readinessProbe = model::ReadinessProbe{};
      model::PodTemplate tmpl;
      tmpl.containers.push_back(app);
      tmpl.spread_group = static_cast<std::uint32_t>(a + 1);
      templates.push_back(std::make_shared<const model::PodTemplate>(std::move(tmpl)));
    }
    for (std::uint64_t p = 0; p < options.pods; ++p) {
      cluster.create_pod(templates[p % options.apps],
                         model::PodOwner{static_cast<std::uint32_t>(p % options.apps + 1), 0, 0,
                                         "pod-" + std::to_string(p)});
    }
    sim.run();
    result.registry_bytes = cluster.network().link_bytes(cluster.puller().registry_link());
  }
  result.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  result.pods = options.pods;
  result.nodes = options.nodes;
  result.events = sim.events_processed();
  result.simulated_s = sim.now().seconds();
  result.events_per_s = static_cast<double>(result.events) / result.wall_s;
  result.peak_rss_bytes = peak_rss_bytes();
  return result;
}

}  // namespace podsim::bench
