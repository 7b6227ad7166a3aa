// The summary (means, Student-t intervals, type-7 percentiles, stage shares, paired relative
// changes), summary.json and the terminal report, on results built by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "podsim/report/summary.hpp"
#include "podsim/report/summary_json.hpp"
#include "podsim/report/terminal.hpp"
#include "podsim/version.hpp"

using podsim::experiment::ExperimentResult;
using podsim::experiment::ReplicationResult;
using podsim::experiment::VariantResult;
using podsim::model::Stage;
using podsim::report::Summary;

namespace {

constexpr double kT2 = 4.302652729749464;  // t_{0.975, 2}: three replications

void set_stage(ReplicationResult& r, Stage s, double seconds) {
  r.stage_seconds[static_cast<std::size_t>(s)] = seconds;
}

// Two variants x three replications:
//   recreate: rollout_duration_s 100, 110, 120; bytes_pulled 3e9 each; ip_changes 10 each;
//             stages scheduling 1, 2, 3; image_pull 10 each; readiness 5, 4, 3
//   in-place: rollout_duration_s 40, 47, 45; bytes_pulled 1e9, 1.2e9, 1.1e9; ip_changes 0;
//             stages image_pull 2, readiness 2, in_place_grace 1 each; replication 2 stalled
ExperimentResult two_by_three() {
  ExperimentResult e;
  e.scenario = "quick";
  e.file = "scenarios/quick.yaml";
  e.seed = 42;
  e.replications = 3;
  VariantResult recreate{"recreate", "delete and create", {}};
  VariantResult in_place{"in-place", "", {}};
  const double durations[2][3] = {{100, 110, 120}, {40, 47, 45}};
  const double bytes[2][3] = {{3e9, 3e9, 3e9}, {1e9, 1.2e9, 1.1e9}};
  for (std::uint32_t i = 0; i < 3; ++i) {
    ReplicationResult r;
    r.index = i;
    r.seed = 1000 + i;
    r.metrics = {
        {"rollout_duration_s", durations[0][i]}, {"bytes_pulled", bytes[0][i]}, {"ip_changes", 10}};
    set_stage(r, Stage::scheduling, 1.0 + i);
    set_stage(r, Stage::image_pull, 10);
    set_stage(r, Stage::readiness, 5.0 - i);
    recreate.replications.push_back(r);

    ReplicationResult p;
    p.index = i;
    p.seed = 1000 + i;
    p.metrics = {
        {"rollout_duration_s", durations[1][i]}, {"bytes_pulled", bytes[1][i]}, {"ip_changes", 0}};
    set_stage(p, Stage::image_pull, 2);
    set_stage(p, Stage::readiness, 2);
    set_stage(p, Stage::in_place_grace, 1);
    p.stalled = i == 2;
    in_place.replications.push_back(p);
  }
  e.variants = {recreate, in_place};
  return e;
}

}  // namespace

