#pragma once
// How a rollout ended.

#include <cstdint>
#include <string_view>

namespace podsim::model {

enum class RolloutOutcome : std::uint8_t {
  finished,           // every pod updated (up to the partition) and available
  deadline_exceeded,  // finished, but progressDeadlineSeconds passed without progress first
  stalled,            // could not finish (see the reason)
  refused,            // the API server would reject the change (e.g. InPlaceOnly + env change)
};

constexpr std::string_view to_string(RolloutOutcome outcome) {
  switch (outcome) {
    case RolloutOutcome::finished:
      return "finished";
    case RolloutOutcome::deadline_exceeded:
      return "deadline_exceeded";
    case RolloutOutcome::stalled:
      return "stalled";
    case RolloutOutcome::refused:
      return "refused";
  }
  return "unknown";
}

}  // namespace podsim::model
