#include "podsim/model/stage_profile.hpp"

#include <cmath>
#include <stdexcept>

namespace podsim::model {

namespace {
// The lognormal with this mean and standard deviation (how EuroSys 2025 reports its fit).
sim::DistributionPtr lognormal_mean_sd(double mean, double sd) {
  const double sigma2 = std::log(1.0 + (sd * sd) / (mean * mean));
  return sim::dist::lognormal(std::log(mean) - sigma2 / 2.0, std::sqrt(sigma2));
}
}  // namespace

void StageProfile::unknown_stage(std::string_view stage) {
  std::string known;
  for (std::string_view s : kStages) {
    if (!known.empty()) known += ", ";
    known += s;
  }
  throw std::invalid_argument("unknown stage '" + std::string(stage) + "' (known: " + known + ")");
}

StageProfile& StageProfile::set(std::string_view stage, sim::DistributionPtr d) {
  const std::size_t i = index_of(stage);
  if (!d) throw std::invalid_argument("stage '" + std::string(stage) + "': no distribution");
  stages_[i] = std::move(d);
  return *this;
}

StageProfile StageProfile::zero() {
  StageProfile p;
  for (auto& d : p.stages_) d = sim::dist::constant(0);
  return p;
}

StageProfile StageProfile::defaults() {
  StageProfile p;
  // runc + CNI 0.1-0.5 s (latency-figures §11 prior, from §6 runtime figures and §1 IMC 2024);
  // median 0.25 s, p90 at the 0.5 s top of the range.
  p.set("sandbox", sim::dist::lognormal_median_p90(0.25, 0.5));
  // No published figure (latency-figures §10): an assumption for emptyDir/configMap/secret
  // mounts; network volumes need a calibrated profile.
  p.set("volume_setup", sim::dist::lognormal_median_p90(0.05, 0.2));
  // Serverless cold start LogNormal fit, mean 3.24 s, sd 7.10 s (Joosen et al., EuroSys 2025,
  // latency-figures §7), standing in for an elastic instance boot.
  p.set("instance_boot", lognormal_mean_sd(3.24, 7.10));
  // Create + start with the image local: 0.2-0.6 s on SSD (latency-figures §11, from Khan's
  // 568 ms warm start on SSD in §1).
  p.set("container_start", sim::dist::lognormal_median_p90(0.35, 0.6));
  // JVM/Spring Boot 2.72 s (spring-boot-native-samples) to ~9.4 s (PetClinic with an agent),
  // latency-figures §8; §11 prior 1-10 s.
  p.set("app_start", sim::dist::lognormal_median_p90(2.7, 9.4));
  // No published figure: assumption, a short migration/config init step.
  p.set("init_container_run", sim::dist::lognormal_median_p90(1.0, 5.0));
  // No published figure: an HTTP GET against a serving app on the node, a few ms (assumption).
  p.set("readiness_probe_latency", sim::dist::constant(0.005));
  // Watch and reconcile latencies of 10-100 ms each on a healthy control plane
  // (domain-reference §7.6, unverified magnitude).
  p.set("status_sync", sim::dist::uniform(0.01, 0.1));
  // EndpointSlice controller + kube-proxy sync: several watch hops of 10-100 ms
  // (domain-reference §7.6, unverified); assumption median 0.3 s, p90 1 s.
  p.set("endpoint_propagation", sim::dist::lognormal_median_p90(0.3, 1.0));
  // No published figure: assumption, an app drains and exits within a few seconds of SIGTERM.
  p.set("shutdown", sim::dist::lognormal_median_p90(1.0, 5.0));
  // The same watch hops as endpoint_propagation in reverse (EndpointSlice controller, then
  // kube-proxy on every node; domain-reference §7 note 6, unverified magnitude): the same
  // assumption, median 0.3 s, p90 1 s. Asynchronous to SIGTERM (domain-reference §1.6).
  p.set("endpoint_removal", sim::dist::lognormal_median_p90(0.3, 1.0));
  // kubelet pod_workers.go: a failed sync is requeued after wait.Jitter(backOffPeriod,
  // workerBackOffPeriodJitterFactor) = 10 s * (1 + 0.5 U), i.e. uniform on [10, 15) s
  // (backOffPeriod = 10 s in kubelet.go).
  p.set("pod_sync_retry", sim::dist::uniform(10.0, 15.0));
  return p;
}

}  // namespace podsim::model
