#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "podsim/loader/suggest.hpp"
#include "podsim/loader/yaml_reader.hpp"

using podsim::loader::did_you_mean;
using podsim::loader::edit_distance;
using podsim::loader::LoadError;
using podsim::loader::Node;
using podsim::loader::parse_yaml;
using podsim::loader::parse_yaml_documents;
namespace sim = podsim::sim;

TEST_CASE("Edit distance counts adjacent transpositions as one edit", "[loader]") {
  CHECK(edit_distance("maxUnavailble", "maxUnavailable") == 1);
  CHECK(edit_distance("ab", "ba") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("same", "same") == 0);
}

TEST_CASE("Did-you-mean picks case, then distance, then prefix", "[loader]") {
  const std::vector<std::string_view> keys{"maxSurge", "maxUnavailable", "partition"};
  CHECK(did_you_mean("maxUnavailble", keys) == "maxUnavailable");
  CHECK(did_you_mean("MaxSurge", keys) == "maxSurge");
  CHECK(did_you_mean("maxUnavail", keys) == "maxUnavailable");  // distance 4, but a prefix
  CHECK(did_you_mean("partitions", keys) == "partition");
  CHECK_FALSE(did_you_mean("replicas", keys).has_value());
  const std::vector<std::string_view> short_keys{"ab"};
  CHECK_FALSE(did_you_mean("xy", short_keys).has_value());  // 2 edits replace the whole word
}

TEST_CASE("Nodes carry their YAML path and typed values", "[loader]") {
  const Node root = parse_yaml(
      "workloads:\n"
      "  web:\n"
      "    spec:\n"
      "      replicas: 3\n"
      "      paused: false\n"
      "      ratio: 0.25\n"
      "      grace: 30s\n"
      "      name: web-1\n"
      "      cpu: 500m\n"
      "      memory: 1.5Gi\n"
      "      image: 300MiB\n"
      "      nic: 10Gbps\n"
      "      type: RollingUpdate\n"
      "      ports: [80, 443]\n",
      "scenario.yaml");
  root.check_keys({"workloads"});
  const Node spec = root.required("workloads").required("web").required("spec");
  CHECK(spec.path() == "workloads.web.spec");
  CHECK(spec.location().line == 4);
  CHECK(spec.location().column == 7);
  CHECK(spec.required<int>("replicas") == 3);
  CHECK(spec.required("replicas").path() == "workloads.web.spec.replicas");
  CHECK_FALSE(spec.required<bool>("paused"));
  CHECK(spec.required<double>("ratio") == 0.25);
  CHECK(spec.required<sim::Duration>("grace") == sim::seconds(30));
  CHECK(spec.required<std::string>("name") == "web-1");
  CHECK(spec.required("cpu").as_cpu_millis() == 500);
  CHECK(spec.required("memory").as_memory_bytes() == 1610612736);
  CHECK(spec.required("image").as_byte_size() == 314572800);
  CHECK(spec.required("nic").as_bandwidth() == 1.25e9);
  CHECK(spec.required("type").as_choice({"Recreate", "RollingUpdate"}) == "RollingUpdate");
  CHECK(spec.required("ports").as_vector<int>() == std::vector<int>{80, 443});
  CHECK(spec.required("ports").items()[1].path() == "workloads.web.spec.ports[1]");
  CHECK(spec.optional<int>("minReadySeconds", 7) == 7);
  CHECK(spec.optional<int>("replicas", 7) == 3);
  CHECK_FALSE(spec.get<int>("minReadySeconds").has_value());
  CHECK(spec.get<int>("replicas") == 3);
  CHECK(spec.has("paused"));
  CHECK_FALSE(spec.has("nope"));
  const auto entries = spec.entries();
  REQUIRE(entries.size() == 11);
  CHECK(entries[0].first == "replicas");
  CHECK(entries[10].first == "ports");
  CHECK(spec.required("cpu").as_quantity().text() == "500m");
}

