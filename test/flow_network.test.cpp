// Max-min fair bandwidth sharing against hand-worked cases.
#include "podsim/sim/flow_network.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "podsim/sim.hpp"

using namespace podsim::sim;

namespace {
// Records the completion time of each named transfer.
struct Finishes {
  std::map<std::string, double> at;
};
Process transfer(Simulation& sim, FlowNetwork& net, Finishes& out, std::string name, double bytes,
                 FlowNetwork::Route route, Duration start = {}) {
  co_await sim.timeout(start);
  co_await net.transfer(bytes, route);
  out.at[name] = sim.now().seconds();
}
}  // namespace

TEST_CASE("flow network: three flows over two links, hand-worked", "[flow]") {
  // Link A: 10 B/s, link B: 4 B/s. f1 crosses A (100 B), f2 crosses A and B (8 B), f3 crosses
  // B (20 B).
  // Progressive filling: B's share 4/2 = 2 < A's 10/2 = 5, so f2 = f3 = 2; A has 10 - 2 = 8
  // left for f1.  f2 ends at 8/2 = 4 s; then f1 has moved 32 B (68 left) and f3 8 B (12 left).
  // From 4 s: f1 = 10 (alone on A), f3 = 4 (alone on B). f3 ends at 4 + 12/4 = 7 s,
  // f1 at 4 + 68/10 = 10.8 s.
  Simulation sim;
  FlowNetwork net(sim);
  const auto a = net.add_link(10, "A");
  const auto b = net.add_link(4, "B");
  Finishes done;
  sim.start(transfer(sim, net, done, "f1", 100, {a}));
  sim.start(transfer(sim, net, done, "f2", 8, {a, b}));
  sim.start(transfer(sim, net, done, "f3", 20, {b}));

  sim.run_until(Time::from_ns(1));  // rates are set at t = 0
  CHECK(net.link_rate(a) == Approx(10));
  CHECK(net.link_rate(b) == Approx(4));

  sim.run_until(Time::zero() + seconds(5));
  CHECK(done.at.at("f2") == Approx(4.0).margin(1e-9));
  CHECK(net.active_flows() == 2);
  CHECK(net.link_rate(a) == Approx(10));
  CHECK(net.link_rate(b) == Approx(4));

  sim.run();
  CHECK(done.at.at("f3") == Approx(7.0).margin(1e-9));
  CHECK(done.at.at("f1") == Approx(10.8).margin(1e-9));
  // Every byte is accounted for on every link it crossed.
  CHECK(net.link_bytes(a) == Approx(108));
  CHECK(net.link_bytes(b) == Approx(28));
  CHECK(net.link_rate(a) == 0);
}

TEST_CASE("flow network: N nodes pulling one image, registry or NIC bound", "[flow]") {
  // N flows of S bytes, each over the registry (capacity R) and its own NIC (capacity C).
  // Registry-bound (R/N < C): all finish together at N*S/R. NIC-bound: at S/C.
  const int n = 8;
  const double size = 1e9;
  auto run = [&](double registry, double nic) {
    Simulation sim;
    FlowNetwork net(sim);
    const auto reg = net.add_link(registry, "registry");
    Finishes done;
    for (int i = 0; i < n; ++i) {
      const auto link = net.add_link(nic, "nic" + std::to_string(i));
      sim.start(transfer(sim, net, done, std::to_string(i), size, {reg, link}));
    }
    sim.run();
    double last = 0;
    for (auto& [name, t] : done.at) last = std::max(last, t);
    CHECK(net.link_bytes(reg) == Approx(n * size));
    return last;
  };
  CHECK(run(1e9, 1.25e9) == Approx(n * size / 1e9).epsilon(1e-9));   // 8 s
  CHECK(run(100e9, 1.25e9) == Approx(size / 1.25e9).epsilon(1e-9));  // 0.8 s
}

TEST_CASE("flow network: late joiner and early leaver move completions", "[flow]") {
  // One 10 B/s link. f1 (100 B) alone for 2 s (20 B done), then f2 (10 B) joins: 5 B/s each.
  // f2 ends at 2 + 10/5 = 4 s; f1 has 100 - 20 - 10 = 70 B left, alone: ends at 4 + 7 = 11 s.
  Simulation sim;
  FlowNetwork net(sim);
  const auto l = net.add_link(10, "L");
  Finishes done;
  sim.start(transfer(sim, net, done, "f1", 100, {l}));
  sim.start(transfer(sim, net, done, "f2", 10, {l}, seconds(2)));
  sim.run();
  CHECK(done.at.at("f2") == Approx(4.0).margin(1e-9));
  CHECK(done.at.at("f1") == Approx(11.0).margin(1e-9));
}

TEST_CASE("flow network: interrupting a transfer aborts its flow", "[flow]") {
  // f1 (100 B) and f2 (100 B) share 10 B/s. f2 is interrupted at 4 s (20 B each done), f1
  // then runs alone: 80 B at 10 B/s, ends at 12 s.
  Simulation sim;
  FlowNetwork net(sim);
  const auto l = net.add_link(10, "L");
  Finishes done;
  sim.start(transfer(sim, net, done, "f1", 100, {l}));
  const ProcessRef f2 = sim.start(transfer(sim, net, done, "f2", 100, {l}));
  sim.call_at(Time::zero() + seconds(4), [&] { sim.interrupt(f2); });
  sim.run();
  CHECK(done.at.count("f2") == 0);
  CHECK(done.at.at("f1") == Approx(12.0).margin(1e-9));
  CHECK(net.link_bytes(l) == Approx(120));
  CHECK(net.active_flows() == 0);
}

TEST_CASE("flow network: zero-byte flows complete at once; bad links are refused", "[flow]") {
  Simulation sim;
  FlowNetwork net(sim);
  const auto l = net.add_link(10, "L");
  Finishes done;
  sim.start(transfer(sim, net, done, "empty", 0, {l}, seconds(1)));
  sim.run();
  CHECK(done.at.at("empty") == Approx(1.0));
  CHECK_THROWS_WITH(net.add_link(0, "nic"), Catch::Contains("nic") && Catch::Contains("positive"));
  CHECK_THROWS_AS(FlowNetwork::Route({l, l}), std::invalid_argument);
}
