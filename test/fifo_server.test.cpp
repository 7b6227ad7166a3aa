// The FIFO server against hand-worked timelines; queueing theory checks live in
// queueing.test.cpp.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "podsim/sim.hpp"

using namespace podsim::sim;

TEST_CASE("fifo server: two slots, four jobs of 10 ns", "[fifo]") {
  Simulation sim;
  FifoServer server(sim, 2);
  std::vector<std::pair<int, std::int64_t>> done;
  auto job = [&](int id, int priority) -> Process {
    auto lease = co_await server.acquire(priority);
    co_await sim.timeout(nanoseconds(10));
    done.emplace_back(id, sim.now().ns());
  };
  // Jobs 1 and 2 start at 0; 3 (priority 0) and 4 (priority 5) queue; 4 overtakes 3.
  sim.start(job(1, 0));
  sim.start(job(2, 0));
  sim.start(job(3, 0));
  sim.start(job(4, 5));
  sim.run_until(Time::from_ns(1));
  CHECK(server.busy() == 2);
  CHECK(server.queue_length() == 2);
  sim.run();
  CHECK(done == std::vector<std::pair<int, std::int64_t>>{{1, 10}, {2, 10}, {4, 20}, {3, 20}});
  CHECK(server.busy() == 0);
  CHECK(server.grants() == 4);
  CHECK(server.total_wait() == nanoseconds(20));
  // Queue length: 2 during [0,10), then 0, over 20 ns: mean 1. Busy: 2 throughout: mean 2.
  CHECK(server.mean_queue_length() == Approx(1.0));
  CHECK(server.mean_busy() == Approx(2.0));
}

TEST_CASE("fifo server: an interrupted waiter leaves the queue; a granted one hands on", "[fifo]") {
  Simulation sim;
  FifoServer server(sim, 1);
  std::vector<std::string> log;
  auto job = [&](std::string name, int ns) -> Process {
    try {
      auto lease = co_await server.acquire();
      co_await sim.timeout(nanoseconds(ns));
      log.push_back(name + "@" + std::to_string(sim.now().ns()));
    } catch (const Interrupted&) {
      log.push_back(name + " interrupted@" + std::to_string(sim.now().ns()));
    }
  };
  sim.start(job("a", 10));
  const ProcessRef b = sim.start(job("b", 10));
  sim.start(job("c", 10));
  sim.call_at(Time::from_ns(5), [&] { sim.interrupt(b); });
  // At 10 a releases and c is granted; interrupting c at the same instant, before it resumes,
  // must hand the slot back so that nothing leaks.
  sim.run();
  CHECK(log == std::vector<std::string>{"b interrupted@5", "a@10", "c@20"});
  CHECK(server.busy() == 0);
  CHECK(server.queue_length() == 0);
}

TEST_CASE("fifo server: interrupt between grant and resume returns the slot", "[fifo]") {
  Simulation sim;
  FifoServer server(sim, 1);
  std::vector<std::string> log;
  auto job = [&](std::string name) -> Process {
    try {
      auto lease = co_await server.acquire();
      co_await sim.timeout(nanoseconds(10));
      log.push_back(name + "@" + std::to_string(sim.now().ns()));
    } catch (const Interrupted&) {
      log.push_back(name + " interrupted@" + std::to_string(sim.now().ns()));
    }
  };
  sim.start(job("a"));
  ProcessRef b = sim.start(job("b"));
  sim.start(job("c"));
  // a's timeout at 10 was queued before this callback, so b is granted first, then interrupted.
  sim.call_at(Time::from_ns(10), [&] { sim.interrupt(b); });
  sim.run();
  CHECK(log == std::vector<std::string>{"a@10", "b interrupted@10", "c@20"});
  CHECK(server.busy() == 0);
}
