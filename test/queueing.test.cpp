// Validation of the engine against queueing theory: the FIFO server as M/M/1 and M/M/c, the
// fluid link as an M/M/1 processor-sharing queue (one and two classes), Little's law on every
// sample path. The expected values are closed forms worked out in the comments; each is checked
// against the Student-t interval over independent replications (see kFamilyLevel).
//
// The root seed was fixed before the first run and must not be tuned to make a check pass: a
// closed form outside its interval is either the 1-in-20 chance of a 95% interval (then show it
// by a coverage study over many seeds) or an engine bug.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "podsim/sim.hpp"
#include "podsim/sim/distribution.hpp"
#include "podsim/sim/flow_network.hpp"
#include "podsim/sim/random.hpp"
#include "podsim/sim/statistics.hpp"

using namespace podsim::sim;

namespace {

constexpr std::uint64_t kRootSeed = 0x51D0'2C4E'9A7B'3F11ULL;
constexpr int kReplications = 30;
constexpr std::size_t kWarmup = 2'000;     // customers before reset_statistics()
constexpr std::size_t kMeasured = 20'000;  // arrivals inside the measurement window

// Erlang C: the probability that an arrival to an M/M/c queue with offered load a = lambda/mu
// (a < c) has to wait,
//   C(c, a) = [a^c/c! * c/(c-a)] / [sum_{k=0}^{c-1} a^k/k! + a^c/c! * c/(c-a)].
double erlang_c(int c, double a) {
  double term = 1;  // a^k / k!
  double head = 0;  // sum_{k<c} a^k / k!
  for (int k = 0; k < c; ++k) {
    head += term;
    term *= a / (k + 1);
  }
  const double tail = term * c / (c - a);  // term == a^c / c! here
  return tail / (head + tail);
}

bool inside(const ConfidenceInterval& ci, double value) {
  return ci.lower <= value && value <= ci.upper;
}

// The file checks 11 closed forms. Each must lie inside its Bonferroni-adjusted interval
// (level 1 - 0.05/11 = 99.55%), so that the file as a whole raises a false alarm with
// probability <= 5%. With plain 95% intervals, a coverage study over 60 root seeds found
// 631/660 = 95.6% coverage (as it should be) but 13 of 60 seeds with at least one miss, this
// file's seed among them: single-class PS sojourn 95% CI [0.32153, 0.33294] vs 1/3, while
// 1,000 replications give [0.33263, 0.33427] and the engine matches an exact reference PS
// simulation on the same inputs to 1e-7 s per flow. The 95% interval is reported alongside.
constexpr int kClosedForms = 11;
constexpr double kFamilyLevel = 1 - 0.05 / kClosedForms;

ConfidenceInterval check_closed_form(const std::string& what, const RunningStats& stats,
                                     double expected) {
  const ConfidenceInterval ci95 = student_t_ci(stats, 0.95);
  const ConfidenceInterval family = student_t_ci(stats, kFamilyLevel);
  INFO(what << ": closed form " << expected << ", 95% CI [" << ci95.lower << ", " << ci95.upper
            << "], family CI [" << family.lower << ", " << family.upper << "]");
  CHECK(inside(family, expected));
  return ci95;
}

// ---- FIFO server: M/M/c -----------------------------------------------------------------------

struct Customer {
  std::int64_t arrived_ns = 0;
  std::int64_t granted_ns = -1;  // -1 while queued
};

// What one replication observed over its window [t0, t1]: t0 is the arrival of customer
// kWarmup (where the server's statistics are reset), t1 that of customer kWarmup + kMeasured.
struct QueueObservation {
  double wq = 0;            // server: total_wait / grants, seconds
  double lq = 0;            // server: time-averaged queue length
  double p_wait = 0;        // customers granted in the window who had to queue, fraction
  double arrival_rate = 0;  // kMeasured / (t1 - t0), per second
  std::uint64_t grants = 0;
  std::int64_t server_wait_ns = 0;
  // The same from the customers' own clocks, for the sample-path identities.
  std::uint64_t customer_grants = 0;
  std::int64_t customer_wait_ns = 0;  // waits of the customers granted in the window
  double queue_area_ns = 0;           // lq * (t1 - t0): integral of the queue length
  double clipped_wait_ns = 0;         // every customer's queueing interval cut to the window
};

Process customer(Simulation& sim, FifoServer& server, std::vector<Customer>& log, std::size_t i,
                 Duration service) {
  auto lease = co_await server.acquire();
  log[i].granted_ns = sim.now().ns();
  co_await sim.timeout(service);
}

// Poisson arrivals; each service time is drawn at arrival from its own stream, so that the
// service stream is consumed in arrival order whatever the queue does.
Process mmc_arrivals(Simulation& sim, FifoServer& server, std::vector<Customer>& log,
                     RandomStream arrivals, RandomStream services, double lambda, double mu,
                     QueueObservation& out) {
  const DistributionPtr interarrival = dist::exponential(1 / lambda);
  const DistributionPtr service = dist::exponential(1 / mu);
  Time t0;
  for (std::size_t i = 0;; ++i) {
    co_await sim.timeout(seconds(interarrival->sample(arrivals)));
    if (i == kWarmup) {
      server.reset_statistics();
      t0 = sim.now();
    }
    if (i == kWarmup + kMeasured) break;
    log[i].arrived_ns = sim.now().ns();
    sim.start(customer(sim, server, log, i, seconds(service->sample(services))));
  }
  const Time t1 = sim.now();
  const double span_ns = static_cast<double>((t1 - t0).ns());
  out.wq = server.total_wait().seconds() / static_cast<double>(server.grants());
  out.lq = server.mean_queue_length();
  out.arrival_rate = static_cast<double>(kMeasured) / (t1 - t0).seconds();
  out.grants = server.grants();
  out.server_wait_ns = server.total_wait().ns();
  out.queue_area_ns = out.lq * span_ns;
  std::uint64_t waited = 0;
  for (std::size_t i = 0; i < kWarmup + kMeasured; ++i) {
    const Customer& c = log[i];
    if (c.granted_ns >= t0.ns()) {
      ++out.customer_grants;
      out.customer_wait_ns += c.granted_ns - c.arrived_ns;
      if (c.granted_ns > c.arrived_ns) ++waited;
    }
    const std::int64_t from = std::max(c.arrived_ns, t0.ns());
    const std::int64_t to = c.granted_ns < 0 ? t1.ns() : std::min(c.granted_ns, t1.ns());
    if (to > from) out.clipped_wait_ns += static_cast<double>(to - from);
  }
  out.p_wait = static_cast<double>(waited) / static_cast<double>(out.customer_grants);
  // No more arrivals: the customers still in the system drain when the caller runs on.
}

QueueObservation run_mmc(const std::string& model, int replication, std::uint32_t c, double lambda,
                         double mu) {
  Simulation sim;
  FifoServer server(sim, c);
  std::vector<Customer> log(kWarmup + kMeasured);
  QueueObservation out;
  sim.start(
      mmc_arrivals(sim, server, log,
                   RandomStream::derive(kRootSeed, {"replication", replication, model, "arrivals"}),
                   RandomStream::derive(kRootSeed, {"replication", replication, model, "services"}),
                   lambda, mu, out));
  sim.run();  // to the end: every lease is given back before the server goes away
  REQUIRE(server.busy() == 0);
  REQUIRE(server.queue_length() == 0);
  return out;
}

// Little's law on the sample path of one replication.
void check_little(const QueueObservation& o) {
  // Exact identities: the server's wait total is the sum of the waits its grantees saw, and the
  // integral of its queue length is the time customers spent queued inside the window (both in
  // whole nanoseconds, so equal up to double rounding of the average).
  CHECK(o.grants == o.customer_grants);
  CHECK(o.server_wait_ns == o.customer_wait_ns);
  CHECK(o.queue_area_ns == Approx(o.clipped_wait_ns).epsilon(1e-9));
  // L = lambda W with the measured arrival rate and mean wait: equal up to the customers
  // straddling t0 or t1 (about Lq * Wq item-seconds out of Lq * 25,000), far below 1%.
  CHECK(o.lq == Approx(o.arrival_rate * o.wq).epsilon(0.01));
}

// ---- Fluid link: M/M/1 processor sharing -------------------------------------------------------

struct FlowClass {
  double lambda;      // arrivals per second
  double mean_bytes;  // exponential sizes
  FlowNetwork::Route route;
};

struct FlowLog {
  int klass = 0;
  double sojourn = -1;  // seconds, -1 until done
};

struct PsState {
  std::size_t in_system = 0;
  std::optional<TimeWeightedStats> number;  // from t0
};

Process flow(Simulation& sim, FlowNetwork& net, FlowNetwork::Route route, double bytes,
             FlowLog& log, PsState& state) {
  const Time start = sim.now();
  co_await net.transfer(bytes, route);
  log.sojourn = (sim.now() - start).seconds();
  --state.in_system;
  if (state.number) state.number->set(sim.now().seconds(), static_cast<double>(state.in_system));
}

struct PsObservation {
  double sojourn[2] = {0, 0};  // mean over the flows that arrived in the window, per class
  double in_system = 0;        // time-averaged number of flows over the window
};

Process ps_arrivals(Simulation& sim, FlowNetwork& net, std::vector<FlowLog>& log, PsState& state,
                    RandomStream arrivals, RandomStream picks, RandomStream sizes,
                    std::vector<FlowClass> classes, PsObservation& out) {
  double lambda = 0;
  for (const FlowClass& k : classes) lambda += k.lambda;
  const DistributionPtr interarrival = dist::exponential(1 / lambda);
  std::vector<DistributionPtr> size;
  for (const FlowClass& k : classes) size.push_back(dist::exponential(k.mean_bytes));
  for (std::size_t i = 0;; ++i) {
    co_await sim.timeout(seconds(interarrival->sample(arrivals)));
    if (i == kWarmup) {
      state.number.emplace(sim.now().seconds(), static_cast<double>(state.in_system));
    }
    if (i == kWarmup + kMeasured) break;
    // Class k with probability lambda_k / lambda (a Poisson process split at random).
    const double u = picks.uniform01() * lambda;
    const int k = classes.size() > 1 && u >= classes[0].lambda ? 1 : 0;
    log[i].klass = k;
    ++state.in_system;
    if (state.number) state.number->set(sim.now().seconds(), static_cast<double>(state.in_system));
    sim.start(flow(sim, net, classes[k].route, size[k]->sample(sizes), log[i], state));
  }
  out.in_system = state.number->mean(sim.now().seconds());
  state.number.reset();
}

// Capacity is set on link 0; link 1 (if a route uses it) has twice that.
PsObservation run_ps(const std::string& model, int replication, double capacity,
                     const std::vector<FlowClass>& classes) {
  Simulation sim;
  FlowNetwork net(sim);
  net.add_link(capacity, "shared");
  net.add_link(2 * capacity, "side");
  std::vector<FlowLog> log(kWarmup + kMeasured);
  PsState state;
  PsObservation out;
  sim.start(ps_arrivals(
      sim, net, log, state,
      RandomStream::derive(kRootSeed, {"replication", replication, model, "arrivals"}),
      RandomStream::derive(kRootSeed, {"replication", replication, model, "classes"}),
      RandomStream::derive(kRootSeed, {"replication", replication, model, "sizes"}), classes, out));
  sim.run();  // until every measured flow is done
  RunningStats sojourn[2];
  for (std::size_t i = kWarmup; i < kWarmup + kMeasured; ++i) {
    REQUIRE(log[i].sojourn >= 0);
    sojourn[log[i].klass].add(log[i].sojourn);
  }
  out.sojourn[0] = sojourn[0].mean();
  out.sojourn[1] = sojourn[1].mean();
  REQUIRE(net.active_flows() == 0);
  return out;
}

}  // namespace

