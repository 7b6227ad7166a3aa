#include "podsim/sim/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace podsim::sim {

// ---- Route ---------------------------------------------------------------------------------

FlowNetwork::Route::Route(std::initializer_list<LinkId> links) {
  for (LinkId l : links) push_back(l);
}

void FlowNetwork::Route::push_back(LinkId l) {
  if (size_ == kMaxHops) throw std::invalid_argument("FlowNetwork: a route has at most 4 links");
  for (std::size_t i = 0; i < size_; ++i) {
    if (links_[i] == l) throw std::invalid_argument("FlowNetwork: a route crosses a link twice");
  }
  links_[size_++] = l;
}

std::size_t FlowNetwork::RouteHash::operator()(const Route& r) const {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (LinkId l : r) h = (h ^ l) * 0x100000001b3ULL;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

// ---- Route classes -------------------------------------------------------------------------

// Flows with one route: they share a rate and a virtual clock, the bytes each of them has been
// served since the class was created. A flow finishes when the clock reaches its virtual finish.
struct FlowNetwork::RouteClass final : Activation {
  FlowNetwork* net = nullptr;
  std::uint32_t id = 0;
  Route route;
  std::array<std::uint32_t, kMaxHops> position_in_link{};  // index in Link::classes
  std::vector<Flow*> heap;                                 // by (virtual_finish, sequence)
  double clock = 0;
  double rate = 0;  // per flow, bytes/s
  Time clock_at;
  bool in_use = false;
  bool assigned = false;  // progressive-filling scratch

  void advance(Time now) {
    clock += rate * (now - clock_at).seconds();
    clock_at = now;
  }
  void fire() override { net->complete_due(*this); }
};

bool FlowNetwork::finishes_before(const Flow* a, const Flow* b) {
  return a->virtual_finish_ < b->virtual_finish_ ||
         (a->virtual_finish_ == b->virtual_finish_ && a->sequence_ < b->sequence_);
}

// ---- Flow ----------------------------------------------------------------------------------

FlowNetwork::Flow::~Flow() {
  if (network_ != nullptr) network_->abort(*this);
}

double FlowNetwork::Flow::remaining() const {
  if (network_ == nullptr) return 0;
  const RouteClass& c = *network_->classes_[class_];
  const double clock = c.clock + c.rate * (network_->sim_.now() - c.clock_at).seconds();
  return std::max(0.0, virtual_finish_ - clock);
}

double FlowNetwork::Flow::rate() const {
  return network_ == nullptr ? 0 : network_->classes_[class_]->rate;
}

// ---- Network -------------------------------------------------------------------------------

FlowNetwork::FlowNetwork(Simulation& sim) : sim_(sim), recompute_timer_(*this) {}

FlowNetwork::~FlowNetwork() {
  // Flows owned by others outlive us only in error; leave them inactive rather than dangling.
  for (auto& c : classes_) {
    for (Flow* f : c->heap) f->network_ = nullptr;
  }
}

FlowNetwork::LinkId FlowNetwork::add_link(double capacity_bytes_per_s, std::string name) {
  if (!(capacity_bytes_per_s > 0) || !std::isfinite(capacity_bytes_per_s)) {
    throw std::invalid_argument("FlowNetwork: link '" + name +
                                "' needs a positive finite capacity, got " +
                                std::to_string(capacity_bytes_per_s) + " bytes/s");
  }
  Link l;
  l.name = std::move(name);
  l.capacity = capacity_bytes_per_s;
  l.accounted_at = sim_.now();
  links_.push_back(std::move(l));
  return static_cast<LinkId>(links_.size() - 1);
}

void FlowNetwork::account(Link& link) {
  link.carried += link.allocated * (sim_.now() - link.accounted_at).seconds();
  link.accounted_at = sim_.now();
}

double FlowNetwork::link_bytes(LinkId l) const {
  const Link& link = links_[l];
  return link.carried + link.allocated * (sim_.now() - link.accounted_at).seconds();
}

FlowNetwork::RouteClass& FlowNetwork::class_of(const Route& route) {
  if (auto it = class_by_route_.find(route); it != class_by_route_.end()) {
    return *classes_[it->second];
  }
  std::uint32_t id;
  if (free_classes_.empty()) {
    id = static_cast<std::uint32_t>(classes_.size());
    classes_.push_back(std::make_unique<RouteClass>());
  } else {
    id = free_classes_.back();
    free_classes_.pop_back();
  }
  RouteClass& c = *classes_[id];
  c.net = this;
  c.id = id;
  c.in_use = true;
  c.route = route;
  c.clock = 0;
  c.rate = 0;
  c.clock_at = sim_.now();
  for (std::size_t h = 0; h < route.size(); ++h) {
    auto& list = links_[route[h]].classes;
    c.position_in_link[h] = static_cast<std::uint32_t>(list.size());
    list.push_back(id);
  }
  class_by_route_.emplace(route, id);
  return c;
}

void FlowNetwork::release_class(std::uint32_t id) {
  RouteClass& c = *classes_[id];
  for (std::size_t h = 0; h < c.route.size(); ++h) {
    Link& link = links_[c.route[h]];
    const std::uint32_t pos = c.position_in_link[h];
    const std::uint32_t moved = link.classes.back();
    link.classes[pos] = moved;
    link.classes.pop_back();
    if (moved != id) {
      RouteClass& m = *classes_[moved];
      for (std::size_t mh = 0; mh < m.route.size(); ++mh) {
        if (m.route[mh] == c.route[h]) m.position_in_link[mh] = pos;
      }
    }
    if (link.classes.empty()) {
      account(link);
      link.allocated = 0;
    }
  }
  c.cancel();
  c.in_use = false;
  class_by_route_.erase(c.route);
  free_classes_.push_back(id);
}

void FlowNetwork::start(Flow& flow, double bytes, const Route& route) {
  if (flow.active()) throw std::logic_error("FlowNetwork: flow already active");
  if (route.size() == 0) throw std::invalid_argument("FlowNetwork: a route needs a link");
  for (LinkId l : route) {
    if (l >= links_.size()) throw std::invalid_argument("FlowNetwork: unknown link in route");
  }
  if (!std::isfinite(bytes)) throw std::invalid_argument("FlowNetwork: flow size must be finite");
  RouteClass& c = class_of(route);
  c.advance(sim_.now());
  flow.network_ = this;
  flow.class_ = c.id;
  flow.virtual_finish_ = c.clock + std::max(0.0, bytes);
  flow.sequence_ = next_sequence_++;
  heap_push(c, flow);
  for (LinkId l : route) ++links_[l].flows;
  ++active_flows_;
  mark_dirty();
}

void FlowNetwork::abort(Flow& flow) {
  if (flow.network_ != this) return;
  detach(flow);
  mark_dirty();
}

void FlowNetwork::detach(Flow& flow) {
  RouteClass& c = *classes_[flow.class_];
  heap_remove(c, flow.heap_slot_);
  for (LinkId l : c.route) --links_[l].flows;
  --active_flows_;
  flow.network_ = nullptr;
}

void FlowNetwork::mark_dirty() {
  if (!recompute_timer_.queued()) sim_.schedule(recompute_timer_, sim_.now());
}

void FlowNetwork::complete_due(RouteClass& c) {
  const Time now = sim_.now();
  c.advance(now);
  // Completion times are rounded up to the nanosecond, so the clock may overshoot by up to one
  // nanosecond's worth of bytes; anything within two is due.
  const double tolerance = c.rate * 2e-9 + 1e-9 * std::abs(c.clock);
  std::vector<Flow*>& done = completed_scratch_;
  done.clear();
  while (!c.heap.empty() && c.heap.front()->virtual_finish_ <= c.clock + tolerance) {
    Flow* f = c.heap.front();
    detach(*f);
    done.push_back(f);
  }
  mark_dirty();
  // Completions only ever queue work (start flows, wake processes), so this never re-enters.
  for (Flow* f : done) f->on_complete();
}

// Max-min fair rates by progressive filling: repeatedly take the link with the smallest fair
// share (unassigned capacity / unassigned flows), give that share to every class crossing it,
// and charge those flows to the other links on their routes.
void FlowNetwork::recompute() {
  ++recomputations_;
  const Time now = sim_.now();
  ++epoch_;
  touched_links_.clear();

  for (std::uint32_t id = 0; id < classes_.size(); ++id) {
    RouteClass& c = *classes_[id];
    if (!c.in_use) continue;
    c.advance(now);
    if (c.heap.empty()) {
      release_class(id);
      continue;
    }
    c.assigned = false;
    for (LinkId l : c.route) {
      Link& link = links_[l];
      if (link.epoch == epoch_) continue;
      link.epoch = epoch_;
      account(link);
      link.allocated = 0;
      link.unassigned_capacity = link.capacity;
      link.unassigned_flows = link.flows;
      touched_links_.push_back(l);
    }
  }

  // A min-heap of links by fair share; an entry is stale once its link's version moved on.
  std::vector<Candidate>& candidates = candidates_scratch_;
  candidates.clear();
  auto push = [&candidates](Candidate c) {
    candidates.push_back(c);
    std::push_heap(candidates.begin(), candidates.end(), std::greater<>{});
  };
  auto share_of = [](const Link& link) {
    return std::max(0.0, link.unassigned_capacity) / link.unassigned_flows;
  };
  for (LinkId l : touched_links_) {
    const Link& link = links_[l];
    if (link.unassigned_flows > 0) push({share_of(link), l, link.version});
  }
  while (!candidates.empty()) {
    std::pop_heap(candidates.begin(), candidates.end(), std::greater<>{});
    const Candidate top = candidates.back();
    candidates.pop_back();
    Link& bottleneck = links_[top.link];
    if (bottleneck.unassigned_flows == 0 || top.version != bottleneck.version) continue;
    const double share = share_of(bottleneck);
    for (std::uint32_t id : bottleneck.classes) {
      RouteClass& c = *classes_[id];
      if (c.assigned) continue;
      c.assigned = true;
      c.rate = share;
      const auto n = static_cast<std::uint32_t>(c.heap.size());
      for (LinkId l : c.route) {
        Link& link = links_[l];
        link.allocated += share * n;
        link.unassigned_capacity -= share * n;
        link.unassigned_flows -= n;
        ++link.version;
        if (l != top.link && link.unassigned_flows > 0) {
          push({share_of(link), l, link.version});
        }
      }
    }
  }

  for (std::uint32_t id = 0; id < classes_.size(); ++id) {
    RouteClass& c = *classes_[id];
    if (!c.in_use) continue;
    const double bytes_left = std::max(0.0, c.heap.front()->virtual_finish_ - c.clock);
    if (c.rate <= 0) {
      c.cancel();  // starved (cannot happen with positive capacities, but never divide by 0)
      continue;
    }
    const double ns = std::ceil(bytes_left / c.rate * 1e9);
    const Duration wait =
        ns >= 9.2e18 ? Duration::max() : nanoseconds(static_cast<std::int64_t>(ns));
    sim_.schedule(c, now + wait);
  }
}

// ---- Per-class heap of flows by virtual finish ----------------------------------------------

void FlowNetwork::heap_push(RouteClass& c, Flow& f) {
  f.heap_slot_ = static_cast<std::uint32_t>(c.heap.size());
  c.heap.push_back(&f);
  heap_sift_up(c, f.heap_slot_);
}

void FlowNetwork::heap_remove(RouteClass& c, std::uint32_t slot) {
  Flow* last = c.heap.back();
  c.heap.pop_back();
  if (slot < c.heap.size()) {
    c.heap[slot] = last;
    last->heap_slot_ = slot;
    heap_sift_up(c, slot);
    heap_sift_down(c, last->heap_slot_);
  }
}

void FlowNetwork::heap_sift_up(RouteClass& c, std::uint32_t slot) {
  Flow* f = c.heap[slot];
  while (slot > 0) {
    const std::uint32_t parent = (slot - 1) / 2;
    Flow* p = c.heap[parent];
    if (!finishes_before(f, p)) {
      break;
    }
    c.heap[slot] = p;
    p->heap_slot_ = slot;
    slot = parent;
  }
  c.heap[slot] = f;
  f->heap_slot_ = slot;
}

void FlowNetwork::heap_sift_down(RouteClass& c, std::uint32_t slot) {
  const auto size = static_cast<std::uint32_t>(c.heap.size());
  Flow* f = c.heap[slot];
  for (;;) {
    std::uint32_t child = 2 * slot + 1;
    if (child >= size) break;
    if (child + 1 < size) {
      Flow* a = c.heap[child];
      Flow* b = c.heap[child + 1];
      if (finishes_before(b, a)) {
        ++child;
      }
    }
    Flow* ch = c.heap[child];
    if (!finishes_before(ch, f)) {
      break;
    }
    c.heap[slot] = ch;
    ch->heap_slot_ = slot;
    slot = child;
  }
  c.heap[slot] = f;
  f->heap_slot_ = slot;
}

}  // namespace podsim::sim