TEST_CASE("report: per-variant metrics, by hand", "[report]") {
  const Summary s = podsim::report::summarize(two_by_three());
  REQUIRE(s.variants.size() == 2);
  const auto& recreate = s.variants[0];
  const auto& in_place = s.variants[1];
  CHECK(recreate.name == "recreate");
  CHECK(in_place.name == "in-place");
  CHECK(recreate.replications == 3);

  // recreate durations {100, 110, 120}: mean 110, sd 10, CI 110 +- t * 10 / sqrt(3);
  // type 7: h = 2q; p50 = 110, p90: h = 1.8 -> 110 + 0.8 * 10 = 118, p99: h = 1.98 -> 119.8.
  const auto* d = recreate.metric("rollout_duration_s");
  REQUIRE(d != nullptr);
  CHECK(d->n == 3);
  CHECK(d->mean == Approx(110));
  CHECK(d->ci_lower == Approx(110 - kT2 * 10 / std::sqrt(3.0)));
  CHECK(d->ci_upper == Approx(110 + kT2 * 10 / std::sqrt(3.0)));
  CHECK(d->p50 == Approx(110));
  CHECK(d->p90 == Approx(118));
  CHECK(d->p99 == Approx(119.8));
  CHECK(d->stddev == Approx(10));
  CHECK(d->min == 100);
  CHECK(d->max == 120);

  // in-place {40, 47, 45}: mean 44, deviations -4, 3, 1 -> variance 26 / 2 = 13;
  // sorted {40, 45, 47}: p50 45, p90 45 + 0.8 * 2 = 46.6, p99 45 + 0.98 * 2 = 46.96.
  const auto* e = in_place.metric("rollout_duration_s");
  REQUIRE(e != nullptr);
  CHECK(e->mean == Approx(44));
  CHECK(e->half_width() == Approx(kT2 * std::sqrt(13.0 / 3)));
  CHECK(e->p50 == Approx(45));
  CHECK(e->p90 == Approx(46.6));
  CHECK(e->p99 == Approx(46.96));

  // Constant values: the interval has width 0, not NaN.
  const auto* b = recreate.metric("bytes_pulled");
  REQUIRE(b != nullptr);
  CHECK(b->ci_lower == 3e9);
  CHECK(b->ci_upper == 3e9);

  // Metrics sorted by name (std::map), the same set in both variants.
  std::vector<std::string> names;
  for (const auto& [name, m] : recreate.metrics) names.push_back(name);
  CHECK(names == std::vector<std::string>{"bytes_pulled", "ip_changes", "rollout_duration_s"});

  CHECK(recreate.stalled == 0);
  CHECK(in_place.stalled == 1);
}

TEST_CASE("report: stage shares list every stage any variant used", "[report]") {
  const Summary s = podsim::report::summarize(two_by_three());
  // The union in enum order: scheduling, image_pull, readiness, in_place_grace.
  CHECK(s.stages == std::vector<Stage>{Stage::scheduling, Stage::image_pull, Stage::readiness,
                                       Stage::in_place_grace});
  // recreate: 6 + 30 + 12 = 48 s over three replications -> shares 6/48, 30/48, 12/48, 0;
  // means per replication 2, 10, 4, 0.
  const auto& r = s.variants[0].stages;
  REQUIRE(r.size() == 4);
  CHECK(r[0].share == Approx(0.125));
  CHECK(r[1].share == Approx(0.625));
  CHECK(r[2].share == Approx(0.25));
  CHECK(r[3].share == 0);
  CHECK(r[0].mean_seconds == Approx(2));
  CHECK(r[1].mean_seconds == Approx(10));
  CHECK(r[2].mean_seconds == Approx(4));
  // in-place: 0 + 6 + 6 + 3 = 15 s -> 0, 0.4, 0.4, 0.2.
  const auto& p = s.variants[1].stages;
  CHECK(p[0].share == 0);
  CHECK(p[1].share == Approx(0.4));
  CHECK(p[2].share == Approx(0.4));
  CHECK(p[3].share == Approx(0.2));
  CHECK(p[3].mean_seconds == Approx(1));
}

TEST_CASE("report: paired relative changes, by hand", "[report]") {
  const Summary s = podsim::report::summarize(two_by_three());
  // No ComparisonSpec: every other variant against the first, metrics by name.
  REQUIRE(s.comparisons.size() == 3);
  CHECK(s.comparisons[0].metric == "bytes_pulled");
  CHECK(s.comparisons[1].metric == "ip_changes");
  const auto& c = s.comparisons[2];
  CHECK(c.baseline == "recreate");
  CHECK(c.candidate == "in-place");
  CHECK(c.metric == "rollout_duration_s");
  CHECK(c.n == 3);
  // R = 44 / 110 = 0.4, change -0.6. Residuals z = c - R b = 40 - 40, 47 - 44, 45 - 48 =
  // 0, 3, -3: sd 3, se(R) = 3 / (sqrt(3) * 110), half-width t * sqrt(3) / 110.
  CHECK(c.relative_change == Approx(-0.6));
  CHECK(c.ci_lower == Approx(-0.6 - kT2 * std::sqrt(3.0) / 110));
  CHECK(c.ci_upper == Approx(-0.6 + kT2 * std::sqrt(3.0) / 110));
  // Differences -60, -63, -75: mean -66, deviations 6, 3, -9 -> variance 126 / 2 = 63.
  CHECK(c.difference == Approx(-66));
  CHECK(c.difference_ci_upper - c.difference == Approx(kT2 * std::sqrt(63.0 / 3)));
  CHECK(c.baseline_mean == Approx(110));
  CHECK(c.candidate_mean == Approx(44));

  // bytes: R = 1.1e9 / 3e9; residuals c - 1.1e9 = -1e8, 1e8, 0: sd 1e8,
  // half-width t * 1e8 / (sqrt(3) * 3e9).
  const auto& bytes = s.comparisons[0];
  CHECK(bytes.relative_change == Approx(1.1 / 3 - 1));
  CHECK(bytes.ci_upper - bytes.relative_change == Approx(kT2 * 1e8 / (std::sqrt(3.0) * 3e9)));

  // ip_changes 10 -> 0: exactly -100%, zero-width interval.
  CHECK(s.comparisons[1].relative_change == -1);
  CHECK(s.comparisons[1].ci_lower == -1);
  CHECK(s.comparisons[1].ci_upper == -1);
}

