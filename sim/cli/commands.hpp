#pragma once
// The podsim subcommands. Each takes the arguments after its own name and returns the process
// exit code: 0 success, 1 failure of the work itself, 2 bad usage or bad input.

#include <string>
#include <vector>

namespace podsim::cli {

using Args = std::vector<std::string>;

int bench_command(const Args& args);
int demo_command(const Args& args);
int run_command(const Args& args);
int validate_command(const Args& args);

/// Thrown for bad usage; main prints the message and exits with 2.
struct UsageError {
  std::string message;
};

}  // namespace podsim::cli
