#pragma once
// rollouts.csv, pods.csv and stages.csv. Column names are an interface users' scripts read.
// Seconds (every column whose name ends in "_s": start_s, end_s, duration_s, rollout_duration_s)
// have exactly nine decimals, exact to the nanosecond, and duration_s is end_s - start_s digit for
// digit; other numbers are the shortest text that reads back to the same double (as in
// summary.json); an empty field is a missing or undefined value.
// Replications are numbered from 0, as in ReplicationResult::index.
//
// rollouts.csv, one row per variant, replication and rollout (scenario, index, record order):
//   variant,replication,seed,rollout,workload,kind,strategy,outcome,stall_reason,start_s,end_s,
//   <every metric name of any rollout, sorted>,changes          (changes joined with ';')
// pods.csv, one row per span of every replication that kept spans (in recorded order):
//   variant,replication,pod,workload,node,container,stage,start_s,end_s,duration_s
// stages.csv, one row per variant and stage of Summary::stages:
//   variant,stage,seconds,share     (seconds: mean per replication, summed over pods)

#include <ostream>

#include "podsim/experiment/result.hpp"
#include "podsim/report/summary.hpp"

namespace podsim::report {

void write_rollouts_csv(std::ostream& out, const experiment::ExperimentResult& result);

/// Throws std::invalid_argument for a span with a non-finite time or ending before it starts.
void write_pods_csv(std::ostream& out, const experiment::ExperimentResult& result);

void write_stages_csv(std::ostream& out, const Summary& summary);

}  // namespace podsim::report
