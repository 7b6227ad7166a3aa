#pragma once
// Loader-internal helpers for Kubernetes objects: unset fields, remembered fields, string maps,
// the fields of ObjectMeta. Used by the manifest and pod template readers only.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/loader/yaml_reader.hpp"

namespace podsim::loader::k8s {

/// metav1.ObjectMeta as the API serves it (clusterName: dropped in 1.25, still in old dumps).
inline constexpr auto kObjectMetaFields = std::to_array<std::string_view>(
    {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
     "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
     "annotations", "ownerReferences", "finalizers", "managedFields", "clusterName"});

/// The value of `key`, or nullopt when it is absent or empty: Kubernetes reads a JSON null as an
/// unset field, and templated manifests often leave `resources:` or `env:` empty.
std::optional<Node> field(const Node& object, std::string_view key);

bool contains(std::span<const std::string_view> list, std::string_view key);

/// Keeps a field podsim does not model: its canonical text under `name` in `other`, its path in
/// `ignored`. Empty values are unset fields and are skipped.
void remember(const Node& value, const std::string& name, std::map<std::string, std::string>& other,
              std::vector<std::string>& ignored);

/// A map[string]string (labels, annotations, nodeSelector): scalar values as text, an empty
/// value as "". Duplicate keys are errors.
std::map<std::string, std::string> string_map(const Node& node);

/// A non-negative int32 (seconds, counts).
std::int32_t non_negative_int32(const Node& node);

/// An error located at `key` of `object` (the key itself, not its value): "<path>.<key>: ...".
[[noreturn]] void fail_at_key(const Node& object, std::string_view key, std::string_view message);

/// Appends to `ignored` the path of every set field of `object` that is not in `read`.
void ignore_unread(const Node& object, std::span<const std::string_view> read,
                   std::vector<std::string>& ignored);

/// An error at the first of `keys` that is set in `object`, when more than one is set: for
/// one-of structs (a probe's or hook's handler). Returns the one set, or nullopt.
std::optional<std::string_view> one_of(const Node& object, std::span<const std::string_view> keys,
                                       std::string_view what);

}  // namespace podsim::loader::k8s
