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

// ---- Groups and route classes --------------------------------------------------------------

// Classes that run at one per-flow rate: a class alone (its own rate), or the classes at a star
// centre's level. The group's clock is the bytes served per flow at that rate so far; a member
// class's own clock is the group clock minus its offset, so a rate change is one clock update,
// and only a class that changes group is touched (its offset). The members are in a heap by the
// group clock at which their next flow finishes, and the group has one timer for the first.
struct FlowNetwork::Group final : Activation {
  FlowNetwork* net = nullptr;
  double clock = 0;
  double rate = 0;  // per flow, bytes/s
  Time clock_at;
  struct Member {
    double key;  // group clock at which the class's next flow finishes
    std::uint32_t id;
    bool operator<(const Member& o) const { return key < o.key || (key == o.key && id < o.id); }
  };
  std::vector<Member> members;  // heap by key
  std::uint32_t joined = 0;     // classes in it, with or without flows
  bool pending = false;         // in to_schedule_
  bool level = false;           // a star centre's group (else a class's own)

  double clock_now(Time now) const { return clock + rate * (now - clock_at).seconds(); }
  void advance(Time now) {
    clock = clock_now(now);
    clock_at = now;
  }
  void fire() override { net->complete_due(*this); }
};

// Flows with one route: they share a rate and a clock, the bytes each of them has been served
// since the class was created. A flow finishes when the clock reaches its virtual finish.
struct FlowNetwork::RouteClass {
  std::uint32_t id = 0;
  Route route;
  std::vector<Flow*> heap;  // by (virtual_finish, sequence)
  Group solo;
  Group* group = nullptr;  // its group, once rated
  std::uint32_t group_slot = 0;
  bool in_group_heap = false;
  double offset = 0;  // own clock = group clock - offset
  double clock = 0;   // own clock while in no group
  bool in_use = false;
  bool dirty = false;
  bool in_solver = false;

  double key() const { return heap.front()->virtual_finish_ + offset; }
};

bool FlowNetwork::finishes_before(const Flow* a, const Flow* b) {
  return a->virtual_finish_ < b->virtual_finish_ ||
         (a->virtual_finish_ == b->virtual_finish_ && a->sequence_ < b->sequence_);
}

namespace {
// Indexed heap of (key, class id), the key kept in the entry so that comparing never leaves the
// array; `slot` gives an id's position field.
template <class Entry, class Slot>
void sift_up(std::vector<Entry>& h, std::uint32_t pos, Slot slot) {
  const Entry e = h[pos];
  while (pos > 0) {
    const std::uint32_t parent = (pos - 1) / 2;
    if (!(e < h[parent])) break;
    h[pos] = h[parent];
    slot(h[pos].id) = pos;
    pos = parent;
  }
  h[pos] = e;
  slot(e.id) = pos;
}
template <class Entry, class Slot>
void sift_down(std::vector<Entry>& h, std::uint32_t pos, Slot slot) {
  const auto size = static_cast<std::uint32_t>(h.size());
  const Entry e = h[pos];
  for (;;) {
    std::uint32_t child = 2 * pos + 1;
    if (child >= size) break;
    if (child + 1 < size && h[child + 1] < h[child]) ++child;
    if (!(h[child] < e)) break;
    h[pos] = h[child];
    slot(h[pos].id) = pos;
    pos = child;
  }
  h[pos] = e;
  slot(e.id) = pos;
}
}  // namespace

// ---- Flow ----------------------------------------------------------------------------------

FlowNetwork::Flow::~Flow() {
  if (network_ != nullptr) network_->abort(*this);
}

double FlowNetwork::Flow::remaining() const {
  if (network_ == nullptr) return 0;
  const RouteClass& c = *network_->classes_[class_];
  return std::max(0.0, virtual_finish_ - network_->class_clock(c));
}

double FlowNetwork::Flow::rate() const {
  if (network_ == nullptr) return 0;
  const RouteClass& c = *network_->classes_[class_];
  return c.group == nullptr ? 0 : c.group->rate;
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
  solver_.add_link(capacity_bytes_per_s);
  return static_cast<LinkId>(links_.size() - 1);
}

double FlowNetwork::class_clock(const RouteClass& c) const {
  if (c.group == nullptr) return c.clock;
  return c.group->clock_now(sim_.now()) - c.offset;
}

double FlowNetwork::link_rate_now(const Link& link) const {
  if (!link.single) return link.allocated;
  const RouteClass& c = *classes_[link.single_class];
  return c.group == nullptr ? 0 : link.single_n * c.group->rate;
}

double FlowNetwork::link_bytes_now(const Link& link) const {
  if (!link.single) {
    return link.carried + link.allocated * (sim_.now() - link.accounted_at).seconds();
  }
  const RouteClass& c = *classes_[link.single_class];
  return link.carried + link.single_n * (class_clock(c) - link.clock_mark);
}

