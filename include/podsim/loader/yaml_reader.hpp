#pragma once
// The reading layer every part of the loader uses: a yaml-cpp node that knows its file, its
// location and its YAML path, with typed accessors whose errors are LoadErrors at the offending
// node ("scenario.yaml:12:5: workloads.web.spec.replicas: expected an integer, got 'three'").
//
// Example:
//   Node root = load_yaml_file("scenario.yaml");
//   root.check_keys({"cluster", "workloads", "seed"});
//   auto seed = root.optional<std::int64_t>("seed", 1);
//   for (const auto& [name, workload] : root.required("workloads").entries()) { ... }

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "podsim/loader/load_error.hpp"
#include "podsim/loader/quantity.hpp"
#include "podsim/loader/units.hpp"
#include "podsim/model/int_or_percent.hpp"
#include "podsim/sim/time.hpp"

namespace podsim::loader {

/// Where a subtree that was put into a tree in code came from: an override's value (see
/// overrides.hpp) and everything under it report `file`, and `location` where their own YAML
/// marks say nothing (a value parsed from a `--set` argument has no marks).
struct SubtreeOrigin {
  YAML::Node value;  // the subtree's root, compared by identity (YAML::Node::is)
  std::shared_ptr<const std::string> file;
  SourceLocation location;
};

using SubtreeOrigins = std::shared_ptr<const std::vector<SubtreeOrigin>>;

/// A YAML node with its file, location and path. Cheap to copy (yaml-cpp nodes are handles).
///
/// Paths join mapping keys with '.' and index sequences with [i]: `workloads.web.spec.replicas`,
/// `stages.pull.mixture[1].dist`. The root's path is empty.
///
/// Value errors read "<file>:<line>:<col>: <path>: <message>"; key errors read
/// "<file>:<line>:<col>: unknown key 'x' in <path> (did you mean 'y'?)" at the key.
class Node {
 public:
  /// `file` names the source in messages; `location` is used where yaml-cpp has no mark
  /// (an empty value is located at its key, a node built in code at its origin).
  Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
       SourceLocation location);
  /// As above, in a tree some of whose subtrees came from elsewhere (see SubtreeOrigin).
  Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
       SourceLocation location, SubtreeOrigins origins);
  Node(const Node&) = default;
  Node(Node&&) = default;
  /// Rebinds this Node to `other`'s node. (yaml-cpp's own assignment writes through: `a = b`
  /// would make the node `a` referred to an alias of `b`, changing the tree it came from.)
  Node& operator=(const Node& other);
  Node& operator=(Node&& other);

  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }
  const SourceLocation& location() const { return location_; }
  /// The underlying yaml-cpp node, for what this wrapper does not cover.
  const YAML::Node& yaml() const { return node_; }
  /// The subtrees of this node's tree that came from elsewhere (null: none).
  const SubtreeOrigins& origins() const { return origins_; }

  bool is_null() const { return node_.IsNull(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_map() const { return node_.IsMap(); }
  /// The value for messages: 'text' for a scalar, "a mapping", "a sequence", "an empty value".
  std::string describe() const;

  // ---- mappings -------------------------------------------------------------------------------

  /// Whether this is a mapping with `key` (false for other kinds).
  bool has(std::string_view key) const;
  /// The value of `key`; nullopt if absent. Errors if this is not a mapping.
  std::optional<Node> find(std::string_view key) const;
  /// The value of `key` as T (by default the Node itself); errors if absent.
  template <class T = Node>
  T required(std::string_view key) const;
  /// The value of `key` as T, or `fallback` if the key is absent. An empty value ("key:") is not
  /// absent: it is an error for every T but Node.
  template <class T>
  T optional(std::string_view key, T fallback) const;
  /// The value of `key` as T, or nullopt if the key is absent.
  template <class T>
  std::optional<T> get(std::string_view key) const;
  /// The entries in file order, keys as strings. Errors if this is not a mapping.
  std::vector<std::pair<std::string, Node>> entries() const;
  /// Errors at the first key that is not in `allowed` ("unknown key 'maxUnavailble' in
  /// updateStrategy.rollingUpdate (did you mean 'maxUnavailable'?)", or the allowed keys when
  /// nothing is close) and at the first key that appears twice. Errors if this is not a mapping.
  void check_keys(std::span<const std::string_view> allowed) const;
  void check_keys(std::initializer_list<std::string_view> allowed) const {
    check_keys(std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  /// For open structs, whose key list grows with every release (a Kubernetes PodSpec): a key
  /// outside `allowed` is an error only when it is a misspelling of one of them, that is the same
  /// letters in another case or within 2 edits ("unknown key 'imagePullPolicyy' in
  /// spec.containers[0] (did you mean 'imagePullPolicy'?)"); other keys are taken for newer
  /// fields. Unlike did_you_mean, a longer name is not a misspelling of its prefix: new fields
  /// often extend old names (restartPolicy, then restartPolicyRules). Duplicate keys are errors.
  /// Errors if this is not a mapping.
  void check_keys_open(std::span<const std::string_view> allowed) const;
  /// The location of `key` itself, for messages about the key rather than its value (this
  /// mapping's location if the key is absent or was made in code).
  SourceLocation key_location(std::string_view key) const;
  /// An error at this mapping: "missing required key 'replicas' in workloads.web.spec".
  [[noreturn]] void fail_missing(std::string_view key) const;

  // ---- sequences ------------------------------------------------------------------------------

  /// The elements in order. Errors if this is not a sequence.
  std::vector<Node> items() const;
  /// Each element as T.
  template <class T>
  std::vector<T> as_vector() const {
    std::vector<T> out;
    for (const auto& item : items()) out.push_back(item.as<T>());
    return out;
  }

  // ---- scalars --------------------------------------------------------------------------------

  /// The value as T: bool (true/false), int, std::int64_t, double, std::string, sim::Duration
  /// (units required, not negative) or Node (this node). Numbers and booleans must not be quoted.
  template <class T>
  T as() const;
  /// An integer in [min, max] ("must be >= 0, got -1").
  std::int64_t as_int(std::int64_t min, std::int64_t max) const;
  /// A finite number in [min, max].
  double as_number(double min, double max) const;
  /// The scalar's text. Errors for mappings, sequences and empty values.
  const std::string& scalar() const;
  /// One of `allowed`, exactly ("unknown value 'Recreat' (did you mean 'Recreate'?)").
  std::string as_choice(std::span<const std::string_view> allowed) const;
  std::string as_choice(std::initializer_list<std::string_view> allowed) const {
    return as_choice(std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  sim::Duration as_duration(DurationOptions options) const;
  /// A Kubernetes int-or-string for counts of pods (maxSurge, maxUnavailable, partition): an
  /// integer (`3`) or a percentage (`25%`, `"25%"`), never negative. Kubernetes takes whole
  /// percentages only; OpenKruise also fractional ones (`12.5%`) when `allow_fractional_percent`.
  /// A number in quotes ("5") is rejected, as both API servers do (Kruise since v1.9), and so is
  /// a plain non-integer (1.5). Percent digits are decimal: no sign, exponent, inf or nan.
  /// Example: `parse_yaml("maxSurge: 25%", "d.yaml").required("maxSurge")
  ///              .as_int_or_percent(false) == model::IntOrPercent::percent(25)`.
  model::IntOrPercent as_int_or_percent(bool allow_fractional_percent) const;
  /// A Kubernetes quantity (see Quantity); numbers may be plain YAML numbers ("cpu: 2").
  Quantity as_quantity() const;
  /// CPU in millicores (Kubernetes quantity, >= 0).
  std::int64_t as_cpu_millis() const;
  /// Memory in bytes (Kubernetes quantity, >= 0).
  std::int64_t as_memory_bytes() const;
  /// A byte size with units (see parse_byte_size).
  std::int64_t as_byte_size() const;
  /// A bandwidth in bytes per second (see parse_bandwidth).
  double as_bandwidth() const;

  // ---- errors ---------------------------------------------------------------------------------

  /// A LoadError at this node: "<path>: <message>" (just the message at the root).
  LoadError error(std::string_view message) const;
  [[noreturn]] void fail(std::string_view message) const;
  /// "in <path>", or "at the top level" for the root: for messages about keys of this mapping.
  std::string where() const;

 private:
  Node child(const YAML::Node& key, const YAML::Node& value, std::string path) const;
  const SubtreeOrigin* origin_of(const YAML::Node& value) const;
  SourceLocation key_location(const YAML::Node& key, const YAML::Node& value) const;
  void check_keys_impl(std::span<const std::string_view> allowed, bool open) const;
  void require_map() const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  SourceLocation location_;
  SubtreeOrigins origins_;
};

template <>
bool Node::as<bool>() const;
template <>
int Node::as<int>() const;
template <>
std::int64_t Node::as<std::int64_t>() const;
template <>
double Node::as<double>() const;
template <>
std::string Node::as<std::string>() const;
template <>
sim::Duration Node::as<sim::Duration>() const;
template <>
inline Node Node::as<Node>() const {
  return *this;
}

template <class T>
T Node::required(std::string_view key) const {
  auto value = find(key);
  if (!value) fail_missing(key);
  return value->as<T>();
}

template <class T>
T Node::optional(std::string_view key, T fallback) const {
  auto value = find(key);
  return value ? value->as<T>() : std::move(fallback);
}

template <class T>
std::optional<T> Node::get(std::string_view key) const {
  auto value = find(key);
  if (!value) return std::nullopt;
  return value->as<T>();
}

/// A canonical one-line text of a YAML value, to tell whether two values differ the way Kubernetes
/// would see them: flow style, mapping keys sorted, quotes only where the value needs them (so
/// `name: "web"` and `name: web` give the same text, but `"5"` and `5` do not). Deterministic.
/// Example: `canonical_yaml(YAML::Load("{b: [1, 2], a: x}")) == "{a: x, b: [1, 2]}"`.
std::string canonical_yaml(const YAML::Node& node);

/// Parses one YAML document from `text`; `file` names it in messages. Malformed YAML is a
/// LoadError at the parser's location ("invalid YAML: end of sequence flow not found"). An empty
/// document is a null node.
Node parse_yaml(std::string_view text, std::string file);
/// Parses every document of a multi-document stream ("---" separated), e.g. manifests.
std::vector<Node> parse_yaml_documents(std::string_view text, std::string file);
/// Reads and parses a file; the file name in messages is `path` as given.
Node load_yaml_file(const std::filesystem::path& path);
std::vector<Node> load_yaml_documents(const std::filesystem::path& path);

}  // namespace podsim::loader
