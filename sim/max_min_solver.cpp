#include "podsim/sim/max_min_solver.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace podsim::sim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::uint8_t kPrivate = 0;
constexpr std::uint8_t kStarCentre = 1;
constexpr std::uint8_t kGeneralShared = 2;
}  // namespace

MaxMinSolver::LinkId MaxMinSolver::add_link(double capacity) {
  Link l;
  l.capacity = capacity;
  links_.push_back(std::move(l));
  return static_cast<LinkId>(links_.size() - 1);
}

std::uint8_t MaxMinSolver::status_of(const Link& l) const {
  if (l.classes.size() < 2) return kPrivate;
  return l.nonstar == 0 ? kStarCentre : kGeneralShared;
}

void MaxMinSolver::touch(LinkId l) {
  if (links_[l].touched) return;
  links_[l].touched = true;
  touched_links_.push_back(l);
}

void MaxMinSolver::set_general_flag(ClassId id, bool before) {
  Class& c = classes_[id];
  const bool now = c.shared >= 2;
  if (now == before) return;
  for (std::size_t h = 0; h < c.hops; ++h) {
    Link& l = links_[c.route[h]];
    if (now) {
      ++l.nonstar;
    } else {
      --l.nonstar;
    }
    touch(c.route[h]);
  }
}

void MaxMinSolver::add_class(ClassId id, const LinkId* route, std::size_t hops, std::uint32_t n) {
  if (hops == 0 || hops > kMaxHops) throw std::invalid_argument("MaxMinSolver: bad route");
  if (id >= classes_.size()) classes_.resize(static_cast<std::size_t>(id) + 1);
  Class& c = classes_[id];
  if (c.in_use) throw std::logic_error("MaxMinSolver: class already in use");
  c.in_use = true;
  c.hops = static_cast<std::uint8_t>(hops);
  c.n = n;
  c.mode = Mode::kNone;
  c.shared = 0;
  for (std::size_t h = 0; h < hops; ++h) {
    const LinkId l = route[h];
    c.route[h] = l;
    Link& link = links_[l];
    c.position[h] = static_cast<std::uint32_t>(link.classes.size());
    link.classes.push_back(id);
    touch(l);
    if (link.classes.size() == 2) {
      const ClassId o = link.classes[0];
      Class& other = classes_[o];
      const bool before = other.shared >= 2;
      ++other.shared;
      set_general_flag(o, before);
      if (!other.dirty) {
        other.dirty = true;
        dirty_classes_.push_back(o);
      }
    }
    if (link.classes.size() >= 2) ++c.shared;
  }
  set_general_flag(id, false);
  if (!c.dirty) {
    c.dirty = true;
    dirty_classes_.push_back(id);
  }
}

void MaxMinSolver::remove_class(ClassId id) {
  Class& c = classes_[id];
  if (!c.in_use) throw std::logic_error("MaxMinSolver: no such class");
  leave(id);
  const bool before = c.shared >= 2;
  c.shared = 0;
  set_general_flag(id, before);
  for (std::size_t h = 0; h < c.hops; ++h) {
    const LinkId l = c.route[h];
    Link& link = links_[l];
    const std::uint32_t pos = c.position[h];
    const ClassId moved = link.classes.back();
    link.classes[pos] = moved;
    link.classes.pop_back();
    if (moved != id) {
      Class& m = classes_[moved];
      for (std::size_t mh = 0; mh < m.hops; ++mh) {
        if (m.route[mh] == l) m.position[mh] = pos;
      }
    }
    touch(l);
    if (link.classes.size() == 1) {
      const ClassId o = link.classes[0];
      Class& other = classes_[o];
      const bool was = other.shared >= 2;
      --other.shared;
      set_general_flag(o, was);
      if (!other.dirty) {
        other.dirty = true;
        dirty_classes_.push_back(o);
      }
    }
  }
  c.in_use = false;
  c.n = 0;
}

void MaxMinSolver::set_count(ClassId id, std::uint32_t n) {
  Class& c = classes_[id];
  if (c.n == n) return;
  c.n = n;
  if (!c.dirty) {
    c.dirty = true;
    dirty_classes_.push_back(id);
  }
}

