#pragma once
// Cluster-wide image distribution: a registry, every node's NIC, each node's kubelet pull queue,
// containerd's per-pull layer downloads and sequential unpack, node layer caches with image GC,
// optional peer-to-peer layer sharing and lazy (streaming) pulls.
//
//   sim::FlowNetwork net(sim);
//   ImagePuller puller(sim, net, catalog, {});
//   puller.add_node(node.id, node.shape);
//   PullResult r;
//   co_await puller.pull(r, node.id, image, PullPolicy::IfNotPresent);
//
// The model of one pull (domain-reference §3.3, §3.4):
//   1. kubelet: IfNotPresent with the image present returns at once. Otherwise the request waits
//      for a pull slot: one per node with serializeImagePulls=true (the default), else up to
//      maxParallelImagePulls (unset = unlimited). Holding the slot, the request takes a token of
//      the node's registryPullQPS bucket or fails at once with "pull QPS exceeded".
//   2. containerd resolves the manifest: one registry request latency (also for Always, which is
//      how Always behaves when everything is cached: one round trip, no bytes). An injected
//      registry failure (pull_failure_probability) ends the attempt here.
//   3. Missing layers are fetched, at most max_concurrent_downloads (3) at once; each starts with a
//      request latency, then its compressed bytes flow over registry egress and the node's NIC
//      (max-min fair with every other transfer). Present layers are skipped; a layer another pull
//      on the node is already fetching is waited for, not fetched twice.
//   4. Layers are applied in order: layer i once it is fetched and layer i-1 is applied, so unpack
//      overlaps download. Applying takes unpacked_bytes / NodeShape::unpack_bytes_per_s on one of
//      the node's NodeShape::unpack_workers (shared by all pulls on the node). Its 200 MB/s
//      default matches single-core gunzip with klauspost/pigz (latency-figures §4, §11: Go
//      stdlib ≈ 140 MB/s compressed input, 180-270 MB/s output; klauspost ≈ 1.7x stdlib).
//   5. An applied layer enters the node's LayerCache, which may run image GC.
//
// Assumption: layers keep the same relative order in every image that contains them (true of
// real images, where a layer's identity is its chain ID, i.e. includes all layers below it).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "podsim/model/image.hpp"
#include "podsim/model/image_inventory.hpp"
#include "podsim/model/layer_cache.hpp"
#include "podsim/model/node.hpp"
#include "podsim/sim/event.hpp"
#include "podsim/sim/fifo_server.hpp"
#include "podsim/sim/flow_network.hpp"
#include "podsim/sim/intrusive_list.hpp"
#include "podsim/sim/process.hpp"
#include "podsim/sim/task.hpp"
#include "podsim/sim/timer.hpp"

namespace podsim::model {

/// Container imagePullPolicy (Never is the pod lifecycle's business: no pull at all).
enum class PullPolicy { IfNotPresent, Always };

/// Where containerd's max_concurrent_downloads semaphore lives (domain-reference §3.4).
enum class DownloadLimitScope {
  per_pull,  // containerd 1.7 / 2.0 CRI: a new semaphore per Pull()
  per_node,  // containerd 2.1+: one limiter shared by every pull on the node
};

struct ImagePullConfig {
  // ---- kubelet (KubeletConfiguration, domain-reference §3.3 [K-KCFG]) ----------------------
  bool serializeImagePulls = true;
  /// Only with serializeImagePulls=false; unset means unlimited.
  std::optional<std::uint32_t> maxParallelImagePulls;
  /// registryPullQPS / registryBurst (defaults 5 / 10 [K-KCFG]): a token bucket per node on pull
  /// requests. kubelet images/helpers.go throttledImageService.PullImage calls TryAccept and,
  /// with no token, fails the pull at once ("pull QPS exceeded", then ImagePullBackOff); it wraps
  /// the image service inside the serial/parallel puller, so the token is taken when the pull
  /// gets its slot. registryPullQPS 0 = no limit (registryBurst then unused).
  double registryPullQPS = 5;
  std::int32_t registryBurst = 10;

