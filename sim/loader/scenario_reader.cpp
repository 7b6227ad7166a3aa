// The scenario file's top level and its variants; each section is read in its own file.
#include "podsim/loader/scenario_reader.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <set>

#include "podsim/loader/overrides.hpp"
#include "podsim/loader/suggest.hpp"
#include "podsim/loader/yaml_reader.hpp"
#include "scenario_sections.hpp"

namespace podsim::loader {
namespace {

using namespace sections;

constexpr auto kTopLevel = std::to_array<std::string_view>(
    {"name", "description", "seed", "replications", "max_time", "cluster", "images", "workloads",
     "fleets", "releases", "waves", "variants", "compare"});
// Keys that describe the experiment, not a world: the same for every variant.
constexpr auto kScenarioWide = std::to_array<std::string_view>(
    {"name", "description", "seed", "replications", "variants", "compare"});

std::uint64_t read_seed(const Node& root) {
  const auto n = root.find("seed");
  return n ? static_cast<std::uint64_t>(n->as_int(0, std::numeric_limits<std::int64_t>::max())) : 1;
}

// The first key of an override path, unescaped.
std::string first_key(const std::string& path) {
  std::string key;
  for (std::size_t i = 0; i < path.size() && path[i] != '.' && path[i] != '['; ++i) {
    if (path[i] == '\\' && i + 1 < path.size()) ++i;
    key += path[i];
  }
  return key;
}

experiment::World read_world(const Node& tree, std::uint64_t seed, const LoadOptions& options) {
  tree.check_keys(kTopLevel);
  experiment::World world;
  ReadContext ctx{seed, options.ignored_fields};
  NextVersions next;
  if (const auto images = tree.find("images")) read_images(*images, seed, world, next);
  Workloads workloads;
  read_workloads(tree, ctx, world, next, workloads);
  const Node cluster = tree.required("cluster");
  world.cluster = read_cluster(cluster, world.catalog);
  world.controllers = read_controllers(cluster);
  read_releases(tree, ctx, workloads, next, world);
  if (const auto n = tree.find("max_time")) {
    world.max_time = n->as<sim::Duration>();
    if (world.max_time <= sim::Duration{}) n->fail(fmt::format("must be > 0, got {}", n->scalar()));
  }
  return world;
}

struct VariantEntry {
  std::string name;
  std::string description;
  std::vector<Override> set;
};

std::vector<VariantEntry> read_variants(const Node& root) {
  std::vector<VariantEntry> out;
  const auto variants = root.find("variants");
  if (!variants || variants->is_null()) {
    out.push_back({"base", "", {}});
    return out;
  }
  const auto entries = unique_entries(*variants);
  if (entries.empty()) out.push_back({"base", "", {}});
  for (const auto& [name, v] : entries) {
    VariantEntry entry{name, "", {}};
    if (!v.is_null()) {
      v.check_keys({"description", "set"});
      entry.description = v.optional<std::string>("description", "");
      if (const auto set = v.find("set"); set && !set->is_null()) {
        if (set->is_sequence()) {
          for (const auto& item : set->items()) entry.set.push_back(parse_override_text(item));
        } else {
          for (const auto& [path, value] : unique_entries(*set)) {
            entry.set.push_back(make_override(path, value));
          }
        }
      }
    }
    for (const auto& o : entry.set) {
      const std::string key = first_key(o.path);
      for (const auto wide : kScenarioWide) {
        if (key == wide) {
          throw LoadError(o.where, fmt::format("variants.{}: '{}' is the same for every variant; "
                                               "set it at the top level or with --set",
                                               name, o.path));
        }
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<experiment::ComparisonSpec> read_compare(const Node& root,
                                                     const std::vector<VariantEntry>& variants) {
  std::vector<experiment::ComparisonSpec> out;
  const auto compare = root.find("compare");
  if (!compare) return out;
  std::vector<std::string_view> names;
  for (const auto& v : variants) names.push_back(v.name);
  const auto variant = [&](const Node& n) {
    const std::string name = n.as<std::string>();
    for (const auto v : names) {
      if (v == name) return name;
    }
    const auto suggestion = did_you_mean(name, names);
    n.fail(fmt::format("unknown variant '{}' ({})", name,
                       suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                  : fmt::format("variants: {}", join(names))));
  };
  for (const auto& item : compare->items()) {
    experiment::ComparisonSpec c;
    if (item.is_map()) {
      item.check_keys({"baseline", "candidate"});
      c.baseline = variant(item.required("baseline"));
      c.candidate = variant(item.required("candidate"));
    } else {
      const auto pair = item.items();
      if (pair.size() != 2) {
        item.fail(fmt::format("expected [baseline, candidate], got {} names", pair.size()));
      }
      c.baseline = variant(pair[0]);
      c.candidate = variant(pair[1]);
    }
    if (c.baseline == c.candidate) item.fail(fmt::format("compares '{}' with itself", c.baseline));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

experiment::Scenario load_scenario(const std::filesystem::path& file,
                                   const std::vector<std::string>& set_overrides,
                                   LoadOptions options) {
  const Node base = load_yaml_file(file);
  if (!base.is_map())
    base.fail(fmt::format("expected a scenario (a mapping), got {}", base.describe()));
  std::vector<Override> command_line;
  for (const auto& s : set_overrides) command_line.push_back(parse_set_argument(s));

  // The experiment's own keys, from the file and the command line.
  ManifestFiles files;
  const Node root = build_tree(base, command_line, files);
  root.check_keys(kTopLevel);
  experiment::Scenario scenario;
  scenario.file = file.string();
  scenario.name = root.optional<std::string>("name", file.stem().string());
  scenario.description = root.optional<std::string>("description", "");
  scenario.seed = read_seed(root);
  if (const auto n = root.find("replications")) {
    scenario.replications = static_cast<std::uint32_t>(n->as_int(1, 1'000'000));
  }
  const std::vector<VariantEntry> variants = read_variants(root);
  scenario.comparisons = read_compare(root, variants);

  // Each variant: the file, its own overrides, then the command line's.
  for (const auto& v : variants) {
    std::vector<Override> overrides = v.set;
    overrides.insert(overrides.end(), command_line.begin(), command_line.end());
    const Node tree = v.set.empty() ? root : build_tree(base, overrides, files);
    scenario.variants.push_back(
        experiment::Variant{v.name, v.description, read_world(tree, scenario.seed, options)});
  }
  return scenario;
}

}  // namespace podsim::loader
