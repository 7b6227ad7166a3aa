// What a template change amounts to, and whether Kruise could apply it in place
// (domain-reference §2.3), with hand-made templates.
#include "podsim/model/template_diff.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "podsim/sim/distribution.hpp"

using podsim::model::ContainerSpec;
using podsim::model::diff_templates;
using podsim::model::ImageId;
using podsim::model::ImagePullPolicy;
using podsim::model::InitContainerSpec;
using podsim::model::PodTemplate;
using podsim::model::ReadinessProbe;
using podsim::model::TemplateDiff;

namespace {

ContainerSpec container(std::string name, ImageId image) {
  ContainerSpec c;
  c.name = std::move(name);
  c.image = image;
  c.requests.cpu_millis = 500;
  c.requests.memory_bytes = 256LL << 20;
  c.env = {{"MODE", "prod"}};
  return c;
}

// web (image 1) and log (image 2), an init container, labels and an annotation.
PodTemplate base() {
  PodTemplate t;
  t.containers = {container("web", 1), container("log", 2)};
  InitContainerSpec init;
  init.name = "migrate";
  init.image = 3;
  t.initContainers = {init};
  t.labels = {{"app", "shop"}, {"version", "v1"}};
  t.annotations = {{"team", "payments"}};
  return t;
}

std::vector<std::string> strs(const std::vector<podsim::model::TemplateChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.str());
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("template diff: identical templates differ in nothing", "[template-diff]") {
  const TemplateDiff d = diff_templates(base(), base());
  CHECK(d.empty());
  CHECK(d.in_place_possible());
}

TEST_CASE("template diff: image and metadata changes are in place", "[template-diff]") {
  PodTemplate to = base();
  to.containers[0].image = 11;
  to.labels["version"] = "v2";
  to.labels.erase("app");
  to.annotations["rollout"] = "wave-1";
  const TemplateDiff d = diff_templates(base(), to);
  CHECK(d.in_place_possible());
  CHECK(d.container_images == std::map<std::string, ImageId>{{"web", 11}});
  // Labels by key (map order), then annotations.
  CHECK(strs(d.metadata_changes) == Strings{"remove metadata.labels[app]",
                                            "replace metadata.labels[version]",
                                            "add metadata.annotations[rollout]"});
  CHECK(d.other_changes.empty());
}

TEST_CASE("template diff: other container changes force a recreate", "[template-diff]") {
  PodTemplate to = base();
  SECTION("env") {
    to.containers[0].env["MODE"] = "canary";
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"replace spec.containers[web].env"});
  }
  SECTION("env added to a container that had none") {
    PodTemplate from = base();
    from.containers[1].env.clear();
    CHECK(strs(diff_templates(from, to).other_changes) == Strings{"add spec.containers[log].env"});
  }
  SECTION("resources") {
    to.containers[1].requests.cpu_millis = 1000;
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"replace spec.containers[log].resources"});
  }
  SECTION("imagePullPolicy") {
    to.containers[0].imagePullPolicy = ImagePullPolicy::Always;
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"replace spec.containers[web].imagePullPolicy"});
  }
  SECTION("readinessProbe added, then changed") {
    to.containers[0].readinessProbe = ReadinessProbe{};
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"add spec.containers[web].readinessProbe"});
    PodTemplate to2 = to;
    to2.containers[0].readinessProbe->periodSeconds = 5;
    CHECK(strs(diff_templates(to, to2).other_changes) ==
          Strings{"replace spec.containers[web].readinessProbe"});
  }
  SECTION("fields podsim does not model, by name") {
    to.containers[0].other_fields["command"] = "[\"/bin/web\", \"--fast\"]";
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"add spec.containers[web].command"});
  }
  SECTION("an image change alongside another change is still recorded, but not in place") {
    to.containers[0].image = 11;
    to.containers[0].env["MODE"] = "canary";
    const TemplateDiff d = diff_templates(base(), to);
    CHECK(d.container_images == std::map<std::string, ImageId>{{"web", 11}});
    CHECK_FALSE(d.in_place_possible());
  }
}

TEST_CASE("template diff: adding, removing, renaming or reordering containers is not in place",
          "[template-diff]") {
  PodTemplate to = base();
  SECTION("added") {
    to.containers.push_back(container("proxy", 4));
    const TemplateDiff d = diff_templates(base(), to);
    CHECK(strs(d.other_changes) == Strings{"add spec.containers[proxy]"});
    CHECK_FALSE(d.in_place_possible());
  }
  SECTION("removed") {
    to.containers.pop_back();
    CHECK(strs(diff_templates(base(), to).other_changes) == Strings{"remove spec.containers[log]"});
  }
  SECTION("renamed") {
    to.containers[1].name = "logger";
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"replace spec.containers[log].name"});
  }
  SECTION("reordered: matched by position, as Kruise's JSON patch does") {
    std::swap(to.containers[0], to.containers[1]);
    const TemplateDiff d = diff_templates(base(), to);
    CHECK(strs(d.other_changes) ==
          Strings{"replace spec.containers[web].name", "replace spec.containers[log].name"});
    // Position 0 was web (image 1) and is now log (image 2): an image replace at that index.
    CHECK(d.container_images == std::map<std::string, ImageId>{{"web", 2}, {"log", 1}});
    CHECK_FALSE(d.in_place_possible());
  }
}

TEST_CASE("template diff: init container and pod-level changes are not in place",
          "[template-diff]") {
  PodTemplate to = base();
  SECTION("init container image: only spec.containers[i].image is replaceable") {
    to.initContainers[0].image = 33;
    const TemplateDiff d = diff_templates(base(), to);
    CHECK(strs(d.other_changes) == Strings{"replace spec.initContainers[migrate].image"});
    CHECK(d.container_images.empty());
    CHECK_FALSE(d.in_place_possible());
  }
  SECTION("init container turned into a native sidecar") {
    to.initContainers[0].sidecar = true;
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"replace spec.initContainers[migrate].restartPolicy"});
  }
  SECTION("init container added") {
    InitContainerSpec more;
    more.name = "warmup";
    to.initContainers.push_back(more);
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"add spec.initContainers[warmup]"});
  }
  SECTION("pod-level fields") {
    to.terminationGracePeriodSeconds = 60;
    to.nodeSelector = {{"pool", "big"}};
    to.priority = 1000;
    to.other_fields["tolerations"] = "[{key: spot}]";
    CHECK(strs(diff_templates(base(), to).other_changes) ==
          Strings{"replace spec.terminationGracePeriodSeconds", "add spec.nodeSelector",
                  "replace spec.priority", "add spec.tolerations"});
  }
}

TEST_CASE("template diff: podsim-only behaviour fields are not spec", "[template-diff]") {
  namespace dist = podsim::sim::dist;
  PodTemplate to = base();
  to.containers[0].app_start = dist::constant(5);
  to.containers[0].shutdown = dist::constant(2);
  to.containers[0].preStop = dist::constant(1);
  to.initContainers[0].run_time = dist::constant(3);
  to.spread_group = 9;
  const TemplateDiff d = diff_templates(base(), to);
  CHECK(d.empty());
  CHECK(d.in_place_possible());
}
