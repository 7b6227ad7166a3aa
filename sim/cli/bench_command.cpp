// podsim bench engine|flows [options]
#include <fmt/core.h>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "engine_bench.hpp"
#include "fleet_bench.hpp"
#include "flow_bench.hpp"
#include "options.hpp"

namespace po = boost::program_options;

namespace podsim::cli {

namespace {

int bench_engine(const Args& args) {
  po::options_description options("podsim bench engine [options]");
  bench::EngineBenchOptions config;
  options.add_options()("help,h", "show this help")("json", "print JSON instead of a table")(
      "events", po::value<std::uint64_t>(&config.events_per_point),
      "timed hold operations per size (default 4000000)")(
      "repetitions", po::value<int>(&config.repetitions), "runs per size; the best counts")(
      "quick", "small sizes only (a smoke test)");
  const auto parsed = parse_options(
      args, options,
      "The hold model: n pending events; pop the earliest, schedule one at now + Exp(1).\n"
      "Measured through podsim's event queue and through a bare std::priority_queue of\n"
      "(time, sequence) in the same run. Also a coroutine process doing 10^6 timeouts.\n");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  if (config.repetitions < 1) throw UsageError{"--repetitions must be at least 1"};
  if (vm.count("quick")) {
    config.pending = {1'000, 10'000};
    config.events_per_point = std::min<std::uint64_t>(config.events_per_point, 200'000);
    config.coroutine_timeouts = 200'000;
    config.repetitions = 1;
  }
  const bench::EngineBenchResult r = bench::run_engine_bench(config);
  if (vm.count("json")) {
    fmt::print("{{\"results\": [");
    for (std::size_t i = 0; i < r.hold.size(); ++i) {
      const auto& h = r.hold[i];
      fmt::print(
          "{}{{\"pending\": {}, \"podsim_events_per_s\": {:.0f}, \"bare_heap_events_per_s\": "
          "{:.0f}, \"ratio\": {:.3f}}}",
          i ? ", " : "", h.pending, h.podsim_events_per_s, h.bare_heap_events_per_s, h.ratio());
    }
    fmt::print("], \"coroutine\": {{\"timeouts\": {}, \"events_per_s\": {:.0f}}}}}\n",
               r.coroutine_timeouts, r.coroutine_events_per_s);
    return 0;
  }
  fmt::print("hold model ({} timed events per size, best of {})\n", config.events_per_point,
             config.repetitions);
  fmt::print("{:>10} {:>16} {:>16} {:>8}\n", "pending", "podsim ev/s", "bare heap ev/s", "ratio");
  for (const auto& h : r.hold) {
    fmt::print("{:>10} {:>16.0f} {:>16.0f} {:>8.2f}\n", h.pending, h.podsim_events_per_s,
               h.bare_heap_events_per_s, h.ratio());
  }
  fmt::print("coroutine process, {} timeouts: {:.0f} events/s\n", r.coroutine_timeouts,
             r.coroutine_events_per_s);
  return 0;
}

int bench_flows(const Args& args) {
  po::options_description options("podsim bench flows [options]");
  std::uint64_t per_edge = 10;
  std::uint64_t completions = 20'000;
  options.add_options()("help,h", "show this help")("json", "print JSON instead of a table")(
      "flows-per-edge", po::value<std::uint64_t>(&per_edge),
      "concurrent flows per edge link (default 10)")(
      "completions", po::value<std::uint64_t>(&completions),
      "timed flow completions per size (default 20000)");
  const auto parsed = parse_options(
      args, options,
      "A steady population of n concurrent flows, each over one shared core link and one\n"
      "of n / flows-per-edge edge links; every completion starts a new flow.\n");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  if (per_edge == 0 || completions == 0) throw UsageError{"counts must be positive"};
  const auto points = bench::run_flow_bench({1'000, 10'000}, per_edge, completions);
  if (vm.count("json")) {
    fmt::print("{{\"results\": [");
    for (std::size_t i = 0; i < points.size(); ++i) {
      const auto& p = points[i];
      fmt::print(
          "{}{{\"concurrent_flows\": {}, \"edge_links\": {}, \"completions\": {}, "
          "\"wall_s\": {:.3f}, \"us_per_completion\": {:.2f}}}",
          i ? ", " : "", p.concurrent_flows, p.edge_links, p.completed_flows, p.wall_s,
          p.us_per_completion);
    }
    fmt::print("]}}\n");
    return 0;
  }
  fmt::print("{:>12} {:>10} {:>12} {:>10} {:>16}\n", "concurrent", "edges", "completions", "wall s",
             "us/completion");
  for (const auto& p : points) {
    fmt::print("{:>12} {:>10} {:>12} {:>10.3f} {:>16.2f}\n", p.concurrent_flows, p.edge_links,
               p.completed_flows, p.wall_s, p.us_per_completion);
  }
  return 0;
}

int bench_fleet(const Args& args) {
  po::options_description options("podsim bench fleet [options]");
  bench::FleetBenchOptions config;
  options.add_options()("help,h", "show this help")("json", "print JSON instead of a table")(
      "pods", po::value<std::uint64_t>(&config.pods), "pods to create (default 10000)")(
      "nodes", po::value<std::uint64_t>(&config.nodes), "nodes in the pool (default 1000)")(
      "apps", po::value<std::uint64_t>(&config.apps), "distinct app images (default 100)");
  const auto parsed = parse_options(
      args, options,
      "Creates every pod at once on one pool: scheduling, registry and NIC contention, layer\n"
      "caches, sandbox, start and readiness. 1 GB images, half a base shared by every app.\n");
  if (!parsed) return 0;
  if (config.pods == 0 || config.nodes == 0 || config.apps == 0) {
    throw UsageError{"--pods, --nodes and --apps must be positive"};
  }
  const bench::FleetBenchResult r = bench::run_fleet_bench(config);
  if (parsed->count("json")) {
    fmt::print(
        "{{\"pods\": {}, \"nodes\": {}, \"events\": {}, \"wall_s\": {:.3f}, \"events_per_s\": "
        "{:.0f}, \"peak_rss_bytes\": {}, \"ready_pods\": {}, \"simulated_s\": {:.3f}, "
        "\"registry_bytes\": {:.0f}}}\n",
        r.pods, r.nodes, r.events, r.wall_s, r.events_per_s, r.peak_rss_bytes, r.ready_pods,
        r.simulated_s, r.registry_bytes);
    return 0;
  }
  fmt::print("{} pods on {} nodes: {} ready after {:.1f} simulated s\n", r.pods, r.nodes,
             r.ready_pods, r.simulated_s);
  fmt::print("  {} events in {:.3f} s wall ({:.0f} events/s), peak RSS {:.0f} MiB\n", r.events,
             r.wall_s, r.events_per_s, static_cast<double>(r.peak_rss_bytes) / (1 << 20));
  fmt::print("  registry carried {:.1f} GB\n", r.registry_bytes / 1e9);
  return 0;
}

}  // namespace

int bench_command(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print(
        "Usage: podsim bench <what> [options]\n\n"
        "  engine   the hold model against a bare binary heap, and coroutine timeouts\n"
        "  flows    max-min bandwidth sharing with thousands of concurrent flows\n"
        "  fleet    N pods created from scratch on M nodes through the whole model\n");
    return args.empty() ? 2 : 0;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "engine") return bench_engine(rest);
  if (args[0] == "flows") return bench_flows(rest);
  if (args[0] == "fleet") return bench_fleet(rest);
  throw UsageError{"unknown benchmark '" + args[0] + "' (try: engine, flows, fleet)"};
}

}  // namespace podsim::cli
