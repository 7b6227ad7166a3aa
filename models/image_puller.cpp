#include "podsim/model/image_puller.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "podsim/model/client_rate_limiter.hpp"
#include "podsim/sim/id_map.hpp"
#include "podsim/sim/wait.hpp"

namespace podsim::model {

// ---- Internal state ------------------------------------------------------------------------

struct ImagePuller::NodeState {
  NodeState(sim::Simulation& sim, NodeId node_id, const NodeShape& node_shape,
            std::uint32_t pull_slots, const ImagePullConfig& config)
      : id(node_id),
        shape(node_shape),
        kubelet_slots(sim, pull_slots),
        cache(node_shape.image_disk_bytes, config.image_gc),
        registry_qps(config.registryPullQPS, config.registryBurst) {}

  NodeId id;
  NodeShape shape;
  sim::FifoServer kubelet_slots;
  LayerCache cache;
  ClientRateLimiter registry_qps;  // registryPullQPS / registryBurst
  sim::FlowNetwork::LinkId nic_in = 0;
  sim::FlowNetwork::LinkId nic_out = 0;  // only with P2P
  DownloadLimiter downloads;             // DownloadLimitScope::per_node
  std::uint32_t unpack_busy = 0;
  TaskQueue unpack_queue;
  // Flat tables: they fill and drain all run long, and a base layer shared by many images puts
  // every one of those images in image_layers_present.
  sim::IdMap<LayerTask*> in_flight;                // layer -> the task fetching it
  sim::IdMap<std::uint32_t> image_layers_present;  // image -> its layers present here
  sim::IdMap<std::uint32_t> uploads;               // P2P: active uploads per layer
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_uploaded = 0;
};

// One layer of one pull. It is its own timer (request latency, unpack), its own flow and,
// while another pull fetches the layer, a listener on that pull's task.
struct ImagePuller::LayerTask final : sim::Activation, sim::FlowNetwork::Flow, sim::Listener {
  enum class State : std::uint8_t {
    idle,
    present,          // in the cache (counts as applied)
    following,        // another pull on the node is fetching it
    queued_download,  // waiting for a download slot
    requesting,       // request latency
    downloading,      // bytes flowing
    fetched,          // downloaded, waiting for the layer below to be applied
    queued_unpack,    // waiting for an unpack worker
    unpacking,
  };

  ImagePuller* puller = nullptr;
  PullJob* job = nullptr;
  LayerId layer = 0;
  State state = State::idle;
  bool owner = false;             // holds NodeState::in_flight[layer]
  bool counts_for_ready = false;  // lazy: still needed before the pull returns
  bool prefix_done = false;       // lazy: the first fraction arrived
  std::uint64_t segment_bytes = 0;
  NodeId peer = kNoPeer;
  sim::ListenerList followers;  // tasks of other pulls waiting for this one
  LayerTask* prev = nullptr;    // TaskQueue links
  LayerTask* next = nullptr;

  // Makes a new or recycled task the idle task of layer `l` in `j`.
  void assign(ImagePuller* p, PullJob* j, LayerId l) {
    puller = p;
    job = j;
    layer = l;
    state = State::idle;
    owner = false;
    counts_for_ready = false;
    prefix_done = false;
    segment_bytes = 0;
    peer = kNoPeer;
  }

  void fire() override {
    if (state == State::requesting) {
      puller->begin_transfer(*this);
    } else {
      puller->unpack_done(*this);
    }
  }
  void on_complete() override { puller->transfer_done(*this); }
  void notify() override;
};

// Jobs are recycled (start_job): a pull allocates nothing once as many jobs as ever ran at once
// exist, with as many layers as their largest image.
struct ImagePuller::PullJob {
  explicit PullJob(sim::Simulation& sim) : ready(sim) {}

  NodeState* node = nullptr;
  ImageId image = 0;
  std::unique_ptr<LayerTask[]> tasks;
  std::uint32_t task_capacity = 0;
  std::uint32_t task_count = 0;
  std::uint32_t next_apply = 0;  // first layer, in image order, not yet applied
  std::uint32_t present = 0;
  std::uint32_t ready_pending = 0;  // lazy: tasks with counts_for_ready
  double lazy_fraction = 0;         // 0: not lazy
  DownloadLimiter own_limiter;
  DownloadLimiter* limiter = nullptr;
  PullResult result;
  sim::Event ready;  // the caller may go on
  bool awaited = false;
  bool done = false;
  std::size_t slot = 0;  // index in ImagePuller::jobs_

