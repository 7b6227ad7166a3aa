#include "podsim/model/cloneset_controller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "podsim/model/cloneset_diffs.hpp"
#include "podsim/model/cloneset_scale_order.hpp"
#include "podsim/model/cloneset_update_order.hpp"

namespace podsim::model {

std::string_view to_string(CloneSetUpdateType type) {
  switch (type) {
    case CloneSetUpdateType::ReCreate:
      return "ReCreate";
    case CloneSetUpdateType::InPlaceIfPossible:
      return "InPlaceIfPossible";
    case CloneSetUpdateType::InPlaceOnly:
      return "InPlaceOnly";
  }
  return "unknown";
}

CloneSetController::CloneSetController(Cluster& cluster, ClientRateLimiter& client,
                                       const ControllerConfig& config, std::uint32_t id,
                                       CloneSetSpec spec)
    : WorkloadController(cluster, client, config, id, spec.name), spec_(std::move(spec)) {
  (void)cloneset::resolve_limits(spec_);  // rejects bad values now, not mid-run
  current_revision_ = update_revision_ = add_revision(spec_.template_);
}

CloneSetController::~CloneSetController() = default;

TemplateDiff CloneSetController::set_template(const PodTemplate& tmpl) {
  TemplateDiff diff = diff_templates(spec_.template_, tmpl);
  if (spec_.type == CloneSetUpdateType::InPlaceOnly && !diff.in_place_possible()) {
    // ValidateCloneSetUpdate: InPlaceOnly allows only `replace /containers/N/image`.
    std::string what;
    for (const TemplateChange& c : diff.other_changes) {
      if (!what.empty()) what += ", ";
      what += c.path;
    }
    throw ChangeRefused(fmt::format(
        "CloneSet {} has updateStrategy.type InPlaceOnly, which allows only container image "
        "changes; this change touches {}",
        name(), what));
  }
  spec_.template_ = tmpl;
  update_revision_ = revision_for(tmpl);
  spec_changed();
  return diff;
}

void CloneSetController::scale(std::int32_t replicas) {
  check_replicas(replicas);
  spec_.replicas = replicas;
  (void)cloneset::resolve_limits(spec_);
  spec_changed();
}

void CloneSetController::set_partition(IntOrPercent partition) {
  spec_.partition = partition;
  spec_changed();
}

void CloneSetController::set_paused(bool paused) {
  spec_.paused = paused;
  request_sync();
}

bool CloneSetController::in_place_possible(std::uint32_t from, std::uint32_t to) const {
  if (spec_.type == CloneSetUpdateType::ReCreate) return false;
  return diff_templates(template_of(from), template_of(to)).in_place_possible();
}

std::vector<cloneset::PodState> CloneSetController::states(const std::vector<PodId>& pods) const {
  std::vector<cloneset::PodState> out;
  out.reserve(pods.size());
  for (const PodId id : pods) {
    const Pod& p = cluster().pod(id);
    cloneset::PodState s;
    s.revision = revision_of(id);
    // Without a preNormal hook a pod turns Normal once scheduled (Kruise v1.9, #2087).
    s.lifecycle =
        p.node ? cloneset::LifecycleState::Normal : cloneset::LifecycleState::PreparingNormal;
    s.order = order_key(id);
    s.available = p.available;
    s.in_place_update_ready = !p.updating_in_place;
    s.specified_delete = specified_delete_.contains(id);
    s.labels = &template_of(s.revision).labels;
    out.push_back(s);
  }
  return out;
}

WorkloadStatus CloneSetController::status() const {
  WorkloadStatus s;
  s.replicas = spec_.replicas;
  s.expected_updated =
      spec_.replicas - cloneset::partition_replicas(spec_.partition, spec_.replicas);
  for (const PodId id : pods()) {
    const Pod& p = cluster().pod(id);
    if (p.phase == PodPhase::terminated) continue;
    if (p.deletion_requested) {
      ++s.terminating;
      continue;
    }
    const bool updated = revision_of(id) == update_revision_;
    const bool available = p.available && !p.updating_in_place;
    ++s.pods;
    s.updated += updated;
    s.ready += p.ready;
    s.available += available;
    s.updated_ready += updated && p.ready;
    s.updated_available += updated && available;
  }
  return s;
}

bool CloneSetController::rollout_complete() const {
  const WorkloadStatus s = status();
  return s.pods == s.replicas && s.updated >= s.expected_updated &&
         s.updated_available >= s.expected_updated && s.available == s.replicas &&
         specified_delete_.empty();
}

void CloneSetController::sync() {
  const std::vector<PodId> pods = active_pods();
  // Forget marks of pods that are gone.
  std::erase_if(specified_delete_, [&](PodId id) { return !is_active(id); });
  if (scale_pods(pods)) return;
  update_pods(pods);
  maybe_pre_download(pods);
  if (rollout_complete() && current_revision_ != update_revision_ &&
      status().updated == status().pods) {
    current_revision_ = update_revision_;  // status.currentRevision follows a complete update
  }
}

// Scale(): creations first (old revision up to the partition), then deletions within
// deleteReadyLimit. True if it changed something (Update() then waits for the next sync).
bool CloneSetController::scale_pods(const std::vector<PodId>& pods) {
  const std::vector<cloneset::PodState> st = states(pods);
  const cloneset::ScalePlan plan =
      cloneset::plan_scale(spec_, st, current_revision_, update_revision_);
  if (!plan.modified()) return false;
  // One slow-start series per sync: the old-revision pods first, the rest on the next sync.
  if (plan.create_current > 0) {
    create_pods(plan.create_current, current_revision_);
  } else if (plan.create_update > 0) {
    create_pods(plan.create_update, update_revision_);
  }
  for (const std::size_t i : plan.delete_pods) delete_pod(pods[i]);
  return true;
}

// Update(): pods not at the update revision, in Kruise's order, within maxUnavailable.
void CloneSetController::update_pods(const std::vector<PodId>& pods) {
  const std::vector<cloneset::PodState> st = states(pods);
  const cloneset::UpdatePlan plan =
      cloneset::plan_update(spec_, st, current_revision_, update_revision_);
  for (const std::size_t i : plan.pods) {
    const PodId id = pods[i];
    if (specified_delete_.contains(id)) continue;  // already waiting for Scale() to delete it
    if (!in_place_possible(st[i].revision, plan.target_revision)) {
      if (spec_.type != CloneSetUpdateType::ReCreate) count_fallback();
      specified_delete_.insert(id);  // apps.kruise.io/specified-delete; Scale() deletes it
      request_sync();
      continue;
    }
    if (cluster().pod(id).phase != PodPhase::running) continue;  // a later sync, once started
    update_pod_in_place(id, plan.target_revision, spec_.gracePeriodSeconds);
  }
}

// CloneSet image pre-download: one ImagePullJob per revision once its conditions hold.
void CloneSetController::maybe_pre_download(const std::vector<PodId>& pods) {
  const CloneSetImagePreDownload& pre = spec_.imagePreDownload;
  if (!pre.enabled || pull_job_revision_ == update_revision_ ||
      current_revision_ == update_revision_ || spec_.type == CloneSetUpdateType::ReCreate ||
      spec_.replicas <= 3) {
    return;
  }
  const cloneset::ResolvedLimits limits = cloneset::resolve_limits(spec_);
  const int max_unavailable_down = spec_.maxUnavailable.scaled(spec_.replicas, false);
  if (limits.partition == 0 && max_unavailable_down >= spec_.replicas) return;  // one batch
  if (!in_place_possible(current_revision_, update_revision_)) return;
  if (status().updated_ready < pre.minUpdatedReadyPods.scaled(spec_.replicas, true)) return;
  pull_job_revision_ = update_revision_;
  const TemplateDiff diff =
      diff_templates(template_of(current_revision_), template_of(update_revision_));
  std::set<NodeId> nodes;
  for (const PodId id : pods) {
    const Pod& p = cluster().pod(id);
    if (revision_of(id) != update_revision_ && p.host()) nodes.insert(*p.host());
  }
  // One job per changed container; jobs of one revision pull side by side.
  std::vector<PrewarmItem> items;
  for (const auto& [container, image] : diff.container_images) {
    for (const NodeId n : nodes) items.push_back({n, image});
  }
  pull_jobs_.push_back(std::make_unique<ImagePrewarm>(simulation(), cluster().puller()));
  const std::uint32_t jobs =
      static_cast<std::uint32_t>(std::max<std::size_t>(1, diff.container_images.size()));
  pull_jobs_.back()->start(
      std::move(items),
      {.parallelism = static_cast<std::uint32_t>(std::max(1, pre.parallelism)) * jobs,
       .timeout = sim::seconds(pre.timeoutSeconds),
       .retries = 1},
      {});
}

}  // namespace podsim::model
