#pragma once
// What changed between two pod templates, and whether a CloneSet can apply it in place: Kruise
// v1.8's defaultCalculateInPlaceUpdateSpec (pkg/util/inplaceupdate/inplace_update_defaults.go,
// domain-reference §2.3). Kruise JSON-patches the old template into the new one; the update is
// in place only if every op under spec is a `replace` of spec.containers[i].image, while
// metadata.labels and metadata.annotations may change in any way. Containers are matched by
// position, as the patch does, so adding, removing, renaming or reordering containers is never in
// place; neither is any change to init containers.
//
//   TemplateDiff d = diff_templates(v1, v2);
//   if (d.in_place_possible()) for (auto& [name, image] : d.container_images) ...;
//   else for (auto& c : d.other_changes) log(c.str());  // "replace spec.containers[web].env"
//
// The podsim-only behaviour fields (init container run_time, app_start, shutdown, preStop
// durations) describe the application, not the spec, and are ignored; so is spread_group
// (the workload's identity, the same in every revision).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/model/pod_template.hpp"

namespace podsim::model {

/// The JSON-patch operation a change amounts to.
enum class TemplateChangeOp : std::uint8_t { add, remove, replace };

struct TemplateChange {
  TemplateChangeOp op = TemplateChangeOp::replace;
  /// A readable field path: containers by name, map entries by key, e.g.
  /// "spec.containers[web].env", "spec.initContainers[migrate].image", "metadata.labels[tier]".
  /// A container is named as in the old template, except an added one.
  std::string path;

  /// "replace spec.containers[web].env".
  std::string str() const;
  friend bool operator==(const TemplateChange&, const TemplateChange&) = default;
};

struct TemplateDiff {
  /// spec.containers[i].image replacements: old container name -> new image.
  std::map<std::string, ImageId> container_images;
  /// metadata.labels[...] and metadata.annotations[...] changes (patched onto pods in place).
  std::vector<TemplateChange> metadata_changes;
  /// Every other change; any one of them forces a recreate.
  std::vector<TemplateChange> other_changes;

  bool empty() const {
    return container_images.empty() && metadata_changes.empty() && other_changes.empty();
  }
  /// Kruise can update a pod in place: only images and metadata changed (or nothing).
  bool in_place_possible() const { return other_changes.empty(); }
};

/// The changes that turn `from` into `to`: containers first, in order, then init containers,
/// then pod-level fields, each group in a fixed field order.
TemplateDiff diff_templates(const PodTemplate& from, const PodTemplate& to);

}  // namespace podsim::model
