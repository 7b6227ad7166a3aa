// The event loop, processes, events and interrupts, against hand-worked timelines.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "podsim/sim.hpp"

using namespace podsim::sim;

namespace {
std::string at(const Simulation& sim, const std::string& what) {
  return std::to_string(sim.now().ns()) + ":" + what;
}
}  // namespace

TEST_CASE("engine: events fire in time order, ties in scheduling order", "[engine]") {
  Simulation sim;
  std::vector<std::string> log;
  sim.call_at(Time::from_ns(20), [&] { log.push_back(at(sim, "b")); });
  sim.call_at(Time::from_ns(10), [&] { log.push_back(at(sim, "a")); });
  sim.call_at(Time::from_ns(20), [&] { log.push_back(at(sim, "c")); });
  sim.call_at(Time::from_ns(10), [&] {
    log.push_back(at(sim, "a2"));
    sim.call_in(Duration{}, [&] { log.push_back(at(sim, "a3")); });  // same time, after c? no: 10
  });
  sim.run();
  CHECK(log == std::vector<std::string>{"10:a", "10:a2", "10:a3", "20:b", "20:c"});
  CHECK(sim.events_processed() == 5);
  CHECK(sim.now() == Time::from_ns(20));
}

TEST_CASE("engine: cancel and reschedule move a timer", "[engine]") {
  Simulation sim;
  std::vector<std::string> log;
  Timer t(sim, [&] { log.push_back(at(sim, "t")); });
  t.schedule_at(Time::from_ns(50));
  sim.call_at(Time::from_ns(10), [&] { t.schedule_at(Time::from_ns(30)); });
  sim.call_at(Time::from_ns(30), [&] { log.push_back(at(sim, "x")); });
  sim.run();
  // The move gave t a later sequence than x, which was queued first for 30.
  CHECK(log == std::vector<std::string>{"30:x", "30:t"});

  log.clear();
  t.schedule_in(nanoseconds(5));
  CHECK(t.queued());
  t.cancel();
  CHECK_FALSE(t.queued());
  sim.run();
  CHECK(log.empty());
}

TEST_CASE("engine: run_until fires events at the bound and stops the clock there", "[engine]") {
  Simulation sim;
  int fired = 0;
  sim.call_at(Time::from_ns(100), [&] { ++fired; });
  sim.call_at(Time::from_ns(101), [&] { ++fired; });
  sim.run_until(Time::from_ns(100));
  CHECK(fired == 1);
  CHECK(sim.now() == Time::from_ns(100));
  sim.run_until(Time::from_ns(500));
  CHECK(fired == 2);
  CHECK(sim.now() == Time::from_ns(500));
}

TEST_CASE("engine: stop ends run after the current event", "[engine]") {
  Simulation sim;
  int fired = 0;
  for (int i = 1; i <= 5; ++i) {
    sim.call_at(Time::from_ns(i), [&, i] {
      ++fired;
      if (i == 2) sim.stop();
    });
  }
  sim.run();
  CHECK(fired == 2);
  CHECK(sim.pending_events() == 3);
  sim.run();
  CHECK(fired == 5);
}

TEST_CASE("engine: scheduling in the past is refused", "[engine]") {
  Simulation sim;
  sim.call_at(Time::from_ns(10), [] {});
  sim.run();
  Timer t(sim, [] {});
  CHECK_THROWS_AS(t.schedule_at(Time::from_ns(5)), std::logic_error);
}

namespace {
Process sleeper(Simulation& sim, std::vector<std::string>& log, std::string name, int step_ns,
                int times) {
  for (int i = 0; i < times; ++i) {
    co_await sim.timeout(nanoseconds(step_ns));
    log.push_back(at(sim, name));
  }
}
}  // namespace

TEST_CASE("engine: processes interleave by time", "[engine][process]") {
  Simulation sim;
  std::vector<std::string> log;
  sim.start(sleeper(sim, log, "a", 3, 3));  // 3, 6, 9
  sim.start(sleeper(sim, log, "b", 4, 2));  // 4, 8
  sim.run();
  CHECK(log == std::vector<std::string>{"3:a", "4:b", "6:a", "8:b", "9:a"});
  CHECK(sim.live_processes() == 0);
}

TEST_CASE("engine: events wake waiters in order; any_of and all_of", "[engine][process]") {
  Simulation sim;
  std::vector<std::string> log;
  Event ready(sim), deadline(sim), other(sim);
  auto waiter = [&](std::string name) -> Process {
    co_await ready;
    log.push_back(at(sim, name));
  };
  auto racer = [&]() -> Process {
    const std::size_t which = co_await any_of(ready, deadline);
    log.push_back(at(sim, "any=" + std::to_string(which)));
  };
  auto both = [&]() -> Process {
    co_await all_of(ready, other);
    log.push_back(at(sim, "all"));
  };
  sim.start(waiter("w1"));
  sim.start(racer());
  sim.start(waiter("w2"));
  sim.start(both());
  deadline.trigger_at(Time::from_ns(70));
  ready.trigger_at(Time::from_ns(50));
  other.trigger_at(Time::from_ns(90));
  sim.run();
  CHECK(log == std::vector<std::string>{"50:w1", "50:any=0", "50:w2", "90:all"});
  CHECK(ready.triggered());
}

