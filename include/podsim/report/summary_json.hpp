#pragma once
// summary.json, also what `podsim run --format json` prints. The keys are an interface users'
// scripts read; never rename them (adding keys is fine):
//
//   {"scenario", "file", "podsim_version", "seed", "replications",
//    "variants": {NAME: {"description", "replications",
//                        "metrics": {METRIC: {"mean", "ci95": [lo, hi], "p50", "p90", "p99", "n",
//                                             "stddev", "min", "max"}},
//                        "stage_share": {STAGE: fraction}, "stage_seconds": {STAGE: seconds},
//                        "stalled": count}},
//    "comparisons": [{"baseline", "candidate", "metric", "relative_change", "ci95": [lo, hi], "n",
//                     "baseline_mean", "candidate_mean", "difference", "difference_ci95": [lo,
//                     hi]}]}
//
// Variants in scenario order, metrics by name, stages in model::Stage order, comparisons in
// Summary order; undefined numbers (a CI from one replication, a change against a zero baseline)
// are null. stage_seconds is the mean per replication of the seconds summed over pods.

#include <string>

#include "podsim/report/summary.hpp"

namespace podsim::report {

/// The JSON text, ending with a newline; indent 0 puts it on one line. Same summary, same bytes.
std::string summary_json(const Summary& summary, int indent = 2);

}  // namespace podsim::report
