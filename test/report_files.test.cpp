// The --out files: CSV quoting and columns, trace events, and the all-or-nothing directory write.
#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "podsim/report/csv_tables.hpp"
#include "podsim/report/csv_writer.hpp"
#include "podsim/report/output_dir.hpp"
#include "podsim/report/summary.hpp"
#include "podsim/report/trace.hpp"

namespace fs = std::filesystem;
using podsim::experiment::ExperimentResult;
using podsim::experiment::PodSpanRecord;
using podsim::experiment::ReplicationResult;
using podsim::experiment::RolloutOutcome;
using podsim::experiment::RolloutRecord;
using podsim::model::Stage;

namespace {

// One variant (its name needs quoting) x two replications, of which only the first has spans.
ExperimentResult small_result() {
  ExperimentResult e;
  e.scenario = "small";
  e.file = "small.yaml";
  e.seed = 5;
  e.replications = 2;
  e.variants.push_back({"v,1", "", {}});
  for (std::uint32_t i = 0; i < 2; ++i) {
    ReplicationResult r;
    r.index = i;
    r.seed = 99 + i;
    RolloutRecord release;
    release.name = "release";
    release.workload = "web";
    release.kind = "CloneSet";
    release.strategy = "InPlaceIfPossible";
    release.changes = {"spec.containers[web].image", "spec.replicas"};
    release.outcome = RolloutOutcome::stalled;
    release.stall_reason = "image \"x\" missing";
    release.start_s = 1.5;
    release.end_s = 2.000000001;
    release.metrics = {{"rollout_duration_s", 0.5}, {"unavailable_pod_seconds", 3}};
    RolloutRecord scale;
    scale.name = "scale";
    scale.workload = "web";
    scale.kind = "CloneSet";
    scale.strategy = "InPlaceIfPossible";
    scale.changes = {"spec.replicas"};
    scale.start_s = 3;
    scale.end_s = 4;
    scale.metrics = {{"extra", 1}};
    r.rollouts = {release, scale};
    r.metrics = {{"rollout_duration_s", 2.5 + i}};
    r.stage_seconds[static_cast<std::size_t>(Stage::scheduling)] = 0.25;
    r.stage_seconds[static_cast<std::size_t>(Stage::image_pull)] = 9.75;
    if (i == 0) {
      r.spans = std::vector<PodSpanRecord>{
          {"web-0", "web", "node-1", "", Stage::scheduling, 0, 0.25},
          {"web-0", "web", "node-1", "app", Stage::image_pull, 0.25, 10.000000001},
          {"web-1", "web", "node-2", "", Stage::scheduling, 0.5, 0.5},
      };
    }
    e.variants[0].replications.push_back(r);
  }
  return e;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

// A fresh directory for one test, removed at the end.
struct Scratch {
  fs::path dir;
  Scratch() {
    static int counter = 0;
    dir =
        fs::temp_directory_path() / fmt::format("podsim-report-test-{}-{}", ::getpid(), ++counter);
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE("report: RFC 4180 quoting", "[report]") {
  using podsim::report::csv_field;
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\r") == "\"cr\r\"");
  CHECK(csv_field(" spaces kept ") == " spaces kept ");
}

TEST_CASE("report: rollouts.csv, pods.csv and stages.csv", "[report]") {
  const ExperimentResult e = small_result();
  std::ostringstream rollouts;
  podsim::report::write_rollouts_csv(rollouts, e);
  // Metric columns are the union over rows, sorted; a row without a metric leaves it empty.
  CHECK(rollouts.str() ==
        "variant,replication,seed,rollout,workload,kind,strategy,outcome,stall_reason,start_s,"
        "end_s,extra,rollout_duration_s,unavailable_pod_seconds,changes\n"
        "\"v,1\",0,99,release,web,CloneSet,InPlaceIfPossible,stalled,\"image \"\"x\"\" missing\","
        "1.500000000,2.000000001,,0.500000000,3,spec.containers[web].image;spec.replicas\n"
        "\"v,1\",0,99,scale,web,CloneSet,InPlaceIfPossible,finished,,3.000000000,4.000000000,1,,,"
        "spec.replicas\n"
        "\"v,1\",1,100,release,web,CloneSet,InPlaceIfPossible,stalled,\"image \"\"x\"\" missing\","
        "1.500000000,2.000000001,,0.500000000,3,spec.containers[web].image;spec.replicas\n"
        "\"v,1\",1,100,scale,web,CloneSet,InPlaceIfPossible,finished,,3.000000000,4.000000000,1,,,"
        "spec.replicas\n");

  // Only the replication with spans; duration is end - start to the nanosecond.
  std::ostringstream pods;
  podsim::report::write_pods_csv(pods, e);
  CHECK(pods.str() ==
        "variant,replication,pod,workload,node,container,stage,start_s,end_s,duration_s\n"
        "\"v,1\",0,web-0,web,node-1,,scheduling,0.000000000,0.250000000,0.250000000\n"
        "\"v,1\",0,web-0,web,node-1,app,image_pull,0.250000000,10.000000001,9.750000001\n"
        "\"v,1\",0,web-1,web,node-2,,scheduling,0.500000000,0.500000000,0.000000000\n");

  // 0.25 and 9.75 s in each of two replications: shares 0.5 / 20 and 19.5 / 20. On the critical
  // paths, 1 s of scheduling and 3 s of pulls in the first replication only: 1/4 and 3/4. No
  // in-place update: its column is empty.
  ExperimentResult with_paths = e;
  auto& path = with_paths.variants[0].replications[0].critical_path_seconds;
  path[static_cast<std::size_t>(podsim::model::Stage::scheduling)] = 1;
  path[static_cast<std::size_t>(podsim::model::Stage::image_pull)] = 3;
  std::ostringstream stages;
  podsim::report::write_stages_csv(stages, podsim::report::summarize(with_paths));
  CHECK(stages.str() ==
        "variant,stage,seconds,share,critical_path_share,in_place_critical_path_share\n"
        "\"v,1\",scheduling,0.250000000,0.025,0.25,\n"
        "\"v,1\",image_pull,9.750000000,0.975,0.75,\n");
  // In-place update paths with 1 s of pulls in each replication: all of them, 1.
  for (auto& r : with_paths.variants[0].replications) {
    r.in_place_critical_path_seconds[static_cast<std::size_t>(podsim::model::Stage::image_pull)] =
        1;
  }
  std::ostringstream both;
  podsim::report::write_stages_csv(both, podsim::report::summarize(with_paths));
  CHECK(both.str() ==
        "variant,stage,seconds,share,critical_path_share,in_place_critical_path_share\n"
        "\"v,1\",scheduling,0.250000000,0.025,0.25,0\n"
        "\"v,1\",image_pull,9.750000000,0.975,0.75,1\n");

  ExperimentResult bad = small_result();
  (*bad.variants[0].replications[0].spans)[1].end_s = 0.1;  // ends before it starts
  std::ostringstream sink;
  CHECK_THROWS_AS(podsim::report::write_pods_csv(sink, bad), std::invalid_argument);
}

TEST_CASE("report: trace.json events", "[report]") {
  ExperimentResult e = small_result();
  e.variants.push_back(e.variants[0]);
  e.variants[1].name = "second";
  std::ostringstream out;
  podsim::report::write_trace_json(out, e);
  const std::string text = out.str();

  // Exact lines for the first process: metadata, then the spans in microseconds.
  CHECK_THAT(
      text,
      Catch::StartsWith(
          "{\"traceEvents\":[\n"
          R"({"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"v,1 / replication 0"}},)"
          "\n"
          R"({"name":"process_sort_index","ph":"M","pid":1,"tid":0,"args":{"sort_index":1}},)"
          "\n"
          R"({"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"web-0"}},)"
          "\n"
          R"({"name":"thread_sort_index","ph":"M","pid":1,"tid":1,"args":{"sort_index":1}},)"
          "\n"
          R"({"name":"thread_name","ph":"M","pid":1,"tid":2,"args":{"name":"web-1"}},)"
          "\n"
          R"({"name":"thread_sort_index","ph":"M","pid":1,"tid":2,"args":{"sort_index":2}},)"
          "\n"
          R"({"name":"scheduling","cat":"web","ph":"X","ts":0,"dur":250000,"pid":1,"tid":1,"args":{"node":"node-1","container":""}},)"
          "\n"
          R"({"name":"image_pull","cat":"web","ph":"X","ts":250000,"dur":9750000.001,"pid":1,"tid":1,"args":{"node":"node-1","container":"app"}},)"
          "\n"
          R"({"name":"scheduling","cat":"web","ph":"X","ts":500000,"dur":0,"pid":1,"tid":2,"args":{"node":"node-2","container":""}},)"
          "\n"));

  // It is JSON (yaml-cpp reads JSON), with one pid per variant and replication that has spans.
  const YAML::Node doc = YAML::Load(text);
  const YAML::Node events = doc["traceEvents"];
  REQUIRE(events.IsSequence());
  CHECK(events.size() == 2 * (6 + 3));
  std::set<int> pids;
  int complete = 0;
  for (const auto& ev : events) {
    pids.insert(ev["pid"].as<int>());
    if (ev["ph"].as<std::string>() == "X") {
      ++complete;
      CHECK(ev["args"]["node"].IsDefined());
      CHECK(ev["args"]["container"].IsDefined());
      CHECK(ev["cat"].as<std::string>() == "web");
    }
  }
  CHECK(complete == 6);
  CHECK(pids == std::set<int>{1, 2});
  CHECK(events[9]["args"]["name"].as<std::string>() == "second / replication 0");
  CHECK(doc["displayTimeUnit"].as<std::string>() == "ms");
  CHECK(doc["otherData"]["scenario"].as<std::string>() == "small");
}