  bool lazy() const { return lazy_fraction > 0; }
};

void ImagePuller::LayerTask::notify() {
  // The pull we followed committed the layer, gave up on it or (lazy) has its prefix.
  NodeState& n = *job->node;
  if (n.cache.contains(layer)) {
    puller->layer_present(*this);
    puller->advance(*job);
  } else {
    const bool was_pending = counts_for_ready;
    puller->follow_or_claim(n, *this);
    if (was_pending && !counts_for_ready) puller->advance(*job);
  }
}

// ---- Construction and nodes ----------------------------------------------------------------

ImagePuller::ImagePuller(sim::Simulation& sim, sim::FlowNetwork& net, const ImageCatalog& catalog,
                         ImagePullConfig config)
    : sim_(sim),
      net_(net),
      catalog_(catalog),
      config_(std::move(config)),
      registry_link_(net.add_link(config_.registry_bytes_per_s, "registry")),
      reaper_(sim, [this] { recycle_jobs(); }) {
  if (config_.max_concurrent_downloads == 0) {
    throw std::invalid_argument("max_concurrent_downloads must be at least 1");
  }
  if (config_.registryPullQPS < 0) throw std::invalid_argument("registryPullQPS must be >= 0");
  if (config_.registryPullQPS > 0 && config_.registryBurst < 1) {
    // rate.Limiter with burst 0 allows nothing: every pull would fail forever.
    throw std::invalid_argument("registryBurst must be at least 1 when registryPullQPS > 0");
  }
  if (!(config_.pull_failure_probability >= 0 && config_.pull_failure_probability <= 1)) {
    throw std::invalid_argument("pull_failure_probability must be in [0, 1]");
  }
  if (config_.maxParallelImagePulls) {
    if (*config_.maxParallelImagePulls == 0) {
      throw std::invalid_argument("maxParallelImagePulls must be at least 1");
    }
    // The kubelet rejects this combination too (KubeletConfiguration validation).
    if (config_.serializeImagePulls && *config_.maxParallelImagePulls > 1) {
      throw std::invalid_argument("maxParallelImagePulls > 1 needs serializeImagePulls: false");
    }
  }
  sync_catalog();
}

ImagePuller::~ImagePuller() {
  // Tasks of one job may follow tasks of another: drop every link before freeing anything.
  for (auto& job : jobs_) {
    for (std::uint32_t i = 0; i < job->task_count; ++i) job->tasks[i].detach();
  }
}

void ImagePuller::add_node(NodeId id, const NodeShape& shape) {
  if (has_node(id)) throw std::invalid_argument("ImagePuller: node added twice");
  if (!(shape.unpack_bytes_per_s > 0) || shape.unpack_workers == 0) {
    throw std::invalid_argument("ImagePuller: a node needs a positive unpack rate and a worker");
  }
  sync_catalog();
  std::uint32_t slots = UINT32_MAX;  // "unlimited"
  if (config_.serializeImagePulls) {
    slots = 1;
  } else if (config_.maxParallelImagePulls) {
    slots = *config_.maxParallelImagePulls;
  }
  auto n = std::make_unique<NodeState>(sim_, id, shape, slots, config_);
  const std::string name = "node-" + std::to_string(id);
  n->nic_in = net_.add_link(shape.nic_bytes_per_s, name + "/nic-in");
  if (config_.peer_to_peer) n->nic_out = net_.add_link(shape.nic_bytes_per_s, name + "/nic-out");
  n->downloads.capacity = config_.max_concurrent_downloads;
  if (id >= nodes_.size()) nodes_.resize(static_cast<std::size_t>(id) + 1);
  nodes_[id] = std::move(n);
}

bool ImagePuller::reset_node(NodeId id) {
  NodeState& n = node_at(id);
  if (!n.in_flight.empty() || !n.uploads.empty() || n.kubelet_slots.busy() > 0 ||
      n.kubelet_slots.queue_length() > 0 || n.unpack_busy > 0 || !n.unpack_queue.empty()) {
    return false;
  }
  for (const auto& job : jobs_) {
    if (job->node == &n) return false;
  }
  // Every present layer belongs to an image counted in image_layers_present.
  evicted_.clear();
  for (const auto& [image, present] : n.image_layers_present) {
    for (LayerId l : image_layers_[image]) {
      if (n.cache.contains(l) && std::find(evicted_.begin(), evicted_.end(), l) == evicted_.end()) {
        if (n.cache.pins(l) > 0) return false;
        evicted_.push_back(l);
      }
    }
  }
  for (LayerId l : evicted_) on_layer_evicted(n, l);
  evicted_.clear();
  const sim::FlowNetwork::LinkId nic_in = n.nic_in;
  const sim::FlowNetwork::LinkId nic_out = n.nic_out;
  const std::uint32_t slots = n.kubelet_slots.capacity();
  auto fresh = std::make_unique<NodeState>(sim_, id, n.shape, slots, config_);
  fresh->nic_in = nic_in;
  fresh->nic_out = nic_out;
  fresh->downloads.capacity = config_.max_concurrent_downloads;
  nodes_[id] = std::move(fresh);
  return true;
}

ImagePuller::NodeState& ImagePuller::node_at(NodeId id) {
  if (!has_node(id)) throw std::out_of_range("ImagePuller: unknown node " + std::to_string(id));
  return *nodes_[id];
}

const ImagePuller::NodeState& ImagePuller::node_at(NodeId id) const {
  if (!has_node(id)) throw std::out_of_range("ImagePuller: unknown node " + std::to_string(id));
  return *nodes_[id];
}

// Indexes images added to the catalog since the last call.
void ImagePuller::sync_catalog() {
  images_of_layer_.resize(catalog_.layer_count());
  if (config_.peer_to_peer) holders_.resize(catalog_.layer_count());
  const std::size_t first_new = image_layers_.size();
  for (std::size_t i = first_new; i < catalog_.image_count(); ++i) {
    const auto image = static_cast<ImageId>(i);
    std::vector<LayerId> distinct;
    for (LayerId l : catalog_.image(image).layers) {
      // A layer listed twice (e.g. two empty layers) is fetched and applied once.
      if (std::find(distinct.begin(), distinct.end(), l) == distinct.end()) distinct.push_back(l);
    }
    for (LayerId l : distinct) images_of_layer_[l].push_back(image);
    image_layers_.push_back(std::move(distinct));
    lazy_fraction_.push_back(0);
    nodes_with_image_.push_back(0);
    presence_.emplace_back();
  }
  if (first_new == 0 || first_new == image_layers_.size()) return;
  // Layers of a late image may already be present somewhere: count them once, now.
  for (auto& n : nodes_) {
    if (n == nullptr || n->cache.size() == 0) continue;
    for (std::size_t i = first_new; i < image_layers_.size(); ++i) {
      std::uint32_t present = 0;
      for (LayerId l : image_layers_[i]) present += n->cache.contains(l) ? 1 : 0;
      if (present == 0) continue;
      n->image_layers_present[static_cast<ImageId>(i)] = present;
      if (present == image_layers_[i].size()) {
        ++nodes_with_image_[i];
        set_presence(static_cast<ImageId>(i), n->id, 1);
      }
    }
  }
}

void ImagePuller::set_lazy_pull(ImageId image, double fraction) {
  sync_catalog();
  if (image >= image_layers_.size()) throw std::out_of_range("ImagePuller: unknown image");
  if (!(fraction > 0 && fraction <= 1)) {
    throw std::invalid_argument("lazy pull fraction must be in (0, 1]");
  }
  lazy_fraction_[image] = fraction < 1 ? fraction : 0;
}

sim::Duration ImagePuller::request_latency() {
  return config_.sample_request_latency ? config_.sample_request_latency()
                                        : config_.request_latency;
}

// ---- Inventory -----------------------------------------------------------------------------

bool ImagePuller::node_has_image(NodeId node, ImageId image) const {
  if (image >= presence_.size()) return false;
  const std::vector<std::uint8_t>& present = presence_[image];
  return node < present.size() && present[node] != 0;
}

std::uint32_t ImagePuller::nodes_with_image(ImageId image) const {
  return image < nodes_with_image_.size() ? nodes_with_image_[image] : 0;
}

void ImagePuller::nodes_have_image(ImageId image, std::span<const NodeId> nodes,
                                   std::span<std::uint8_t> out) const {
  if (image >= presence_.size() || nodes_with_image_[image] == 0) {
    std::fill_n(out.begin(), nodes.size(), std::uint8_t{0});
    return;
  }
  const std::vector<std::uint8_t>& present = presence_[image];
  const std::size_t size = present.size();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeId node = nodes[i];
    out[i] = node < size ? present[node] : std::uint8_t{0};
  }
}