  // ---- containerd (domain-reference §3.4 [CT-CFG]) -----------------------------------------
  std::uint32_t max_concurrent_downloads = 3;
  DownloadLimitScope download_limit_scope = DownloadLimitScope::per_pull;

  ImageGcPolicy image_gc;

  // ---- registry ----------------------------------------------------------------------------
  /// Registry egress shared by every download from it. 10 Gbit/s is an assumption, not a
  /// published figure; scenarios should set it (latency-figures §2 has observed pull rates).
  double registry_bytes_per_s = 1.25e9;
  /// Wait before a request's bytes flow (manifest resolve, each layer GET, each peer request).
  sim::Duration request_latency{};
  /// If set, sampled per request instead of request_latency (e.g. a distribution's draw).
  std::function<sim::Duration()> sample_request_latency;
  /// podsim extension: the chance that one pull attempt fails (ErrImagePull: a registry error,
  /// a dropped connection) after resolving the manifest, before any layer is fetched. The
  /// caller supplies the uniform draw (pull()'s failure_draw) from its own random stream.
  double pull_failure_probability = 0;

  // ---- peer-to-peer distribution (Dragonfly / Kraken style) ---------------------------------
  /// When on, a layer present on another node is fetched from that peer (its NIC egress to
  /// this node's NIC) instead of the registry. Peer choice is deterministic: the holder with the
  /// fewest active uploads of that layer, ties by lower node id. Only complete layers are shared
  /// (no piece-level swarming while a layer is still arriving).
  bool peer_to_peer = false;
  /// With P2P: a holder already serving this many uploads of the layer is not used (the
  /// registry is); 0 means no cap.
  std::uint32_t max_uploads_per_peer = 0;
};

/// What one pull did, from the caller's point of view.
struct PullResult {
  // Fields ordered by size: the result is held in the frames of the coroutines that pull.
  std::string failure;  // why not, when !ok (e.g. a layer larger than the node's image disk)
  std::uint64_t bytes_from_registry = 0;  // compressed bytes this pull moved (so far, if lazy)
  std::uint64_t bytes_from_peers = 0;
  sim::Duration queued;              // waiting for a kubelet pull slot
  sim::Duration pulling;             // from the slot to the return (manifest, layers, unpack)
  std::uint32_t layers_fetched = 0;  // layers this pull downloaded completely
  std::uint32_t layers_cached = 0;   // already present when the pull started
  std::uint32_t layers_shared = 0;   // another pull on the node was fetching them
  bool ok = true;
  /// !ok and worth retrying after the kubelet's image pull backoff ("pull QPS exceeded", an
  /// injected registry failure); false when the pull can never succeed on this node.
  bool retryable = false;
  /// IfNotPresent and the image was present: nothing was queued or contacted.
  bool already_present = false;
  /// Lazy pull: returned after its fraction arrived, the rest still downloads.
  bool background_pending = false;
};

/// Reported when a pull's last layer is present (or the pull failed), including the background
/// end of lazy pulls and prefetches.
struct PullCompletion {
  NodeId node = 0;
  ImageId image = 0;
  sim::Time at;
  bool ok = true;
};

struct ImagePullCounters {
  std::uint64_t bytes_from_registry = 0;
  std::uint64_t bytes_from_peers = 0;
  std::uint64_t layer_downloads = 0;  // completed layer downloads
  std::uint64_t pulls_started = 0;    // pulls that reached containerd
  std::uint64_t pulls_completed = 0;
  std::uint64_t pulls_failed = 0;
  std::uint64_t pulls_skipped = 0;          // IfNotPresent, image present
  std::uint64_t pulls_aborted = 0;          // interrupted while fetching layers
  std::uint64_t pulls_throttled = 0;        // refused by registryPullQPS ("pull QPS exceeded")
  std::uint64_t pulls_failed_registry = 0;  // injected registry failures (also in pulls_failed)
};

class ImagePuller final : public ImageInventory {
 public:
  /// The catalog and network must outlive the puller. Images may be added to the catalog later;
  /// they are indexed on first use. Throws std::invalid_argument on an invalid config.
  ImagePuller(sim::Simulation& sim, sim::FlowNetwork& net, const ImageCatalog& catalog,
              ImagePullConfig config);
  ~ImagePuller() override;
  ImagePuller(const ImagePuller&) = delete;
  ImagePuller& operator=(const ImagePuller&) = delete;

