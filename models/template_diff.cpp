#include "podsim/model/template_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace podsim::model {

namespace {

using Changes = std::vector<TemplateChange>;

std::string_view op_name(TemplateChangeOp op) {
  switch (op) {
    case TemplateChangeOp::add:
      return "add";
    case TemplateChangeOp::remove:
      return "remove";
    case TemplateChangeOp::replace:
      break;
  }
  return "replace";
}

void change(Changes& out, TemplateChangeOp op, std::string path) {
  out.push_back({op, std::move(path)});
}

// A whole field that may be absent on either side (empty map, unset probe).
template <class T>
void compare_field(Changes& out, const std::string& path, const T& a, const T& b, bool a_set,
                   bool b_set) {
  if (a_set && b_set) {
    if (!(a == b)) change(out, TemplateChangeOp::replace, path);
  } else if (a_set != b_set) {
    change(out, a_set ? TemplateChangeOp::remove : TemplateChangeOp::add, path);
  }
}

// Each key of a map as its own field ("<prefix><key><suffix>"): added, removed or replaced.
void compare_entries(Changes& out, const std::string& prefix, const std::string& suffix,
                     const std::map<std::string, std::string>& a,
                     const std::map<std::string, std::string>& b) {
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      change(out, TemplateChangeOp::remove, fmt::format("{}{}{}", prefix, k, suffix));
    } else if (it->second != v) {
      change(out, TemplateChangeOp::replace, fmt::format("{}{}{}", prefix, k, suffix));
    }
  }
  for (const auto& [k, v] : b) {
    if (!a.contains(k))
      change(out, TemplateChangeOp::add, fmt::format("{}{}{}", prefix, k, suffix));
  }
}

bool same_probe(const std::optional<ReadinessProbe>& a, const std::optional<ReadinessProbe>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->initialDelaySeconds == b->initialDelaySeconds && a->periodSeconds == b->periodSeconds &&
         a->timeoutSeconds == b->timeoutSeconds && a->successThreshold == b->successThreshold &&
         a->failureThreshold == b->failureThreshold;
}

// The fields app and init containers share. `base` is "spec.containers[web]".
template <class C>
void compare_common(Changes& out, const std::string& base, const C& a, const C& b) {
  if (a.name != b.name) change(out, TemplateChangeOp::replace, base + ".name");
  if (!(a.requests == b.requests)) change(out, TemplateChangeOp::replace, base + ".resources");
  if (a.imagePullPolicy != b.imagePullPolicy) {
    change(out, TemplateChangeOp::replace, base + ".imagePullPolicy");
  }
  compare_field(out, base + ".env", a.env, b.env, !a.env.empty(), !b.env.empty());
  compare_entries(out, base + ".", "", a.other_fields, b.other_fields);
}

// Containers are matched by position, as Kruise's JSON patch matches array elements; the
// extra ones on either side are added or removed.
template <class C, class Each>
void compare_lists(Changes& out, const std::string& field, const std::vector<C>& a,
                   const std::vector<C>& b, Each each) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string base = fmt::format("spec.{}[{}]", field, a[i].name);
    compare_common(out, base, a[i], b[i]);
    each(base, a[i], b[i]);
  }
  for (std::size_t i = n; i < a.size(); ++i) {
    change(out, TemplateChangeOp::remove, fmt::format("spec.{}[{}]", field, a[i].name));
  }
  for (std::size_t i = n; i < b.size(); ++i) {
    change(out, TemplateChangeOp::add, fmt::format("spec.{}[{}]", field, b[i].name));
  }
}

}  // namespace

std::string TemplateChange::str() const {
  return fmt::format("{} {}", op_name(op), path);
}

TemplateDiff diff_templates(const PodTemplate& from, const PodTemplate& to) {
  TemplateDiff d;
  Changes& other = d.other_changes;

  compare_lists(other, "containers", from.containers, to.containers,
                [&](const std::string& base, const ContainerSpec& a, const ContainerSpec& b) {
                  // The one spec change Kruise applies in place, keyed by the old name.
                  if (a.image != b.image) d.container_images[a.name] = b.image;
                  if (!same_probe(a.readinessProbe, b.readinessProbe)) {
                    const auto op = !a.readinessProbe   ? TemplateChangeOp::add
                                    : !b.readinessProbe ? TemplateChangeOp::remove
                                                        : TemplateChangeOp::replace;
                    change(other, op, base + ".readinessProbe");
                  }
                });
  compare_lists(
      other, "initContainers", from.initContainers, to.initContainers,
      [&](const std::string& base, const InitContainerSpec& a, const InitContainerSpec& b) {
        // Only spec.containers[i].image is replaceable in place.
        if (a.image != b.image) change(other, TemplateChangeOp::replace, base + ".image");
        if (a.sidecar != b.sidecar) {
          change(other, TemplateChangeOp::replace, base + ".restartPolicy");
        }
      });

  if (from.terminationGracePeriodSeconds != to.terminationGracePeriodSeconds) {
    change(other, TemplateChangeOp::replace, "spec.terminationGracePeriodSeconds");
  }
  compare_field(other, "spec.nodeSelector", from.nodeSelector, to.nodeSelector,
                !from.nodeSelector.empty(), !to.nodeSelector.empty());
  if (from.priority != to.priority) change(other, TemplateChangeOp::replace, "spec.priority");
  compare_entries(other, "spec.", "", from.other_fields, to.other_fields);

  compare_entries(d.metadata_changes, "metadata.labels[", "]", from.labels, to.labels);
  compare_entries(d.metadata_changes, "metadata.annotations[", "]", from.annotations,
                  to.annotations);
  return d;
}

}  // namespace podsim::model
