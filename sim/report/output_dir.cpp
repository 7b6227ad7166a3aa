#include "podsim/report/output_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "podsim/report/csv_tables.hpp"
#include "podsim/report/summary_json.hpp"
#include "podsim/report/trace.hpp"

namespace podsim::report {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, std::string_view what, const std::error_code& ec) {
  if (ec)
    throw OutputError(fmt::format("cannot write '{}': {}: {}", path.string(), what, ec.message()));
  throw OutputError(fmt::format("cannot write '{}': {}", path.string(), what));
}

// Creates the missing ancestors of `parent` (and parent itself), outermost first; returns them
// so that a failure can remove them again.
std::vector<fs::path> create_parents(const fs::path& parent) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = parent; !p.empty(); p = p.parent_path()) {
    const fs::file_status st = fs::status(p, ec);
    if (st.type() == fs::file_type::not_found) {
      missing.push_back(p);
    } else if (ec) {
      fail(p, "cannot examine", ec);
    } else if (st.type() != fs::file_type::directory) {
      fail(p, "not a directory", {});
    } else {
      break;
    }
    if (p == p.parent_path()) break;  // the root
  }
  std::vector<fs::path> created;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!fs::create_directory(*it, ec) && ec) {
      for (auto c = created.rbegin(); c != created.rend(); ++c) fs::remove(*c, ec);
      fail(*it, "cannot create directory", ec);
    }
    created.push_back(*it);
  }
  return created;
}

fs::path create_staging(const fs::path& parent, const std::string& name) {
  // NAME_MAX is 255 bytes: keep room for the suffix.
  const std::string stem = name.substr(0, 200);
  for (int k = 0;; ++k) {
    const fs::path staging = parent / fmt::format(".{}.podsim-tmp-{}-{}", stem, ::getpid(), k);
    std::error_code ec;
    if (fs::create_directory(staging, ec)) return staging;
    if (ec) fail(staging, "cannot create directory", ec);
    // It existed (a leftover of a killed run with a recycled pid): try the next number.
  }
}

template <typename Write>
void write_file(const fs::path& path, Write&& write) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, "cannot create file", std::error_code(errno, std::generic_category()));
  write(out);
  out.close();
  if (!out) fail(path, "write failed", std::error_code(errno, std::generic_category()));
}

bool exists_no_follow(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

// Moves the staged files into an existing directory; on failure, puts everything back.
void commit_into(const fs::path& staging, const fs::path& target) {
  std::error_code ec;
  const fs::path previous = staging / ".previous";
  if (!fs::create_directory(previous, ec)) fail(previous, "cannot create directory", ec);

  std::vector<std::string_view> set_aside, placed;
  auto roll_back = [&] {
    std::error_code ignored;
    for (const std::string_view name : placed) fs::remove(target / name, ignored);
    for (const std::string_view name : set_aside) {
      fs::rename(previous / name, target / name, ignored);
    }
  };
  for (const std::string_view name : kOutputFiles) {
    if (!exists_no_follow(target / name)) continue;
    fs::rename(target / name, previous / name, ec);
    if (ec) {
      roll_back();
      fail(target / name, "cannot replace", ec);
    }
    set_aside.push_back(name);
  }
  for (const std::string_view name : kOutputFiles) {
    fs::rename(staging / name, target / name, ec);
    if (ec) {
      roll_back();
      fail(target / name, "cannot move into place", ec);
    }
    placed.push_back(name);
  }
}

}  // namespace

std::vector<fs::path> write_outputs(const experiment::ExperimentResult& result,
                                    const Summary& summary, const fs::path& dir,
                                    const OutputOptions& options) {
  fs::path target = dir;
  if (!target.empty() && target.filename().empty()) target = target.parent_path();  // "out/"
  if (target.empty()) fail(dir, "empty path", {});
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";

  std::error_code ec;
  const fs::file_status target_status = fs::status(target, ec);
  if (ec && target_status.type() != fs::file_type::not_found) fail(target, "cannot examine", ec);
  const bool target_exists = target_status.type() != fs::file_type::not_found;
  if (target_exists && target_status.type() != fs::file_type::directory) {
    fail(target, "exists and is not a directory", {});
  }

  const std::vector<fs::path> created = create_parents(parent);
  fs::path staging;
  try {
    staging = create_staging(parent, target.filename().string());
    for (const std::string_view name : kOutputFiles) {
      const fs::path path = staging / name;
      if (name == "summary.json") {
        write_file(path, [&](std::ostream& out) { out << summary_json(summary); });
      } else if (name == "rollouts.csv") {
        write_file(path, [&](std::ostream& out) { write_rollouts_csv(out, result); });
      } else if (name == "pods.csv") {
        write_file(path, [&](std::ostream& out) { write_pods_csv(out, result); });
      } else if (name == "stages.csv") {
        write_file(path, [&](std::ostream& out) { write_stages_csv(out, summary); });
      } else {
        write_file(path, [&](std::ostream& out) { write_trace_json(out, result); });
      }
      if (options.after_file) options.after_file(name);
    }

    if (!target_exists) {
      fs::rename(staging, target, ec);
      if (ec) fail(target, "cannot move into place", ec);
    } else {
      commit_into(staging, target);
      fs::remove_all(staging, ec);  // only the set-aside previous files are left in it
    }
  } catch (...) {
    std::error_code ignored;
    if (!staging.empty()) fs::remove_all(staging, ignored);
    for (auto it = created.rbegin(); it != created.rend(); ++it) fs::remove(*it, ignored);
    throw;
  }

  std::vector<fs::path> files;
  for (const std::string_view name : kOutputFiles) files.push_back(target / name);
  return files;
}

}  // namespace podsim::report
