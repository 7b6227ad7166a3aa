#include "podsim/model/image_prewarm.hpp"

#include <algorithm>
#include <stdexcept>

#include "podsim/sim/timer.hpp"

namespace podsim::model {

void ImagePrewarm::start(std::vector<PrewarmItem> items, PrewarmOptions options,
                         std::function<void()> on_done) {
  if (started()) throw std::logic_error("ImagePrewarm::start called twice");
  items_ = std::move(items);
  options_ = options;
  on_done_ = std::move(on_done);
  started_at_ = sim_.now();
  const std::size_t n = items_.size();
  const std::size_t workers =
      options_.parallelism == 0 ? n : std::min<std::size_t>(n, options_.parallelism);
  if (workers == 0) {
    finished_at_ = sim_.now();
    if (on_done_) on_done_();
    return;
  }
  workers_left_ = static_cast<std::uint32_t>(workers);
  for (std::size_t w = 0; w < workers; ++w) sim_.start(worker());
}

sim::Process ImagePrewarm::worker() {
  while (next_ < items_.size()) {
    const PrewarmItem item = items_[next_++];
    bool ok = false;
    for (std::uint32_t attempt = 0; attempt <= options_.retries && !ok; ++attempt) {
      sim::ProcessRef pull = puller_.prefetch(item.node, item.image);
      bool timed_out = false;
      sim::Timer deadline(sim_, [&] {
        timed_out = true;
        sim_.interrupt(pull);
      });
      if (options_.timeout) deadline.schedule_in(*options_.timeout);
      co_await sim_.join(pull);
      deadline.cancel();
      ok = !timed_out && puller_.node_has_image(item.node, item.image);
    }
    if (!ok) ++failures_;
  }
  if (--workers_left_ == 0) {
    finished_at_ = sim_.now();
    if (on_done_) on_done_();
  }
}

}  // namespace podsim::model
