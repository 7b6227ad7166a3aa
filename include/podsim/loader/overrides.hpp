#pragma once
// Overrides of a YAML tree before it is read, as Helm's `--set`: `podsim run s.yaml --set
// workloads.web.spec.updateStrategy.type=InPlaceIfPossible`, or a variant's `set:` entries in a
// scenario file. The tree is not modified: apply_overrides returns a new tree that shares every
// untouched subtree with it, so each variant starts from the same base.
//
// Paths join mapping keys with '.' and index sequences with [i] or .i:
//   workloads.web.spec.replicas    cluster.pools[0].nodes    cluster.pools.0.nodes rollouts[1].at
// A key that holds a '.', '[', ']', '=' or '\' escapes it with '\':
//   workloads.web.spec.template.metadata.labels.app\.kubernetes\.io/name=web
// Values are YAML: a scalar (`5`, `30s`, `InPlaceIfPossible`, `'5'` for the string) or flow YAML
// (`[1, 2]`, `{cpu: 500m}`); an empty value is an empty (null) value. Unlike Helm, one `--set`
// sets one path: commas are part of the value.
//
// What may be set: any existing value (replaced whole, whatever its kind), and a new key in an
// existing mapping (or in an empty value) at the end of the path, so that a variant can set a
// field the base left at its default. Errors, located at the override (the `--set` argument, or
// the variant's file:line:col): a path through a scalar, a list index out of range, a missing
// intermediate key (with near keys suggested), an index on a mapping, a key on a sequence.
//
// An overridden value and everything under it keep the override's location, so a later type
// error reads "--set workloads.web.spec.replicas=abc: workloads.web.spec.replicas: expected an
// integer, got 'abc'" or "variants.yaml:7:31: ...", not the base file's line. (For a `--set`
// value, Node::file() is the "--set ..." text, not a path: resolve relative file names in it
// against the working directory.)

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/loader/load_error.hpp"
#include "podsim/loader/yaml_reader.hpp"

namespace podsim::loader {

/// One override: set the value at `path` to `value`.
struct Override {
  std::string path;      // as written, e.g. "cluster.pools[0].nodes"
  Node value;            // located where the override was written
  SourceLocation where;  // where the override was written, for errors in its path
};

/// A `--set` argument, "path=value" (the first '=' not escaped with '\' ends the path). Messages
/// name the argument: "--set cluster.pools[3].nodes=50: cannot set ...". Throws LoadError.
/// Example: `parse_set_argument("workloads.web.spec.replicas=5")`.
Override parse_set_argument(std::string_view argument);

/// A "path=value" string written in a file (say, a variant's list of overrides); messages point
/// at `text`. Throws LoadError.
Override parse_override_text(const Node& text);

/// A `path: value` entry written in a file (say, a variant's `set:` mapping); messages point at
/// `value`. Example: `for (auto& [path, value] : variant.required("set").entries())
/// overrides.push_back(make_override(path, value));`
Override make_override(std::string path, const Node& value);

/// `root` with `overrides` applied in order (a later override of the same path wins). Throws
/// LoadError, located at the faulty override.
Node apply_overrides(const Node& root, std::span<const Override> overrides);

}  // namespace podsim::loader
