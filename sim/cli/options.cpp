#include "options.hpp"

#include <fmt/core.h>

#include <sstream>

namespace po = boost::program_options;

namespace podsim::cli {

std::optional<po::variables_map> parse_options(const Args& args,
                                               const po::options_description& options,
                                               std::string_view about) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::ostringstream usage;
    usage << options;
    fmt::print("{}\n{}", usage.str(), about);
    return std::nullopt;
  }
  return vm;
}

}  // namespace podsim::cli