TEST_CASE("Multi-document streams give one node per document", "[loader]") {
  const auto docs = parse_yaml_documents("kind: Deployment\n---\nkind: CloneSet\n", "apps.yaml");
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].required<std::string>("kind") == "Deployment");
  CHECK(docs[1].required<std::string>("kind") == "CloneSet");
  CHECK(docs[1].required("kind").location().line == 3);
  CHECK(docs[1].file() == "apps.yaml");
}

TEST_CASE("A file that cannot be read is a LoadError naming it", "[loader]") {
  CHECK_THROWS_WITH(podsim::loader::load_yaml_file("no/such/scenario.yaml"),
                    "no/such/scenario.yaml: cannot read file: No such file or directory");
}

TEST_CASE("Bad YAML input gives located messages", "[loader]") {
  struct Case {
    const char* yaml;
    std::function<void(const Node&)> read;
    const char* message;
  };
  const std::vector<Case> cases{
      {"updateStrategy:\n  rollingUpdate:\n    maxUnavailble: 1\n",
       [](const Node& n) {
         n.required("updateStrategy")
             .required("rollingUpdate")
             .check_keys({"maxSurge", "maxUnavailable", "partition"});
       },
       "scenario.yaml:3:5: unknown key 'maxUnavailble' in updateStrategy.rollingUpdate (did you "
       "mean 'maxUnavailable'?)"},
      {"spec:\n  zzz: 1\n",
       [](const Node& n) {
         n.required("spec").check_keys({"replicas", "template"});
       },
       "scenario.yaml:2:3: unknown key 'zzz' in spec (allowed: replicas, template)"},
      {"seeed: 1\n",
       [](const Node& n) {
         n.check_keys({"seed", "workloads"});
       },
       "scenario.yaml:1:1: unknown key 'seeed' at the top level (did you mean 'seed'?)"},
      {"seed: 1\nworkloads: {}\nseed: 2\n",
       [](const Node& n) {
         n.check_keys({"seed", "workloads"});
       },
       "scenario.yaml:3:1: duplicate key 'seed' at the top level (first at line 1)"},
      {"spec:\n  template: {}\n",
       [](const Node& n) { n.required("spec").required<int>("replicas"); },
       "scenario.yaml:2:3: missing required key 'replicas' in spec"},
      {"workloads:\n  web:\n    spec:\n      replicas: three\n",
       [](const Node& n) {
         n.required("workloads").required("web").required("spec").required<int>("replicas");
       },
       "scenario.yaml:4:17: workloads.web.spec.replicas: expected an integer, got 'three'"},
      {"replicas: \"3\"\n", [](const Node& n) { n.required<int>("replicas"); },
       "scenario.yaml:1:11: replicas: expected an integer, got the string '3'"},
      {"replicas: -1\n", [](const Node& n) { n.required("replicas").as_int(0, 1000000); },
       "scenario.yaml:1:11: replicas: must be between 0 and 1000000, got -1"},
      {"replicas: -1\n",
       [](const Node& n) {
         n.required("replicas").as_int(0, std::numeric_limits<std::int64_t>::max());
       },
       "scenario.yaml:1:11: replicas: must be >= 0, got -1"},
      {"n: 99999999999\n", [](const Node& n) { n.required<int>("n"); },
       "scenario.yaml:1:4: n: must be between -2147483648 and 2147483647, got 99999999999"},
      {"ratio: 1.5x\n", [](const Node& n) { n.required<double>("ratio"); },
       "scenario.yaml:1:8: ratio: expected a number, got '1.5x'"},
      {"share: 1.5\n", [](const Node& n) { n.required("share").as_number(0, 1); },
       "scenario.yaml:1:8: share: must be between 0 and 1, got 1.5"},
      {"paused: yes\n", [](const Node& n) { n.required<bool>("paused"); },
       "scenario.yaml:1:9: paused: expected true or false, got 'yes'"},
      {"grace: 30\n", [](const Node& n) { n.required<sim::Duration>("grace"); },
       "scenario.yaml:1:8: grace: invalid duration '30': missing unit; write '30s' for seconds or "
       "'30ms' for milliseconds"},
      {"containers:\n  - name: app\n    cpu: 12Qi\n",
       [](const Node& n) {
         for (const auto& c : n.required("containers").items()) c.required("cpu").as_cpu_millis();
       },
       "scenario.yaml:3:10: containers[0].cpu: invalid quantity '12Qi': unknown suffix 'Qi' (use "
       "n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)"},
      {"memory: -1Gi\n", [](const Node& n) { n.required("memory").as_memory_bytes(); },
       "scenario.yaml:1:9: memory: invalid quantity '-1Gi': must not be negative"},
      {"registry:\n  bandwidth: 10GBps\n",
       [](const Node& n) { n.required("registry").required("bandwidth").as_bandwidth(); },
       "scenario.yaml:2:14: registry.bandwidth: invalid bandwidth '10GBps': ambiguous unit "
       "'GBps'; write 'GB/s' for bytes or 'Gbps' for bits per second"},
      {"size: 5m\n", [](const Node& n) { n.required("size").as_byte_size(); },
       "scenario.yaml:1:7: size: invalid byte size '5m': 'm' means 1/1000 of a byte in "
       "Kubernetes notation; for mega write M, MB or Mi"},
      {"seed:\nworkloads: {}\n", [](const Node& n) { n.required<std::int64_t>("seed"); },
       "scenario.yaml:1:1: seed: expected an integer, got an empty value"},
      {"spec: 3\n", [](const Node& n) { n.required("spec").required("replicas"); },
       "scenario.yaml:1:7: spec: expected a mapping, got '3'"},
      {"type: Recreat\n",
       [](const Node& n) {
         n.required("type").as_choice({"Recreate", "RollingUpdate"});
       },
       "scenario.yaml:1:7: type: unknown value 'Recreat' (did you mean 'Recreate'?)"},
      {"type: Blue\n",
       [](const Node& n) {
         n.required("type").as_choice({"Recreate", "RollingUpdate"});
       },
       "scenario.yaml:1:7: type: unknown value 'Blue' (allowed: Recreate, RollingUpdate)"},
      {"items: {a: 1}\n", [](const Node& n) { n.required("items").items(); },
       "scenario.yaml:1:8: items: expected a sequence, got a mapping"},
      {"name: [a]\n", [](const Node& n) { n.required<std::string>("name"); },
       "scenario.yaml:1:7: name: expected a string, got a sequence"},
      {"- 1\n", [](const Node& n) { n.required("x"); },
       "scenario.yaml:1:1: expected a mapping, got a sequence"},
      {"a: [1, 2\nb: 3", [](const Node&) {},
       "scenario.yaml:2:2: invalid YAML: end of sequence flow not found"},
      {"a: 1\n  b: 2\n", [](const Node&) {}, "scenario.yaml:2:4: invalid YAML: illegal map value"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    try {
      c.read(parse_yaml(c.yaml, "scenario.yaml"));
      FAIL("no error");
    } catch (const LoadError& e) {
      CHECK(std::string(e.what()) == c.message);
    }
  }
}

TEST_CASE("Files are read with their path as the file name in messages", "[loader]") {
  const auto dir = std::filesystem::temp_directory_path() / "podsim_loader_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "scenario.yaml";
  {
    std::ofstream out(path);
    out << "seed: 42\nreplications: ten\n";
  }
  const Node root = podsim::loader::load_yaml_file(path);
  CHECK(root.required<std::int64_t>("seed") == 42);
  CHECK_THROWS_WITH(root.required<int>("replications"),
                    path.string() + ":2:15: replications: expected an integer, got 'ten'");
  const auto docs = podsim::loader::load_yaml_documents(path);
  CHECK(docs.size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("An empty value is not an absent key", "[loader]") {
  const Node root = parse_yaml("paused:\n", "scenario.yaml");
  CHECK(root.has("paused"));
  CHECK(root.required("paused").is_null());
  CHECK_THROWS_WITH(root.optional<bool>("paused", false),
                    "scenario.yaml:1:1: paused: expected true or false, got an empty value");
  CHECK(parse_yaml("", "empty.yaml").is_null());
}
