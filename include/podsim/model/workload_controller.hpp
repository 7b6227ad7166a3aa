#pragma once
// What Deployment and CloneSet controllers share: the pods a workload owns with their revision,
// the reconcile loop (a pod change is seen after sync_delay; a sync runs only when the writes of
// the previous one were observed, as the real controllers' expectations make them), and writes
// through the controller process's rate-limited API client. The kinds differ only in sync(),
// which calls their decision functions (deployment_rollout_math, cloneset_diffs, ...).
//
//   ControllerManager controllers(cluster);
//   WorkloadController& web = controllers.add(cloneset_spec);
//   web.set_template(v2);   // a release: a new update revision
//   web.scale(20);

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "podsim/model/client_rate_limiter.hpp"
#include "podsim/model/cluster.hpp"
#include "podsim/model/controller_config.hpp"
#include "podsim/model/controller_pod_order.hpp"
#include "podsim/model/int_or_percent.hpp"
#include "podsim/model/pod_template.hpp"
#include "podsim/model/template_diff.hpp"
#include "podsim/sim/timer.hpp"

namespace podsim::model {

/// A workload's status as its controller reports it (status.replicas, updatedReplicas, ...).
/// Terminating pods are not counted, as the real controllers do not count them.
struct WorkloadStatus {
  std::int32_t replicas = 0;           // spec.replicas
  std::int32_t pods = 0;               // status.replicas: active pods
  std::int32_t terminating = 0;        // deleted, not yet gone
  std::int32_t updated = 0;            // active pods at the update revision
  std::int32_t ready = 0;              // active and Ready
  std::int32_t available = 0;          // active and available
  std::int32_t updated_ready = 0;      // at the update revision, Ready
  std::int32_t updated_available = 0;  // at the update revision, available
  std::int32_t expected_updated = 0;   // replicas - partition (replicas for a Deployment)
};

/// The API server rejected a change (e.g. InPlaceOnly with an env change).
class ChangeRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WorkloadController {
 public:
  /// The client is the controller process's (shared by every workload of that process).
  WorkloadController(Cluster& cluster, ClientRateLimiter& client, const ControllerConfig& config,
                     std::uint32_t id, std::string name);
  virtual ~WorkloadController();
  WorkloadController(const WorkloadController&) = delete;
  WorkloadController& operator=(const WorkloadController&) = delete;

  std::uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  virtual std::string_view kind() const = 0;
  /// The update strategy as users write it ("RollingUpdate", "InPlaceIfPossible", ...).
  virtual std::string strategy() const = 0;

  // ---- What releases do --------------------------------------------------------------------
  /// Starts reconciling: creates the initial replicas at revision 1.
  void start();
  /// A new pod template: a new update revision (or back to an old one with the same template).
  /// Returns what changed. Throws ChangeRefused if the API server would reject it.
  virtual TemplateDiff set_template(const PodTemplate& tmpl) = 0;
  virtual void scale(std::int32_t replicas) = 0;
  /// CloneSet updateStrategy.partition; other kinds throw std::logic_error.
  virtual void set_partition(IntOrPercent partition);
  virtual void set_paused(bool paused) = 0;

  virtual WorkloadStatus status() const = 0;
  /// The rollout is complete: every pod updated (up to the partition) and available, no surge.
  virtual bool rollout_complete() const = 0;
  /// progressDeadlineSeconds, if the kind has one set.
  virtual std::optional<std::int32_t> progress_deadline_seconds() const = 0;
  /// Why the rollout cannot progress, if it cannot (e.g. pods that can never be scheduled);
  /// empty otherwise.
  std::string stall_reason() const;

  /// Called after every sync that may have changed status(), and on every pod event.
  void add_status_listener(std::function<void()> listener) {
    status_listeners_.push_back(std::move(listener));
  }

  /// Every pod the workload ever created, in creation order (terminated ones included).
  const std::vector<PodId>& pods() const { return pods_; }
  /// The revision a pod is at (the controller's view: in-place updates move it at once).
  std::uint32_t revision_of(PodId pod) const;
  /// Pods whose update fell back to recreate under InPlaceIfPossible.
  std::uint32_t recreate_fallbacks() const { return recreate_fallbacks_; }

  /// The manager forwards the events of this workload's pods.
  void pod_event(PodId pod, PodEvent event);

 protected:
  /// One reconcile: decide from the current pods and issue writes.
  virtual void sync() = 0;

  Cluster& cluster() { return cluster_; }
  const Cluster& cluster() const { return cluster_; }
  sim::Simulation& simulation() { return cluster_.simulation(); }
  const ControllerConfig& config() const { return config_; }

  /// Writes. Each goes through the client (rate limit, latency) and takes effect when done;
  /// the next sync waits until every write of this one took effect.
  /// Creates `count` pods at `revision` in slow-start batches of 1, 2, 4, ... (each batch
  /// waits for the previous one, as slowStartBatch does).
  void create_pods(std::int32_t count, std::uint32_t revision);
  void delete_pod(PodId pod);
  /// CloneSet in-place update to `revision` (images and metadata); the pod's revision moves
  /// when the write lands, with InPlaceUpdateReady=False (Kruise writes both in one update).
  void update_pod_in_place(PodId pod, std::uint32_t revision, std::int32_t gracePeriodSeconds);
  /// Asks for a sync after sync_delay (coalesced).
  void request_sync();
  void notify_status();

  /// A spec field changed: the next sync acts on it, status listeners look again.
  void spec_changed();
  /// Throws std::invalid_argument for a negative replica count.
  static void check_replicas(std::int32_t replicas);

  /// Templates by revision (index 0 unused: revisions start at 1).
  std::uint32_t add_revision(const PodTemplate& tmpl);
  /// The revision of this template: an existing one with the same template (a rollback reuses
  /// it), or a new one.
  std::uint32_t revision_for(const PodTemplate& tmpl);
  const PodTemplate& template_of(std::uint32_t revision) const { return *revisions_.at(revision); }

  /// The pod's minReadySeconds (the workload's).
  virtual std::int32_t min_ready_seconds() const = 0;

  /// Active pods (created, not deleted) in creation order.
  std::vector<PodId> active_pods() const;
  bool is_active(PodId pod) const;
  /// What ActivePods ordering reads of a pod.
  PodOrderKey order_key(PodId pod) const;
  void count_fallback() { ++recreate_fallbacks_; }

 private:
  void run_sync();
  void issue(std::function<void()> apply);
  void write_done();
  void create_batch();

  Cluster& cluster_;
  ClientRateLimiter& client_;
  ControllerConfig config_;
  std::uint32_t id_;
  std::string name_;
  std::vector<std::shared_ptr<const PodTemplate>> revisions_;
  std::vector<PodId> pods_;
  std::unordered_map<PodId, std::uint32_t> pod_revision_;
  std::uint32_t next_ordinal_ = 0;
  sim::Timer sync_timer_;
  bool sync_pending_ = false;
  std::uint32_t writes_in_flight_ = 0;
  bool sync_after_writes_ = false;
  // Slow-start creation in progress.
  std::int32_t creates_left_ = 0;
  std::int32_t batch_size_ = 0;
  std::uint32_t create_revision_ = 0;
  std::uint32_t recreate_fallbacks_ = 0;
  std::vector<std::function<void()>> status_listeners_;
};

}  // namespace podsim::model