// Carried bytes up to now into `carried`, keeping the current sharing.
void FlowNetwork::fold(LinkId l) {
  Link& link = links_[l];
  link.carried = link_bytes_now(link);
  link.accounted_at = sim_.now();
  if (link.single) link.clock_mark = class_clock(*classes_[link.single_class]);
}

// Folds, then takes the sharing the solver has now.
void FlowNetwork::refresh(LinkId l) {
  Link& link = links_[l];
  if (link.refreshed == recomputations_) return;
  link.refreshed = recomputations_;
  fold(l);
  const auto& on = solver_.link_classes(l);
  if (on.size() == 1) {
    const RouteClass& c = *classes_[on[0]];
    link.single = true;
    link.single_class = c.id;
    link.single_n = static_cast<double>(c.heap.size());
    link.clock_mark = class_clock(c);
    link.allocated = 0;
  } else {
    link.single = false;
    link.allocated = solver_.link_allocated(l);
    link.accounted_at = sim_.now();
  }
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
  c.id = id;
  c.in_use = true;
  c.route = route;
  c.clock = 0;
  c.offset = 0;
  c.group = nullptr;
  c.in_group_heap = false;
  c.solo.net = this;
  c.solo.clock = 0;
  c.solo.rate = 0;
  c.solo.clock_at = sim_.now();
  c.solo.level = false;
  if (spare_route_nodes_.empty()) {
    class_by_route_.emplace(route, id);
  } else {
    auto node = std::move(spare_route_nodes_.back());
    spare_route_nodes_.pop_back();
    node.key() = route;
    node.mapped() = id;
    class_by_route_.insert(std::move(node));
  }
  return c;
}

FlowNetwork::Group& FlowNetwork::level_group(LinkId l) {
  if (level_groups_.size() <= l) level_groups_.resize(static_cast<std::size_t>(l) + 1);
  if (!level_groups_[l]) {
    level_groups_[l] = std::make_unique<Group>();
    Group& g = *level_groups_[l];
    g.net = this;
    g.level = true;
    g.clock_at = sim_.now();
  }
  return *level_groups_[l];
}

void FlowNetwork::want_schedule(Group& g) {
  if (g.pending) return;
  g.pending = true;
  to_schedule_.push_back(&g);
}

void FlowNetwork::rekey(RouteClass& c) {
  if (c.group == nullptr) return;
  Group& g = *c.group;
  auto slot = [this](std::uint32_t id) -> std::uint32_t& { return classes_[id]->group_slot; };
  if (c.heap.empty()) {
    if (!c.in_group_heap) return;
    c.in_group_heap = false;
    const std::uint32_t pos = c.group_slot;
    const Group::Member last = g.members.back();
    g.members.pop_back();
    if (pos < g.members.size()) {
      g.members[pos] = last;
      slot(last.id) = pos;
      sift_up(g.members, pos, slot);
      sift_down(g.members, classes_[last.id]->group_slot, slot);
    }
    return;
  }
  if (!c.in_group_heap) {
    c.in_group_heap = true;
    c.group_slot = static_cast<std::uint32_t>(g.members.size());
    g.members.push_back({c.key(), c.id});
  } else {
    g.members[c.group_slot].key = c.key();
  }
  sift_up(g.members, c.group_slot, slot);
  sift_down(g.members, c.group_slot, slot);
}

void FlowNetwork::leave(RouteClass& c) {
  if (c.group == nullptr) return;
  Group& g = *c.group;
  g.advance(sim_.now());
  c.clock = g.clock - c.offset;
  if (c.in_group_heap) {
    std::vector<Flow*> keep;  // rekey() removes the class when its flow heap is empty
    keep.swap(c.heap);
    rekey(c);
    keep.swap(c.heap);
  }
  want_schedule(g);
  if (--g.joined == 0 && g.level) g.clock = 0;  // keep level clocks small
  c.group = nullptr;
  c.offset = 0;
}

void FlowNetwork::join(RouteClass& c, Group& g) {
  g.advance(sim_.now());
  if (&g == &c.solo) {
    g.clock = c.clock;
    c.offset = 0;
  } else {
    c.offset = g.clock - c.clock;
  }
  c.group = &g;
  ++g.joined;
  c.in_group_heap = false;
  rekey(c);
  want_schedule(g);
}

void FlowNetwork::start(Flow& flow, double bytes, const Route& route) {
  if (flow.active()) throw std::logic_error("FlowNetwork: flow already active");
  if (route.size() == 0) throw std::invalid_argument("FlowNetwork: a route needs a link");
  for (LinkId l : route) {
    if (l >= links_.size()) throw std::invalid_argument("FlowNetwork: unknown link in route");
  }
  if (!std::isfinite(bytes)) throw std::invalid_argument("FlowNetwork: flow size must be finite");
  RouteClass& c = class_of(route);
  flow.network_ = this;
  flow.class_ = c.id;
  flow.virtual_finish_ = class_clock(c) + std::max(0.0, bytes);
  flow.sequence_ = next_sequence_++;
  heap_push(c, flow);
  rekey(c);
  for (LinkId l : route) ++links_[l].flows;
  ++active_flows_;
  mark_dirty(c);
}

