// Critical path of a pod over its stage graph; the walk and the time accounting are described in
// critical_path.hpp.
#include "podsim/model/critical_path.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace podsim::model {

double CriticalPath::share(Stage s) const {
  const std::int64_t total = duration().ns();
  if (total <= 0) return 0.0;
  return static_cast<double>(time(s).ns()) / static_cast<double>(total);
}

double CriticalPath::waiting_share() const {
  const std::int64_t total = duration().ns();
  if (total <= 0) return 0.0;
  return static_cast<double>(waiting.ns()) / static_cast<double>(total);
}

bool CriticalPath::contains(Stage s) const {
  return std::any_of(steps.begin(), steps.end(),
                     [s](const CriticalStep& step) { return step.stage == s; });
}

namespace {

using Vertex = StageGraph::Vertex;

// The span each vertex stands for in this pod, if the stage is present.
struct Presence {
  std::vector<const Span*> span;

  bool present(Vertex v) const { return span[v] != nullptr; }
  // True if a should be preferred to b as "the one that finished last".
  bool later(Vertex a, Vertex b) const {
    const Span& x = *span[a];
    const Span& y = *span[b];
    if (x.end != y.end) return x.end > y.end;
    if (x.start != y.start) return x.start > y.start;
    return a < b;
  }
  void keep_later(std::optional<Vertex>& best, std::optional<Vertex> candidate) const {
    if (candidate && (!best || later(*candidate, *best))) best = candidate;
  }
};

// Per container, the start of its last crash_loop_backoff: what it recorded before belongs to
// instances that crashed, whose pull would otherwise stand in for the restart's cached one.
std::vector<sim::Time> restart_cuts(std::span<const Span> spans, sim::Time since) {
  std::vector<sim::Time> cut;
  for (const Span& span : spans) {
    if (span.stage != Stage::crash_loop_backoff || span.container < 0 || span.start < since ||
        span.end <= span.start) {
      continue;
    }
    const auto c = static_cast<std::size_t>(span.container);
    if (cut.size() <= c) cut.resize(c + 1, sim::Time::zero());
    cut[c] = std::max(cut[c], span.start);
  }
  return cut;
}

Presence match_spans(std::span<const Span> spans, const StageGraph& graph, sim::Time since) {
  Presence presence{std::vector<const Span*>(graph.size(), nullptr)};
  const std::vector<sim::Time> cut = restart_cuts(spans, since);
  for (const Span& span : spans) {
    if (span.pod != spans.front().pod) {
      throw std::invalid_argument("critical_path: spans of pods " +
                                  std::to_string(spans.front().pod) + " and " +
                                  std::to_string(span.pod) + " mixed");
    }
    if (span.end < span.start) {
      throw std::invalid_argument("critical_path: a " + std::string(to_string(span.stage)) +
                                  " span of pod " + std::to_string(span.pod) +
                                  " ends before it starts");
    }
    // A zero-length stage cannot have determined anything: treat it as absent.
    if (span.start < since || span.end == span.start) continue;
    if (span.container >= 0 && static_cast<std::size_t>(span.container) < cut.size() &&
        span.start < cut[static_cast<std::size_t>(span.container)]) {
      continue;
    }
    const auto v = graph.find({span.stage, span.container});
    if (!v) continue;
    const Span*& kept = presence.span[*v];
    if (!kept || span.start > kept->start || (span.start == kept->start && span.end > kept->end)) {
      kept = &span;
    }
  }
  return presence;
}

}  // namespace

