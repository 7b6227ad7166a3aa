#include "podsim/loader/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "podsim/loader/suggest.hpp"

namespace podsim::loader {
namespace {

SourceLocation location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null() || mark.line < 0) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

// A scalar written in quotes ('3' or "3") is a string, even if it looks like a number.
bool quoted(const YAML::Node& node) {
  return node.Tag() == "!";
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// [+-]? digits (. digits*)? | [+-]? . digits, then an optional exponent.
bool looks_like_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool digits = false;
  while (i < s.size() && is_digit(s[i])) ++i, digits = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, digits = true;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool exponent_digits = false;
    while (i < s.size() && is_digit(s[i])) ++i, exponent_digits = true;
    if (!exponent_digits) return false;
  }
  return i == s.size();
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string range_rule(std::string_view lo, std::string_view hi, bool has_lo, bool has_hi) {
  if (has_lo && has_hi) return fmt::format("between {} and {}", lo, hi);
  if (has_lo) return fmt::format(">= {}", lo);
  return fmt::format("<= {}", hi);
}

}  // namespace

Node::Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
           SourceLocation location)
    : Node(std::move(node), std::move(file), std::move(path), std::move(location), nullptr) {}

Node::Node(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
           SourceLocation location, SubtreeOrigins origins)
    : node_(std::move(node)),
      file_(std::move(file)),
      path_(std::move(path)),
      origins_(std::move(origins)) {
  // An empty value's mark points past it (often at the next line): keep the given location.
  // A node made in code has no mark: it takes the given location too.
  const SourceLocation own = location_of(node_.Mark(), *file_);
  location_ = (own.line > 0 && !node_.IsNull()) ? own : std::move(location);
  location_.file = *file_;
}

Node& Node::operator=(const Node& other) {
  if (this != &other) {
    node_.reset(other.node_);
    file_ = other.file_;
    path_ = other.path_;
    location_ = other.location_;
    origins_ = other.origins_;
  }
  return *this;
}

Node& Node::operator=(Node&& other) {
  if (this != &other) {
    node_.reset(other.node_);
    file_ = std::move(other.file_);
    path_ = std::move(other.path_);
    location_ = std::move(other.location_);
    origins_ = std::move(other.origins_);
  }
  return *this;
}

std::string Node::describe() const {
  if (!node_.IsDefined() || node_.IsNull()) return "an empty value";
  if (node_.IsMap()) return "a mapping";
  if (node_.IsSequence()) return "a sequence";
  if (quoted(node_)) return fmt::format("the string '{}'", node_.Scalar());
  return fmt::format("'{}'", node_.Scalar());
}

LoadError Node::error(std::string_view message) const {
  if (path_.empty()) return LoadError(location_, std::string(message));
  return LoadError(location_, fmt::format("{}: {}", path_, message));
}

void Node::fail(std::string_view message) const {
  throw error(message);
}

std::string Node::where() const {
  return path_.empty() ? std::string("at the top level") : fmt::format("in {}", path_);
}

// ---- mappings -----------------------------------------------------------------------------------

void Node::require_map() const {
  if (!node_.IsMap()) fail(fmt::format("expected a mapping, got {}", describe()));
}

const SubtreeOrigin* Node::origin_of(const YAML::Node& value) const {
  if (!origins_) return nullptr;
  // The latest registration wins: an override may replace what an earlier one set.
  for (auto it = origins_->rbegin(); it != origins_->rend(); ++it) {
    if (it->value.is(value)) return &*it;
  }
  return nullptr;
}

SourceLocation Node::key_location(const YAML::Node& key, const YAML::Node& value) const {
  SourceLocation at = location_of(key.Mark(), *file_);
  if (at.line > 0) return at;
  // A key made in code: an override added it, or this mapping was rebuilt around one.
  if (const SubtreeOrigin* origin = origin_of(value)) return origin->location;
  return location_;
}

Node Node::child(const YAML::Node& key, const YAML::Node& value, std::string path) const {
  if (const SubtreeOrigin* origin = origin_of(value)) {
    return Node(value, origin->file, std::move(path), origin->location, origins_);
  }
  return Node(value, file_, std::move(path), key_location(key, value), origins_);
}

bool Node::has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return true;
  }
  return false;
}

std::optional<Node> Node::find(std::string_view key) const {
  require_map();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      return child(it->first, it->second, child_path(path_, key));
    }
  }
  return std::nullopt;
}

SourceLocation Node::key_location(std::string_view key) const {
  if (node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        return key_location(it->first, it->second);
      }
    }
  }
  return location_;
}

