#pragma once
// trace.json: the recorded pod stage spans in Chrome's trace-event format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. One line per event:
//
//   {"traceEvents":[
//   {"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"recreate / replication 0"}},
//   {"name":"process_sort_index","ph":"M","pid":1,"tid":0,"args":{"sort_index":1}},
//   {"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"web-0"}},
//   {"name":"thread_sort_index","ph":"M","pid":1,"tid":1,"args":{"sort_index":1}},
//   {"name":"scheduling","cat":"web","ph":"X","ts":0,"dur":1500.25,"pid":1,"tid":1,
//    "args":{"node":"node-3","container":""}},
//   ...],
//   "displayTimeUnit":"ms","otherData":{"scenario":"...","file":"...","seed":42}}
//
// pid: one per variant and replication that kept spans, from 1 in scenario and replication
// order; tid: one per pod within it, from 1 in order of first span; name: the stage; cat: the
// workload; ts and dur: microseconds (exact: nanoseconds / 1000); container "" for pod-level
// stages. Events keep the recorded span order.

#include <ostream>

#include "podsim/experiment/result.hpp"

namespace podsim::report {

/// Throws std::invalid_argument for a span with a non-finite time or ending before it starts.
void write_trace_json(std::ostream& out, const experiment::ExperimentResult& result);

}  // namespace podsim::report