double MaxMinSolver::rate(ClassId id) const {
  const LinkId l = level_link(id);
  return l == kNoLink ? classes_[id].rate : links_[l].level;
}

MaxMinSolver::LinkId MaxMinSolver::level_link(ClassId id) const {
  const Class& c = classes_[id];
  if (c.mode == Mode::kStar) return c.in_capped ? kNoLink : c.star;
  if (c.mode == Mode::kGeneral) return c.bottleneck;
  return kNoLink;
}

double MaxMinSolver::link_allocated(LinkId l) const {
  const Link& link = links_[l];
  if (link.classes.empty()) return 0;
  if (link.classes.size() == 1) {
    const ClassId id = link.classes[0];
    return classes_[id].n * rate(id);
  }
  if (link.status == kStarCentre) {
    return link.uncapped_flows > 0 ? link.capacity : link.capped_bytes;
  }
  return link.allocated;
}

void MaxMinSolver::report(ClassId id) {
  Class& c = classes_[id];
  if (c.reported == solves_) return;
  c.reported = solves_;
  changed_classes_.push_back(id);
}

void MaxMinSolver::report_level(LinkId l) {
  if (links_[l].level_reported == solves_) return;
  links_[l].level_reported = solves_;
  changed_levels_.push_back(l);
}

void MaxMinSolver::report_link(LinkId l) {
  if (links_[l].link_reported == solves_) return;
  links_[l].link_reported = solves_;
  changed_links_.push_back(l);
}

void MaxMinSolver::leave(ClassId id) {
  Class& c = classes_[id];
  if (c.mode == Mode::kStar) {
    Link& s = links_[c.star];
    if (c.in_capped) {
      heap_erase(s.capped, true, c.slot);
      s.capped_bytes -= c.weight * c.cap;
      if (s.capped.empty()) s.capped_bytes = 0;
    } else {
      heap_erase(s.uncapped, false, c.slot);
      s.uncapped_flows -= c.weight;
    }
    if (!s.star_dirty) {
      s.star_dirty = true;
      dirty_stars_.push_back(c.star);
    }
    c.star = kNoLink;
    c.in_capped = false;
  } else if (c.mode == Mode::kGeneral) {
    for (std::size_t h = 0; h < c.hops; ++h) seed_links_.push_back(c.route[h]);
  }
  c.mode = Mode::kNone;
  c.bottleneck = kNoLink;
}

void MaxMinSolver::enter(ClassId id) {
  Class& c = classes_[id];
  double cap = kInf;
  LinkId shared = kNoLink;
  for (std::size_t h = 0; h < c.hops; ++h) {
    const Link& l = links_[c.route[h]];
    if (l.classes.size() == 1) {
      cap = std::min(cap, l.capacity / c.n);
    } else {
      shared = c.route[h];
    }
  }
  c.cap = cap;
  if (c.n == 0 || c.shared == 0) {
    c.mode = Mode::kIsolated;
    c.rate = c.n == 0 ? 0 : cap;
    return;
  }
  if (c.shared == 1 && links_[shared].status == kStarCentre) {
    Link& s = links_[shared];
    c.mode = Mode::kStar;
    c.star = shared;
    c.weight = c.n;
    c.in_capped = false;
    heap_push(s.uncapped, false, id);
    s.uncapped_flows += c.n;
    if (!s.star_dirty) {
      s.star_dirty = true;
      dirty_stars_.push_back(shared);
    }
    return;
  }
  c.mode = Mode::kGeneral;
  general_seeds_.push_back(id);
}

double MaxMinSolver::star_level(const Link& s) const {
  if (s.uncapped_flows == 0) return kInf;
  return (s.capacity - s.capped_bytes) / static_cast<double>(s.uncapped_flows);
}

