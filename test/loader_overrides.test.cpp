// Overrides (`--set path=value`, variants) applied to a scenario tree before it is read.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "podsim/loader/manifest.hpp"
#include "podsim/loader/overrides.hpp"
#include "podsim/loader/yaml_reader.hpp"

using podsim::loader::apply_overrides;
using podsim::loader::LoadError;
using podsim::loader::Node;
using podsim::loader::Override;
using podsim::loader::parse_set_argument;
using podsim::loader::parse_yaml;
namespace loader = podsim::loader;
namespace model = podsim::model;
namespace sim = podsim::sim;

namespace {

const char* const kScenario =
    "seed: 7\n"                                            // 1
    "cluster:\n"                                           // 2
    "  pools:\n"                                           // 3
    "    - name: general\n"                                // 4
    "      nodes: 20\n"                                    // 5
    "    - name: spot\n"                                   // 6
    "      nodes: 5\n"                                     // 7
    "rollouts:\n"                                          // 8
    "  - at: 10s\n"                                        // 9
    "  - at: 60s\n"                                        // 10
    "workloads:\n"                                         // 11
    "  web:\n"                                             // 12
    "    apiVersion: apps.kruise.io/v1alpha1\n"            // 13
    "    kind: CloneSet\n"                                 // 14
    "    metadata:\n"                                      // 15
    "      name: web\n"                                    // 16
    "    spec:\n"                                          // 17
    "      replicas: 4\n"                                  // 18
    "      updateStrategy:\n"                              // 19
    "        type: ReCreate\n"                             // 20
    "      template:\n"                                    // 21
    "        metadata:\n"                                  // 22
    "          labels: {app: web}\n"                       // 23
    "        spec:\n"                                      // 24
    "          nodeSelector:\n"                            // 25
    "          containers:\n"                              // 26
    "            - name: web\n"                            // 27
    "              image: registry.example.com/web:v1\n";  // 28

const loader::ImageResolver kImages = [](const Node&, const std::string&) -> model::ImageId {
  return 1;
};

Node base() {
  return parse_yaml(kScenario, "scenario.yaml");
}

Node with_sets(const Node& root, std::initializer_list<const char*> arguments) {
  std::vector<Override> overrides;
  for (const char* a : arguments) overrides.push_back(parse_set_argument(a));
  return apply_overrides(root, overrides);
}

model::CloneSetSpec web(const Node& root) {
  return loader::read_cloneset(root.required("workloads").required("web"), kImages).spec;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const LoadError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("Overrides set values by path and leave the base tree alone", "[loader]") {
  const Node root = base();
  const Node set = with_sets(
      root, {"cluster.pools.0.nodes=50", "cluster.pools[1].nodes=8", "rollouts[1].at=30s",
             "workloads.web.spec.updateStrategy.type=InPlaceIfPossible", "seed=41", "seed=42"});
  const auto pools = set.required("cluster").required("pools").items();
  CHECK(pools[0].required<int>("nodes") == 50);
  CHECK(pools[1].required<int>("nodes") == 8);
  CHECK(pools[1].required<std::string>("name") == "spot");
  CHECK(set.required("rollouts").items()[1].required<sim::Duration>("at") == sim::seconds(30));
  CHECK(set.required<int>("seed") == 42);  // the later override wins
  CHECK(web(set).type == model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(web(set).replicas == 4);

  // The base is as it was: each variant starts from it.
  CHECK(root.required<int>("seed") == 7);
  CHECK(root.required("cluster").required("pools").items()[0].required<int>("nodes") == 20);
  CHECK(web(root).type == model::CloneSetUpdateType::ReCreate);
}

TEST_CASE("Override values are YAML scalars or flow YAML", "[loader]") {
  const Node set = with_sets(base(), {"cluster.zones=[a, b]",
                                      "workloads.web.spec.template.metadata.labels={app: web, "
                                      "tier: front}",
                                      "seed='5'", "rollouts[0].at="});
  CHECK(set.required("cluster").required("zones").as_vector<std::string>() ==
        std::vector<std::string>{"a", "b"});
  CHECK(web(set).template_.labels ==
        std::map<std::string, std::string>{{"app", "web"}, {"tier", "front"}});
  CHECK(set.required<std::string>("seed") == "5");
  CHECK(error_of([&] { set.required<int>("seed"); }) ==
        "--set seed='5': seed: expected an integer, got the string '5'");
  CHECK(set.required("rollouts").items()[0].required("at").is_null());
}

TEST_CASE("An override may add a key at the end of its path", "[loader]") {
  const Node set = with_sets(
      base(), {"workloads.web.spec.minReadySeconds=10",
               "workloads.web.spec.template.spec.nodeSelector.disk=ssd",
               "workloads.web.spec.template.metadata.labels.app\\.kubernetes\\.io/name=web"});
  const auto spec = web(set);
  CHECK(spec.minReadySeconds == 10);
  CHECK(spec.template_.nodeSelector == std::map<std::string, std::string>{{"disk", "ssd"}});
  CHECK(spec.template_.labels.at("app.kubernetes.io/name") == "web");
}

TEST_CASE("Bad override paths say which part is wrong and where", "[loader]") {
  struct Case {
    const char* argument;
    const char* message;
  };
  const std::vector<Case> cases{
      {"seed.value=1",
       "--set seed.value=1: cannot set 'seed.value': seed is a value ('7'), not a mapping or a "
       "sequence, so it has no 'value' (scenario.yaml:1:7)"},
      {"rollouts[0].at.x=1",
       "--set rollouts[0].at.x=1: cannot set 'rollouts[0].at.x': rollouts[0].at is a value "
       "('10s'), not a mapping or a sequence, so it has no 'x' (scenario.yaml:9:9)"},
      {"cluster.pools[2].nodes=1",
       "--set cluster.pools[2].nodes=1: cannot set 'cluster.pools[2].nodes': index 2 is out of "
       "range: cluster.pools has 2 items (scenario.yaml:4:5)"},
      {"workloads.webb.spec.replicas=3",
       "--set workloads.webb.spec.replicas=3: cannot set 'workloads.webb.spec.replicas': no key "
       "'webb' in workloads (did you mean 'web'?) (scenario.yaml:12:3)"},
      {"nope.x=1",
       "--set nope.x=1: cannot set 'nope.x': no key 'nope' at the top level (keys: seed, cluster, "
       "rollouts, workloads) (scenario.yaml:1:1)"},
      {"workloads[0].x=1",
       "--set workloads[0].x=1: cannot set 'workloads[0].x': workloads is a mapping, not a "
       "sequence: [0] indexes a sequence (scenario.yaml:12:3)"},
      {"cluster.pools.general.nodes=1",
       "--set cluster.pools.general.nodes=1: cannot set 'cluster.pools.general.nodes': "
       "cluster.pools is a sequence: write an index such as cluster.pools[0], not 'general' "
       "(scenario.yaml:4:5)"},
      {"workloads.web.spec.template.spec.nodeSelector.disk.type=ssd",
       "--set workloads.web.spec.template.spec.nodeSelector.disk.type=ssd: cannot set "
       "'workloads.web.spec.template.spec.nodeSelector.disk.type': "
       "workloads.web.spec.template.spec.nodeSelector is empty, so it has no 'disk' "
       "(scenario.yaml:25:11)"},
      {"seed", "--set seed: expected path=value, such as workloads.web.spec.replicas=5"},
      {"a..b=1", "--set a..b=1: invalid override path 'a..b': empty key at position 3"},
      {"a.=1", "--set a.=1: invalid override path 'a.': empty key at position 3"},
      {"=1", "--set =1: invalid override path '': it is empty"},
      {"a[x]=1", "--set a[x]=1: invalid override path 'a[x]': '[x]' is not an index such as [0]"},
      {"a[0=1", "--set a[0=1: invalid override path 'a[0': '[' at position 2 is not closed"},
      {"a]=1", "--set a]=1: invalid override path 'a]': ']' without '[' at position 2"},
      {"seed=[1, 2",
       "--set seed=[1, 2: invalid YAML value '[1, 2': end of sequence flow not found"},
  };
  const Node root = base();
  for (const auto& c : cases) {
    INFO(c.argument);
    CHECK(error_of([&] { with_sets(root, {c.argument}); }) == c.message);
  }
}

TEST_CASE("An overridden value reports the override in later errors", "[loader]") {
  const Node root = base();
  CHECK(error_of([&] { web(with_sets(root, {"workloads.web.spec.replicas=abc"})); }) ==
        "--set workloads.web.spec.replicas=abc: workloads.web.spec.replicas: expected an "
        "integer, got 'abc'");
  // Everything under a flow value, keys included.
  CHECK(error_of([&] {
          web(with_sets(root, {"workloads.web.spec.updateStrategy={type: Inplaceifpossible}"}));
        }) ==
        "--set workloads.web.spec.updateStrategy={type: Inplaceifpossible}: "
        "workloads.web.spec.updateStrategy.type: unknown value 'Inplaceifpossible' (did you "
        "mean 'InPlaceIfPossible'?)");
  CHECK(error_of([&] {
          web(with_sets(root, {"workloads.web.spec.updateStrategy={tpye: InPlaceOnly}"}));
        }) ==
        "--set workloads.web.spec.updateStrategy={tpye: InPlaceOnly}: unknown key 'tpye' in "
        "workloads.web.spec.updateStrategy (did you mean 'type'?)");
  // A misspelt new key is reported where it was written.
  CHECK(error_of([&] { web(with_sets(root, {"workloads.web.spec.replics=3"})); }) ==
        "--set workloads.web.spec.replics=3: unknown key 'replics' in workloads.web.spec (did you "
        "mean 'replicas'?)");
  // A rule between two fields points at the override that broke it.
  CHECK(error_of([&] {
          web(with_sets(root, {"workloads.web.spec.updateStrategy.type=InPlaceOnly",
                               "workloads.web.spec.updateStrategy.maxSurge=1"}));
        }) ==
        "--set workloads.web.spec.updateStrategy.maxSurge=1: "
        "workloads.web.spec.updateStrategy.maxSurge: can not use maxSurge with type "
        "InPlaceOnly, got '1'");
  // Untouched values keep their base locations.
  const Node set = with_sets(root, {"seed=1", "rollouts[1].at=30s"});
  CHECK(error_of([&] { set.required("rollouts").items()[0].required<int>("at"); }) ==
        "scenario.yaml:9:9: rollouts[0].at: expected an integer, got '10s'");
  CHECK(set.required("cluster").required("pools").items()[0].required("nodes").location().line ==
        5);
}

TEST_CASE("An override inside an earlier override's value", "[loader]") {
  const Node root = base();
  const char* const strategy = "workloads.web.spec.updateStrategy={type: InPlaceOnly, maxSurge: 1}";
  // The later override fixes what the earlier one set.
  const Node fixed = with_sets(root, {strategy, "workloads.web.spec.updateStrategy.maxSurge=0"});
  CHECK(web(fixed).type == model::CloneSetUpdateType::InPlaceOnly);
  CHECK(web(fixed).maxSurge == model::IntOrPercent::integer(0));
  // What the later one did not touch still points at the earlier one.
  CHECK(error_of([&] {
          web(with_sets(root, {strategy, "workloads.web.spec.updateStrategy.partition=1"}));
        }) == fmt::format("--set {}: workloads.web.spec.updateStrategy.maxSurge: can not use "
                          "maxSurge with type InPlaceOnly, got '1'",
                          strategy));
  CHECK(error_of([&] {
          web(with_sets(root, {strategy, "workloads.web.spec.updateStrategy.partition=-1"}));
        }) ==
        "--set workloads.web.spec.updateStrategy.partition=-1: "
        "workloads.web.spec.updateStrategy.partition: must not be negative, got -1");
}

TEST_CASE("Variant overrides written in a file report the file's lines", "[loader]") {
  const Node variants = parse_yaml(
      "variants:\n"                                                        // 1
      "  in-place:\n"                                                      // 2
      "    set:\n"                                                         // 3
      "      workloads.web.spec.updateStrategy.type: InPlaceIfPossible\n"  // 4
      "      workloads.web.spec.replicas: four\n"                          // 5
      "  bad-path:\n"                                                      // 6
      "    set:\n"                                                         // 7
      "      workloads.webb.spec.replicas: 3\n"                            // 8
      "  as-text:\n"                                                       // 9
      "    - workloads.web.spec.replicas=five\n",                          // 10
      "variants.yaml");
  const auto overrides_of = [&](const char* name) {
    std::vector<Override> out;
    for (const auto& [path, value] :
         variants.required("variants").required(name).required("set").entries()) {
      out.push_back(loader::make_override(path, value));
    }
    return out;
  };
  const Node root = base();
  const auto in_place = overrides_of("in-place");
  const Node variant = apply_overrides(root, std::span(in_place).first(1));
  CHECK(web(variant).type == model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(error_of([&] { web(apply_overrides(root, in_place)); }) ==
        "variants.yaml:5:36: workloads.web.spec.replicas: expected an integer, got 'four'");
  CHECK(error_of([&] { apply_overrides(root, overrides_of("bad-path")); }) ==
        "variants.yaml:8:37: cannot set 'workloads.webb.spec.replicas': no key 'webb' in "
        "workloads (did you mean 'web'?) (scenario.yaml:12:3)");
  const Override text =
      loader::parse_override_text(variants.required("variants").required("as-text").items()[0]);
  CHECK(error_of([&] { web(apply_overrides(root, std::span(&text, 1))); }) ==
        "variants.yaml:10:7: workloads.web.spec.replicas: expected an integer, got 'five'");
  // A variant, then --set on top: each value still knows where it came from.
  const Node both = with_sets(variant, {"workloads.web.spec.updateStrategy.maxSurge=2"});
  CHECK(web(both).type == model::CloneSetUpdateType::InPlaceIfPossible);
  CHECK(web(both).maxSurge == model::IntOrPercent::integer(2));
  CHECK(both.required("workloads")
            .required("web")
            .required("spec")
            .required("updateStrategy")
            .required("type")
            .location()
            .file == "variants.yaml");
}

TEST_CASE("Assigning a Node rebinds it and leaves the tree alone", "[loader]") {
  // yaml-cpp's own assignment would write b's node into a's place in the tree.
  const Node root = parse_yaml("a: 1\nb: 2\n", "x.yaml");
  Node n = root.required("a");
  n = root.required("b");
  CHECK(n.as<int>() == 2);
  CHECK(n.path() == "b");
  std::optional<Node> o = root.required("a");
  o = root.required("b");
  CHECK(root.required<int>("a") == 1);
  CHECK(root.required<int>("b") == 2);
}

TEST_CASE("an override creates the mappings a manifest leaves out", "[loader][overrides]") {
  // The issue's own example: the base CloneSet has no updateStrategy at all.
  const Node base = parse_yaml(
      "workloads:\n  web:\n    kind: CloneSet\n    spec:\n      replicas: 3\n", "base.yaml");
  const Override o = parse_set_argument("workloads.web.spec.updateStrategy.type=InPlaceIfPossible");
  const Node out = apply_overrides(base, std::span(&o, 1));
  const Node spec = out.required<Node>("workloads").required<Node>("web").required<Node>("spec");
  CHECK(spec.required<Node>("updateStrategy").required<std::string>("type") == "InPlaceIfPossible");
  CHECK(spec.required<int>("replicas") == 3);
  // Near an existing key it is still a typo: 'replica' (spec has 'replicas').
  const Override typo = parse_set_argument("workloads.web.spec.replica.x=1");
  CHECK_THROWS_WITH(apply_overrides(base, std::span(&typo, 1)),
                    Catch::Contains("did you mean 'replicas'"));
}