void ImagePuller::set_presence(ImageId image, NodeId node, std::uint8_t present) {
  std::vector<std::uint8_t>& row = presence_[image];
  if (node >= row.size()) {
    if (present == 0) return;
    row.resize(std::max<std::size_t>(nodes_.size(), static_cast<std::size_t>(node) + 1), 0);
  }
  row[node] = present;
}

void ImagePuller::on_layer_added(NodeState& n, LayerId layer) {
  for (ImageId image : images_of_layer_[layer]) {
    if (++n.image_layers_present[image] == image_layers_[image].size()) {
      ++nodes_with_image_[image];
      set_presence(image, n.id, 1);
    }
  }
  if (config_.peer_to_peer) holders_[layer].emplace(0, n.id);
}

void ImagePuller::on_layer_evicted(NodeState& n, LayerId layer) {
  for (ImageId image : images_of_layer_[layer]) {
    std::uint32_t& present = *n.image_layers_present.find(image);
    if (present == image_layers_[image].size()) {
      --nodes_with_image_[image];
      set_presence(image, n.id, 0);
    }
    if (--present == 0) n.image_layers_present.erase(image);
  }
  // An uploading holder has its layer pinned, so an evicted layer has no uploads.
  if (config_.peer_to_peer) holders_[layer].erase({0, n.id});
}

