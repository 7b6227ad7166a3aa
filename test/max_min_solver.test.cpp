// The incremental max-min solver against a plain progressive-filling reference, and the flow
// network built on it against a reference fluid simulation.
#include "podsim/sim/max_min_solver.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "podsim/sim.hpp"
#include "podsim/sim/flow_network.hpp"

using namespace podsim::sim;

namespace {

using Links = std::vector<std::uint32_t>;

// Progressive filling, written out plainly: O(L * C) per round.
std::vector<double> reference_rates(const std::vector<double>& capacity,
                                    const std::vector<Links>& routes,
                                    const std::vector<std::uint32_t>& counts) {
  const std::size_t nl = capacity.size();
  std::vector<double> left = capacity;
  std::vector<double> flows(nl, 0);
  for (std::size_t c = 0; c < routes.size(); ++c) {
    for (auto l : routes[c]) flows[l] += counts[c];
  }
  std::vector<double> rate(routes.size(), -1);
  for (;;) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t bl = nl;
    for (std::size_t l = 0; l < nl; ++l) {
      if (flows[l] > 0 && std::max(0.0, left[l]) / flows[l] < best) {
        best = std::max(0.0, left[l]) / flows[l];
        bl = l;
      }
    }
    if (bl == nl) break;
    for (std::size_t c = 0; c < routes.size(); ++c) {
      if (rate[c] >= 0 || counts[c] == 0) continue;
      if (std::find(routes[c].begin(), routes[c].end(), bl) == routes[c].end()) continue;
      rate[c] = best;
      for (auto l : routes[c]) {
        left[l] -= best * counts[c];
        flows[l] -= counts[c];
      }
    }
  }
  return rate;
}

bool close(double a, double b, double rel = 1e-9) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::abs(a - b) <= rel * std::max({1.0, std::abs(a), std::abs(b)});
}

enum class Shape { kStar, kMultiShared, kP2P, kMixed };

struct Topology {
  std::vector<double> capacity;
  std::vector<Links> routes;  // candidate routes
};

Topology make_topology(Shape shape, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> cap(1, 100);
  Topology t;
  auto link = [&t](double c) {
    t.capacity.push_back(c);
    return static_cast<std::uint32_t>(t.capacity.size() - 1);
  };
  switch (shape) {
    case Shape::kStar:
    case Shape::kMixed: {
      const auto s = link(cap(rng) * 5);
      const auto s2 = link(cap(rng) * 3);
      const int nics = 12;
      for (int i = 0; i < nics; ++i) {
        const auto nic = link(cap(rng));
        t.routes.push_back({s, nic});
        if (i % 3 == 0) {
          const auto disk = link(cap(rng));
          t.routes.push_back({nic, disk, s});
        }
        if (shape == Shape::kMixed && i % 4 == 0) t.routes.push_back({s2, nic});
      }
      t.routes.push_back({s});
      t.routes.push_back({link(cap(rng))});
      if (shape == Shape::kMixed) {
        t.routes.push_back({s, s2});
        t.routes.push_back({s2});
      }
      break;
    }
    case Shape::kMultiShared: {
      std::vector<std::uint32_t> shared;
      for (int i = 0; i < 3; ++i) shared.push_back(link(cap(rng) * 4));
      for (int i = 0; i < 10; ++i) {
        const auto nic = link(cap(rng));
        Links r{nic};
        for (auto s : shared) {
          if (rng() % 2) r.push_back(s);
        }
        t.routes.push_back(r);
        t.routes.push_back({shared[rng() % 3], nic});
      }
      break;
    }
    case Shape::kP2P: {
      const int peers = 6;
      std::vector<std::uint32_t> up, down;
      for (int i = 0; i < peers; ++i) {
        up.push_back(link(cap(rng)));
        down.push_back(link(cap(rng)));
      }
      const auto registry = link(cap(rng) * 3);
      for (int p = 0; p < peers; ++p) {
        t.routes.push_back({registry, down[static_cast<std::size_t>(p)]});
        for (int q = 0; q < peers; ++q) {
          if (p != q) {
            t.routes.push_back(
                {up[static_cast<std::size_t>(p)], down[static_cast<std::size_t>(q)]});
          }
        }
      }
      break;
    }
  }
  return t;
}

