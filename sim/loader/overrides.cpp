#include "podsim/loader/overrides.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "podsim/loader/suggest.hpp"

namespace podsim::loader {
namespace {

// One step of a path: a key, or an index. `bracket` says it was written [i] (sequences only);
// a dotted number ("pools.0") is an index in a sequence and a key in a mapping.
struct Segment {
  std::string text;
  bool bracket = false;
};

[[noreturn]] void fail(const Override& o, std::string_view reason) {
  throw LoadError(o.where, fmt::format("cannot set '{}': {}", o.path, reason));
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<Segment> parse_path(std::string_view path, const SourceLocation& where) {
  const auto bad = [&](std::string_view why) {
    throw LoadError(where, fmt::format("invalid override path '{}': {}", path, why));
  };
  std::vector<Segment> out;
  std::size_t i = 0;
  bool need_key = true;  // at the start and after a '.'
  while (i < path.size() || need_key) {
    if (need_key) {
      std::string key;
      while (i < path.size() && path[i] != '.' && path[i] != '[') {
        if (path[i] == ']') bad(fmt::format("']' without '[' at position {}", i + 1));
        if (path[i] == '\\') {
          if (++i == path.size()) bad("it ends with '\\'");
        }
        key += path[i++];
      }
      // A path may start with an index (a sequence at the top); a '.' must be followed by a key.
      if (key.empty() && !(out.empty() && i < path.size() && path[i] == '[')) {
        bad(i < path.size() || !out.empty() ? fmt::format("empty key at position {}", i + 1)
                                            : std::string("it is empty"));
      }
      if (!key.empty()) out.push_back({std::move(key), false});
      need_key = false;
    } else if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos) {
        bad(fmt::format("'[' at position {} is not closed", i + 1));
      }
      const std::string_view index = path.substr(i + 1, close - i - 1);
      if (!all_digits(index)) {
        bad(fmt::format("'[{}]' is not an index such as [0]", index));
      }
      out.push_back({std::string(index), true});
      i = close + 1;
    } else if (path[i] == '.') {
      ++i;
      need_key = true;
    } else {
      bad(fmt::format("expected '.' or '[' at position {}", i + 1));
    }
  }
  return out;
}

// A copy of a parsed value without its marks: a `--set` value's marks count columns of the
// argument, not of any file, and would be misread as the base file's lines.
YAML::Node without_marks(const YAML::Node& node) {
  // reset(), not =: yaml-cpp's assignment writes through to the node assigned to.
  YAML::Node out;
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.reset(YAML::Node(node.Scalar()));
      break;
    case YAML::NodeType::Sequence:
      out.reset(YAML::Node(YAML::NodeType::Sequence));
      for (auto it = node.begin(); it != node.end(); ++it) out.push_back(without_marks(*it));
      break;
    case YAML::NodeType::Map:
      out.reset(YAML::Node(YAML::NodeType::Map));
      for (auto it = node.begin(); it != node.end(); ++it) {
        out.force_insert(without_marks(it->first), without_marks(it->second));
      }
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return YAML::Node(YAML::NodeType::Null);
  }
  out.SetTag(node.Tag());  // "!" marks a quoted scalar: '5' stays a string
  out.SetStyle(node.Style());
  return out;
}

Node parse_value(std::string_view text, std::shared_ptr<const std::string> file,
                 const SourceLocation& where) {
  YAML::Node value;
  try {
    value = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw LoadError(where, fmt::format("invalid YAML value '{}': {}", text, e.msg));
  }
  return Node(without_marks(value), std::move(file), "", where);
}

// Where a node is, for messages about the base tree: " (scenario.yaml:7:5)".
std::string at(const Node& node) {
  const auto& l = node.location();
  if (l.line == 0) return fmt::format(" ({})", l.file);
  return fmt::format(" ({}:{}:{})", l.file, l.line, l.column);
}

std::string name_of(const Node& node) {
  return node.path().empty() ? std::string("the top level") : node.path();
}

class Applier {
 public:
  explicit Applier(const Override& o, std::vector<SubtreeOrigin>& origins)
      : override_(o), origins_(origins) {}

  // The new subtree that replaces `current` once the rest of the path is set in it.
  YAML::Node set(const Node& current, std::span<const Segment> path) {
    if (path.empty()) return override_.value.yaml();
    const Segment& step = path.front();
    const YAML::Node& y = current.yaml();
    YAML::Node out;
    if (y.IsMap() || (y.IsNull() && path.size() == 1 && !step.bracket)) {
      out.reset(set_in_map(current, step, path.subspan(1)));
    } else if (y.IsSequence()) {
      out.reset(set_in_sequence(current, step, path.subspan(1)));
    } else if (y.IsNull()) {
      fail(override_, fmt::format("{} is empty, so it has no '{}'{}", name_of(current), step.text,
                                  at(current)));
    } else {
      fail(override_, fmt::format("{} is a value ({}), not a mapping or a sequence, so it has no "
                                  "'{}'{}",
                                  name_of(current), current.describe(), step.text, at(current)));
    }
    out.SetTag(y.Tag());
    out.SetStyle(y.Style());
    // A rebuilt node of an earlier override's value still comes from that override.
    for (std::size_t i = 0, n = origins_.size(); i < n; ++i) {
      if (origins_[i].value.is(y)) {
        SubtreeOrigin again = origins_[i];
        again.value.reset(out);  // rebind: YAML::Node's operator= would alias the old node
        origins_.push_back(std::move(again));
        break;
      }
    }
    return out;
  }