TEST_CASE("report: explicit comparisons, missing values and bad input", "[report]") {
  ExperimentResult e = two_by_three();
  e.comparisons = {{"in-place", "recreate"}};
  Summary s = podsim::report::summarize(e);
  REQUIRE(s.comparisons.size() == 3);
  CHECK(s.comparisons[2].baseline == "in-place");
  CHECK(s.comparisons[2].relative_change == Approx(110.0 / 44 - 1));
  // Against a zero baseline (ip_changes 0) the relative change is undefined.
  CHECK(std::isnan(s.comparisons[1].relative_change));

  // A NaN value is "undefined in that replication": left out of n, the mean and the pairs.
  e = two_by_three();
  e.variants[1].replications[1].metrics["rollout_duration_s"] = std::nan("");
  s = podsim::report::summarize(e);
  const auto* m = s.variants[1].metric("rollout_duration_s");
  CHECK(m->n == 2);
  CHECK(m->mean == Approx(42.5));                                     // (40 + 45) / 2
  CHECK(s.comparisons[2].n == 2);                                     // pairs 0 and 2
  CHECK(s.comparisons[2].relative_change == Approx(42.5 / 110 - 1));  // (100 + 120) / 2 = 110

  // One replication: the mean is there, the interval is not.
  e = two_by_three();
  for (auto& v : e.variants) v.replications.resize(1);
  s = podsim::report::summarize(e);
  CHECK(s.variants[0].metric("rollout_duration_s")->mean == 100);
  CHECK(std::isnan(s.variants[0].metric("rollout_duration_s")->ci_lower));
  CHECK(s.comparisons[2].relative_change == Approx(-0.6));
  CHECK(std::isnan(s.comparisons[2].ci_lower));

  e = two_by_three();
  e.comparisons = {{"recreate", "no-such"}};
  CHECK_THROWS_WITH(podsim::report::summarize(e), Catch::Contains("'no-such'"));
  e = two_by_three();
  e.variants[1].name = "recreate";
  CHECK_THROWS_WITH(podsim::report::summarize(e), Catch::Contains("two variants"));
  e = two_by_three();
  e.variants[0].replications[2].index = 0;
  CHECK_THROWS_WITH(podsim::report::summarize(e), Catch::Contains("replication 0 twice"));
}