// Random adds and removes of flows; after every solve, every rate matches the reference and
// everything whose value changed was reported.
void check_random(Shape shape, std::uint64_t seed, int steps) {
  std::mt19937_64 rng(seed);
  const Topology t = make_topology(shape, rng);
  MaxMinSolver solver;
  for (double c : t.capacity) solver.add_link(c);
  const std::size_t nr = t.routes.size();
  std::vector<std::uint32_t> counts(nr, 0);
  std::vector<bool> present(nr, false);
  std::vector<double> seen_rate(nr, 0);
  std::vector<std::uint32_t> seen_level_link(nr, MaxMinSolver::kNoLink);
  std::vector<double> seen_level(t.capacity.size(), std::numeric_limits<double>::infinity());
  std::vector<double> seen_alloc(t.capacity.size(), 0);
  // A few routes are hot, so that classes pile up flows and cross the star's boundary.
  for (int step = 0; step < steps; ++step) {
    const int batch = 1 + static_cast<int>(rng() % 3);
    for (int b = 0; b < batch; ++b) {
      const std::size_t r = rng() % 4 == 0 ? rng() % std::min<std::size_t>(3, nr) : rng() % nr;
      const bool add = counts[r] == 0 || rng() % 100 < 55;
      if (add) {
        ++counts[r];
      } else {
        --counts[r];
      }
      const auto id = static_cast<MaxMinSolver::ClassId>(r);
      if (counts[r] > 0 && !present[r]) {
        solver.add_class(id, t.routes[r].data(), t.routes[r].size(), counts[r]);
        present[r] = true;
      } else if (counts[r] == 0 && present[r]) {
        solver.remove_class(id);
        present[r] = false;
      } else if (present[r]) {
        solver.set_count(id, counts[r]);
      }
    }
    solver.solve();
    const auto ref = reference_rates(t.capacity, t.routes, counts);
    std::set<std::uint32_t> changed(solver.changed_classes().begin(),
                                    solver.changed_classes().end());
    std::set<std::uint32_t> levels(solver.changed_levels().begin(), solver.changed_levels().end());
    std::set<std::uint32_t> links(solver.changed_links().begin(), solver.changed_links().end());
    for (std::size_t r = 0; r < nr; ++r) {
      if (counts[r] == 0) continue;
      const auto id = static_cast<MaxMinSolver::ClassId>(r);
      INFO("seed " << seed << " step " << step << " class " << r);
      REQUIRE(close(solver.rate(id), ref[r]));
      const auto ll = solver.level_link(id);
      if (ll != MaxMinSolver::kNoLink) REQUIRE(solver.rate(id) == solver.level(ll));
      // What the flow network keys on: the level link, or the own rate when there is none.
      const bool moved = ll != seen_level_link[r] ||
                         (ll == MaxMinSolver::kNoLink && solver.rate(id) != seen_rate[r]);
      if (moved) REQUIRE(changed.count(id) == 1);
      seen_level_link[r] = ll;
      seen_rate[r] = solver.rate(id);
    }
    for (std::uint32_t l = 0; l < t.capacity.size(); ++l) {
      INFO("seed " << seed << " step " << step << " link " << l);
      double sum = 0;
      for (std::size_t r = 0; r < nr; ++r) {
        if (counts[r] == 0) continue;
        if (std::find(t.routes[r].begin(), t.routes[r].end(), l) != t.routes[r].end()) {
          sum += counts[r] * ref[r];
        }
      }
      REQUIRE(close(solver.link_allocated(l), sum));
      REQUIRE(sum <= t.capacity[l] * (1 + 1e-9));
      const auto& on = solver.link_classes(l);
      if (on.size() >= 2 && solver.link_allocated(l) != seen_alloc[l]) {
        REQUIRE(links.count(l) == 1);
      }
      seen_alloc[l] = solver.link_allocated(l);
      const double level = solver.level(l);
      if (level != seen_level[l]) {
        bool used = false;
        for (std::size_t r = 0; r < nr; ++r) {
          if (counts[r] > 0 && solver.level_link(static_cast<std::uint32_t>(r)) == l) used = true;
        }
        if (used) REQUIRE(levels.count(l) == 1);
      }
      seen_level[l] = level;
    }
  }
}

}  // namespace