TEST_CASE("queueing: M/M/1 on a FIFO server matches Wq and Lq; Little's law holds", "[queueing]") {
  // lambda = 0.75/s, mu = 1/s: rho = 0.75,
  //   Wq = rho / (mu - lambda) = 0.75 / 0.25 = 3 s,
  //   Lq = rho^2 / (1 - rho) = 0.5625 / 0.25 = 2.25.
  const double lambda = 0.75, mu = 1.0;
  const double rho = lambda / mu;
  const double wq = rho / (mu - lambda);
  const double lq = rho * rho / (1 - rho);
  REQUIRE(wq == Approx(3.0));
  REQUIRE(lq == Approx(2.25));
  REQUIRE(erlang_c(1, rho) == Approx(rho));  // for c = 1, P(wait) = rho

  RunningStats wq_stats, lq_stats, p_wait_stats;
  for (int r = 0; r < kReplications; ++r) {
    const QueueObservation o = run_mmc("mm1", r, 1, lambda, mu);
    check_little(o);
    wq_stats.add(o.wq);
    lq_stats.add(o.lq);
    p_wait_stats.add(o.p_wait);
  }
  const ConfidenceInterval wq_ci = check_closed_form("Wq", wq_stats, wq);
  const ConfidenceInterval lq_ci = check_closed_form("Lq", lq_stats, lq);
  check_closed_form("P(wait)", p_wait_stats, rho);
  // The intervals are informative: a few percent of the value, not a blanket.
  CHECK(wq_ci.half_width() < 0.1 * wq);
  CHECK(lq_ci.half_width() < 0.1 * lq);
}

