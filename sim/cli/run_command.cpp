// podsim run FILE / podsim validate FILE: scenarios from the command line.
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "podsim/experiment/runner.hpp"
#include "podsim/loader/load_error.hpp"
#include "podsim/loader/scenario_reader.hpp"
#include "podsim/report/output_dir.hpp"
#include "podsim/report/summary.hpp"
#include "podsim/report/summary_json.hpp"
#include "podsim/report/terminal.hpp"

namespace po = boost::program_options;

namespace podsim::cli {

namespace {

bool colour_allowed(FILE* stream) {
  return isatty(fileno(stream)) != 0 && std::getenv("NO_COLOR") == nullptr;
}

/// Reads the scenario; bad input is printed and becomes exit code 2 (nothing else happens).
std::optional<experiment::Scenario> load(const std::string& file,
                                         const std::vector<std::string>& sets, bool verbose) {
  std::vector<std::string> ignored;
  try {
    experiment::Scenario s =
        loader::load_scenario(file, sets, {.ignored_fields = verbose ? &ignored : nullptr});
    for (const std::string& f : ignored) fmt::print(stderr, "podsim: ignored field {}\n", f);
    return s;
  } catch (const loader::LoadError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return std::nullopt;
  }
}

void add_scenario_options(po::options_description& options, std::vector<std::string>& sets) {
  options.add_options()("help,h", "show this help")(
      "set", po::value<std::vector<std::string>>(&sets)->composing(),
      "override a field, path=value (repeatable), e.g. "
      "--set workloads.web.spec.replicas=50")("verbose,v",
                                              "list the manifest fields podsim ignores");
}

/// Parses `options` plus the scenario FILE as the positional argument. With --help prints the
/// options and `about` and returns nothing.
std::optional<std::pair<po::variables_map, std::string>> parse_with_file(
    const Args& args, const po::options_description& options, const char* command,
    std::string_view about) {
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::ostringstream usage;
    usage << options;
    fmt::print("{}\n{}", usage.str(), about);
    return std::nullopt;
  }
  if (!vm.count("file")) throw UsageError{fmt::format("{}: which scenario file?", command)};
  std::string file = vm["file"].as<std::string>();
  return std::pair{std::move(vm), std::move(file)};
}

}  // namespace

int run_command(const Args& args) {
  po::options_description options("podsim run FILE [options]");
  std::vector<std::string> sets;
  add_scenario_options(options, sets);
  std::uint32_t replications = 0;
  std::uint64_t seed = 0;
  std::uint32_t threads = 0;
  std::string out;
  std::string format = "table";
  options.add_options()("replications,r", po::value<std::uint32_t>(&replications),
                        "replications per variant (default: the scenario's)")(
      "seed", po::value<std::uint64_t>(&seed), "root seed (default: the scenario's)")(
      "threads,j", po::value<std::uint32_t>(&threads),
      "worker threads (default: all cores); results do not depend on it")(
      "out,o", po::value<std::string>(&out),
      "write summary.json, rollouts.csv, pods.csv, stages.csv and trace.json here")(
      "format", po::value<std::string>(&format), "terminal output: table (default) or json")(
      "trace-all",
      "keep every replication's pod spans in pods.csv/trace.json (default: the first)")(
      "no-progress", "no progress line on stderr");
  const auto parsed = parse_with_file(
      args, options, "run",
      "Runs every variant of the scenario for the given replications (replication i of every\n"
      "variant uses the same random numbers, so differences are paired) and prints the\n"
      "variants side by side with 95% confidence intervals and a bar per stage.\n"
      "Exit codes: 0 done, 1 failure while running or writing, 2 bad usage or bad input.\n");
  if (!parsed) return 0;
  const auto& [vm, file] = *parsed;
  if (format != "table" && format != "json") {
    throw UsageError{fmt::format("--format must be table or json, not '{}'", format)};
  }
  if (vm.count("replications") && replications == 0) {
    throw UsageError{"--replications must be at least 1"};
  }
  if (vm.count("seed") && seed == 0) throw UsageError{"--seed must not be 0"};
  const auto scenario = load(file, sets, vm.count("verbose") > 0);
  if (!scenario) return 2;

  experiment::RunOptions run;
  run.threads = threads;
  run.replications = replications;
  run.seed = seed;
  run.trace_all = vm.count("trace-all") > 0;
  const bool progress = !vm.count("no-progress") && isatty(fileno(stderr)) != 0;
  if (progress) {
    run.progress = [](std::size_t done, std::size_t total) {
      fmt::print(stderr, "\r\033[Kpodsim: {}/{} replications", done, total);
      if (done == total) fmt::print(stderr, "\r\033[K");
    };
  }
  experiment::ExperimentResult result;
  try {
    result = experiment::run_experiment(*scenario, run);
  } catch (const std::invalid_argument& e) {
    // A combination the loader let through but the model rejects: still bad input.
    fmt::print(stderr, "{}: {}\n", file, e.what());
    return 2;
  }
  const report::Summary summary = report::summarize(result);
  if (!out.empty()) {
    try {
      report::write_outputs(result, summary, out);
    } catch (const report::OutputError& e) {
      fmt::print(stderr, "podsim: {}\n", e.what());
      return 1;
    }
  }
  if (format == "json") {
    fmt::print("{}\n", report::summary_json(summary));
  } else {
    fmt::print("{}", report::terminal_report(summary, colour_allowed(stdout)));
  }
  return 0;
}

int validate_command(const Args& args) {
  po::options_description options("podsim validate FILE [options]");
  std::vector<std::string> sets;
  add_scenario_options(options, sets);
  const auto parsed =
      parse_with_file(args, options, "validate",
                      "Checks a scenario (and the manifests it names) without running it.\n"
                      "Exit codes: 0 valid, 2 invalid (the message names file:line:column).\n");
  if (!parsed) return 0;
  const auto& [vm, file] = *parsed;
  const auto scenario = load(file, sets, vm.count("verbose") > 0);
  if (!scenario) return 2;
  std::size_t workloads = 0, releases = 0;
  if (!scenario->variants.empty()) {
    workloads = scenario->variants.front().world.workloads.size();
    releases = scenario->variants.front().world.releases.size();
  }
  fmt::print(
      "{}: valid: scenario '{}', {} variant(s), {} workload(s), {} release(s), {} replications\n",
      file, scenario->name, scenario->variants.size(), workloads, releases, scenario->replications);
  return 0;
}

}  // namespace podsim::cli