TEST_CASE("report: summary.json, exact text of a tiny case", "[report]") {
  // a: x = 8, 8; b: x = 2, 2 (change 2/8 - 1 = -0.75, residuals 0: zero-width intervals).
  // Stages: a scheduling 1 s each; b scheduling 1 s and image_pull 3 s each -> 0.25, 0.75.
  ExperimentResult e;
  e.scenario = "tiny";
  e.file = "tiny.yaml";
  e.seed = 7;
  e.replications = 2;
  e.variants = {{"a", "", {}}, {"b", "in \"place\"", {}}};
  for (std::uint32_t i = 0; i < 2; ++i) {
    ReplicationResult r;
    r.index = i;
    r.metrics = {{"x", 8}};
    set_stage(r, Stage::scheduling, 1);
    e.variants[0].replications.push_back(r);
    r.metrics = {{"x", 2}};
    set_stage(r, Stage::image_pull, 3);
    r.stalled = i == 1;
    e.variants[1].replications.push_back(r);
  }
  std::string expected = R"({
  "scenario": "tiny",
  "file": "tiny.yaml",
  "podsim_version": "@VERSION@",
  "seed": 7,
  "replications": 2,
  "variants": {
    "a": {
      "description": "",
      "replications": 2,
      "metrics": {
        "x": {
          "mean": 8,
          "ci95": [
            8,
            8
          ],
          "p50": 8,
          "p90": 8,
          "p99": 8,
          "n": 2,
          "stddev": 0,
          "min": 8,
          "max": 8
        }
      },
      "stage_share": {
        "scheduling": 1,
        "image_pull": 0
      },
      "critical_path_share": {
        "scheduling": null,
        "image_pull": null
      },
      "in_place_critical_path_share": {
        "scheduling": null,
        "image_pull": null
      },
      "stage_seconds": {
        "scheduling": 1,
        "image_pull": 0
      },
      "stalled": 0
    },
    "b": {
      "description": "in \"place\"",
      "replications": 2,
      "metrics": {
        "x": {
          "mean": 2,
          "ci95": [
            2,
            2
          ],
          "p50": 2,
          "p90": 2,
          "p99": 2,
          "n": 2,
          "stddev": 0,
          "min": 2,
          "max": 2
        }
      },
      "stage_share": {
        "scheduling": 0.25,
        "image_pull": 0.75
      },
      "critical_path_share": {
        "scheduling": null,
        "image_pull": null
      },
      "in_place_critical_path_share": {
        "scheduling": null,
        "image_pull": null
      },
      "stage_seconds": {
        "scheduling": 1,
        "image_pull": 3
      },
      "stalled": 1
    }
  },
  "comparisons": [
    {
      "baseline": "a",
      "candidate": "b",
      "metric": "x",
      "relative_change": -0.75,
      "ci95": [
        -0.75,
        -0.75
      ],
      "n": 2,
      "baseline_mean": 8,
      "candidate_mean": 2,
      "difference": -6,
      "difference_ci95": [
        -6,
        -6
      ]
    }
  ]
}
)";
  expected.replace(expected.find("@VERSION@"), 9, podsim::version);
  const Summary s = podsim::report::summarize(e);
  CHECK(podsim::report::summary_json(s) == expected);

  // One replication: undefined intervals are null.
  for (auto& v : e.variants) v.replications.resize(1);
  const std::string one_line = podsim::report::summary_json(podsim::report::summarize(e), 0);
  CHECK_THAT(one_line, Catch::Contains(R"("x":{"mean":8,"ci95":[null,null],"p50":8)"));
  CHECK_THAT(one_line, Catch::Contains(R"("relative_change":-0.75,"ci95":[null,null],"n":1)"));
  CHECK(one_line.find('\n') == one_line.size() - 1);
}

TEST_CASE("report: the same result gives the same bytes", "[report]") {
  const Summary a = podsim::report::summarize(two_by_three());
  const Summary b = podsim::report::summarize(two_by_three());
  CHECK(podsim::report::summary_json(a) == podsim::report::summary_json(b));
  CHECK(podsim::report::terminal_report(a, true) == podsim::report::terminal_report(b, true));
  // Variants keep the scenario's order, not alphabetical order.
  const std::string json = podsim::report::summary_json(a);
  CHECK(json.find("\"recreate\": {") < json.find("\"in-place\": {"));
}