TEST_CASE("queueing: M/M/3 on a FIFO server matches Erlang C", "[queueing]") {
  // c = 3, lambda = 2.4/s, mu = 1/s: a = 2.4, rho = a / c = 0.8.
  //   sum_{k<3} a^k/k! = 1 + 2.4 + 2.88 = 6.28;  a^3/3! * 3/(3 - 2.4) = 2.304 * 5 = 11.52
  //   C(3, 2.4) = 11.52 / (6.28 + 11.52) = 0.647191...
  //   Wq = C / (c mu - lambda) = 0.647191 / 0.6 = 1.078652 s;  Lq = lambda Wq = 2.588764.
  const std::uint32_t c = 3;
  const double lambda = 2.4, mu = 1.0;
  const double p_wait = erlang_c(static_cast<int>(c), lambda / mu);
  REQUIRE(p_wait == Approx(11.52 / 17.8));
  const double wq = p_wait / (c * mu - lambda);
  const double lq = lambda * wq;
  REQUIRE(wq == Approx(1.078652).epsilon(1e-6));
  REQUIRE(lq == Approx(2.588764).epsilon(1e-6));

  RunningStats wq_stats, lq_stats, p_wait_stats;
  for (int r = 0; r < kReplications; ++r) {
    const QueueObservation o = run_mmc("mm3", r, c, lambda, mu);
    check_little(o);
    wq_stats.add(o.wq);
    lq_stats.add(o.lq);
    p_wait_stats.add(o.p_wait);
  }
  const ConfidenceInterval wq_ci = check_closed_form("Wq", wq_stats, wq);
  const ConfidenceInterval lq_ci = check_closed_form("Lq", lq_stats, lq);
  check_closed_form("P(wait)", p_wait_stats, p_wait);
  CHECK(wq_ci.half_width() < 0.1 * wq);
  CHECK(lq_ci.half_width() < 0.1 * lq);
}