// ---- Pins ----------------------------------------------------------------------------------

bool ImagePuller::preload_image(NodeId node, ImageId image) {
  sync_catalog();
  NodeState& n = node_at(node);
  bool all = true;
  for (LayerId l : image_layers_.at(image)) {
    if (n.cache.contains(l)) continue;
    evicted_.clear();
    if (!n.cache.add(l, catalog_.layer(l).unpacked_bytes, sim_.now(), evicted_)) {
      all = false;
      continue;
    }
    for (LayerId e : evicted_) on_layer_evicted(n, e);
    on_layer_added(n, l);
  }
  return all;
}

void ImagePuller::pin_image(NodeId node, ImageId image) {
  sync_catalog();
  NodeState& n = node_at(node);
  for (LayerId l : image_layers_.at(image)) {
    n.cache.pin(l);
    n.cache.touch(l, sim_.now());
  }
}

void ImagePuller::unpin_image(NodeId node, ImageId image) {
  NodeState& n = node_at(node);
  for (LayerId l : image_layers_.at(image)) {
    n.cache.touch(l, sim_.now());
    n.cache.unpin(l);
  }
}

// ---- The awaitable API ---------------------------------------------------------------------
//
// With serialized pulls, most pods of a burst wait for their node's pull slot, each in a live
// pull() frame. So pull() and fetch() keep few locals across their suspension points and build
// their results in plain functions.

sim::Task<void> ImagePuller::pull(PullResult& result, NodeId node, ImageId image, PullPolicy policy,
                                  double failure_draw) {
  NodeState& n = node_for_pull(node, image);
  // The kubelet checks presence before it queues a pull (EnsureImageExists).
  if (policy == PullPolicy::IfNotPresent && node_has_image(node, image)) {
    result = skipped_pull(n, image);
    co_return;
  }
  const sim::Time asked = sim_.now();
  sim::FifoServer::Lease slot = co_await n.kubelet_slots.acquire();
  const sim::Duration queued = sim_.now() - asked;
  if (!n.registry_qps.try_accept(sim_.now())) {
    result = throttled_pull(queued);
    co_return;
  }
  auto task = fetch(result, n, image, queued, failure_draw);
  co_await std::move(task);
}

sim::ProcessRef ImagePuller::prefetch(NodeId node, ImageId image) {
  node_for_pull(node, image);
  return sim_.start(prefetch_process(node, image));
}

sim::Process ImagePuller::prefetch_process(NodeId node, ImageId image) {
  if (node_has_image(node, image)) co_return;
  // Named, not temporaries: GCC 12 mishandles temporaries inside co_await expressions.
  const sim::Duration not_queued{};
  PullResult done;
  auto task = fetch(done, node_at(node), image, not_queued, 1.0);
  co_await std::move(task);
}

ImagePuller::NodeState& ImagePuller::node_for_pull(NodeId node, ImageId image) {
  sync_catalog();
  NodeState& n = node_at(node);
  if (image >= image_layers_.size()) throw std::out_of_range("ImagePuller: unknown image");
  return n;
}

PullResult ImagePuller::skipped_pull(NodeState& n, ImageId image) {
  for (LayerId l : image_layers_[image]) n.cache.touch(l, sim_.now());
  ++counters_.pulls_skipped;
  PullResult r;
  r.already_present = true;
  r.layers_cached = static_cast<std::uint32_t>(image_layers_[image].size());
  return r;
}