void Node::fail_missing(std::string_view key) const {
  throw LoadError(location_, fmt::format("missing required key '{}' {}", key, where()));
}

std::vector<std::pair<std::string, Node>> Node::entries() const {
  require_map();
  std::vector<std::pair<std::string, Node>> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) {
      throw LoadError(location_of(it->first.Mark(), *file_),
                      fmt::format("keys must be strings, got a {} {}",
                                  it->first.IsMap() ? "mapping" : "sequence", where()));
    }
    const std::string& key = it->first.Scalar();
    out.emplace_back(key, child(it->first, it->second, child_path(path_, key)));
  }
  return out;
}

void Node::check_keys(std::span<const std::string_view> allowed) const {
  check_keys_impl(allowed, false);
}

void Node::check_keys_open(std::span<const std::string_view> allowed) const {
  check_keys_impl(allowed, true);
}

namespace {

// A misspelling in an open struct: another case, or at most 2 edits (fewer than the word has).
std::optional<std::string_view> misspelling_of(std::string_view word,
                                               std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 3;
  for (const auto c : candidates) {
    bool same_letters = c.size() == word.size();
    for (std::size_t i = 0; same_letters && i < c.size(); ++i) {
      same_letters = std::tolower(static_cast<unsigned char>(c[i])) ==
                     std::tolower(static_cast<unsigned char>(word[i]));
    }
    if (same_letters) return c;
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < word.size()) best = c, best_distance = d;
  }
  return best;
}

}  // namespace

void Node::check_keys_impl(std::span<const std::string_view> allowed, bool open) const {
  require_map();
  std::vector<std::pair<std::string_view, int>> seen;  // key, line
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const SourceLocation at = key_location(it->first, it->second);
    if (!it->first.IsScalar()) {
      throw LoadError(at, fmt::format("keys must be strings {}", where()));
    }
    const std::string& key = it->first.Scalar();
    bool known = false;
    for (const auto a : allowed) known = known || a == key;
    if (!known && open) {
      if (const auto suggestion = misspelling_of(key, allowed)) {
        throw LoadError(
            at, fmt::format("unknown key '{}' {} (did you mean '{}'?)", key, where(), *suggestion));
      }
    } else if (!known) {
      const auto suggestion = did_you_mean(key, allowed);
      throw LoadError(at, fmt::format("unknown key '{}' {} ({})", key, where(),
                                      suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                                 : fmt::format("allowed: {}", join(allowed))));
    }
    for (const auto& [other, line] : seen) {
      if (other == key) {
        throw LoadError(
            at, fmt::format("duplicate key '{}' {} (first at line {})", key, where(), line));
      }
    }
    seen.emplace_back(key, at.line);
  }
}

// ---- sequences ----------------------------------------------------------------------------------

std::vector<Node> Node::items() const {
  if (!node_.IsSequence()) fail(fmt::format("expected a sequence, got {}", describe()));
  std::vector<Node> out;
  out.reserve(node_.size());
  std::size_t i = 0;
  for (auto it = node_.begin(); it != node_.end(); ++it, ++i) {
    std::string path = fmt::format("{}[{}]", path_, i);
    if (const SubtreeOrigin* origin = origin_of(*it)) {
      out.emplace_back(*it, origin->file, std::move(path), origin->location, origins_);
    } else {
      out.emplace_back(*it, file_, std::move(path), location_, origins_);
    }
  }
  return out;
}

// ---- scalars ------------------------------------------------------------------------------------

const std::string& Node::scalar() const {
  if (!node_.IsScalar()) fail(fmt::format("expected a value, got {}", describe()));
  return node_.Scalar();
}

template <>
bool Node::as<bool>() const {
  if (node_.IsScalar() && !quoted(node_)) {
    const std::string& s = node_.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail(fmt::format("expected true or false, got {}", describe()));
}

std::int64_t Node::as_int(std::int64_t min, std::int64_t max) const {
  const bool plain = node_.IsScalar() && !quoted(node_);
  std::int64_t value = 0;
  if (plain) {
    std::string_view s = node_.Scalar();
    if (s.size() > 1 && s[0] == '+') s.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc::result_out_of_range) {
      fail(fmt::format("integer out of range: {}", describe()));
    }
    if (ec != std::errc{} || ptr != s.data() + s.size()) {
      fail(fmt::format("expected an integer, got {}", describe()));
    }
  } else {
    fail(fmt::format("expected an integer, got {}", describe()));
  }
  if (value < min || value > max) {
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    fail(fmt::format("must be {}, got {}",
                     range_rule(std::to_string(min), std::to_string(max), min != kMin, max != kMax),
                     value));
  }
  return value;
}