TEST_CASE("engine: waiting on a triggered event does not suspend", "[engine][process]") {
  Simulation sim;
  Event e(sim);
  e.trigger();
  bool done = false;
  auto p = [&]() -> Process {
    co_await e;
    done = true;
  };
  sim.start(p());
  sim.run();
  CHECK(done);
  CHECK(sim.now() == Time::zero());
}

TEST_CASE("engine: interrupt reaches the waiting process and withdraws its wait",
          "[engine][process]") {
  Simulation sim;
  std::vector<std::string> log;
  auto pull = [&]() -> Task<int> {
    co_await sim.timeout(nanoseconds(100));
    co_return 7;
  };
  auto victim = [&]() -> Process {
    try {
      const int v = co_await pull();
      log.push_back(at(sim, "pulled " + std::to_string(v)));
    } catch (const Interrupted& i) {
      log.push_back(at(sim, "interrupted " + std::to_string(i.cause())));
    }
    co_await sim.timeout(nanoseconds(5));
    log.push_back(at(sim, "cleaned up"));
  };
  const ProcessRef ref = sim.start(victim());
  sim.call_at(Time::from_ns(40), [&] { CHECK(sim.interrupt(ref, 9)); });
  sim.run();
  CHECK(log == std::vector<std::string>{"40:interrupted 9", "45:cleaned up"});
  CHECK_FALSE(sim.alive(ref));
  CHECK_FALSE(sim.interrupt(ref));
  CHECK(sim.pending_events() == 0);  // the 100 ns timeout was withdrawn
}

TEST_CASE("engine: an unhandled interrupt ends the process; join wakes", "[engine][process]") {
  Simulation sim;
  std::vector<std::string> log;
  auto victim = [&]() -> Process {
    co_await sim.timeout(nanoseconds(100));
    log.push_back("never");
  };
  const ProcessRef ref = sim.start(victim());
  auto joiner = [&]() -> Process {
    co_await sim.join(ref);
    log.push_back(at(sim, "joined"));
    co_await sim.join(ref);  // already finished: no wait
    log.push_back(at(sim, "joined again"));
  };
  sim.start(joiner());
  sim.call_at(Time::from_ns(30), [&] { sim.interrupt(ref); });
  sim.run();
  CHECK(log == std::vector<std::string>{"30:joined", "30:joined again"});
}

TEST_CASE("engine: a process's exception comes out of run()", "[engine][process]") {
  Simulation sim;
  auto bad = [&]() -> Process {
    co_await sim.timeout(nanoseconds(1));
    throw std::runtime_error("boom");
  };
  sim.start(bad());
  CHECK_THROWS_WITH(sim.run(), "boom");
  CHECK(sim.live_processes() == 0);
}

TEST_CASE("engine: destroying a simulation with suspended processes is clean", "[engine]") {
  int destroyed = 0;
  struct Guard {
    int* n;
    ~Guard() { ++*n; }
  };
  {
    Simulation sim;
    Event never(sim);
    auto p = [&](Guard) -> Process { co_await never; };
    auto q = [&](Guard) -> Process { co_await sim.timeout(seconds(10)); };
    sim.start(p(Guard{&destroyed}));
    sim.start(q(Guard{&destroyed}));
    sim.run_until(Time::from_ns(5));
  }
  CHECK(destroyed >= 2);
}

