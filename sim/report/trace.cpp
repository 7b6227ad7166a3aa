#include "podsim/report/trace.hpp"

#include <fmt/format.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "podsim/report/json_writer.hpp"
#include "span_times.hpp"

namespace podsim::report {

namespace {

// Each event is its own one-line writer so the file has one event per line: diffable and
// greppable, and much smaller than indented JSON for a million spans.
class EventList {
 public:
  explicit EventList(std::ostream& out) : out_(out) {}

  void add(const JsonWriter& event) {
    out_ << (first_ ? "\n" : ",\n") << event.str();
    first_ = false;
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

void metadata(EventList& events, std::string_view name, std::uint64_t pid, std::uint64_t tid,
              std::string_view arg_key, std::string_view text, std::uint64_t number) {
  JsonWriter w(0);
  w.begin_object();
  w.key("name");
  w.value(name);
  w.key("ph");
  w.value("M");
  w.key("pid");
  w.value(pid);
  w.key("tid");
  w.value(tid);
  w.key("args");
  w.begin_object();
  w.key(arg_key);
  if (arg_key == "name") {
    w.value(text);
  } else {
    w.value(number);
  }
  w.end_object();
  w.end_object();
  events.add(w);
}

}  // namespace

void write_trace_json(std::ostream& out, const experiment::ExperimentResult& result) {
  out << "{\"traceEvents\":[";
  EventList events(out);
  std::uint64_t pid = 0;
  for (const auto& v : result.variants) {
    for (const auto& r : v.replications) {
      if (!r.spans) continue;
      ++pid;
      metadata(events, "process_name", pid, 0, "name",
               fmt::format("{} / replication {}", v.name, r.index), 0);
      metadata(events, "process_sort_index", pid, 0, "sort_index", {}, pid);

      // Threads first (viewers name a thread by its metadata wherever it appears, but readers of
      // the file find them together this way).
      std::unordered_map<std::string_view, std::uint64_t> tids;
      for (const auto& span : *r.spans) {
        const auto [it, added] = tids.try_emplace(span.pod, tids.size() + 1);
        if (!added) continue;
        metadata(events, "thread_name", pid, it->second, "name", span.pod, 0);
        metadata(events, "thread_sort_index", pid, it->second, "sort_index", {}, it->second);
      }

      for (const auto& span : *r.spans) {
        const auto [start, end] = detail::span_ns(v, r, span);
        JsonWriter w(0);
        w.begin_object();
        w.key("name");
        w.value(model::to_string(span.stage));
        w.key("cat");
        w.value(span.workload);
        w.key("ph");
        w.value("X");
        // ns / 1000 is the double nearest the exact microseconds, so it prints as that decimal.
        w.key("ts");
        w.value(static_cast<double>(start) / 1000.0);
        w.key("dur");
        w.value(static_cast<double>(end - start) / 1000.0);
        w.key("pid");
        w.value(pid);
        w.key("tid");
        w.value(tids.at(span.pod));
        w.key("args");
        w.begin_object();
        w.key("node");
        w.value(span.node);
        w.key("container");
        w.value(span.container);
        w.end_object();
        w.end_object();
        events.add(w);
      }
    }
  }
  out << "\n],\n\"displayTimeUnit\":\"ms\",\n";
  JsonWriter other(0);
  other.begin_object();
  other.key("scenario");
  other.value(result.scenario);
  other.key("file");
  other.value(result.file);
  other.key("seed");
  other.value(result.seed);
  other.end_object();
  out << "\"otherData\":" << other.str() << "}\n";
}

}  // namespace podsim::report
