// podsim: simulate Kubernetes pod creation and upgrade strategies.
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "commands.hpp"
#include "podsim/version.hpp"

namespace po = boost::program_options;

namespace {

struct Subcommand {
  const char* summary;
  int (*run)(const podsim::cli::Args&);
};

const std::map<std::string, Subcommand>& subcommands() {
  static const std::map<std::string, Subcommand> table = {
      {"bench", {"measure podsim's own speed (bench engine, ...)", podsim::cli::bench_command}},
      {"demo", {"a small image-pull burst through the engine", podsim::cli::demo_command}},
      {"run", {"run a scenario: variants side by side, with confidence intervals",
               podsim::cli::run_command}},
      {"validate", {"check a scenario file without running it", podsim::cli::validate_command}},
  };
  return table;
}

void print_help() {
  fmt::print(
      "podsim {} - discrete-event simulator of Kubernetes pod creation and upgrade strategies\n\n"
      "Usage: podsim [--help] [--version] <command> [<args>]\n\n"
      "Commands:\n",
      podsim::version);
  for (const auto& [name, sub] : subcommands()) fmt::print("  {:<10} {}\n", name, sub.summary);
  fmt::print("\nRun 'podsim <command> --help' for the options of a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Global options come before the command; everything from the command on is the command's.
  int command_at = 1;
  while (command_at < argc && argv[command_at][0] == '-') ++command_at;

  po::options_description global("Options");
  global.add_options()("help,h", "show this help")("version", "print the version");
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(command_at, argv).options(global).run(), vm);
    if (command_at == argc) {
      if (vm.count("version")) {
        fmt::print("podsim {}\n", podsim::version);
        return 0;
      }
      print_help();
      return vm.count("help") ? 0 : 2;
    }
    const std::string name = argv[command_at];
    auto it = subcommands().find(name);
    if (it == subcommands().end()) {
      fmt::print(stderr, "podsim: unknown command '{}' (see 'podsim --help')\n", name);
      return 2;
    }
    return it->second.run(podsim::cli::Args(argv + command_at + 1, argv + argc));
  } catch (const podsim::cli::UsageError& e) {
    fmt::print(stderr, "podsim: {}\n", e.message);
    return 2;
  } catch (const po::error& e) {
    fmt::print(stderr, "podsim: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "podsim: internal error: {}\n", e.what());
    return 1;
  }
}