TEST_CASE("queueing: a fluid link is an M/M/1 processor-sharing queue", "[queueing][flow]") {
  // One link of C = 1e6 B/s; flows arrive at lambda = 7/s with Exp sizes of mean 1e5 B, so
  // mu = C / m = 10/s and rho = 0.7. M/M/1-PS:
  //   mean sojourn T = 1 / (mu - lambda) = 1/3 s;  mean number in system L = rho/(1-rho) = 7/3.
  const double capacity = 1e6;
  const std::vector<FlowClass> classes{{7.0, 1e5, {0}}};
  const double mu = capacity / 1e5;
  const double sojourn = 1 / (mu - 7.0);
  const double in_system = 0.7 / 0.3;
  RunningStats sojourn_stats, number_stats;
  for (int r = 0; r < kReplications; ++r) {
    const PsObservation o = run_ps("ps1", r, capacity, classes);
    sojourn_stats.add(o.sojourn[0]);
    number_stats.add(o.in_system);
  }
  const ConfidenceInterval t_ci = check_closed_form("sojourn", sojourn_stats, sojourn);
  check_closed_form("in system", number_stats, in_system);
  CHECK(t_ci.half_width() < 0.1 * sojourn);
}

TEST_CASE("queueing: two flow classes on two routes share a link as PS", "[queueing][flow]") {
  // Link 0 (C = 1e6 B/s) is shared; class 1 also crosses link 1 (2e6 B/s), which is never the
  // bottleneck (its max-min share 2C/n1 exceeds C/(n0+n1)), so every flow gets C/n: one PS
  // queue with two routes in the engine.
  //   class 0: lambda = 6/s,   mean 5e4 B (0.05 s of work): rho0 = 0.3
  //   class 1: lambda = 0.8/s, mean 5e5 B (0.5 s of work):  rho1 = 0.4;  rho = 0.7.
  // PS is insensitive: a job with x seconds of work stays x / (1 - rho) on average, so
  //   T0 = 0.05 / 0.3 = 1/6 s,  T1 = 0.5 / 0.3 = 5/3 s,  L = rho / (1 - rho) = 7/3
  // (the size distribution, a two-phase hyperexponential here, does not matter).
  const double capacity = 1e6;
  const std::vector<FlowClass> classes{{6.0, 5e4, {0}}, {0.8, 5e5, {0, 1}}};
  const double t0 = 0.05 / 0.3, t1 = 0.5 / 0.3, in_system = 0.7 / 0.3;
  RunningStats s0, s1, number;
  for (int r = 0; r < kReplications; ++r) {
    const PsObservation o = run_ps("ps2", r, capacity, classes);
    s0.add(o.sojourn[0]);
    s1.add(o.sojourn[1]);
    number.add(o.in_system);
  }
  const ConfidenceInterval c0 = check_closed_form("class 0 sojourn", s0, t0);
  const ConfidenceInterval c1 = check_closed_form("class 1 sojourn", s1, t1);
  check_closed_form("in system", number, in_system);
  CHECK(c0.half_width() < 0.15 * t0);
  CHECK(c1.half_width() < 0.15 * t1);
}
