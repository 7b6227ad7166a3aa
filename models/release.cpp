#include "podsim/model/release.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace podsim::model {

Release::Release(Cluster& cluster, WorkloadController& workload, ReleaseSpec spec, sim::Time at,
                 sim::RandomStream stream)
    : cluster_(cluster),
      workload_(workload),
      spec_(std::move(spec)),
      at_(at),
      stream_(stream),
      prewarm_(cluster.simulation(), cluster.puller()),
      start_timer_(cluster.simulation(), [this] { begin(); }),
      prewarm_timer_(cluster.simulation(), [this] { begin_prewarm(); }),
      pause_timer_(cluster.simulation(),
                   [this] {
                     in_pause_ = false;
                     next_batch();
                   }),
      deadline_timer_(cluster.simulation(), [this] {
        if (!done_) deadline_passed_ = true;
      }) {
  result_.name = spec_.name;
  result_.workload = workload_.name();
  result_.kind = std::string(workload_.kind());
  result_.strategy = workload_.strategy();
  result_.batches =
      static_cast<std::uint32_t>(std::max<std::size_t>(1, spec_.partition_steps.size()));
  workload_.add_status_listener([this] { observe(); });
}

void Release::arm() {
  sim::Simulation& sim = cluster_.simulation();
  const sim::Time now = sim.now();
  if (spec_.prewarm.enabled) {
    if (spec_.prewarm.lead) {
      prewarm_timer_.schedule_at(std::max(now, at_ - *spec_.prewarm.lead));
      start_timer_.schedule_at(std::max(now, at_));
    } else {
      prewarm_timer_.schedule_at(std::max(now, at_));  // begin() follows when it is done
    }
  } else {
    start_timer_.schedule_at(std::max(now, at_));
  }
}

void Release::begin_prewarm() {
  // The new images on every node that runs one of the workload's pods now.
  std::set<std::pair<NodeId, ImageId>> wanted;
  if (spec_.new_template) {
    for (const PodId id : workload_.pods()) {
      const Pod& p = cluster_.pod(id);
      const auto host = p.host();
      if (!host || p.deletion_requested || p.phase == PodPhase::terminated) continue;
      for (const ImageId image : spec_.new_template->images()) wanted.insert({*host, image});
    }
  }
  std::vector<PrewarmItem> items;
  items.reserve(wanted.size());
  for (const auto& [node, image] : wanted) items.push_back({node, image});
  result_.prewarm_start = cluster_.simulation().now();
  const bool wait = !spec_.prewarm.lead.has_value();
  prewarm_.start(std::move(items),
                 {.parallelism = spec_.prewarm.parallelism, .timeout = std::nullopt, .retries = 0},
                 [this, wait] {
                   result_.prewarm_end = cluster_.simulation().now();
                   result_.prewarm_failures = prewarm_.failures();
                   if (wait) begin();
                 });
}

void Release::begin() {
  sim::Simulation& sim = cluster_.simulation();
  result_.start = sim.now();
  last_change_ = sim.now();
  last_progress_ = sim.now();
  pods_seen_ = workload_.pods().size();
  in_place_at_begin_.clear();
  deleted_at_begin_.clear();
  for (const PodId id : workload_.pods()) {
    const Pod& p = cluster_.pod(id);
    deleted_at_begin_.push_back(p.deletion_requested);
    in_place_at_begin_.push_back(p.in_place_updates);
  }
  fallbacks_at_begin_ = workload_.recreate_fallbacks();
  // The changes go in together; the workload's status is looked at once they all are.
  try {
    if (spec_.new_template) {
      const TemplateDiff diff = workload_.set_template(*spec_.new_template);
      for (const auto& [container, image] : diff.container_images) {
        result_.changes.push_back(fmt::format("spec.containers[{}].image", container));
      }
      for (const TemplateChange& c : diff.metadata_changes) result_.changes.push_back(c.path);
      for (const TemplateChange& c : diff.other_changes) result_.changes.push_back(c.path);
    }
    if (spec_.replicas) {
      workload_.scale(*spec_.replicas);
      result_.changes.push_back("spec.replicas");
    }
    if (!spec_.partition_steps.empty()) workload_.set_partition(spec_.partition_steps[0]);
  } catch (const ChangeRefused& e) {
    begun_ = true;
    result_.reason = e.what();
    finish(RolloutOutcome::refused);
    return;
  }
  step_ = 1;
  begun_ = true;
  last_ = workload_.status();
  result_.min_available = last_.available;
  arm_deadline();
  observe();
}

