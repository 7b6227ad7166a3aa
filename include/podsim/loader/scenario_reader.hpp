#pragma once
// Scenario files: one YAML file describes the cluster, the images, the workloads (Kubernetes
// manifests, inline or by path), fleets of generated apps, releases and release waves, and the
// variants to compare, each a set of overrides of the same tree. The schema, with every key, its
// default and an example, is in scenarios/README.md.
//
//   std::vector<std::string> ignored;
//   experiment::Scenario s = load_scenario("scenarios/quickstart.yaml",
//                                          {"workloads.web.spec.replicas=50"},
//                                          LoadOptions{.ignored_fields = &ignored});
//
// How a variant is built: the file is parsed once; the manifests that workloads and fleet
// templates name by `manifest:` are put into the tree beside that key (so
// `workloads.web.spec.replicas` reaches into apps/web.yaml); then the variant's `set:` and the
// `--set` arguments are applied, in that order (the command line wins); then the tree is read
// into a World. Everything random at load time (generated images, fleet replica counts, a wave's
// choice of change) draws from the scenario seed, so it is the same in every variant and
// replication.
//
// Every error is a LoadError "file:line:col: path: message" quoting the bad value; unknown keys
// get a did-you-mean suggestion.

#include <filesystem>
#include <string>
#include <vector>

#include "podsim/experiment/scenario.hpp"
#include "podsim/loader/load_error.hpp"

namespace podsim::loader {

struct LoadOptions {
  /// When set, receives the path of every manifest field podsim does not model, once each, in
  /// the order read (for `--verbose`): "workloads.web.spec.template.spec.volumes".
  std::vector<std::string>* ignored_fields = nullptr;
};

/// Reads a scenario file and applies `set_overrides` ("path=value", as `--set` takes them) to
/// every variant. Throws LoadError.
experiment::Scenario load_scenario(const std::filesystem::path& file,
                                   const std::vector<std::string>& set_overrides = {},
                                   LoadOptions options = {});

}  // namespace podsim::loader