template <>
std::int64_t Node::as<std::int64_t>() const {
  return as_int(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
}

template <>
int Node::as<int>() const {
  return static_cast<int>(as_int(std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

double Node::as_number(double min, double max) const {
  if (!node_.IsScalar() || quoted(node_) || !looks_like_number(node_.Scalar())) {
    fail(fmt::format("expected a number, got {}", describe()));
  }
  std::string_view s = node_.Scalar();
  if (s[0] == '+') s.remove_prefix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || !std::isfinite(value)) {
    fail(fmt::format("number out of range: {}", describe()));
  }
  if (value < min || value > max) {
    fail(fmt::format("must be {}, got {}",
                     range_rule(fmt::format("{}", min), fmt::format("{}", max), std::isfinite(min),
                                std::isfinite(max)),
                     node_.Scalar()));
  }
  return value;
}

template <>
double Node::as<double>() const {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  return as_number(-kInf, kInf);
}

template <>
std::string Node::as<std::string>() const {
  if (!node_.IsScalar()) fail(fmt::format("expected a string, got {}", describe()));
  return node_.Scalar();
}

std::string Node::as_choice(std::span<const std::string_view> allowed) const {
  if (!node_.IsScalar()) {
    fail(fmt::format("expected one of {}, got {}", join(allowed), describe()));
  }
  const std::string& value = node_.Scalar();
  for (const auto a : allowed) {
    if (a == value) return value;
  }
  const auto suggestion = did_you_mean(value, allowed);
  fail(fmt::format("unknown value '{}' ({})", value,
                   suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                              : fmt::format("allowed: {}", join(allowed))));
}

model::IntOrPercent Node::as_int_or_percent(bool allow_fractional_percent) const {
  const auto expected = [&] {
    fail(fmt::format("expected an integer or a percentage such as 25%, got {}", describe()));
  };
  if (!node_.IsScalar()) expected();
  const std::string& s = node_.Scalar();
  if (!s.empty() && s.back() == '%') {
    std::string_view digits(s.data(), s.size() - 1);
    if (digits.starts_with('-')) fail(fmt::format("must not be negative, got '{}'", s));
    // [0-9]+(.[0-9]*)? or .[0-9]+ : what both API servers accept, minus Go's exotic floats.
    std::size_t i = 0, whole = 0, fraction = 0;
    while (i < digits.size() && is_digit(digits[i])) ++i, ++whole;
    const bool dot = i < digits.size() && digits[i] == '.';
    if (dot) {
      ++i;
      while (i < digits.size() && is_digit(digits[i])) ++i, ++fraction;
    }
    if (i != digits.size() || whole + fraction == 0) expected();
    if (dot && !allow_fractional_percent) {
      fail(fmt::format("expected a whole percentage such as 25%, got '{}' (no fractions here)", s));
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || !std::isfinite(value)) {
      expected();
    }
    return model::IntOrPercent::percent(value);
  }
  std::int64_t value = 0;
  std::string_view text = s;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool integer =
      !text.empty() && ec != std::errc::invalid_argument && ptr == text.data() + text.size();
  if (integer && text.starts_with('-')) {
    fail(fmt::format("must not be negative, got {}", quoted(node_) ? describe() : s));
  }
  if (integer && quoted(node_)) {
    fail(
        fmt::format("expected an integer or a percentage such as 25%, got the string '{}' (a "
                    "number in quotes is a string, which the API server rejects: write {} or "
                    "'{}%')",
                    s, s, s));
  }
  if (!integer) expected();
  constexpr auto kMax = std::numeric_limits<std::int32_t>::max();
  if (ec == std::errc::result_out_of_range || value > kMax) {
    fail(fmt::format("must be <= {}, got {}", kMax, s));
  }
  return model::IntOrPercent::integer(static_cast<std::int32_t>(value));
}

namespace {

// Runs a unit parser on the node's text; its std::invalid_argument becomes a located LoadError.
template <class Parse>
auto parse_scalar(const Node& node, std::string_view what, Parse&& parse) {
  if (!node.is_scalar()) node.fail(fmt::format("expected {}, got {}", what, node.describe()));
  try {
    return parse(node.yaml().Scalar());
  } catch (const std::invalid_argument& e) {
    node.fail(e.what());
  }
}

}  // namespace

sim::Duration Node::as_duration(DurationOptions options) const {
  return parse_scalar(*this, "a duration such as 250ms, 30s or 5m",
                      [&](const std::string& s) { return parse_duration(s, options); });
}

template <>
sim::Duration Node::as<sim::Duration>() const {
  return as_duration(DurationOptions{});
}

Quantity Node::as_quantity() const {
  return parse_scalar(*this, "a quantity such as 500m, 2 or 1.5Gi",
                      [](const std::string& s) { return Quantity::parse(s); });
}

std::int64_t Node::as_cpu_millis() const {
  return parse_scalar(*this, "a CPU quantity such as 500m or 2",
                      [](const std::string& s) { return parse_cpu_millis(s); });
}

std::int64_t Node::as_memory_bytes() const {
  return parse_scalar(*this, "a memory quantity such as 512Mi or 2Gi",
                      [](const std::string& s) { return parse_memory_bytes(s); });
}

std::int64_t Node::as_byte_size() const {
  return parse_scalar(*this, "a size such as 5GB, 300MiB or 1.5Gi",
                      [](const std::string& s) { return parse_byte_size(s); });
}

double Node::as_bandwidth() const {
  return parse_scalar(*this, "a bandwidth such as 10Gbps or 1.25GB/s",
                      [](const std::string& s) { return parse_bandwidth(s); });
}

// ---- canonical text -----------------------------------------------------------------------------

namespace {

// Whether a quoted scalar would read as something other than a string without its quotes, in
// YAML 1.1 as Kubernetes' sigs.k8s.io/yaml reads it (yes/no/on/off are booleans there).
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  std::string lower;
  for (const char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string_view word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null",
                                      "~", ".inf", "-.inf", "+.inf", ".nan"}) {
    if (lower == word) return true;
  }
  if (looks_like_number(s)) return true;
  // Hexadecimal and octal integers.
  std::string_view rest = lower;
  if (rest.starts_with('+') || rest.starts_with('-')) rest.remove_prefix(1);
  return (rest.starts_with("0x") || rest.starts_with("0o")) && rest.size() > 2;
}

void emit_canonical(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      std::vector<std::pair<std::string, YAML::Node>> entries;  // sort key, key node, value
      std::vector<YAML::Node> keys;
      for (auto it = node.begin(); it != node.end(); ++it) {
        entries.emplace_back(it->first.IsScalar() ? it->first.Scalar() : canonical_yaml(it->first),
                             it->second);
        keys.push_back(it->first);
      }
      std::vector<std::size_t> order(entries.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return entries[a].first < entries[b].first;
      });
      out << YAML::Flow << YAML::BeginMap;
      for (const std::size_t i : order) {
        out << YAML::Key;
        emit_canonical(out, keys[i]);
        out << YAML::Value;
        emit_canonical(out, entries[i].second);
      }
      out << YAML::EndMap;
      return;
    }
    case YAML::NodeType::Sequence:
      out << YAML::Flow << YAML::BeginSeq;
      for (auto it = node.begin(); it != node.end(); ++it) emit_canonical(out, *it);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Scalar:
      if (quoted(node) && needs_quotes(node.Scalar())) out << YAML::DoubleQuoted;
      out << node.Scalar();
      return;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      return;
  }
}

}  // namespace