PullResult ImagePuller::throttled_pull(sim::Duration queued) {
  ++counters_.pulls_throttled;
  PullResult r;
  r.ok = false;
  r.retryable = true;
  r.failure = "pull QPS exceeded";
  r.queued = queued;
  return r;
}

// containerd's side of a pull: resolve, fetch, unpack. `queued` is the kubelet's share, for the
// result.
sim::Task<void> ImagePuller::fetch(PullResult& result, NodeState& n, ImageId image,
                                   sim::Duration queued, double failure_draw) {
  const sim::Time started = sim_.now();
  ++counters_.pulls_started;
  const sim::Duration resolve = request_latency();
  co_await sim_.timeout(resolve);  // resolve the manifest
  if (failure_draw < config_.pull_failure_probability || too_large_layer(n, image) != nullptr) {
    result = refused_pull(n, image, failure_draw, queued, started);
    co_return;
  }
  PullJob& job = start_job(n, image);
  try {
    co_await job.ready;
  } catch (const sim::Interrupted&) {
    abandon_job(job);
    throw;
  }
  result = job_result(job, queued, started);
}

// The first layer of the image that can never fit on the node's image disk, if any.
const Layer* ImagePuller::too_large_layer(const NodeState& n, ImageId image) const {
  for (LayerId l : image_layers_[image]) {
    const Layer& layer = catalog_.layer(l);
    if (!n.cache.can_ever_hold(layer.unpacked_bytes) && !n.cache.contains(l)) return &layer;
  }
  return nullptr;
}

// A pull that fails once the manifest is resolved: an injected registry error, or a layer
// larger than the node's image disk.
PullResult ImagePuller::refused_pull(const NodeState& n, ImageId image, double failure_draw,
                                     sim::Duration queued, sim::Time started) {
  ++counters_.pulls_failed;
  PullResult r;
  r.ok = false;
  r.queued = queued;
  r.pulling = sim_.now() - started;
  if (failure_draw < config_.pull_failure_probability) {
    ++counters_.pulls_failed_registry;
    r.retryable = true;
    r.failure = "failed to pull image " + catalog_.image(image).name +
                ": registry error (pull_failure_probability)";
    return r;
  }
  const Layer& layer = *too_large_layer(n, image);
  r.failure = "layer " + layer.digest + " of image " + catalog_.image(image).name + " needs " +
              std::to_string(layer.unpacked_bytes) + " bytes unpacked, more than node " +
              std::to_string(n.id) + "'s image disk of " +
              std::to_string(n.cache.capacity_bytes()) + " bytes";
  return r;
}

// What the awaiting side reports once the job is ready; it then lets go of the job.
PullResult ImagePuller::job_result(PullJob& job, sim::Duration queued, sim::Time started) {
  PullResult r = job.result;
  r.queued = queued;
  r.background_pending = !job.done;
  r.pulling = sim_.now() - started;
  release_job(job);
  return r;
}

// The awaiting process was interrupted: the job stops, unless it finished at this very instant
// (then there is nothing to undo).
void ImagePuller::abandon_job(PullJob& job) {
  if (!job.done) {
    ++counters_.pulls_aborted;
    abort_tasks(job);
    unpin_job(job);
    job.done = true;
  }
  release_job(job);
}

// ---- Jobs ----------------------------------------------------------------------------------

