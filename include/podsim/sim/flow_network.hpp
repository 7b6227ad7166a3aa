#pragma once
// Fluid bandwidth sharing: links with a capacity in bytes/s, flows of a given size that cross one
// or more links, and max-min fair rates (progressive filling), recomputed whenever flows start or
// finish, with completion events moved accordingly. This is SimGrid's fluid model: no packets,
// exact completion times under piecewise-constant rates.
//
//   sim::FlowNetwork net(sim);
//   auto registry = net.add_link(1.25e9, "registry");
//   auto nic = net.add_link(1.25e9, "node-1/nic");
//   co_await net.transfer(layer_bytes, {registry, nic});
//
// Scale: flows with the same route always get the same rate, so they are grouped into route
// classes, each with a heap of its flows by virtual finish (bytes served per flow when it ends).
// The rates come from MaxMinSolver (max_min_solver.hpp), which keeps the max-min allocation
// incrementally: the common case, one shared link (a registry) with every class crossing it
// and links of its own (node NICs), costs O(log C) per change plus the classes that cross the
// saturation boundary; other structures (several shared links, P2P) fall back to progressive
// filling over the affected component only (cheaper than before all the same: only classes whose
// bottleneck link changed are touched). Classes that run at a shared link's level form one
// *group* with one virtual clock (bytes per flow served at that level) and one completion timer,
// keyed by each member's next finish; a class's own clock is the group clock minus an offset
// set when it joins. A level change is thus one clock update, and only a class whose bottleneck
// changes is re-keyed (its flows never are). Classes with a rate of their own are groups of
// one. Links crossed by one class count their bytes from that class's clock, so they need no
// update when the level moves either. Changes are applied once per instant, however many flows
// started or ended in it.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "podsim/sim/max_min_solver.hpp"
#include "podsim/sim/wait.hpp"

namespace podsim::sim {

class FlowNetwork {
 public:
  using LinkId = std::uint32_t;
  static constexpr std::size_t kMaxHops = 4;

  /// The links a flow crosses (1 to kMaxHops, no repeats).
  class Route {
   public:
    Route() = default;
    Route(std::initializer_list<LinkId> links);
    std::size_t size() const { return size_; }
    LinkId operator[](std::size_t i) const { return links_[i]; }
    const LinkId* begin() const { return links_.data(); }
    const LinkId* end() const { return links_.data() + size_; }
    void push_back(LinkId l);
    friend bool operator==(const Route&, const Route&) = default;

   private:
    std::array<LinkId, kMaxHops> links_{};
    std::size_t size_ = 0;
  };

  /// A transfer in progress. Owned by its user (an awaiter, a model object); destroying an
  /// active flow aborts it.
  class Flow {
   public:
    Flow() = default;
    Flow(const Flow&) = delete;
    Flow& operator=(const Flow&) = delete;
    virtual ~Flow();

    bool active() const { return network_ != nullptr; }
    /// Bytes left and current rate (bytes/s); both 0 when not active.
    double remaining() const;
    double rate() const;

   protected:
    /// Called once when the last byte arrives (the flow is no longer active then).
    virtual void on_complete() = 0;

   private:
    friend class FlowNetwork;
    FlowNetwork* network_ = nullptr;
    std::uint32_t class_ = 0;
    std::uint32_t heap_slot_ = 0;
    double virtual_finish_ = 0;
    std::uint64_t sequence_ = 0;
  };

  /// co_await net.transfer(bytes, route); interrupting the process aborts the flow.
  class Transfer final : public Wait, private Flow {
   public:
    Transfer(FlowNetwork& net, double bytes, Route route)
        : Wait(net.sim_), net_(net), bytes_(bytes), route_(route) {}
    bool await_ready() const { return interrupt_pending() || bytes_ <= 0; }
    void await_suspend(std::coroutine_handle<> h) {
      suspend(h);
      net_.start(*this, bytes_, route_);
    }
    void await_resume() const { check_interrupt(); }

   private:
    void on_complete() override { wake(); }
    void withdraw() override {
      net_.abort(*this);
      cancel();
    }
    FlowNetwork& net_;
    double bytes_;
    Route route_;
  };

