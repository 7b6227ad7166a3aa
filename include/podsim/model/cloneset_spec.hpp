#pragma once
// An apps.kruise.io/v1alpha1 CloneSet as podsim reads it, with the defaults of Kruise v1.8
// (domain-reference §2.2 [KR-DEF][KR-TA][KR-SU]).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "podsim/model/int_or_percent.hpp"
#include "podsim/model/pod_template.hpp"

namespace podsim::model {

enum class CloneSetUpdateType : std::uint8_t { ReCreate, InPlaceIfPossible, InPlaceOnly };

/// updateStrategy.priorityStrategy.weightPriority[i]: pods whose labels match get `weight`.
struct CloneSetWeightTerm {
  std::int32_t weight = 0;  // 1..100
  std::map<std::string, std::string> matchLabels;
};

/// updateStrategy.priorityStrategy: either weightPriority or orderPriority (orderedKey list).
struct CloneSetPriorityStrategy {
  std::vector<CloneSetWeightTerm> weightPriority;
  std::vector<std::string> orderPriority;  // orderedKey of each term, in order
};

/// One term of updateStrategy.scatterStrategy.
struct CloneSetScatterTerm {
  std::string key;
  std::string value;
};

/// CloneSet image pre-download for in-place updates (the apps.kruise.io/image-predownload-*
/// annotations, domain-reference §2.10).
struct CloneSetImagePreDownload {
  bool enabled = false;  // feature gate PreDownloadImageForInPlaceUpdate (default off)
  std::int32_t parallelism = 1;
  std::int32_t timeoutSeconds = 300;
  IntOrPercent minUpdatedReadyPods = IntOrPercent::integer(0);  // % of replicas, rounded up
};

struct CloneSetSpec {
  std::string name;
  std::int32_t replicas = 1;
  CloneSetUpdateType type = CloneSetUpdateType::ReCreate;
  /// updateStrategy.partition: pods that stay on old revisions. % rounds up, see §2.2.
  IntOrPercent partition = IntOrPercent::integer(0);
  /// updateStrategy.maxUnavailable: % rounds up when maxSurge is 0, down otherwise.
  IntOrPercent maxUnavailable = IntOrPercent::percent(20);
  /// updateStrategy.maxSurge: % rounds up; forbidden with InPlaceOnly; 0 while paused.
  IntOrPercent maxSurge = IntOrPercent::integer(0);
  bool paused = false;
  /// updateStrategy.inPlaceUpdateStrategy.gracePeriodSeconds.
  std::int32_t gracePeriodSeconds = 0;
  std::optional<CloneSetPriorityStrategy> priorityStrategy;
  std::vector<CloneSetScatterTerm> scatterStrategy;
  std::int32_t minReadySeconds = 0;
  /// scaleStrategy.maxUnavailable: limits scale-up only; unset = no limit. % rounds up.
  std::optional<IntOrPercent> scaleMaxUnavailable;
  /// Unset in v1.8 (the condition exists from v1.9); informational, never stops a rollout.
  std::optional<std::int32_t> progressDeadlineSeconds;
  CloneSetImagePreDownload imagePreDownload;
  PodTemplate template_;
};

}  // namespace podsim::model