ImagePuller::PullJob& ImagePuller::start_job(NodeState& n, ImageId image) {
  std::unique_ptr<PullJob> owned;
  if (spare_jobs_.empty()) {
    owned = std::make_unique<PullJob>(sim_);
  } else {
    owned = std::move(spare_jobs_.back());
    spare_jobs_.pop_back();
  }
  PullJob& job = *owned;
  job.slot = jobs_.size();
  jobs_.push_back(std::move(owned));
  // A recycled job keeps only its task array: everything else starts afresh.
  job.node = &n;
  job.image = image;
  job.next_apply = 0;
  job.present = 0;
  job.ready_pending = 0;
  job.lazy_fraction = lazy_fraction_[image];
  job.own_limiter.capacity = config_.max_concurrent_downloads;
  job.own_limiter.active = 0;
  job.limiter = config_.download_limit_scope == DownloadLimitScope::per_node ? &n.downloads
                                                                             : &job.own_limiter;
  job.result = PullResult{};
  job.ready.reset();
  job.awaited = true;
  job.done = false;
  const auto& layers = image_layers_[image];
  job.task_count = static_cast<std::uint32_t>(layers.size());
  if (job.task_capacity < job.task_count) {
    job.tasks = std::make_unique<LayerTask[]>(job.task_count);
    job.task_capacity = job.task_count;
  }
  // Pin everything first so that nothing this pull relies on is collected while it runs.
  for (std::uint32_t i = 0; i < job.task_count; ++i) {
    LayerTask& t = job.tasks[i];
    t.assign(this, &job, layers[i]);
    n.cache.pin(t.layer);
  }
  for (std::uint32_t i = 0; i < job.task_count; ++i) {
    LayerTask& t = job.tasks[i];
    if (n.cache.contains(t.layer)) {
      n.cache.touch(t.layer, sim_.now());
      t.state = LayerTask::State::present;
      ++job.present;
      ++job.result.layers_cached;
      continue;
    }
    if (job.lazy()) {
      t.counts_for_ready = true;
      ++job.ready_pending;
    }
    if (n.in_flight.contains(t.layer)) ++job.result.layers_shared;
    follow_or_claim(n, t);
  }
  advance(job);
  return job;
}

// The awaiting side is done with the job: bury it now if it has finished, else when it does.
void ImagePuller::release_job(PullJob& job) {
  job.awaited = false;
  if (job.done) bury(job);
}

void ImagePuller::bury(PullJob& job) {
  // Recycled by the reaper, never inside one of the job's own callbacks.
  const std::size_t slot = job.slot;
  std::swap(jobs_[slot], jobs_.back());
  jobs_[slot]->slot = slot;
  graveyard_.push_back(std::move(jobs_.back()));
  jobs_.pop_back();
  if (!reaper_.queued()) reaper_.schedule_in(sim::Duration{});
}

// Finished jobs become spares for later pulls, once none of their callbacks can be running.
void ImagePuller::recycle_jobs() {
  for (auto& job : graveyard_) spare_jobs_.push_back(std::move(job));
  graveyard_.clear();
}

void ImagePuller::follow_or_claim(NodeState& n, LayerTask& t) {
  if (LayerTask* const* found = n.in_flight.find(t.layer)) {
    t.state = LayerTask::State::following;
    LayerTask& leader = **found;
    // Lazy: once the leader's prefix (at least our own fraction of the layer) is here, this
    // pull no longer waits for the layer, just as the leader's pull does not.
    if (t.job->lazy() && leader.job->lazy() && leader.prefix_done &&
        leader.job->lazy_fraction >= t.job->lazy_fraction) {
      stop_counting_for_ready(t);
    }
    leader.followers.add(t);
  } else {
    claim(n, t);
  }
}

void ImagePuller::claim(NodeState& n, LayerTask& t) {
  t.owner = true;
  n.in_flight[t.layer] = &t;
  const std::uint64_t bytes = catalog_.layer(t.layer).compressed_bytes;
  const PullJob& job = *t.job;
  t.prefix_done = !job.lazy();
  t.segment_bytes =
      job.lazy()
          ? static_cast<std::uint64_t>(std::llround(job.lazy_fraction * static_cast<double>(bytes)))
          : bytes;
  enqueue_download(t);
}

// ---- Downloads -----------------------------------------------------------------------------

void ImagePuller::enqueue_download(LayerTask& t) {
  t.state = LayerTask::State::queued_download;
  t.job->limiter->waiting.push_back(t);
  pump_downloads(*t.job->limiter);
}

void ImagePuller::pump_downloads(DownloadLimiter& limiter) {
  while (limiter.active < limiter.capacity && !limiter.waiting.empty()) {
    LayerTask& t = *limiter.waiting.pop_front();
    ++limiter.active;
    t.state = LayerTask::State::requesting;
    sim_.schedule(t, sim_.now() + request_latency());
  }
}

void ImagePuller::begin_transfer(LayerTask& t) {
  NodeState& n = *t.job->node;
  sim::FlowNetwork::Route route;
  t.peer = kNoPeer;
  if (config_.peer_to_peer && !holders_[t.layer].empty()) {
    auto& holders = holders_[t.layer];
    const auto [uploads, peer] = *holders.begin();
    if (config_.max_uploads_per_peer == 0 || uploads < config_.max_uploads_per_peer) {
      t.peer = peer;
      holders.erase(holders.begin());
      holders.emplace(uploads + 1, peer);
      NodeState& p = *nodes_[peer];
      ++p.uploads[t.layer];
      p.cache.pin(t.layer);  // a holder does not drop what it is serving
      route.push_back(p.nic_out);
    }
  }
  if (t.peer == kNoPeer) route.push_back(registry_link_);
  route.push_back(n.nic_in);
  t.state = LayerTask::State::downloading;
  net_.start(t, static_cast<double>(t.segment_bytes), route);
}