  /// Registers a node (its NIC, image disk and unpack workers). Ids need not be dense, but the
  /// puller keeps a slot per id up to the largest.
  void add_node(NodeId id, const NodeShape& shape);
  bool has_node(NodeId id) const { return id < nodes_.size() && nodes_[id] != nullptr; }
  /// Makes a node as fresh as when added (empty image cache, counters and pull QPS bucket reset,
  /// same links), for an elastic instance slot reused by the next pod. False, changing nothing,
  /// while anything on the node is in use: a pull or prefetch, a pinned layer, a P2P upload.
  bool reset_node(NodeId id);

  /// Lazy pulling (eStargz / Nydus / overlaybd) for an image: the pull returns once `fraction`
  /// (0 < f <= 1) of its missing bytes arrived: the first f of every missing layer is fetched
  /// before any layer's rest. Lazy layers need no unpack step. f = 1 turns it off.
  void set_lazy_pull(ImageId image, double fraction);

  /// The kubelet's pull for a container: returns when the image is usable (or failed), with
  /// the outcome in `result` (which must outlive the task: it is written in place, so that the
  /// frames of the many pulls a burst has waiting do not each carry a copy).
  /// Interrupting the awaiting process aborts the pull's downloads and unpacks, frees its
  /// kubelet slot and leaves no layer of it half-present (layers it completed stay).
  /// `failure_draw`, uniform on [0, 1) from the caller's stream, fails the attempt if below
  /// pull_failure_probability (1, the default, never does).
  sim::Task<void> pull(PullResult& result, NodeId node, ImageId image,
                       PullPolicy policy = PullPolicy::IfNotPresent, double failure_draw = 1.0);
  /// Image pre-warming (OpenKruise ImagePullJob): a pull nobody waits for. It goes through CRI
  /// directly, so it bypasses the kubelet's pull queue but shares containerd's limits and the
  /// network (domain-reference §2.11). The returned process can be interrupted or joined.
  sim::ProcessRef prefetch(NodeId node, ImageId image);

  /// Makes the image present on the node at once, without transfers: a node booted from a disk
  /// snapshot that holds it. Layers that do not fit are left out (false is returned).
  bool preload_image(NodeId node, ImageId image);

  /// A container using the image (running or starting) pins its layers against GC and marks
  /// them used now; unpin when it stops. Calls must balance.
  void pin_image(NodeId node, ImageId image);
  void unpin_image(NodeId node, ImageId image);

  void set_on_pull_complete(std::function<void(const PullCompletion&)> callback) {
    on_pull_complete_ = std::move(callback);
  }

  // ---- ImageInventory ----------------------------------------------------------------------
  bool node_has_image(NodeId node, ImageId image) const override;
  std::uint32_t nodes_with_image(ImageId image) const override;
  void nodes_have_image(ImageId image, std::span<const NodeId> nodes,
                        std::span<std::uint8_t> out) const override;

  // ---- Observation -------------------------------------------------------------------------
  const ImagePullCounters& counters() const { return counters_; }
  /// Compressed bytes this node received (registry and peers).
  std::uint64_t node_bytes_received(NodeId node) const;
  /// Compressed bytes this node served to peers.
  std::uint64_t node_bytes_uploaded(NodeId node) const;
  const LayerCache& layer_cache(NodeId node) const;
  sim::FlowNetwork::LinkId registry_link() const { return registry_link_; }
  sim::FlowNetwork::LinkId nic_link(NodeId node) const;
  /// Pulls in progress anywhere (including lazy background rests and prefetches).
  std::size_t active_pulls() const { return jobs_.size(); }
  const sim::FifoServer& kubelet_pull_queue(NodeId node) const;

