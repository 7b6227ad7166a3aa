#pragma once
// Option parsing shared by the subcommands.

#include <boost/program_options.hpp>
#include <optional>
#include <string_view>

#include "commands.hpp"

namespace podsim::cli {

/// Parses a subcommand's arguments. With --help it prints the options, then `about`, and returns
/// nothing: the command then exits with 0. Unknown options throw (exit code 2).
std::optional<boost::program_options::variables_map> parse_options(
    const Args& args, const boost::program_options::options_description& options,
    std::string_view about);

}  // namespace podsim::cli
