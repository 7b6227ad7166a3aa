#include "podsim/model/workload_controller.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace podsim::model {

WorkloadController::WorkloadController(Cluster& cluster, ClientRateLimiter& client,
                                       const ControllerConfig& config, std::uint32_t id,
                                       std::string name)
    : cluster_(cluster),
      client_(client),
      config_(config),
      id_(id),
      name_(std::move(name)),
      revisions_(1, std::make_shared<const PodTemplate>()),
      sync_timer_(cluster.simulation(), [this] { run_sync(); }) {}

WorkloadController::~WorkloadController() = default;

void WorkloadController::start() {
  request_sync();
}

void WorkloadController::set_partition(IntOrPercent) {
  throw std::logic_error(fmt::format("{} {} has no partition", kind(), name_));
}

std::uint32_t WorkloadController::add_revision(const PodTemplate& tmpl) {
  revisions_.push_back(std::make_shared<const PodTemplate>(tmpl));
  return static_cast<std::uint32_t>(revisions_.size() - 1);
}

std::uint32_t WorkloadController::revision_for(const PodTemplate& tmpl) {
  for (std::size_t r = revisions_.size() - 1; r >= 1; --r) {
    if (diff_templates(*revisions_[r], tmpl).empty()) return static_cast<std::uint32_t>(r);
  }
  return add_revision(tmpl);
}

void WorkloadController::spec_changed() {
  request_sync();
  notify_status();
}

void WorkloadController::check_replicas(std::int32_t replicas) {
  if (replicas < 0)
    throw std::invalid_argument(fmt::format("replicas must be >= 0, not {}", replicas));
}

std::uint32_t WorkloadController::revision_of(PodId pod) const {
  const auto it = pod_revision_.find(pod);
  return it == pod_revision_.end() ? 0 : it->second;
}

bool WorkloadController::is_active(PodId id) const {
  const Pod& p = cluster_.pod(id);
  return !p.deletion_requested && p.phase != PodPhase::terminated;
}

std::vector<PodId> WorkloadController::active_pods() const {
  std::vector<PodId> out;
  out.reserve(pods_.size());
  for (const PodId id : pods_) {
    if (is_active(id)) out.push_back(id);
  }
  return out;
}

std::string WorkloadController::stall_reason() const {
  for (const PodId id : pods_) {
    if (!is_active(id)) continue;
    const Pod& p = cluster_.pod(id);
    if (p.phase == PodPhase::stalled) return fmt::format("pod {}: {}", p.name, p.stall_reason);
    if (p.phase == PodPhase::scheduling) {
      if (auto why = cluster_.scheduling_failure(id)) {
        return fmt::format("pod {} unschedulable: {}", p.name, *why);
      }
    }
  }
  return {};
}

PodOrderKey WorkloadController::order_key(PodId id) const {
  const Pod& p = cluster_.pod(id);
  PodOrderKey key;
  key.node = p.node;
  key.phase = p.phase == PodPhase::running || p.phase == PodPhase::terminating
                  ? PodOrderPhase::Running
                  : PodOrderPhase::Pending;
  key.ready = p.ready;
  key.ready_since = p.ready_since;
  for (const ContainerStatus& c : p.containers) {
    key.max_restarts = std::max(key.max_restarts, static_cast<std::int32_t>(c.restartCount));
  }
  key.created = p.created_at;
  key.uid = id;
  return key;
}

// ---- The reconcile loop ----------------------------------------------------------------------

void WorkloadController::request_sync() {
  if (sync_pending_) return;
  sync_pending_ = true;
  sync_timer_.schedule_in(config_.sync_delay);
}

void WorkloadController::run_sync() {
  sync_pending_ = false;
  if (writes_in_flight_ > 0 || creates_left_ > 0) {
    // Expectations: the previous sync's writes are not all observed yet.
    sync_after_writes_ = true;
    return;
  }
  sync();
  notify_status();
}

void WorkloadController::pod_event(PodId, PodEvent) {
  request_sync();
  notify_status();
}

void WorkloadController::notify_status() {
  for (std::size_t i = 0; i < status_listeners_.size(); ++i) status_listeners_[i]();
}

void WorkloadController::issue(std::function<void()> apply) {
  ++writes_in_flight_;
  const sim::Time sent = client_.reserve(simulation().now());
  simulation().call_at(sent + config_.api_latency, [this, apply = std::move(apply)] {
    apply();
    write_done();
  });
}

void WorkloadController::write_done() {
  if (--writes_in_flight_ > 0) return;
  if (creates_left_ > 0) {
    batch_size_ *= 2;
    create_batch();
    return;
  }
  notify_status();
  if (sync_after_writes_) {
    sync_after_writes_ = false;
    request_sync();
  }
}

void WorkloadController::create_pods(std::int32_t count, std::uint32_t revision) {
  if (count <= 0) return;
  creates_left_ = std::min(count, config_.burst_replicas);
  create_revision_ = revision;
  batch_size_ = 1;  // SlowStartInitialBatchSize
  create_batch();
  // More than BurstReplicas: the rest is left to the next sync.
  if (count > config_.burst_replicas) sync_after_writes_ = true;
}

void WorkloadController::create_batch() {
  const std::int32_t n = std::min(batch_size_, creates_left_);
  creates_left_ -= n;
  for (std::int32_t i = 0; i < n; ++i) {
    const std::uint32_t ordinal = next_ordinal_++;
    const std::uint32_t revision = create_revision_;
    issue([this, ordinal, revision] {
      PodOwner owner{.workload = id_,
                     .revision = revision,
                     .minReadySeconds = min_ready_seconds(),
                     .name = fmt::format("{}-{}", name_, ordinal)};
      const PodId pod = cluster_.create_pod(revisions_.at(revision), std::move(owner));
      pods_.push_back(pod);
      pod_revision_[pod] = revision;
    });
  }
}

void WorkloadController::delete_pod(PodId pod) {
  issue([this, pod] { cluster_.delete_pod(pod); });
}

void WorkloadController::update_pod_in_place(PodId pod, std::uint32_t revision,
                                             std::int32_t gracePeriodSeconds) {
  // The pod's revision moves when the write lands, together with InPlaceUpdateReady=False, so
  // no status in between shows it updated but still available.
  issue([this, pod, revision, gracePeriodSeconds] {
    const PodTemplate& to = *revisions_.at(revision);
    std::vector<ContainerImageUpdate> images;
    bool image_changes = false;
    const Pod& p = cluster_.pod(pod);
    for (const ContainerSpec& c : to.containers) {
      images.push_back({c.name, c.image});
      image_changes |= p.spec->containers.at(p.spec->container_index(c.name)).image != c.image;
    }
    // Only metadata changed: nothing restarts, the pod just carries the new revision.
    if (!image_changes) {
      pod_revision_[pod] = revision;
      return;
    }
    // False if the pod left the running state meanwhile: a later sync retries.
    if (cluster_.update_in_place(
            pod, images, {.gracePeriodSeconds = gracePeriodSeconds, .revision = revision})) {
      pod_revision_[pod] = revision;
    }
  });
}

}  // namespace podsim::model
