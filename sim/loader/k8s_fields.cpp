#include "k8s_fields.hpp"

#include <fmt/format.h>

#include <limits>

namespace podsim::loader::k8s {

std::optional<Node> field(const Node& object, std::string_view key) {
  auto value = object.find(key);
  if (!value || value->is_null()) return std::nullopt;
  return value;
}

bool contains(std::span<const std::string_view> list, std::string_view key) {
  for (const auto item : list) {
    if (item == key) return true;
  }
  return false;
}

void remember(const Node& value, const std::string& name, std::map<std::string, std::string>& other,
              std::vector<std::string>& ignored) {
  if (value.is_null()) return;
  other[name] = canonical_yaml(value.yaml());
  ignored.push_back(value.path());
}

std::map<std::string, std::string> string_map(const Node& node) {
  std::map<std::string, std::string> out;
  if (node.is_null()) return out;
  for (const auto& [key, value] : node.entries()) {
    std::string text = value.is_null() ? std::string() : value.as<std::string>();
    if (!out.emplace(key, std::move(text)).second) {
      value.fail(fmt::format("duplicate key '{}'", key));
    }
  }
  return out;
}

void fail_at_key(const Node& object, std::string_view key, std::string_view message) {
  const std::string path =
      object.path().empty() ? std::string(key) : fmt::format("{}.{}", object.path(), key);
  throw LoadError(object.key_location(key), fmt::format("{}: {}", path, message));
}

void ignore_unread(const Node& object, std::span<const std::string_view> read,
                   std::vector<std::string>& ignored) {
  for (const auto& [key, value] : object.entries()) {
    if (!contains(read, key) && !value.is_null()) ignored.push_back(value.path());
  }
}

std::int32_t non_negative_int32(const Node& node) {
  return static_cast<std::int32_t>(node.as_int(0, std::numeric_limits<std::int32_t>::max()));
}

std::optional<std::string_view> one_of(const Node& object, std::span<const std::string_view> keys,
                                       std::string_view what) {
  std::optional<std::string_view> found;
  for (const auto key : keys) {
    if (!field(object, key)) continue;
    if (found) {
      throw LoadError(object.key_location(key),
                      fmt::format("{} and {} both set {}: {} takes exactly one", *found, key,
                                  object.where(), what));
    }
    found = key;
  }
  return found;
}

}  // namespace podsim::loader::k8s