 private:
  YAML::Node set_in_map(const Node& current, const Segment& step, std::span<const Segment> rest) {
    if (step.bracket) {
      fail(override_, fmt::format("{} is a mapping, not a sequence: [{}] indexes a sequence{}",
                                  name_of(current), step.text, at(current)));
    }
    YAML::Node out(YAML::NodeType::Map);
    bool found = false;
    std::vector<std::string> keys;
    const YAML::Node& y = current.yaml();
    if (y.IsMap()) {
      for (auto it = y.begin(); it != y.end(); ++it) {
        const bool match = !found && it->first.IsScalar() && it->first.Scalar() == step.text;
        if (it->first.IsScalar()) keys.push_back(it->first.Scalar());
        if (match) {
          found = true;
          // The untouched key keeps its mark: messages about it still point at the base file.
          out.force_insert(it->first, set(*current.find(step.text), rest));
        } else {
          out.force_insert(it->first, it->second);
        }
      }
    }
    if (found) return out;
    const bool only_keys =
        std::none_of(rest.begin(), rest.end(), [](const Segment& s) { return s.bracket; });
    const std::string& path = current.path();
    const auto depth = path.empty() ? 0 : 1 + std::count(path.begin(), path.end(), '.');
    const std::vector<std::string_view> known(keys.begin(), keys.end());
    if (!rest.empty() && only_keys && depth >= 2 && !did_you_mean(step.text, known)) {
      // Inside a section (a workload's manifest, a pool), missing mappings on the way are
      // created: `spec.updateStrategy.type` where the manifest has no updateStrategy yet. A key
      // close to an existing one is still a typo, and the typed reader rejects unknown keys.
      YAML::Node leaf = override_.value.yaml();
      for (auto it = rest.rbegin(); it != rest.rend(); ++it) {
        YAML::Node wrapped(YAML::NodeType::Map);
        wrapped.force_insert(YAML::Node(it->text), leaf);
        leaf.reset(wrapped);  // rebind: YAML::Node's operator= would alias the old node
      }
      out.force_insert(YAML::Node(step.text), leaf);
      return out;
    }
    if (!rest.empty()) {
      std::vector<std::string_view> candidates(keys.begin(), keys.end());
      const auto suggestion = did_you_mean(step.text, candidates);
      fail(override_, fmt::format("no key '{}' {} ({}){}", step.text, current.where(),
                                  suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                  : candidates.empty() ? std::string("it has no keys")
                                                       : fmt::format("keys: {}", join(candidates)),
                                  at(current)));
    }
    // A new leaf: allowed, so that a variant can set what the base left at its default.
    out.force_insert(YAML::Node(step.text), set(current, rest));
    return out;
  }

  YAML::Node set_in_sequence(const Node& current, const Segment& step,
                             std::span<const Segment> rest) {
    if (!all_digits(step.text)) {
      fail(override_, fmt::format("{} is a sequence: write an index such as {}[0], not '{}'{}",
                                  name_of(current), current.path(), step.text, at(current)));
    }
    const auto items = current.items();
    const std::size_t index =
        step.text.size() > 9 ? items.size() : static_cast<std::size_t>(std::stoul(step.text));
    if (index >= items.size()) {
      fail(override_,
           fmt::format("index {} is out of range: {} has {} item{}{}", step.text, name_of(current),
                       items.size(), items.size() == 1 ? "" : "s", at(current)));
    }
    YAML::Node out(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < items.size(); ++i) {
      out.push_back(i == index ? set(items[i], rest) : items[i].yaml());
    }
    return out;
  }

  const Override& override_;
  std::vector<SubtreeOrigin>& origins_;
};

}  // namespace

Override parse_set_argument(std::string_view argument) {
  auto file = std::make_shared<const std::string>(fmt::format("--set {}", argument));
  const SourceLocation where{*file, 0, 0};
  std::size_t eq = 0;
  while (eq < argument.size() && argument[eq] != '=') eq += argument[eq] == '\\' ? 2 : 1;
  if (eq >= argument.size()) {
    throw LoadError(where, "expected path=value, such as workloads.web.spec.replicas=5");
  }
  std::string path(argument.substr(0, eq));
  parse_path(path, where);  // report a bad path before a bad value
  return Override{std::move(path), parse_value(argument.substr(eq + 1), file, where), where};
}

Override parse_override_text(const Node& text) {
  const std::string& s = text.scalar();
  std::size_t eq = 0;
  while (eq < s.size() && s[eq] != '=') eq += s[eq] == '\\' ? 2 : 1;
  if (eq >= s.size()) text.fail("expected path=value, such as workloads.web.spec.replicas=5");
  std::string path = s.substr(0, eq);
  parse_path(path, text.location());
  auto file = std::make_shared<const std::string>(text.file());
  return Override{std::move(path),
                  parse_value(std::string_view(s).substr(eq + 1), file, text.location()),
                  text.location()};
}

Override make_override(std::string path, const Node& value) {
  parse_path(path, value.location());
  return Override{std::move(path), value, value.location()};
}

Node apply_overrides(const Node& root, std::span<const Override> overrides) {
  std::vector<SubtreeOrigin> origins;
  if (root.origins()) origins = *root.origins();
  auto file = std::make_shared<const std::string>(root.file());
  Node current = root;
  for (const Override& o : overrides) {
    const auto path = parse_path(o.path, o.where);
    // The value first: a rebuilt node of an earlier override is registered after it and wins.
    origins.push_back(SubtreeOrigin{
        o.value.yaml(), std::make_shared<const std::string>(o.value.file()), o.value.location()});
    YAML::Node tree = Applier(o, origins).set(current, path);
    current = Node(std::move(tree), file, root.path(), root.location(),
                   std::make_shared<const std::vector<SubtreeOrigin>>(origins));
  }
  return current;
}

}  // namespace podsim::loader
