#pragma once
// `--out DIR`: every report file, all or nothing.
//
// The files are written into a new hidden sibling of DIR (".DIR.podsim-tmp-<pid>-<k>") and only
// moved into place once all of them are complete, so bad input or a failed write (disk full, no
// permission, a span ending before it starts) leaves DIR exactly as it was and no temporary
// directory behind:
// - DIR does not exist: the staging directory is renamed to DIR (missing parent directories are
//   created, and removed again on failure).
// - DIR is a directory: only podsim's files in it (kOutputFiles) are replaced, each by a rename;
//   other files are left alone. The previous podsim files are set aside first and put back if any
//   rename fails.
// - DIR is something else (a regular file): OutputError, nothing written.
// A crash (kill -9) in the middle of the final renames can leave the staging directory behind.

#include <array>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/experiment/result.hpp"
#include "podsim/report/summary.hpp"

namespace podsim::report {

/// Every file write_outputs may write, in the order it writes them.
inline constexpr std::array<std::string_view, 5> kOutputFiles = {
    "summary.json", "rollouts.csv", "pods.csv", "stages.csv", "trace.json"};

struct OutputOptions {
  /// Called after each file is complete in the staging directory (its name, e.g. "pods.csv"):
  /// for progress messages. An exception from it aborts the write like any failure, which is
  /// how the tests simulate a failure half-way.
  std::function<void(std::string_view file)> after_file;
};

/// What went wrong while writing the output directory (the message names the path).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes summary.json, rollouts.csv, pods.csv, stages.csv and trace.json into dir, as described
/// above, and returns their paths. Throws OutputError when the file system fails, and rethrows
/// what a report throws for bad input (std::invalid_argument); either way nothing is left behind.
std::vector<std::filesystem::path> write_outputs(const experiment::ExperimentResult& result,
                                                 const Summary& summary,
                                                 const std::filesystem::path& dir,
                                                 const OutputOptions& options = {});

}  // namespace podsim::report