std::string canonical_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  emit_canonical(out, node);
  return out.c_str();
}

// ---- parsing ------------------------------------------------------------------------------------

namespace {

[[noreturn]] void rethrow_parse_error(const YAML::Exception& e, const std::string& file) {
  throw LoadError(location_of(e.mark, file), fmt::format("invalid YAML: {}", e.msg));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw LoadError(SourceLocation{path.string(), 0, 0},
                    fmt::format("cannot read file: {}", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

Node parse_yaml(std::string_view text, std::string file) {
  auto name = std::make_shared<const std::string>(std::move(file));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    rethrow_parse_error(e, *name);
  }
  return Node(root, name, "", SourceLocation{*name, 1, 1});
}

std::vector<Node> parse_yaml_documents(std::string_view text, std::string file) {
  auto name = std::make_shared<const std::string>(std::move(file));
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    rethrow_parse_error(e, *name);
  }
  std::vector<Node> out;
  out.reserve(docs.size());
  for (auto& doc : docs) out.emplace_back(doc, name, "", SourceLocation{*name, 1, 1});
  return out;
}

Node load_yaml_file(const std::filesystem::path& path) {
  return parse_yaml(read_file(path), path.string());
}

std::vector<Node> load_yaml_documents(const std::filesystem::path& path) {
  return parse_yaml_documents(read_file(path), path.string());
}

}  // namespace podsim::loader