void ImagePuller::end_upload(LayerTask& t) {
  if (t.peer == kNoPeer) return;
  NodeState& p = *nodes_[t.peer];
  std::uint32_t& uploads = *p.uploads.find(t.layer);
  auto& holders = holders_[t.layer];
  holders.erase({uploads, t.peer});
  holders.emplace(uploads - 1, t.peer);
  if (--uploads == 0) p.uploads.erase(t.layer);
  p.cache.unpin(t.layer);
  t.peer = kNoPeer;
}

void ImagePuller::transfer_done(LayerTask& t) {
  PullJob& job = *t.job;
  NodeState& n = *job.node;
  if (t.peer != kNoPeer) {
    job.result.bytes_from_peers += t.segment_bytes;
    counters_.bytes_from_peers += t.segment_bytes;
    nodes_[t.peer]->bytes_uploaded += t.segment_bytes;
    end_upload(t);
  } else {
    job.result.bytes_from_registry += t.segment_bytes;
    counters_.bytes_from_registry += t.segment_bytes;
  }
  n.bytes_received += t.segment_bytes;
  --job.limiter->active;
  pump_downloads(*job.limiter);

  if (!t.prefix_done) {
    // Lazy: the startup share of this layer is here; its rest queues behind every other
    // layer's share.
    t.prefix_done = true;
    stop_counting_for_ready(t);
    const std::uint64_t rest = catalog_.layer(t.layer).compressed_bytes - t.segment_bytes;
    if (rest > 0) {
      t.segment_bytes = rest;
      enqueue_download(t);
      advance(job);
      // Lazy followers may go on too; they follow again (notify) until the layer is stored.
      t.followers.notify_all();
      return;
    }
  }
  ++job.result.layers_fetched;
  ++counters_.layer_downloads;
  t.state = LayerTask::State::fetched;
  // Lazy formats are mounted, not unpacked.
  if (job.lazy()) {
    commit(t);
  } else {
    advance(job);
  }
}

// ---- Unpack (apply) ------------------------------------------------------------------------

void ImagePuller::pump_unpacks(NodeState& n) {
  while (n.unpack_busy < n.shape.unpack_workers && !n.unpack_queue.empty()) {
    LayerTask& t = *n.unpack_queue.pop_front();
    ++n.unpack_busy;
    t.state = LayerTask::State::unpacking;
    const double bytes = static_cast<double>(catalog_.layer(t.layer).unpacked_bytes);
    sim_.schedule(t, sim_.now() + sim::seconds(bytes / n.shape.unpack_bytes_per_s));
  }
}

void ImagePuller::unpack_done(LayerTask& t) {
  NodeState& n = *t.job->node;
  --n.unpack_busy;
  t.state = LayerTask::State::fetched;  // no longer holds a worker
  pump_unpacks(n);
  commit(t);
}

void ImagePuller::commit(LayerTask& t) {
  PullJob& job = *t.job;
  NodeState& n = *job.node;
  const Layer& layer = catalog_.layer(t.layer);
  evicted_.clear();
  if (!n.cache.add(t.layer, layer.unpacked_bytes, sim_.now(), evicted_)) {
    fail_job(job, "no space left on device: layer " + layer.digest + " (" +
                      std::to_string(layer.unpacked_bytes) + " bytes) on node " +
                      std::to_string(n.id) + ", image disk " +
                      std::to_string(n.cache.used_bytes()) + " of " +
                      std::to_string(n.cache.capacity_bytes()) + " bytes used by pinned layers");
    return;
  }
  for (LayerId e : evicted_) on_layer_evicted(n, e);
  on_layer_added(n, t.layer);
  layer_present(t);
  t.owner = false;
  n.in_flight.erase(t.layer);
  t.followers.notify_all();
  advance(job);
}

void ImagePuller::layer_present(LayerTask& t) {
  t.state = LayerTask::State::present;
  ++t.job->present;
  stop_counting_for_ready(t);
}

