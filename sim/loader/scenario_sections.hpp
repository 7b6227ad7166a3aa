#pragma once
// The scenario reader's sections (private to sim/loader): each reads one part of a variant's
// tree, after overrides, into the experiment's World. See scenarios/README.md for the schema.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "podsim/experiment/scenario.hpp"
#include "podsim/loader/manifest.hpp"
#include "podsim/loader/overrides.hpp"
#include "podsim/loader/yaml_reader.hpp"
#include "podsim/model/image.hpp"
#include "podsim/sim/distribution.hpp"

namespace podsim::loader::sections {

// ---- values (scenario_values.cpp)

/// A mapping's entries, with an error at the second of two equal keys (YAML parsers keep both).
std::vector<std::pair<std::string, Node>> unique_entries(const Node& map);
// -----------------------------------------------------------------

enum class ValueUnit { count, bytes };

/// A distribution of plain numbers (count) or byte sizes (bytes, written with units): the kinds
/// of parse_distribution but shifted and size_affine. A scalar is a constant.
sim::DistributionPtr parse_value_distribution(const Node& node, ValueUnit unit);

// ---- cluster (scenario_cluster.cpp)
// ---------------------------------------------------------------

/// `cluster:` (pools, scheduler, image_pull, autoscaler_scan_interval); `controllers` is read
/// by read_controllers. Images named in image_cache_snapshot must be in `catalog`.
model::ClusterConfig read_cluster(const Node& cluster, const model::ImageCatalog& catalog);
/// `cluster.controllers` (absent: the defaults).
model::ControllerManagerConfig read_controllers(const Node& cluster);

// ---- images (scenario_images.cpp)
// -----------------------------------------------------------------

/// What a release that asks for "the next image version" gets: image -> the images declared
/// `from:` it (or a fleet app's v2), in file order.
using NextVersions = std::map<model::ImageId, std::vector<model::ImageId>>;

/// `images:` into world.catalog and world.lazy_pull. Generated images draw from `seed` unless
/// they give their own.
void read_images(const Node& images, std::uint64_t seed, experiment::World& world,
                 NextVersions& next);

/// The catalog id of an image reference at `at`; an unknown name is an error listing the close
/// ones.
model::ImageId find_image(const model::ImageCatalog& catalog, const Node& at,
                          const std::string& name);

// ---- trees (scenario_workloads.cpp) -------------------------------------------------------------

/// A key as one step of an override path ('.', '[', ']', '=' and '\' escaped).
std::string escape_key(std::string_view key);

/// Manifest files, each read once for every variant.
class ManifestFiles {
 public:
  /// The workload documents of the file `manifest` (a path relative to the file it is written in,
  /// or to the working directory for a `--set` value) names.
  const std::vector<WorkloadDocument>& documents(const Node& manifest);

 private:
  std::map<std::string, std::vector<WorkloadDocument>> files_;
};

/// A variant's tree: `base` with the manifests that workloads and fleet templates name by
/// `manifest:` put in place (their apiVersion, kind, metadata and spec beside the `manifest`
/// key), then `overrides` applied, so that an override reaches into a manifest by the same path
/// as into an inline one.
Node build_tree(const Node& base, std::span<const Override> overrides, ManifestFiles& files);

// ---- workloads and fleets (scenario_workloads.cpp) ----------------------------------------------

/// What releases need to know of a workload, and how to read its template again with changes.
struct WorkloadInfo {
  std::string name;
  WorkloadKind kind = WorkloadKind::Deployment;
  std::int32_t replicas = 0;
  std::size_t index = 0;  // in World::workloads
  std::vector<std::string>
      tree_keys;      // where it is in the tree: {workloads, web}, {fleets, fn, template}
  std::string fleet;  // the fleet that generated it, if any
  /// A fleet app's own image, for the template image the fleet replaces.
  std::optional<model::ImageId> app_image;
  std::string template_image;  // that template image reference (fleet apps)
};

struct Workloads {
  std::vector<WorkloadInfo> list;  // World::workloads order
  std::map<std::string, std::size_t> by_name;
  std::map<std::string, std::vector<std::size_t>> fleets;  // fleet name -> its apps, in order

  const WorkloadInfo* find(const std::string& name) const;
  /// The names of workloads and fleets, for did-you-mean.
  std::vector<std::string> names(bool with_fleets) const;
};

struct ReadContext {
  std::uint64_t seed = 1;
  std::vector<std::string>* ignored = nullptr;  // manifest fields podsim does not model
};

/// `workloads:` and `fleets:` (fleets also add their images and next versions).
void read_workloads(const Node& tree, const ReadContext& ctx, experiment::World& world,
                    NextVersions& next, Workloads& out);

/// The pod template of `w` read again from `tree` with `set` applied below its `spec.template`
/// (paths relative to the pod template, e.g. `spec.containers[0].env[0].value`).
model::PodTemplate reread_template(const Node& tree, const WorkloadInfo& w,
                                   std::span<const Override> set, const experiment::World& world);

// ---- releases and waves (scenario_releases.cpp) ------------------------------------------------

/// `releases:` and `waves:` into world.releases.
void read_releases(const Node& tree, const ReadContext& ctx, const Workloads& workloads,
                   const NextVersions& next, experiment::World& world);

}  // namespace podsim::loader::sections
