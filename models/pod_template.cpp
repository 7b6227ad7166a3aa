#include "podsim/model/pod_template.hpp"

#include <algorithm>
#include <stdexcept>

namespace podsim::model {

namespace {
Resources max_of(const Resources& a, const Resources& b) {
  return {std::max(a.cpu_millis, b.cpu_millis), std::max(a.memory_bytes, b.memory_bytes)};
}
}  // namespace

Resources PodTemplate::effective_requests() const {
  Resources sidecars;  // sidecars keep running, so they add to whatever starts after them
  Resources init_peak;
  for (const InitContainerSpec& c : initContainers) {
    if (c.sidecar) {
      sidecars += c.requests;
      init_peak = max_of(init_peak, sidecars);
    } else {
      init_peak = max_of(init_peak, sidecars + c.requests);
    }
  }
  Resources app = sidecars;
  for (const ContainerSpec& c : containers) app += c.requests;
  return max_of(init_peak, app);
}

std::vector<ImageId> PodTemplate::images() const {
  std::vector<ImageId> out;
  images(out);
  return out;
}

void PodTemplate::images(std::vector<ImageId>& out) const {
  out.clear();
  out.reserve(initContainers.size() + containers.size());
  for (const InitContainerSpec& c : initContainers) out.push_back(c.image);
  for (const ContainerSpec& c : containers) out.push_back(c.image);
}

std::size_t PodTemplate::container_index(const std::string& name) const {
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (containers[i].name == name) return i;
  }
  throw std::out_of_range("pod template has no container named '" + name + "'");
}

}  // namespace podsim::model