void Release::next_batch() {
  const IntOrPercent partition = spec_.partition_steps[step_++];
  workload_.set_partition(partition);
  observe();
}

void Release::account(sim::Time now) {
  const double dt = (now - last_change_).seconds();
  const std::int32_t missing = std::max(0, last_.replicas - last_.available);
  result_.unavailable_pod_seconds += dt * missing;
  if (missing > 0) result_.time_below_desired_s += dt;
  last_change_ = now;
}

void Release::arm_deadline() {
  if (const auto deadline = workload_.progress_deadline_seconds()) {
    deadline_timer_.schedule_at(last_progress_ + sim::seconds(*deadline));
  }
}

void Release::observe() {
  if (!begun_ || done_) return;
  const sim::Time now = cluster_.simulation().now();
  account(now);
  const WorkloadStatus s = workload_.status();
  // Progress as the Deployment controller counts it (domain-reference §1.5).
  const bool progressed = s.updated > last_.updated || s.ready > last_.ready ||
                          s.available > last_.available ||
                          (s.pods - s.updated) < (last_.pods - last_.updated);
  last_ = s;
  result_.min_available = std::min(result_.min_available, s.available);
  if (progressed) {
    last_progress_ = now;
    arm_deadline();
  }
  if (in_pause_ || !workload_.rollout_complete()) return;
  const std::size_t steps = std::max<std::size_t>(1, spec_.partition_steps.size());
  if (step_ < steps) {
    // A batch is available: pause, then the next one.
    in_pause_ = true;
    const double pause = spec_.batch_pause ? spec_.batch_pause->sample(stream_) : 0.0;
    pause_timer_.schedule_in(sim::seconds(pause));
    return;
  }
  finish(deadline_passed_ ? RolloutOutcome::deadline_exceeded : RolloutOutcome::finished);
}

void Release::give_up(std::string reason) {
  if (done_) return;
  if (!begun_) {
    result_.start = cluster_.simulation().now();
    last_change_ = result_.start;
  }
  result_.reason = std::move(reason);
  finish(RolloutOutcome::stalled);
}

void Release::finish(RolloutOutcome outcome) {
  const sim::Time now = cluster_.simulation().now();
  if (begun_) account(now);
  done_ = true;
  deadline_timer_.cancel();
  pause_timer_.cancel();
  result_.outcome = outcome;
  result_.end = now;
  result_.desired = workload_.status().replicas;
  const std::vector<PodId>& pods = workload_.pods();
  result_.pods_created =
      static_cast<std::uint32_t>(pods.size() - std::min(pods_seen_, pods.size()));
  for (std::size_t i = 0; i < pods.size(); ++i) {
    const std::uint32_t before = i < in_place_at_begin_.size() ? in_place_at_begin_[i] : 0;
    const std::uint32_t updates = cluster_.pod(pods[i]).in_place_updates - before;
    result_.in_place_updates += updates;
    // Deleted by the release: recreated, replaced or scaled in (their termination counts too).
    const bool deleted = cluster_.pod(pods[i]).deletion_requested &&
                         !(i < deleted_at_begin_.size() && deleted_at_begin_[i]);
    result_.pods_deleted += deleted;
    if (i >= pods_seen_ || updates > 0 || deleted) result_.pods_touched.push_back(pods[i]);
  }
  result_.recreate_fallbacks = workload_.recreate_fallbacks() - fallbacks_at_begin_;
}

}  // namespace podsim::model