  explicit FlowNetwork(Simulation& sim);
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;
  ~FlowNetwork();

  /// Adds a link; the capacity must be positive and finite (bytes per second).
  LinkId add_link(double capacity_bytes_per_s, std::string name);
  std::size_t link_count() const { return links_.size(); }
  const std::string& link_name(LinkId l) const { return links_[l].name; }
  double link_capacity(LinkId l) const { return links_[l].capacity; }
  /// Sum of the current rates of the flows crossing the link.
  double link_rate(LinkId l) const { return link_rate_now(links_[l]); }
  /// Bytes carried so far.
  double link_bytes(LinkId l) const { return link_bytes_now(links_[l]); }
  std::uint32_t link_flows(LinkId l) const { return links_[l].flows; }

  /// Starts `flow` (which must not be active): it completes through Flow::on_complete.
  /// A flow of 0 bytes completes at the current time.
  void start(Flow& flow, double bytes, const Route& route);
  /// Stops an active flow without completing it; a no-op if it is not active.
  void abort(Flow& flow);
  Transfer transfer(double bytes, Route route) { return Transfer(*this, bytes, route); }

  std::size_t active_flows() const { return active_flows_; }
  std::uint64_t recomputations() const { return recomputations_; }

 private:
  struct Link {
    std::string name;
    double capacity = 0;
    std::uint32_t flows = 0;  // active flows crossing it
    // Carried bytes: `carried` up to the last fold, plus, when one class crosses the link,
    // single_n * (that class's clock - clock_mark), else allocated * (now - accounted_at).
    double carried = 0;
    bool single = false;
    std::uint32_t single_class = 0;
    double single_n = 0;
    double clock_mark = 0;
    double allocated = 0;
    Time accounted_at;
    std::uint64_t refreshed = 0;
  };
  struct Group;       // classes running at one rate, with one virtual clock and timer
  struct RouteClass;  // flows with one route
  struct RouteHash {
    std::size_t operator()(const Route& r) const;
  };

  RouteClass& class_of(const Route& route);
  double class_clock(const RouteClass& c) const;
  double link_rate_now(const Link& link) const;
  double link_bytes_now(const Link& link) const;
  void fold(LinkId l);
  void refresh(LinkId l);
  void mark_dirty(RouteClass& c);
  void recompute();
  Group& level_group(LinkId l);
  void join(RouteClass& c, Group& g);
  void leave(RouteClass& c);
  void rekey(RouteClass& c);
  void want_schedule(Group& g);
  void schedule(Group& g);
  void complete_due(Group& g);
  static bool finishes_before(const Flow* a, const Flow* b);
  void heap_push(RouteClass& c, Flow& f);
  void heap_remove(RouteClass& c, std::uint32_t slot);
  void heap_sift_up(RouteClass& c, std::uint32_t slot);
  void heap_sift_down(RouteClass& c, std::uint32_t slot);
  void detach(Flow& flow);

  class RecomputeTimer final : public Activation {
   public:
    explicit RecomputeTimer(FlowNetwork& n) : net(n) {}
    void fire() override { net.recompute(); }
    FlowNetwork& net;
  };

  Simulation& sim_;
  std::vector<Link> links_;
  std::vector<std::unique_ptr<RouteClass>> classes_;
  std::vector<std::uint32_t> free_classes_;
  std::unordered_map<Route, std::uint32_t, RouteHash> class_by_route_;
  // Map nodes of freed classes, reused: a node's downloads make and free a route class with
  // every image it pulls, and this way that allocates nothing.
  std::vector<std::unordered_map<Route, std::uint32_t, RouteHash>::node_type> spare_route_nodes_;
  std::vector<std::unique_ptr<Group>> level_groups_;  // per star centre, made on first use
  MaxMinSolver solver_;
  RecomputeTimer recompute_timer_;
  // Scratch kept between calls so that recomputing allocates nothing in steady state.
  std::vector<std::uint32_t> dirty_classes_;
  std::vector<Group*> to_schedule_;
  std::vector<Flow*> completed_scratch_;
  std::size_t active_flows_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t recomputations_ = 0;
};

}  // namespace podsim::sim
