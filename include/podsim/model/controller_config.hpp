#pragma once
// How a controller process talks to the API server: its client's rate limit, the latency of one
// write, and how long a pod change takes to reach its work queue. Deployment/ReplicaSet
// controllers run in kube-controller-manager, CloneSet in kruise-manager; each process has one
// client, so all workloads of a kind share its rate limit (a release wave queues behind it).

#include <cstdint>

#include "podsim/sim/time.hpp"

namespace podsim::model {

struct ControllerConfig {
  /// The client's --kube-api-qps / --kube-api-burst (client-go token bucket); qps <= 0: none.
  double api_qps = 20;
  std::int32_t api_burst = 30;
  /// One mutating call (create, delete, patch) from request to the object being written.
  /// Assumption: 10 ms; the SLO bounds it at p99 <= 1 s (domain-reference §5 [C-SLO]).
  sim::Duration api_latency = sim::milliseconds(10);
  /// A change being observed by the controller: watch event, informer, work queue. Assumption:
  /// 5 ms; it matters only at the scale of many syncs.
  sim::Duration sync_delay = sim::milliseconds(5);
  /// At most this many creates or deletes per sync (ReplicaSet BurstReplicas = 500,
  /// domain-reference §1.4 [K-RS]); more are left to the next sync.
  std::int32_t burst_replicas = 500;

  /// kube-controller-manager: --kube-api-qps 20, --kube-api-burst 30 (domain-reference §1.4,
  /// kubernetes/kops#7153 flag docs).
  static ControllerConfig kube_controller_manager() { return {}; }
  /// kruise-manager: --rest-config-qps 30, --rest-config-burst 50 (domain-reference §2.9
  /// [KR-MAIN]).
  static ControllerConfig kruise_manager() {
    ControllerConfig c;
    c.api_qps = 30;
    c.api_burst = 50;
    return c;
  }
};

}  // namespace podsim::model