void MaxMinSolver::rebalance(LinkId sid) {
  Link& s = links_[sid];
  // The running sum drifts by rounding; recompute it now and then (amortized O(1)).
  if (++s.updates >= 64 + s.capped.size()) {
    s.updates = 0;
    double sum = 0;
    for (ClassId id : s.capped) sum += classes_[id].weight * classes_[id].cap;
    s.capped_bytes = sum;
  }
  // Both moves raise the level; after the first loop every capped cap is <= the level, after
  // the second every uncapped cap is >= it too.
  while (!s.capped.empty() && classes_[s.capped.front()].cap > star_level(s)) {
    const ClassId id = s.capped.front();
    Class& c = classes_[id];
    heap_erase(s.capped, true, 0);
    s.capped_bytes -= c.weight * c.cap;
    if (s.capped.empty()) s.capped_bytes = 0;
    c.in_capped = false;
    heap_push(s.uncapped, false, id);
    s.uncapped_flows += c.weight;
    report(id);
  }
  while (!s.uncapped.empty() && classes_[s.uncapped.front()].cap < star_level(s)) {
    const ClassId id = s.uncapped.front();
    Class& c = classes_[id];
    heap_erase(s.uncapped, false, 0);
    s.uncapped_flows -= c.weight;
    c.in_capped = true;
    c.rate = c.cap;
    heap_push(s.capped, true, id);
    s.capped_bytes += c.weight * c.cap;
    report(id);
  }
  const double level = star_level(s);
  if (level != s.level) {
    s.level = level;
    report_level(sid);
  }
  report_link(sid);
}

void MaxMinSolver::solve() {
  ++solves_;
  changed_classes_.clear();
  changed_levels_.clear();
  changed_links_.clear();
  for (LinkId l : touched_links_) {
    Link& link = links_[l];
    link.touched = false;
    const std::uint8_t status = status_of(link);
    if (status != link.status) {
      if (link.status == kGeneralShared) seed_links_.push_back(l);
      if (link.status == kStarCentre && !link.star_dirty) {
        link.star_dirty = true;
        dirty_stars_.push_back(l);
      }
      link.status = status;
      link.allocated = 0;
      for (ClassId id : link.classes) {
        if (!classes_[id].dirty) {
          classes_[id].dirty = true;
          dirty_classes_.push_back(id);
        }
      }
    }
    report_link(l);
  }
  touched_links_.clear();
  // Leave every old place first, then enter the new ones, so that a star sees all its
  // departures before its arrivals.
  for (ClassId id : dirty_classes_) {
    if (classes_[id].in_use) leave(id);
  }
  for (ClassId id : dirty_classes_) {
    Class& c = classes_[id];
    c.dirty = false;
    if (!c.in_use) continue;
    enter(id);
    report(id);
  }
  dirty_classes_.clear();
  for (LinkId s : dirty_stars_) {
    links_[s].star_dirty = false;
    rebalance(s);
  }
  dirty_stars_.clear();
  fill_general();
}