CriticalPath critical_path(std::span<const Span> spans, const StageGraph& graph, sim::Time since) {
  CriticalPath path;
  if (spans.empty()) return path;
  const Presence presence = match_spans(spans, graph, since);
  const StageGraph::Graph& g = graph.graph();
  const std::vector<Vertex> order = graph.topological_order();

  // latest[v]: the present vertex that finished last among v itself if present, or else among
  // everything reaching v through absent vertices only. best_pred[v]: the same over v's inputs,
  // i.e. the step before v on a critical path through v.
  const std::size_t n = graph.size();
  std::vector<std::optional<Vertex>> latest(n);
  std::vector<std::optional<Vertex>> best_pred(n);
  for (const Vertex v : order) {
    for (const auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
      presence.keep_later(best_pred[v], latest[boost::source(e, g)]);
    }
    latest[v] = presence.present(v) ? std::optional<Vertex>(v) : best_pred[v];
  }

  // A present sink has no present vertex downstream, however many absent ones lie between.
  std::vector<bool> feeds_present(n, false);
  std::optional<Vertex> last;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Vertex v = *it;
    for (const auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      const Vertex w = boost::target(e, g);
      if (presence.present(w) || feeds_present[w]) feeds_present[v] = true;
    }
    if (presence.present(v) && !feeds_present[v]) presence.keep_later(last, v);
  }
  if (!last) return path;

  std::vector<Vertex> chain;
  for (std::optional<Vertex> v = last; v; v = best_pred[*v]) chain.push_back(*v);
  std::reverse(chain.begin(), chain.end());

  // The cursor is the time up to which the path is accounted for; each step advances it by its
  // waiting plus its on-path time, so the parts add up to the path's duration.
  path.start = presence.span[chain.front()]->start;
  sim::Time cursor = path.start;
  path.steps.reserve(chain.size());
  for (const Vertex v : chain) {
    const Span& span = *presence.span[v];
    CriticalStep step{span.stage, span.container, span.start, span.end, {}, {}};
    if (span.start > cursor) step.waiting_before = span.start - cursor;
    const sim::Time from = std::max(span.start, cursor);
    if (span.end > from) step.on_path = span.end - from;
    cursor = std::max(cursor, span.end);
    path.waiting += step.waiting_before;
    path.stage_time[static_cast<std::size_t>(step.stage)] += step.on_path;
    path.steps.push_back(step);
  }
  path.end = cursor;
  return path;
}

void CriticalPathSummary::add(const CriticalPath& path) {
  ++pods_;
  if (path.steps.empty() || path.duration().ns() <= 0) return;
  ++pods_with_path_;
  std::array<bool, kStageCount> seen{};
  for (const CriticalStep& step : path.steps) seen[static_cast<std::size_t>(step.stage)] = true;
  for (std::size_t s = 0; s < kStageCount; ++s) {
    const auto stage = static_cast<Stage>(s);
    if (seen[s]) ++on_path_[s];
    share_sum_[s] += path.share(stage);
    time_ns_[s] += path.time(stage).ns();
  }
  waiting_share_sum_ += path.waiting_share();
  waiting_ns_ += path.waiting.ns();
  path_ns_ += path.duration().ns();
}

namespace {
double ratio(double numerator, std::size_t denominator) {
  return denominator == 0 ? 0.0 : numerator / static_cast<double>(denominator);
}
double ratio(std::int64_t numerator, std::int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}
}  // namespace

double CriticalPathSummary::fraction_on_path(Stage s) const {
  return ratio(static_cast<double>(on_path_[static_cast<std::size_t>(s)]), pods_with_path_);
}

double CriticalPathSummary::mean_share(Stage s) const {
  return ratio(share_sum_[static_cast<std::size_t>(s)], pods_with_path_);
}

double CriticalPathSummary::mean_waiting_share() const {
  return ratio(waiting_share_sum_, pods_with_path_);
}

double CriticalPathSummary::pooled_share(Stage s) const {
  return ratio(time_ns_[static_cast<std::size_t>(s)], path_ns_);
}

double CriticalPathSummary::pooled_waiting_share() const {
  return ratio(waiting_ns_, path_ns_);
}

CriticalPathSummary summarize(std::span<const CriticalPath> paths) {
  CriticalPathSummary summary;
  for (const CriticalPath& path : paths) summary.add(path);
  return summary;
}

}  // namespace podsim::model