TEST_CASE("report: --out writes every file, byte-identical on two calls", "[report]") {
  Scratch scratch;
  const ExperimentResult e = small_result();
  const auto summary = podsim::report::summarize(e);
  const auto files = podsim::report::write_outputs(e, summary, scratch.dir / "a" / "b");
  REQUIRE(files.size() == 5);
  podsim::report::write_outputs(e, summary, scratch.dir / "c/");   // a trailing slash is fine
  CHECK(listing(scratch.dir) == std::set<std::string>{"a", "c"});  // no staging left behind
  CHECK(listing(scratch.dir / "a" / "b") == std::set<std::string>{"summary.json", "rollouts.csv",
                                                                  "pods.csv", "stages.csv",
                                                                  "trace.json"});
  for (const auto& name : podsim::report::kOutputFiles) {
    INFO(name);
    const std::string first = read(scratch.dir / "a" / "b" / name);
    CHECK(!first.empty());
    CHECK(first == read(scratch.dir / "c" / name));
    CHECK(first.back() == '\n');
  }
  CHECK(YAML::Load(read(scratch.dir / "c" / "summary.json"))["scenario"].as<std::string>() ==
        "small");
}

TEST_CASE("report: --out into an existing directory replaces only podsim's files", "[report]") {
  Scratch scratch;
  const fs::path out = scratch.dir / "out";
  fs::create_directory(out);
  write(out / "notes.txt", "mine");
  write(out / "summary.json", "old");
  const ExperimentResult e = small_result();
  const auto summary = podsim::report::summarize(e);

  // A failure half-way (after pods.csv) leaves the old files as they were.
  podsim::report::OutputOptions failing;
  failing.after_file = [](std::string_view file) {
    if (file == "pods.csv") throw std::runtime_error("injected");
  };
  CHECK_THROWS_WITH(podsim::report::write_outputs(e, summary, out, failing), "injected");
  CHECK(listing(scratch.dir) == std::set<std::string>{"out"});
  CHECK(listing(out) == std::set<std::string>{"notes.txt", "summary.json"});
  CHECK(read(out / "summary.json") == "old");

  std::vector<std::string> seen;
  podsim::report::OutputOptions counting;
  counting.after_file = [&](std::string_view file) { seen.emplace_back(file); };
  podsim::report::write_outputs(e, summary, out, counting);
  CHECK(seen.size() == 5);
  CHECK(listing(scratch.dir) == std::set<std::string>{"out"});
  CHECK(read(out / "notes.txt") == "mine");
  CHECK(read(out / "summary.json") != "old");
  CHECK(listing(out).size() == 6);
}