// Progressive filling over the general components that hold a change.
void MaxMinSolver::fill_general() {
  if (seed_links_.empty() && general_seeds_.empty()) return;
  ++epoch_;
  component_.clear();
  component_links_.clear();
  auto add = [this](ClassId id) {
    Class& c = classes_[id];
    if (!c.in_use || c.mode != Mode::kGeneral || c.epoch == epoch_) return;
    c.epoch = epoch_;
    c.assigned = false;
    component_.push_back(id);
  };
  for (LinkId l : seed_links_) {
    if (links_[l].status != kGeneralShared) continue;
    for (ClassId id : links_[l].classes) add(id);
  }
  for (ClassId id : general_seeds_) add(id);
  seed_links_.clear();
  general_seeds_.clear();
  for (std::size_t i = 0; i < component_.size(); ++i) {
    const Class& c = classes_[component_[i]];
    for (std::size_t h = 0; h < c.hops; ++h) {
      const LinkId l = c.route[h];
      Link& link = links_[l];
      if (link.epoch == epoch_) continue;
      link.epoch = epoch_;
      link.unassigned_capacity = link.capacity;
      link.unassigned_flows = 0;
      link.old_allocated = link.allocated;
      link.allocated = 0;
      link.was_bottleneck = false;
      component_links_.push_back(l);
      if (link.classes.size() >= 2) {
        for (ClassId id : link.classes) add(id);
      }
    }
  }
  for (ClassId id : component_) {
    const Class& c = classes_[id];
    for (std::size_t h = 0; h < c.hops; ++h) links_[c.route[h]].unassigned_flows += c.n;
  }
  std::vector<Candidate>& candidates = candidates_;
  candidates.clear();
  auto push = [&candidates](Candidate c) {
    candidates.push_back(c);
    std::push_heap(candidates.begin(), candidates.end(), std::greater<>{});
  };
  auto share_of = [](const Link& link) {
    return std::max(0.0, link.unassigned_capacity) / static_cast<double>(link.unassigned_flows);
  };
  for (LinkId l : component_links_) {
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
    // A shared bottleneck's classes run at its level (one group for the caller); a private
    // one's class at a rate of its own.
    const bool shared = bottleneck.classes.size() >= 2;
    if (shared) {
      bottleneck.was_bottleneck = true;
      if (bottleneck.level != share) {
        bottleneck.level = share;
        report_level(top.link);
      }
    }
    for (ClassId id : bottleneck.classes) {
      Class& c = classes_[id];
      if (c.epoch != epoch_ || c.assigned) continue;
      c.assigned = true;
      const LinkId b = shared ? top.link : kNoLink;
      if (b != c.bottleneck || (!shared && c.rate != share)) report(id);
      c.bottleneck = b;
      c.rate = share;
      const double n = c.n;
      for (std::size_t h = 0; h < c.hops; ++h) {
        const LinkId l = c.route[h];
        Link& link = links_[l];
        link.allocated += share * n;
        link.unassigned_capacity -= share * n;
        link.unassigned_flows -= c.n;
        ++link.version;
        if (l != top.link && link.unassigned_flows > 0) push({share_of(link), l, link.version});
      }
    }
  }
  for (LinkId l : component_links_) {
    Link& link = links_[l];
    if (link.classes.size() < 2) continue;  // private: the caller counts it from its class
    if (!link.was_bottleneck && link.level != kInf) {
      link.level = kInf;
      report_level(l);
    }
    if (link.allocated != link.old_allocated) report_link(l);
  }
}

// ---- Indexed heaps (slot kept in Class::slot) ------------------------------------------------

bool MaxMinSolver::heap_before(bool max_heap, ClassId a, ClassId b) const {
  const double ca = classes_[a].cap;
  const double cb = classes_[b].cap;
  if (ca != cb) return max_heap ? ca > cb : ca < cb;
  return a < b;
}

void MaxMinSolver::heap_push(std::vector<ClassId>& h, bool max_heap, ClassId id) {
  classes_[id].slot = static_cast<std::uint32_t>(h.size());
  h.push_back(id);
  heap_up(h, max_heap, classes_[id].slot);
}

void MaxMinSolver::heap_erase(std::vector<ClassId>& h, bool max_heap, std::uint32_t slot) {
  const ClassId last = h.back();
  h.pop_back();
  if (slot < h.size()) {
    h[slot] = last;
    classes_[last].slot = slot;
    heap_up(h, max_heap, slot);
    heap_down(h, max_heap, classes_[last].slot);
  }
}

void MaxMinSolver::heap_up(std::vector<ClassId>& h, bool max_heap, std::uint32_t slot) {
  const ClassId id = h[slot];
  while (slot > 0) {
    const std::uint32_t parent = (slot - 1) / 2;
    if (!heap_before(max_heap, id, h[parent])) break;
    h[slot] = h[parent];
    classes_[h[slot]].slot = slot;
    slot = parent;
  }
  h[slot] = id;
  classes_[id].slot = slot;
}

void MaxMinSolver::heap_down(std::vector<ClassId>& h, bool max_heap, std::uint32_t slot) {
  const auto size = static_cast<std::uint32_t>(h.size());
  const ClassId id = h[slot];
  for (;;) {
    std::uint32_t child = 2 * slot + 1;
    if (child >= size) break;
    if (child + 1 < size && heap_before(max_heap, h[child + 1], h[child])) ++child;
    if (!heap_before(max_heap, h[child], id)) break;
    h[slot] = h[child];
    classes_[h[slot]].slot = slot;
    slot = child;
  }
  h[slot] = id;
  classes_[id].slot = slot;
}

}  // namespace podsim::sim