TEST_CASE("max-min solver: random changes match progressive filling", "[flow]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    check_random(Shape::kStar, seed, 400);
    check_random(Shape::kMultiShared, seed, 300);
    check_random(Shape::kP2P, seed, 300);
    check_random(Shape::kMixed, seed, 400);
  }
}

TEST_CASE("max-min solver: three flows over two links, hand-worked", "[flow]") {
  // A: 10, B: 4; classes {A}, {A, B}, {B} with one flow each: 8, 2, 2 (B's share 2 first).
  MaxMinSolver s;
  const auto a = s.add_link(10);
  const auto b = s.add_link(4);
  const std::uint32_t r0[] = {a}, r1[] = {a, b}, r2[] = {b};
  s.add_class(0, r0, 1, 1);
  s.add_class(1, r1, 2, 1);
  s.add_class(2, r2, 1, 1);
  s.solve();
  CHECK(s.rate(0) == Approx(8));
  CHECK(s.rate(1) == Approx(2));
  CHECK(s.rate(2) == Approx(2));
  CHECK(s.link_allocated(a) == Approx(10));
  CHECK(s.link_allocated(b) == Approx(4));
  s.remove_class(1);
  s.solve();
  CHECK(s.rate(0) == Approx(10));
  CHECK(s.rate(2) == Approx(4));
}

TEST_CASE("max-min solver: star NICs cross the saturation boundary as flows join", "[flow]") {
  // Registry 100 B/s; NICs of 10, 20, 40 B/s, one class each over {registry, nic}.
  MaxMinSolver s;
  const auto reg = s.add_link(100);
  const auto n10 = s.add_link(10), n20 = s.add_link(20), n40 = s.add_link(40);
  const std::uint32_t r0[] = {reg, n10}, r1[] = {reg, n20}, r2[] = {reg, n40};
  // One flow each: 10 + 20 + 40 = 70 <= 100, every class NIC-bound, no level.
  s.add_class(0, r0, 2, 1);
  s.add_class(1, r1, 2, 1);
  s.add_class(2, r2, 2, 1);
  s.solve();
  CHECK(s.rate(0) == Approx(10));
  CHECK(s.rate(1) == Approx(20));
  CHECK(s.rate(2) == Approx(40));
  CHECK(s.level_link(2) == MaxMinSolver::kNoLink);
  CHECK(s.link_allocated(reg) == Approx(70));
  // Two flows on the 40 NIC: caps 10, 20, 20 (per flow); 10 + 20 + 2 * 20 = 70, still capped.
  s.set_count(2, 2);
  s.solve();
  CHECK(s.rate(2) == Approx(20));
  CHECK(s.link_allocated(reg) == Approx(70));
  // Four flows on the 20 NIC (cap 5 each) and 6 on the 40 NIC (cap 6.67): 10 + 20 + 40 = 70.
  // Now add 5 flows on the 10 NIC: cap 2 each, 10 B/s. Still 70. Then the registry only:
  // a class {registry} with 10 flows: level x solves 10 + 20 + 40 + 10x = 100 -> x = 3, which
  // is below the 20 NIC's cap 5 and the 40 NIC's 6.67: they become level-bound too, then
  // 10 (the 10 NIC: 5 flows at cap 2) + (4 + 6 + 10) x = 100 -> x = 4.5 > 2.
  s.set_count(1, 4);
  s.set_count(2, 6);
  s.set_count(0, 5);
  const std::uint32_t r3[] = {reg};
  s.add_class(3, r3, 1, 10);
  s.solve();
  CHECK(s.rate(0) == Approx(2));
  CHECK(s.level_link(0) == MaxMinSolver::kNoLink);
  CHECK(s.rate(1) == Approx(4.5));
  CHECK(s.rate(2) == Approx(4.5));
  CHECK(s.rate(3) == Approx(4.5));
  CHECK(s.level_link(1) == reg);
  CHECK(s.level(reg) == Approx(4.5));
  CHECK(s.link_allocated(reg) == Approx(100));
  // The registry-only class leaves: back to every NIC bound.
  s.remove_class(3);
  s.solve();
  CHECK(s.rate(1) == Approx(5));
  CHECK(s.rate(2) == Approx(40.0 / 6));
  CHECK(s.level_link(1) == MaxMinSolver::kNoLink);
  CHECK(s.link_allocated(reg) == Approx(70));
}