TEST_CASE("report: a failed --out leaves nothing behind", "[report]") {
  Scratch scratch;
  const ExperimentResult e = small_result();
  const auto summary = podsim::report::summarize(e);
  write(scratch.dir / "file", "x");

  // Under a regular file: nothing can be created.
  CHECK_THROWS_AS(podsim::report::write_outputs(e, summary, scratch.dir / "file" / "out"),
                  podsim::report::OutputError);
  // DIR itself is a regular file.
  CHECK_THROWS_WITH(podsim::report::write_outputs(e, summary, scratch.dir / "file"),
                    Catch::Contains("not a directory"));
  CHECK(read(scratch.dir / "file") == "x");

  // Bad input found half-way (a span ending before it starts): the new parents go too.
  ExperimentResult bad = small_result();
  (*bad.variants[0].replications[0].spans)[1].end_s = 0.1;
  CHECK_THROWS_AS(podsim::report::write_outputs(bad, summary, scratch.dir / "new" / "out"),
                  std::invalid_argument);

  // A failure after some files were written into a new directory.
  podsim::report::OutputOptions failing;
  failing.after_file = [](std::string_view file) {
    if (file == "stages.csv") throw std::runtime_error("injected");
  };
  CHECK_THROWS(podsim::report::write_outputs(e, summary, scratch.dir / "out", failing));

  CHECK(listing(scratch.dir) == std::set<std::string>{"file"});
}