TEST_CASE("engine: random schedule/reschedule/cancel/destroy matches a reference queue",
          "[engine]") {
  // The reference is a plain ordered map keyed by (time, scheduling order): the definition of
  // the queue's contract. Thousands of reschedules force the sweep of stale entries, and timers
  // destroyed while queued must simply disappear.
  Simulation sim;
  constexpr int kTimers = 64;
  std::vector<std::string> fired;
  std::vector<std::unique_ptr<Timer>> timers(kTimers);
  std::map<std::pair<std::int64_t, std::uint64_t>, int> reference;  // (time, order) -> timer
  std::map<int, std::pair<std::int64_t, std::uint64_t>> where;      // timer -> its key
  std::uint64_t order = 0;
  std::vector<std::string> expected;
  auto make = [&](int i) {
    timers[i] = std::make_unique<Timer>(
        sim, [&, i] { fired.push_back(std::to_string(i) + "@" + std::to_string(sim.now().ns())); });
  };
  for (int i = 0; i < kTimers; ++i) make(i);
  std::uint64_t state = 12345;
  auto next = [&] {  // a small LCG: the test needs variety, not quality
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  auto forget = [&](int i) {
    if (auto it = where.find(i); it != where.end()) {
      reference.erase(it->second);
      where.erase(it);
    }
  };
  for (int round = 0; round < 200; ++round) {
    for (int op = 0; op < 100; ++op) {
      const int i = static_cast<int>(next() % kTimers);
      const auto kind = next() % 10;
      if (kind < 7) {  // (re)schedule
        const std::int64_t t = sim.now().ns() + static_cast<std::int64_t>(next() % 50);
        forget(i);
        timers[i]->schedule_at(Time::from_ns(t));
        reference[{t, order}] = i;
        where[i] = {t, order++};
      } else if (kind < 9) {
        forget(i);
        timers[i]->cancel();
      } else {  // destroy, queued or not, and replace
        forget(i);
        make(i);
      }
    }
    // Fire everything due within the next 10 ns, in both worlds.
    const std::int64_t until = sim.now().ns() + 10;
    while (!reference.empty() && reference.begin()->first.first <= until) {
      const auto [key, i] = *reference.begin();
      expected.push_back(std::to_string(i) + "@" + std::to_string(key.first));
      reference.erase(reference.begin());
      where.erase(i);
    }
    sim.run_until(Time::from_ns(until));
    REQUIRE(fired == expected);
    REQUIRE(sim.pending_events() == reference.size());
  }
}

TEST_CASE("engine: events scheduled for the current time from inside events keep the order",
          "[engine]") {
  // Each firing timer reschedules or cancels others, mostly for the current time (the queue's
  // same-time lane) and sometimes later (its heap). The reference replays the same decisions
  // on an ordered map keyed by (time, scheduling order), the queue's contract; the decisions
  // come from one generator consumed in firing order, so any difference in order shows.
  constexpr int kTimers = 32;
  constexpr std::size_t kFirings = 20'000;
  struct Decider {
    std::uint64_t state = 777;
    std::uint64_t next() {  // a small LCG: the test needs variety, not quality
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return state >> 33;
    }
    // What timer `i`'s firing does: up to two (timer, delay) reschedules (delay -1: cancel).
    std::vector<std::pair<int, std::int64_t>> act() {
      std::vector<std::pair<int, std::int64_t>> out;
      const auto n = 1 + next() % 2;
      for (std::uint64_t k = 0; k < n; ++k) {
        const int j = static_cast<int>(next() % kTimers);
        const auto kind = next() % 10;
        out.emplace_back(j, kind < 6 ? 0 : kind < 9 ? static_cast<std::int64_t>(next() % 5) : -1);
      }
      return out;
    }
  };

  // The simulation.
  std::vector<std::string> fired;
  {
    Simulation sim;
    Decider decider;
    std::vector<std::unique_ptr<Timer>> timers(kTimers);
    for (int i = 0; i < kTimers; ++i) {
      timers[i] = std::make_unique<Timer>(sim, [&, i] {
        fired.push_back(std::to_string(i) + "@" + std::to_string(sim.now().ns()));
        if (fired.size() == kFirings) sim.stop();
        for (const auto& [j, delay] : decider.act()) {
          if (delay < 0) {
            timers[j]->cancel();
          } else {
            timers[j]->schedule_in(Duration::from_ns(delay));
          }
        }
      });
    }
    for (int i = 0; i < kTimers; ++i) timers[i]->schedule_at(Time::from_ns(i % 3));
    sim.run();
  }

  // The reference.
  std::vector<std::string> expected;
  Decider decider;
  std::map<std::pair<std::int64_t, std::uint64_t>, int> queue;  // (time, order) -> timer
  std::map<int, std::pair<std::int64_t, std::uint64_t>> where;  // timer -> its key
  std::uint64_t order = 0;
  auto schedule = [&](int i, std::int64_t t) {
    if (auto it = where.find(i); it != where.end()) queue.erase(it->second);
    if (t < 0) {
      where.erase(i);
      return;
    }
    queue[{t, order}] = i;
    where[i] = {t, order++};
  };
  for (int i = 0; i < kTimers; ++i) schedule(i, i % 3);
  while (!queue.empty() && expected.size() < kFirings) {
    const auto [key, i] = *queue.begin();
    queue.erase(queue.begin());
    where.erase(i);
    expected.push_back(std::to_string(i) + "@" + std::to_string(key.first));
    for (const auto& [j, delay] : decider.act()) schedule(j, delay < 0 ? -1 : key.first + delay);
  }
  REQUIRE(expected.size() > 1'000);  // the scenario keeps itself going
  CHECK(fired == expected);
}
