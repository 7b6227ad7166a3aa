#pragma once
// `podsim bench fleet`: N pods created from scratch on M nodes of one pool, all at once, through
// the whole model (scheduler, registry and NIC contention, layer caches, kubelet lifecycle).
// Images are 1 GB, half of it a base shared by every app.

#include <cstdint>

namespace podsim::bench {

struct FleetBenchOptions {
  std::uint64_t pods = 10'000;
  std::uint64_t nodes = 1'000;
  std::uint64_t apps = 100;  // distinct app images; pod i runs app i % apps
};

struct FleetBenchResult {
  std::uint64_t pods = 0;
  std::uint64_t nodes = 0;
  std::uint64_t ready_pods = 0;
  std::uint64_t events = 0;
  double simulated_s = 0;
  double wall_s = 0;
  double events_per_s = 0;
  std::uint64_t peak_rss_bytes = 0;
  double registry_bytes = 0;
};

FleetBenchResult run_fleet_bench(const FleetBenchOptions& options);

}  // namespace podsim::bench