void ImagePuller::stop_counting_for_ready(LayerTask& t) {
  if (t.counts_for_ready) {
    t.counts_for_ready = false;
    --t.job->ready_pending;
  }
}

// Applies what can be applied in order, and notices when the pull is ready or done.
void ImagePuller::advance(PullJob& job) {
  if (job.done) return;
  if (!job.lazy()) {
    while (job.next_apply < job.task_count) {
      LayerTask& t = job.tasks[job.next_apply];
      if (t.state == LayerTask::State::present) {
        ++job.next_apply;
        continue;
      }
      if (t.state == LayerTask::State::fetched) {
        t.state = LayerTask::State::queued_unpack;
        job.node->unpack_queue.push_back(t);
        pump_unpacks(*job.node);
      }
      break;
    }
  } else if (job.ready_pending == 0 && !job.ready.triggered()) {
    job.ready.trigger();
  }
  if (job.present == job.task_count) finish_job(job);
}

void ImagePuller::finish_job(PullJob& job) {
  job.done = true;
  unpin_job(job);
  if (job.result.ok) {
    ++counters_.pulls_completed;
  } else {
    ++counters_.pulls_failed;
  }
  job.ready.trigger();
  if (on_pull_complete_) on_pull_complete_({job.node->id, job.image, sim_.now(), job.result.ok});
  if (!job.awaited) bury(job);
}

void ImagePuller::fail_job(PullJob& job, std::string reason) {
  job.result.ok = false;
  job.result.failure = std::move(reason);
  abort_tasks(job);
  finish_job(job);
}

void ImagePuller::unpin_job(PullJob& job) {
  for (std::uint32_t i = 0; i < job.task_count; ++i) {
    job.node->cache.unpin(job.tasks[i].layer);
  }
}

// Stops every activity of the job. Layers it completed stay; nothing half-done is kept, and
// layers it was fetching for other pulls are handed over to them.
void ImagePuller::abort_tasks(PullJob& job) {
  NodeState& n = *job.node;
  DownloadLimiter& limiter = *job.limiter;
  using State = LayerTask::State;
  for (std::uint32_t i = 0; i < job.task_count; ++i) {
    LayerTask& t = job.tasks[i];
    switch (t.state) {
      case State::following:
        t.detach();
        break;
      case State::queued_download:
        limiter.waiting.remove(t);
        break;
      case State::requesting:
        t.cancel();
        --limiter.active;
        break;
      case State::downloading: {
        // The bytes that did arrive crossed the network: count them.
        const auto arrived = static_cast<std::uint64_t>(
            std::llround(static_cast<double>(t.segment_bytes) - t.remaining()));
        net_.abort(t);
        if (t.peer != kNoPeer) {
          job.result.bytes_from_peers += arrived;
          counters_.bytes_from_peers += arrived;
          nodes_[t.peer]->bytes_uploaded += arrived;
          end_upload(t);
        } else {
          job.result.bytes_from_registry += arrived;
          counters_.bytes_from_registry += arrived;
        }
        n.bytes_received += arrived;
        --limiter.active;
        break;
      }
      case State::queued_unpack:
        n.unpack_queue.remove(t);
        break;
      case State::unpacking:
        t.cancel();
        --n.unpack_busy;
        break;
      case State::idle:
      case State::present:
      case State::fetched:  // downloaded but never applied: discarded
        break;
    }
    if (t.state != State::present) t.state = State::idle;
  }
  // Hand over only once this job is quiet, so that a follower taking a layer over finds
  // consistent queues.
  for (std::uint32_t i = 0; i < job.task_count; ++i) {
    LayerTask& t = job.tasks[i];
    if (!t.owner) continue;
    t.owner = false;
    n.in_flight.erase(t.layer);
    t.followers.notify_all();
  }
  pump_downloads(limiter);
  pump_unpacks(n);
}

// ---- Observation ---------------------------------------------------------------------------

std::uint64_t ImagePuller::node_bytes_received(NodeId node) const {
  return node_at(node).bytes_received;
}

std::uint64_t ImagePuller::node_bytes_uploaded(NodeId node) const {
  return node_at(node).bytes_uploaded;
}

const LayerCache& ImagePuller::layer_cache(NodeId node) const {
  return node_at(node).cache;
}

sim::FlowNetwork::LinkId ImagePuller::nic_link(NodeId node) const {
  return node_at(node).nic_in;
}

const sim::FifoServer& ImagePuller::kubelet_pull_queue(NodeId node) const {
  return node_at(node).kubelet_slots;
}

}  // namespace podsim::model
