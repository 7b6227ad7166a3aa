#pragma once
// Incremental max-min fair allocation (no engine types): links with capacities, route classes
// (a route of 1 to 4 links and a count n of flows that all get the same rate), and the max-min
// fair per-flow rate of every class, the one progressive filling gives, kept up to date as
// classes come and go and their counts change.
//
// A link crossed by one class is *private*: it only caps that class (rate <= cap / n). A link
// crossed by two or more is *shared*. The classes fall into three kinds, re-evaluated only for
// the classes a change touches:
//   - isolated: no shared link; rate = min over its links of cap / n.
//   - star member of S: exactly one shared link S, and every class on S is also like that (S
//     is a *star centre*). With per-class caps cap_c (its private links), the rates are
//     min(cap_c, x) where the level x solves sum_c n_c min(cap_c, x) = cap_S (x = +inf when
//     every class is capped). S keeps its classes in two indexed heaps, capped (cap_c <= x, by
//     largest cap) and uncapped (cap_c >= x, by smallest cap), with sum n_c cap_c over the
//     capped and sum n_c over the uncapped; a change re-inserts one class and moves only the
//     classes that cross the boundary: O((1 + moved) log C). The uncapped classes all run at
//     the level, which the caller can treat as one virtual clock (level_link()), so a level
//     change touches no class.
//   - general: any other class (several shared links, or a shared link that is not a star
//     centre, e.g. a P2P uploader's link also crossed by a two-shared-link class). Those form
//     components joined by shared links; a component with a change is recomputed by plain
//     progressive filling over its classes only (O(C' k log L) for its C' classes). A class
//     whose bottleneck is a shared link runs at that link's level, like a star's uncapped
//     classes, so only the classes whose bottleneck link changed are reported, not every class
//     whose rate moved with its bottleneck's level.
// solve() applies the pending changes and lists what moved: classes whose level link changed
// (or, without one, whose own rate changed), links whose level changed, shared links whose
// allocation changed. A caller that mirrors those sees every rate: rate(c) is level(link) for
// a class with a level link, else the class's own rate. Each star centre or general shared
// link has at most one level at a time, so one group per link suffices for the caller.

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace podsim::sim {

class MaxMinSolver {
 public:
  using LinkId = std::uint32_t;
  using ClassId = std::uint32_t;
  static constexpr std::size_t kMaxHops = 4;
  static constexpr LinkId kNoLink = std::numeric_limits<LinkId>::max();

  LinkId add_link(double capacity);
  std::size_t link_count() const { return links_.size(); }
  /// Adds class `id` (ids are chosen by the caller and reused after remove_class) with n flows.
  void add_class(ClassId id, const LinkId* route, std::size_t hops, std::uint32_t n);
  void remove_class(ClassId id);
  void set_count(ClassId id, std::uint32_t n);

  /// Brings every rate up to date with the changes since the last call.
  void solve();

  /// Per-flow rate of a class (the level when it runs at a star centre's level).
  double rate(ClassId id) const;
  /// The link whose level sets the class's rate, or kNoLink if it has its own rate.
  LinkId level_link(ClassId id) const;
  /// Level of a star centre or general bottleneck link (+inf when no class runs at it).
  double level(LinkId l) const { return links_[l].level; }
  /// Sum of n * rate over the classes crossing the link.
  double link_allocated(LinkId l) const;
  const std::vector<ClassId>& link_classes(LinkId l) const { return links_[l].classes; }

  /// What the last solve() changed (each listed once).
  const std::vector<ClassId>& changed_classes() const { return changed_classes_; }
  const std::vector<LinkId>& changed_levels() const { return changed_levels_; }
  const std::vector<LinkId>& changed_links() const { return changed_links_; }

 private:
  enum class Mode : std::uint8_t { kNone, kIsolated, kStar, kGeneral };
  struct Link {
    double capacity = 0;
    std::vector<ClassId> classes;
    std::uint32_t nonstar = 0;  // classes on it with two or more shared links
    std::uint8_t status = 0;    // 0 private/unused, 1 star centre, 2 general shared
    bool touched = false;
    // Star centre state.
    std::vector<ClassId> capped;    // max-heap by cap
    std::vector<ClassId> uncapped;  // min-heap by cap
    double capped_bytes = 0;        // sum n * cap over capped
    std::uint64_t uncapped_flows = 0;
    std::uint32_t updates = 0;
    double level = std::numeric_limits<double>::infinity();
    bool star_dirty = false;
    // General shared link.
    double allocated = 0;
    double old_allocated = 0;
    bool was_bottleneck = false;
    // Progressive-filling scratch.
    std::uint64_t epoch = 0;
    std::uint64_t version = 0;
    double unassigned_capacity = 0;
    std::uint64_t unassigned_flows = 0;
    std::uint64_t level_reported = 0;
    std::uint64_t link_reported = 0;
  };
  struct Class {
    std::array<LinkId, kMaxHops> route{};
    std::array<std::uint32_t, kMaxHops> position{};
    std::uint8_t hops = 0;
    std::uint8_t shared = 0;  // links with >= 2 classes
    Mode mode = Mode::kNone;
    bool in_use = false;
    bool dirty = false;
    bool in_capped = false;
    bool assigned = false;
    std::uint32_t n = 0;
    std::uint32_t weight = 0;  // n when it entered its star
    std::uint32_t slot = 0;    // in the star heap
    LinkId star = kNoLink;
    LinkId bottleneck = kNoLink;  // general: the shared link whose share it got, if any
    double cap = 0;
    double rate = 0;
    std::uint64_t epoch = 0;
    std::uint64_t reported = 0;
  };

  std::uint8_t status_of(const Link& l) const;
  void touch(LinkId l);
  void set_general_flag(ClassId id, bool before);
  void leave(ClassId id);
  void enter(ClassId id);
  void report(ClassId id);
  void report_level(LinkId l);
  void report_link(LinkId l);
  void rebalance(LinkId s);
  void fill_general();
  double star_level(const Link& s) const;
  // Indexed heaps of a star centre.
  bool heap_before(bool max_heap, ClassId a, ClassId b) const;
  void heap_push(std::vector<ClassId>& h, bool max_heap, ClassId id);
  void heap_erase(std::vector<ClassId>& h, bool max_heap, std::uint32_t slot);
  void heap_up(std::vector<ClassId>& h, bool max_heap, std::uint32_t slot);
  void heap_down(std::vector<ClassId>& h, bool max_heap, std::uint32_t slot);

  std::vector<Link> links_;
  std::vector<Class> classes_;
  std::vector<LinkId> touched_links_;
  std::vector<ClassId> dirty_classes_;
  std::vector<LinkId> dirty_stars_;
  std::vector<ClassId> general_seeds_;
  std::vector<LinkId> seed_links_;
  std::vector<ClassId> changed_classes_;
  std::vector<LinkId> changed_levels_;
  std::vector<LinkId> changed_links_;
  // Progressive-filling scratch.
  std::vector<ClassId> component_;
  std::vector<LinkId> component_links_;
  struct Candidate {
    double share;
    LinkId link;
    std::uint64_t version;
    bool operator>(const Candidate& o) const {
      return share > o.share || (share == o.share && link > o.link);
    }
  };
  std::vector<Candidate> candidates_;
  std::uint64_t epoch_ = 0;
  std::uint64_t solves_ = 0;
};

}  // namespace podsim::sim
