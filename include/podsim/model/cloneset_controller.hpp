#pragma once
// The OpenKruise CloneSet controller of one CloneSet, driving simulated pods with Kruise's own
// arithmetic (cloneset_diffs, cloneset_update_order). Each sync is syncCloneSet: Scale() first
// (create at the right revisions, delete specified and surplus pods within deleteReadyLimit); only
// if it changed nothing, Update() (candidates in Kruise's order, limited by maxUnavailable, each
// updated in place with the InPlaceUpdateReady flow, or marked for recreate). The image
// pre-download (ImagePullJob) starts once its conditions hold (domain-reference §2.10).

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "podsim/model/cloneset_pod.hpp"
#include "podsim/model/cloneset_spec.hpp"
#include "podsim/model/image_prewarm.hpp"
#include "podsim/model/workload_controller.hpp"

namespace podsim::model {

std::string_view to_string(CloneSetUpdateType type);

class CloneSetController final : public WorkloadController {
 public:
  CloneSetController(Cluster& cluster, ClientRateLimiter& client, const ControllerConfig& config,
                     std::uint32_t id, CloneSetSpec spec);
  ~CloneSetController() override;

  std::string_view kind() const override { return "CloneSet"; }
  std::string strategy() const override { return std::string(to_string(spec_.type)); }
  /// Throws ChangeRefused for a change InPlaceOnly cannot do in place (the webhook's rule).
  TemplateDiff set_template(const PodTemplate& tmpl) override;
  void scale(std::int32_t replicas) override;
  void set_partition(IntOrPercent partition) override;
  void set_paused(bool paused) override;
  WorkloadStatus status() const override;
  bool rollout_complete() const override;
  std::optional<std::int32_t> progress_deadline_seconds() const override {
    return spec_.progressDeadlineSeconds;
  }
  const CloneSetSpec& spec() const { return spec_; }
  /// The image pre-download of the current update revision, if it started.
  const ImagePrewarm* image_pull_job() const {
    return pull_job_revision_ == update_revision_ && !pull_jobs_.empty() ? pull_jobs_.back().get()
                                                                         : nullptr;
  }

 protected:
  void sync() override;
  std::int32_t min_ready_seconds() const override { return spec_.minReadySeconds; }

 private:
  std::vector<cloneset::PodState> states(const std::vector<PodId>& pods) const;
  bool in_place_possible(std::uint32_t from, std::uint32_t to) const;
  bool scale_pods(const std::vector<PodId>& pods);
  void update_pods(const std::vector<PodId>& pods);
  void maybe_pre_download(const std::vector<PodId>& pods);

  CloneSetSpec spec_;
  std::uint32_t current_revision_ = 0;  // status.currentRevision
  std::uint32_t update_revision_ = 0;   // status.updateRevision
  std::unordered_set<PodId> specified_delete_;
  std::vector<std::unique_ptr<ImagePrewarm>> pull_jobs_;  // kept: their pulls may still run
  std::uint32_t pull_job_revision_ = 0;
};

}  // namespace podsim::model