namespace {

// Display columns (code points; the report uses only one-cell characters) before `needle`.
std::size_t column_of(const std::string& line, const std::string& needle) {
  const std::size_t at = line.find(needle);
  REQUIRE(at != std::string::npos);
  std::size_t column = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

std::string line_with(const std::string& text, const std::string& needle) {
  for (const std::string& line : lines_of(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  FAIL("no line with " << needle);
  return {};
}

}  // namespace

TEST_CASE("report: terminal report", "[report]") {
  const Summary s = podsim::report::summarize(two_by_three());
  const std::string text = podsim::report::terminal_report(s, false);
  INFO(text);
  CHECK(text.find('\x1b') == std::string::npos);  // no colour unless asked
  CHECK_THAT(text, Catch::StartsWith("quick: 3 replications, seed 42 (scenarios/quick.yaml)\n"));

  // 110 +- 4.3027 * 5.7735 = 24.84; 44 +- 4.3027 * sqrt(13 / 3) = 8.96;
  // change -60% [-60 -+ 100 * 4.3027 * sqrt(3) / 110] = [-66.8, -53.2].
  const std::string duration = line_with(text, "rollout duration");
  CHECK_THAT(duration, Catch::Contains("110.0 s ± 24.8"));
  CHECK_THAT(duration, Catch::Contains("44.0 s ± 9.0"));
  CHECK_THAT(text, Catch::Contains("-60.0% [-66.8, -53.2]"));
  // Bytes in decimal units: 3e9 -> 3.0 GB; 1.1e9 +- 4.3027 * 1e8 / sqrt(3) = 0.25e9.
  const std::string bytes = line_with(text, "bytes pulled");
  CHECK_THAT(bytes, Catch::Contains("3.0 GB ± 0.0"));
  CHECK_THAT(bytes, Catch::Contains("1.1 GB ± 0.2"));
  CHECK_THAT(line_with(text, "IP changes"), Catch::Contains("10 ± 0"));
  CHECK_THAT(line_with(text, "stalled"), Catch::Contains("0 of 3"));
  CHECK_THAT(line_with(text, "stalled"), Catch::Contains("1 of 3"));
  CHECK_THAT(text, Catch::Contains("vs recreate"));
  // Metrics no variant reported get no row.
  CHECK(text.find("scheduler cycles") == std::string::npos);

  // Columns line up: each variant's values start where its name does.
  const std::string header = lines_of(text)[2];
  CHECK(column_of(duration, "110.0 s") == column_of(header, "recreate"));
  CHECK(column_of(duration, "44.0 s") == column_of(header, "in-place"));
  CHECK(column_of(bytes, "1.1 GB") == column_of(header, "in-place"));
  CHECK(column_of(line_with(text, "stalled"), "1 of 3") == column_of(header, "in-place"));

  // Stage bars: recreate's image_pull has the largest share (62.5%), a full 30-cell bar; its
  // readiness (25%) gets 30 * 0.25 / 0.625 = 12 cells. Percentages line up.
  const std::vector<std::string> lines = lines_of(text);
  std::vector<std::string> stage_lines;
  bool in_stages = false;
  for (const std::string& line : lines) {
    in_stages = in_stages || line.starts_with("where pod time goes");
    if (in_stages && line.starts_with("  ")) stage_lines.push_back(line);
  }
  REQUIRE(stage_lines.size() == 8);  // 4 stages x 2 variants
  std::string full;
  for (int i = 0; i < 30; ++i) full += "█";
  CHECK_THAT(stage_lines[1], Catch::Contains(full + "   62.5%"));
  std::string twelve;
  for (int i = 0; i < 12; ++i) twelve += "█";
  CHECK_THAT(stage_lines[2], Catch::Contains(twelve + " "));
  CHECK_THAT(stage_lines[2], Catch::Contains("25.0%"));
  for (const std::string& line : stage_lines) {
    CHECK(column_of(line, "%") == column_of(stage_lines[0], "%"));
  }

  const std::string coloured = podsim::report::terminal_report(s, true);
  CHECK(coloured.find("\x1b[") != std::string::npos);
  CHECK(coloured.find("\x1b[32m-60.0% [-66.8, -53.2]\x1b[0m") != std::string::npos);  // better
}

TEST_CASE("report: in-place update critical paths beside creation's", "[report]") {
  // recreate: creation paths of 6 s pull + 2 s start per replication -> 0.75 and 0.25.
  // in-place: update paths of 1 s grace + 1 s stop + 6 s pull + 2 s readiness per replication
  // -> 0.1, 0.1, 0.6, 0.2; no new pods, so its creation shares are undefined.
  ExperimentResult e = two_by_three();
  for (auto& r : e.variants[0].replications) {
    r.critical_path_seconds[static_cast<std::size_t>(Stage::image_pull)] = 6;
    r.critical_path_seconds[static_cast<std::size_t>(Stage::container_start)] = 2;
  }
  for (auto& r : e.variants[1].replications) {
    auto& path = r.in_place_critical_path_seconds;
    path[static_cast<std::size_t>(Stage::in_place_grace)] = 1;
    path[static_cast<std::size_t>(Stage::termination)] = 1;
    path[static_cast<std::size_t>(Stage::image_pull)] = 6;
    path[static_cast<std::size_t>(Stage::readiness)] = 2;
  }
  const Summary s = podsim::report::summarize(e);
  const auto stage = [&](std::size_t v, Stage st) {
    for (const auto& x : s.variants[v].stages) {
      if (x.stage == st) return x;
    }
    FAIL("no stage " << to_string(st));
    return podsim::report::StageSummary{};
  };
  CHECK(stage(0, Stage::image_pull).critical_path_share == Approx(0.75));
  CHECK(std::isnan(stage(0, Stage::image_pull).in_place_critical_path_share));
  CHECK(std::isnan(stage(1, Stage::image_pull).critical_path_share));
  CHECK(stage(1, Stage::image_pull).in_place_critical_path_share == Approx(0.6));
  CHECK(stage(1, Stage::in_place_grace).in_place_critical_path_share == Approx(0.1));
  CHECK(stage(1, Stage::readiness).in_place_critical_path_share == Approx(0.2));
  CHECK(stage(1, Stage::scheduling).in_place_critical_path_share == 0);  // listed, never on it

  const std::string json = podsim::report::summary_json(s, 0);
  CHECK_THAT(json, Catch::Contains(R"("critical_path_share":{"scheduling":0,"image_pull":0.75,)"));
  CHECK_THAT(
      json, Catch::Contains(R"("in_place_critical_path_share":{"scheduling":0,"image_pull":0.6,)"));
  CHECK_THAT(json, Catch::Contains(R"("in_place_critical_path_share":{"scheduling":null,)"));

  const std::string text = podsim::report::terminal_report(s, false);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("share of in-place updates' critical paths"));
  // recreate's lines have no in-place column; in-place's have no creation column.
  std::vector<std::string> stage_lines;
  bool in_stages = false;
  for (const std::string& line : lines_of(text)) {
    in_stages = in_stages || line.starts_with("where pod time goes");
    if (in_stages && line.starts_with("  ")) stage_lines.push_back(line);
  }
  // Stages in enum order: scheduling, image_pull, readiness, in_place_grace.
  REQUIRE(stage_lines.size() == 8);
  CHECK_THAT(stage_lines[1], Catch::EndsWith("75.0% on path"));
  CHECK(stage_lines[1].find("in-place path") == std::string::npos);
  CHECK_THAT(stage_lines[5], Catch::EndsWith("60.0% in-place path"));
  CHECK(stage_lines[5].find("on path") == std::string::npos);
  CHECK_THAT(stage_lines[7], Catch::EndsWith("10.0% in-place path"));
  CHECK(column_of(stage_lines[5], "in-place path") == column_of(stage_lines[7], "in-place path"));

  // Without in-place updates the header stays as it was.
  const std::string plain =
      podsim::report::terminal_report(podsim::report::summarize(two_by_three()), false);
  CHECK(plain.find("in-place updates' critical paths") == std::string::npos);
  CHECK(plain.find("in-place path") == std::string::npos);
}

TEST_CASE("report: terminal report with explicit comparisons", "[report]") {
  ExperimentResult e = two_by_three();
  // The column shows the first comparison of each candidate; a second baseline goes below.
  e.comparisons = {{"in-place", "recreate"}, {"recreate", "in-place"}, {"in-place", "in-place"}};
  const std::string text = podsim::report::terminal_report(podsim::report::summarize(e), false);
  INFO(text);
  const std::vector<std::string> lines = lines_of(text);
  CHECK_THAT(lines[3], Catch::Contains("vs in-place"));
  CHECK_THAT(lines[3], Catch::Contains("vs recreate"));
  CHECK_THAT(text, Catch::Contains("+150.0%"));  // 110 / 44 - 1
  CHECK_THAT(text, Catch::Contains("also compared:"));
  CHECK_THAT(line_with(text, "in-place vs in-place"), Catch::Contains("0.0% [0.0, 0.0]"));
}