 private:
  struct NodeState;
  struct PullJob;
  struct LayerTask;
  using TaskQueue = sim::IntrusiveList<LayerTask>;
  struct DownloadLimiter {
    std::uint32_t capacity = 0;
    std::uint32_t active = 0;
    TaskQueue waiting;
  };
  static constexpr NodeId kNoPeer = UINT32_MAX;

  void sync_catalog();
  NodeState& node_at(NodeId id);
  const NodeState& node_at(NodeId id) const;
  sim::Duration request_latency();

  NodeState& node_for_pull(NodeId node, ImageId image);
  PullResult skipped_pull(NodeState& n, ImageId image);
  PullResult throttled_pull(sim::Duration queued);
  sim::Task<void> fetch(PullResult& result, NodeState& n, ImageId image, sim::Duration queued,
                        double failure_draw);
  sim::Process prefetch_process(NodeId node, ImageId image);
  const Layer* too_large_layer(const NodeState& n, ImageId image) const;
  PullResult refused_pull(const NodeState& n, ImageId image, double failure_draw,
                          sim::Duration queued, sim::Time started);
  PullResult job_result(PullJob& job, sim::Duration queued, sim::Time started);
  void abandon_job(PullJob& job);
  PullJob& start_job(NodeState& n, ImageId image);
  void release_job(PullJob& job);
  void recycle_jobs();
  void claim(NodeState& n, LayerTask& t);
  void follow_or_claim(NodeState& n, LayerTask& t);
  void enqueue_download(LayerTask& t);
  void pump_downloads(DownloadLimiter& limiter);
  void begin_transfer(LayerTask& t);
  void transfer_done(LayerTask& t);
  void pump_unpacks(NodeState& n);
  void unpack_done(LayerTask& t);
  void commit(LayerTask& t);
  void layer_present(LayerTask& t);
  void stop_counting_for_ready(LayerTask& t);
  void advance(PullJob& job);
  void finish_job(PullJob& job);
  void fail_job(PullJob& job, std::string reason);
  void abort_tasks(PullJob& job);
  void unpin_job(PullJob& job);
  void bury(PullJob& job);
  void end_upload(LayerTask& t);
  void on_layer_added(NodeState& n, LayerId layer);
  void on_layer_evicted(NodeState& n, LayerId layer);
  void set_presence(ImageId image, NodeId node, std::uint8_t present);

  sim::Simulation& sim_;
  sim::FlowNetwork& net_;
  const ImageCatalog& catalog_;
  ImagePullConfig config_;
  sim::FlowNetwork::LinkId registry_link_;

  std::vector<std::unique_ptr<NodeState>> nodes_;
  // Per image: its distinct layers in order, lazy fraction (0 = not lazy), nodes holding it.
  std::vector<std::vector<LayerId>> image_layers_;
  std::vector<double> lazy_fraction_;
  std::vector<std::uint32_t> nodes_with_image_;
  // Per image, per node id: 1 if every layer of the image is on the node (node_has_image), kept
  // with nodes_with_image_. Sized up to the largest node that ever held the image.
  std::vector<std::vector<std::uint8_t>> presence_;
  // Per layer: the images containing it, and (with P2P) holders by (active uploads, node).
  std::vector<std::vector<ImageId>> images_of_layer_;
  std::vector<std::set<std::pair<std::uint32_t, NodeId>>> holders_;

  std::vector<std::unique_ptr<PullJob>> jobs_;        // live pulls
  std::vector<std::unique_ptr<PullJob>> graveyard_;   // finished, recycled outside their callbacks
  std::vector<std::unique_ptr<PullJob>> spare_jobs_;  // recycled, for the next pulls
  sim::Timer reaper_;
  std::vector<LayerId> evicted_;  // scratch

  ImagePullCounters counters_;
  std::function<void(const PullCompletion&)> on_pull_complete_;
};

}  // namespace podsim::model
