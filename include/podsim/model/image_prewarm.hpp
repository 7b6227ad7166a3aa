#pragma once
// Pulling images onto nodes before they are needed, a bounded number of nodes at a time: the
// platform's pre-warm of a release's new image on the nodes that run the app, and OpenKruise's
// ImagePullJob for a CloneSet in-place update (parallelism nodes at once, default 1; a timeout per
// attempt; backoffLimit retries; domain-reference §2.10-2.11). Pulls go through the runtime
// directly (ImagePuller::prefetch): no kubelet pull slot, but containerd's limits and the network.
//
//   ImagePrewarm warm(sim, cluster.puller());
//   warm.start({{node_a, v2}, {node_b, v2}}, {.parallelism = 1}, [&] { start_rollout(); });

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/model/image_puller.hpp"
#include "podsim/model/node.hpp"
#include "podsim/sim/process.hpp"
#include "podsim/sim/simulation.hpp"

namespace podsim::model {

struct PrewarmItem {
  NodeId node = 0;
  ImageId image = 0;
};

struct PrewarmOptions {
  /// Items pulled at once; 0 = all at once.
  std::uint32_t parallelism = 0;
  /// Per attempt; unset = no timeout. An attempt that times out is abandoned (its transfers
  /// stop; completed layers stay).
  std::optional<sim::Duration> timeout;
  /// Attempts after the first failed one (ImagePullJob backoffLimit).
  std::uint32_t retries = 0;
};

class ImagePrewarm {
 public:
  ImagePrewarm(sim::Simulation& sim, ImagePuller& puller) : sim_(sim), puller_(puller) {}
  ImagePrewarm(const ImagePrewarm&) = delete;
  ImagePrewarm& operator=(const ImagePrewarm&) = delete;

  /// Starts pulling; `on_done` runs when every item finished or gave up. Items already present
  /// finish at once. Call once per object.
  void start(std::vector<PrewarmItem> items, PrewarmOptions options, std::function<void()> on_done);

  bool started() const { return started_at_.has_value(); }
  bool done() const { return finished_at_.has_value(); }
  std::optional<sim::Time> started_at() const { return started_at_; }
  std::optional<sim::Time> finished_at() const { return finished_at_; }
  /// Items whose every attempt failed or timed out.
  std::uint32_t failures() const { return failures_; }

 private:
  sim::Process worker();

  sim::Simulation& sim_;
  ImagePuller& puller_;
  std::vector<PrewarmItem> items_;
  PrewarmOptions options_;
  std::function<void()> on_done_;
  std::size_t next_ = 0;
  std::uint32_t workers_left_ = 0;
  std::uint32_t failures_ = 0;
  std::optional<sim::Time> started_at_;
  std::optional<sim::Time> finished_at_;
};

}  // namespace podsim::model