namespace {

// Reference fluid simulation: rates by reference_rates over the active flows, exact times.
// A flow may be aborted at `abort` (if still active then). Snapshots of every flow's rate and
// bytes left are taken at the `probes` times.
struct RefFlow {
  double start;
  double bytes;
  std::size_t route;
  double abort = std::numeric_limits<double>::infinity();
};
struct RefRun {
  std::vector<double> finish;                   // -1: aborted
  std::vector<double> carried;                  // bytes moved
  std::vector<std::vector<double>> rate, left;  // per probe, per flow (-1: inactive)
  std::vector<bool> probe_clean;                // no event within 10 ns of the probe
};

RefRun reference_run(const std::vector<double>& capacity, const std::vector<Links>& routes,
                     const std::vector<RefFlow>& flows, const std::vector<double>& probes) {
  const std::size_t nf = flows.size();
  RefRun out;
  out.finish.assign(nf, -1);
  std::vector<double> left(nf);
  std::vector<int> state(nf, 0);  // 0 waiting, 1 active, 2 done
  for (std::size_t i = 0; i < nf; ++i) left[i] = flows[i].bytes;
  std::vector<double> events;
  double now = 0;
  std::size_t probe = 0;
  for (;;) {
    std::vector<std::uint32_t> counts(routes.size(), 0);
    for (std::size_t i = 0; i < nf; ++i) {
      if (state[i] == 1) ++counts[flows[i].route];
    }
    const auto rate = reference_rates(capacity, routes, counts);
    double next = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < nf; ++i) {
      if (state[i] == 1) {
        next = std::min({next, now + left[i] / rate[flows[i].route], flows[i].abort});
      }
      if (state[i] == 0) next = std::min(next, flows[i].start);
    }
    while (probe < probes.size() && probes[probe] < next) {
      const double dt = probes[probe] - now;
      std::vector<double> r(nf, -1), l(nf, -1);
      for (std::size_t i = 0; i < nf; ++i) {
        if (state[i] != 1) continue;
        r[i] = rate[flows[i].route];
        l[i] = left[i] - r[i] * dt;
      }
      out.rate.push_back(r);
      out.left.push_back(l);
      ++probe;
    }
    if (std::isinf(next)) break;
    events.push_back(next);
    for (std::size_t i = 0; i < nf; ++i) {
      if (state[i] == 1) left[i] -= rate[flows[i].route] * (next - now);
    }
    now = next;
    for (std::size_t i = 0; i < nf; ++i) {
      if (state[i] == 1 && left[i] <= 1e-9 * flows[i].bytes) {
        state[i] = 2;
        out.finish[i] = now;
        left[i] = 0;
      } else if (state[i] == 1 && flows[i].abort <= now) {
        state[i] = 2;
      }
      if (state[i] == 0 && flows[i].start <= now) {
        state[i] = flows[i].abort <= now ? 2 : 1;
      }
    }
  }
  for (std::size_t i = 0; i < nf; ++i) out.carried.push_back(flows[i].bytes - left[i]);
  for (double p : probes) {
    bool clean = true;
    for (double e : events) clean = clean && std::abs(e - p) > 1e-8;
    out.probe_clean.push_back(clean);
  }
  return out;
}

struct TestFlow final : FlowNetwork::Flow {
  Simulation* sim = nullptr;
  double finish = -1;
  void on_complete() override { finish = sim->now().seconds(); }
};