void FlowNetwork::abort(Flow& flow) {
  if (flow.network_ != this) return;
  detach(flow);
}

void FlowNetwork::detach(Flow& flow) {
  RouteClass& c = *classes_[flow.class_];
  heap_remove(c, flow.heap_slot_);
  rekey(c);
  for (LinkId l : c.route) --links_[l].flows;
  --active_flows_;
  flow.network_ = nullptr;
  mark_dirty(c);
}

void FlowNetwork::mark_dirty(RouteClass& c) {
  if (!c.dirty) {
    c.dirty = true;
    dirty_classes_.push_back(c.id);
  }
  if (!recompute_timer_.queued()) sim_.schedule(recompute_timer_, sim_.now());
}

void FlowNetwork::complete_due(Group& g) {
  g.advance(sim_.now());
  std::vector<Flow*>& done = completed_scratch_;
  done.clear();
  while (!g.members.empty()) {
    RouteClass& c = *classes_[g.members.front().id];
    const double clock = g.clock - c.offset;
    // Completion times are rounded up to the nanosecond, so the clock may overshoot by up to
    // one nanosecond's worth of bytes; anything within two is due.
    const double due = clock + g.rate * 2e-9 + 1e-9 * std::abs(clock);
    if (c.heap.front()->virtual_finish_ > due) break;
    while (!c.heap.empty() && c.heap.front()->virtual_finish_ <= due) {
      Flow* f = c.heap.front();
      detach(*f);  // re-keys c in the group
      done.push_back(f);
    }
  }
  schedule(g);
  // Completions only ever queue work (start flows, wake processes), so this never re-enters.
  for (Flow* f : done) f->on_complete();
}

void FlowNetwork::schedule(Group& g) {
  g.pending = false;
  if (g.members.empty() || !(g.rate > 0)) {
    g.cancel();  // starved (cannot happen with positive capacities, but never divide by 0)
    return;
  }
  const Time now = sim_.now();
  g.advance(now);
  const double bytes_left = std::max(0.0, g.members.front().key - g.clock);
  const double ns = std::ceil(bytes_left / g.rate * 1e9);
  const Duration wait = ns >= 9.2e18 ? Duration::max() : nanoseconds(static_cast<std::int64_t>(ns));
  sim_.schedule(g, now + wait);
}

// Applies the flow-count changes since the last call: the solver moves only what they affect,
// and only the groups and links it reports are touched.
void FlowNetwork::recompute() {
  ++recomputations_;
  for (std::uint32_t id : dirty_classes_) {
    for (LinkId l : classes_[id]->route) fold(l);
  }
  for (std::uint32_t id : dirty_classes_) {
    RouteClass& c = *classes_[id];
    c.dirty = false;
    const auto n = static_cast<std::uint32_t>(c.heap.size());
    if (n == 0) {
      leave(c);
      if (c.in_solver) solver_.remove_class(id);
      c.in_solver = false;
      c.solo.cancel();
      c.in_use = false;
      spare_route_nodes_.push_back(class_by_route_.extract(c.route));
      free_classes_.push_back(id);
      continue;
    }
    if (!c.in_solver) {
      solver_.add_class(id, c.route.begin(), c.route.size(), n);
      c.in_solver = true;
    } else {
      solver_.set_count(id, n);
    }
    if (c.group != nullptr) want_schedule(*c.group);
  }
  solver_.solve();
  const Time now = sim_.now();
  for (LinkId s : solver_.changed_levels()) {
    Group& g = level_group(s);
    g.advance(now);
    const double level = solver_.level(s);
    g.rate = std::isfinite(level) ? level : 0;
    want_schedule(g);
  }
  for (std::uint32_t id : solver_.changed_classes()) {
    RouteClass& c = *classes_[id];
    const LinkId s = solver_.level_link(id);
    Group& target = s == MaxMinSolver::kNoLink ? c.solo : level_group(s);
    if (c.group != &target) {
      leave(c);
      join(c, target);
    }
    if (&target == &c.solo) {
      c.solo.advance(now);
      c.solo.rate = solver_.rate(id);
      want_schedule(c.solo);
    }
  }
  for (std::uint32_t id : dirty_classes_) {
    const RouteClass& c = *classes_[id];
    for (LinkId l : c.route) refresh(l);
  }
  dirty_classes_.clear();
  for (LinkId l : solver_.changed_links()) refresh(l);
  for (Group* g : to_schedule_) schedule(*g);
  to_schedule_.clear();
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