Time at_seconds(double s) {
  return Time::from_ns(static_cast<std::int64_t>(std::llround(s * 1e9)));
}

}  // namespace

TEST_CASE("flow network: random workloads match a reference fluid simulation", "[flow]") {
  for (const Shape shape : {Shape::kStar, Shape::kMultiShared, Shape::kP2P, Shape::kMixed}) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      std::mt19937_64 rng(seed * 31 + static_cast<std::uint64_t>(shape));
      const Topology t = make_topology(shape, rng);
      std::vector<RefFlow> flows;
      std::uniform_real_distribution<double> u(0, 1);
      for (int i = 0; i < 200; ++i) {
        // Starts on whole milliseconds (many at the same instant) so that the engine's
        // nanosecond clock is exact; one in eight is aborted later.
        const double start = std::round(u(rng) * 20 * 1e3) / 1e3;
        RefFlow f{start, 1 + u(rng) * 200, rng() % t.routes.size()};
        if (rng() % 8 == 0) f.abort = start + std::round(u(rng) * 5 * 1e3) / 1e3;
        flows.push_back(f);
      }
      std::vector<double> probes;
      for (int k = 1; k < 60; ++k) probes.push_back(k * 0.5 + 0.0001237);
      const RefRun expected = reference_run(t.capacity, t.routes, flows, probes);

      Simulation sim;
      FlowNetwork net(sim);
      for (double c : t.capacity) net.add_link(c, "link");
      std::vector<std::unique_ptr<TestFlow>> mine;
      for (std::size_t i = 0; i < flows.size(); ++i) {
        mine.push_back(std::make_unique<TestFlow>());
        mine.back()->sim = &sim;
        TestFlow* f = mine.back().get();
        FlowNetwork::Route route;
        for (auto l : t.routes[flows[i].route]) route.push_back(l);
        const double bytes = flows[i].bytes;
        sim.call_at(at_seconds(flows[i].start),
                    [&net, f, bytes, route] { net.start(*f, bytes, route); });
        if (std::isfinite(flows[i].abort)) {
          sim.call_at(at_seconds(flows[i].abort), [&net, f] { net.abort(*f); });
        }
      }
      int probes_checked = 0;
      for (std::size_t k = 0; k < probes.size(); ++k) {
        sim.call_at(at_seconds(probes[k]), [&, k] {
          if (!expected.probe_clean[k]) return;
          ++probes_checked;
          for (std::size_t i = 0; i < flows.size(); ++i) {
            INFO("shape " << static_cast<int>(shape) << " seed " << seed << " probe " << k
                          << " flow " << i);
            const double r = expected.rate[k][i];
            CHECK(mine[i]->active() == (r >= 0));
            if (r < 0) continue;
            CHECK(close(mine[i]->rate(), r, 1e-9));
            CHECK(mine[i]->remaining() == Approx(expected.left[k][i]).margin(1e-5));
          }
        });
      }
      sim.run();
      CHECK(probes_checked > 10);
      CHECK(net.active_flows() == 0);
      for (std::size_t i = 0; i < flows.size(); ++i) {
        INFO("shape " << static_cast<int>(shape) << " seed " << seed << " flow " << i);
        if (expected.finish[i] < 0) {
          CHECK(mine[i]->finish < 0);
        } else {
          CHECK(mine[i]->finish == Approx(expected.finish[i]).margin(1e-6));
        }
      }
      // Every byte is accounted for on every link it crossed.
      for (std::uint32_t l = 0; l < t.capacity.size(); ++l) {
        double bytes = 0;
        for (std::size_t i = 0; i < flows.size(); ++i) {
          const auto& r = t.routes[flows[i].route];
          if (std::find(r.begin(), r.end(), l) != r.end()) bytes += expected.carried[i];
        }
        INFO("link " << l);
        CHECK(net.link_bytes(l) == Approx(bytes).epsilon(1e-9).margin(1e-4));
        CHECK(net.link_rate(l) == 0);
      }
    }
  }
}
