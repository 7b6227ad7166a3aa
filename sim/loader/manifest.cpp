#include "podsim/loader/manifest.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "k8s_fields.hpp"
#include "podsim/loader/suggest.hpp"

namespace podsim::loader {
namespace {

using k8s::field;
using Ignored = std::vector<std::string>;

constexpr auto kTopLevel =
    std::to_array<std::string_view>({"apiVersion", "kind", "metadata", "spec", "status"});
constexpr auto kTopLevelRead =
    std::to_array<std::string_view>({"apiVersion", "kind", "metadata", "spec"});

// apps/v1 DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment (kubernetes/api HEAD).
constexpr auto kDeploymentSpecFields = std::to_array<std::string_view>(
    {"replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit",
     "paused", "progressDeadlineSeconds"});
constexpr auto kDeploymentSpecRead = std::to_array<std::string_view>(
    {"replicas", "template", "strategy", "minReadySeconds", "paused", "progressDeadlineSeconds"});

// CloneSetSpec of Kruise v1.9 (v1alpha1) and master (v1beta1): the same keys.
constexpr auto kCloneSetSpecFields = std::to_array<std::string_view>(
    {"replicas", "selector", "template", "volumeClaimTemplates", "scaleStrategy", "updateStrategy",
     "revisionHistoryLimit", "minReadySeconds", "lifecycle", "progressDeadlineSeconds"});
constexpr auto kCloneSetSpecRead =
    std::to_array<std::string_view>({"replicas", "template", "scaleStrategy", "updateStrategy",
                                     "minReadySeconds", "progressDeadlineSeconds"});
constexpr auto kScaleStrategyAlpha =
    std::to_array<std::string_view>({"podsToDelete", "maxUnavailable", "disablePVCReuse"});
constexpr auto kScaleStrategyBeta = std::to_array<std::string_view>(
    {"podsToDelete", "maxUnavailable", "enablePVCReuse", "excludePreparingDelete"});
constexpr auto kScaleStrategyRead = std::to_array<std::string_view>({"maxUnavailable"});
// v1alpha1 updateStrategy and v1beta1 updateStrategy.rollingUpdate; [0] is the type's key.
constexpr auto kUpdateStrategyAlpha = std::to_array<std::string_view>(
    {"type", "partition", "maxUnavailable", "maxSurge", "paused", "priorityStrategy",
     "scatterStrategy", "inPlaceUpdateStrategy"});
constexpr auto kRollingUpdateBeta = std::to_array<std::string_view>(
    {"podUpdatePolicy", "partition", "maxUnavailable", "maxSurge", "paused", "priorityStrategy",
     "scatterStrategy", "inPlaceUpdateStrategy"});
constexpr auto kInPlaceUpdateStrategy = std::to_array<std::string_view>(
    {"gracePeriodSeconds", "imagePreDownloadParallelism", "imagePreDownloadTimeoutSeconds",
     "imagePreDownloadMinUpdatedReadyPods"});

constexpr std::string_view kKruiseAlpha = "apps.kruise.io/v1alpha1";
constexpr std::string_view kKruiseBeta = "apps.kruise.io/v1beta1";
constexpr std::string_view kParallelismAnnotation = "apps.kruise.io/image-predownload-parallelism";
constexpr std::string_view kTimeoutAnnotation = "apps.kruise.io/image-predownload-timeout-seconds";
constexpr std::string_view kMinUpdatedAnnotation =
    "apps.kruise.io/image-predownload-min-updated-ready-pods";
constexpr auto kPreDownloadAnnotations = std::to_array<std::string_view>(
    {kParallelismAnnotation, kTimeoutAnnotation, kMinUpdatedAnnotation});

constexpr std::int32_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// ---- common parts -------------------------------------------------------------------------------

// Checks the top level, kind and apiVersion; returns the apiVersion.
std::string read_header(const Node& manifest, std::string_view kind,
                        std::span<const std::string_view> api_versions, Ignored& ignored) {
  manifest.check_keys(kTopLevel);
  manifest.required("kind").as_choice({kind});
  const Node api = manifest.required("apiVersion");
  const auto version = api.as<std::string>();
  if (!k8s::contains(api_versions, version)) {
    api.fail(fmt::format("podsim reads a {} as {}, got '{}'", kind, join(api_versions, " or "),
                         version));
  }
  k8s::ignore_unread(manifest, kTopLevelRead, ignored);
  return version;
}

// metadata.name, and the annotations podsim reads; other fields are listed as ignored.
std::string read_metadata(const Node& manifest, std::span<const std::string_view> annotations_read,
                          Ignored& ignored) {
  const Node meta = manifest.required("metadata");
  meta.check_keys(k8s::kObjectMetaFields);
  const auto name = field(meta, "name");
  if (!name) meta.fail_missing("name");
  auto text = name->as<std::string>();
  if (text.empty()) name->fail("must not be empty");
  for (const auto& [key, value] : meta.entries()) {
    if (key == "name" || value.is_null()) continue;
    if (key != "annotations") {
      ignored.push_back(value.path());
      continue;
    }
    for (const auto& [annotation, text_node] : value.entries()) {
      if (!k8s::contains(annotations_read, annotation)) ignored.push_back(text_node.path());
    }
  }
  return text;
}

std::optional<Node> annotation(const Node& manifest, std::string_view key) {
  const auto annotations = field(manifest.required("metadata"), "annotations");
  return annotations ? field(*annotations, key) : std::nullopt;
}

// Kubernetes' progressDeadlineSeconds rule; MaxInt32 means "no deadline" for Kruise.
void check_deadline(const Node& spec, std::int32_t deadline, std::int32_t min_ready,
                    bool max_is_none) {
  if (max_is_none && deadline == kMaxInt32) return;
  if (deadline > min_ready) return;
  if (const auto node = field(spec, "progressDeadlineSeconds")) {
    node->fail(
        fmt::format("must be greater than minReadySeconds ({}), got {}", min_ready, deadline));
  }
  // progressDeadlineSeconds took its default: the fault is minReadySeconds.
  spec.required("minReadySeconds")
      .fail(fmt::format("must be less than progressDeadlineSeconds ({} by default), got {}",
                        deadline, min_ready));
}

// ---- Deployment ---------------------------------------------------------------------------------

bool is_zero(const model::IntOrPercent& v) {
  return v.is_percent() ? v.percent_value() == 0 : v.int_value() == 0;
}

void read_deployment_strategy(const Node& strategy, model::DeploymentSpec& d) {
  strategy.check_keys({"type", "rollingUpdate"});
  if (const auto type = field(strategy, "type")) {
    d.strategy = type->as_choice({"RollingUpdate", "Recreate"}) == "Recreate"
                     ? model::DeploymentStrategyType::Recreate
                     : model::DeploymentStrategyType::RollingUpdate;
  }
  const auto rolling = field(strategy, "rollingUpdate");
  if (!rolling) return;
  if (d.strategy == model::DeploymentStrategyType::Recreate) {
    k8s::fail_at_key(strategy, "rollingUpdate",
                     "may not be specified when strategy type is 'Recreate' (the API server "
                     "rejects it)");
  }
  rolling->check_keys({"maxUnavailable", "maxSurge"});
  const auto surge = field(*rolling, "maxSurge");
  const auto unavailable = field(*rolling, "maxUnavailable");
  if (surge) d.maxSurge = surge->as_int_or_percent(false);
  if (unavailable) {
    d.maxUnavailable = unavailable->as_int_or_percent(false);
    if (d.maxUnavailable.is_percent() && d.maxUnavailable.percent_value() > 100) {
      unavailable->fail(
          fmt::format("must not be greater than 100%, got '{}'", d.maxUnavailable.str()));
    }
  }
  // The default maxUnavailable (25%) is not 0, so both are 0 only when maxUnavailable is written.
  if (unavailable && is_zero(d.maxUnavailable) && is_zero(d.maxSurge)) {
    unavailable->fail(fmt::format(
        "may not be 0 when maxSurge is 0 (no pod could ever be replaced), got '{}' and maxSurge "
        "'{}'",
        d.maxUnavailable.str(), d.maxSurge.str()));
  }
}

// ---- CloneSet -----------------------------------------------------------------------------------

// A whole number written as text (an annotation), in [min, kMaxInt32].
std::int32_t annotation_int(const Node& node, std::int32_t min) {
  const std::string& text = node.scalar();
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
    node.fail(fmt::format("expected a whole number such as \"3\", got '{}'", text));
  }
  if (value < min || value > kMaxInt32) {
    node.fail(fmt::format("must be between {} and {}, got {}", min, kMaxInt32, value));
  }
  return static_cast<std::int32_t>(value);
}

// The v1alpha1 pre-download annotations. The controller reads them quietly (a bad value takes the
// default); podsim rejects a bad value instead, since it is not what the user meant.
void read_pre_download_annotations(const Node& manifest, model::CloneSetImagePreDownload& p) {
  if (const auto v = annotation(manifest, kParallelismAnnotation)) {
    p.parallelism = annotation_int(*v, 0);
  }
  if (const auto v = annotation(manifest, kTimeoutAnnotation)) {
    p.timeoutSeconds = annotation_int(*v, 0);
  }
  if (const auto v = annotation(manifest, kMinUpdatedAnnotation)) {
    // intstr.Parse then Kubernetes' scaling: an integer or a whole percentage.
    const std::string& text = v->scalar();
    if (text.ends_with('%')) {
      const auto digits = std::string_view(text).substr(0, text.size() - 1);
      std::int64_t pct = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pct);
      if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || pct < 0) {
        v->fail(fmt::format(
            "expected a number of pods or a whole percentage such as \"50%\", got '{}'", text));
      }
      p.minUpdatedReadyPods = model::IntOrPercent::percent(static_cast<double>(pct));
    } else {
      p.minUpdatedReadyPods = model::IntOrPercent::integer(annotation_int(*v, 0));
    }
  }
}

// The v1beta1 pre-download fields of inPlaceUpdateStrategy.
void read_pre_download_fields(const Node& strategy, model::CloneSetImagePreDownload& p) {
  if (const auto v = field(strategy, "imagePreDownloadParallelism")) {
    // An int-or-string that takes no percentage; a numeric string is accepted.
    if (v->is_scalar() && v->scalar().ends_with('%')) {
      v->fail(fmt::format("does not support a percentage, got '{}'", v->scalar()));
    }
    p.parallelism = annotation_int(*v, 0);
  }
  if (const auto v = field(strategy, "imagePreDownloadTimeoutSeconds")) {
    p.timeoutSeconds = k8s::non_negative_int32(*v);
  }
  if (const auto v = field(strategy, "imagePreDownloadMinUpdatedReadyPods")) {
    p.minUpdatedReadyPods = model::IntOrPercent::integer(k8s::non_negative_int32(*v));
  }
}

model::CloneSetPriorityStrategy read_priority_strategy(const Node& node) {
  node.check_keys({"weightPriority", "orderPriority"});
  const auto weights = field(node, "weightPriority");
  const auto orders = field(node, "orderPriority");
  model::CloneSetPriorityStrategy out;
  if (weights) {
    for (const auto& term : weights->items()) {
      term.check_keys({"weight", "matchSelector"});
      model::CloneSetWeightTerm t;
      // The webhook accepts 0..100 (its message says 1-100).
      t.weight = static_cast<std::int32_t>(term.required("weight").as_int(0, 100));
      const Node selector = term.required("matchSelector");
      selector.check_keys({"matchLabels", "matchExpressions"});
      if (field(selector, "matchExpressions")) {
        k8s::fail_at_key(selector, "matchExpressions",
                         "not modelled by podsim: select the pods with matchLabels");
      }
      if (const auto labels = field(selector, "matchLabels")) {
        t.matchLabels = k8s::string_map(*labels);
      }
      if (t.matchLabels.empty()) {
        selector.fail("selector can not be empty (the webhook rejects it)");
      }
      out.weightPriority.push_back(std::move(t));
    }
  }
  if (orders) {
    if (!out.weightPriority.empty() && !orders->items().empty()) {
      k8s::fail_at_key(node, "orderPriority",
                       "only one of weightPriority and orderPriority can be used");
    }
    for (const auto& term : orders->items()) {
      term.check_keys({"orderedKey"});
      const Node key = term.required("orderedKey");
      auto text = key.as<std::string>();
      if (text.empty()) key.fail("order key can not be empty");
      out.orderPriority.push_back(std::move(text));
    }
  }
  return out;
}

std::vector<model::CloneSetScatterTerm> read_scatter_strategy(const Node& node) {
  std::vector<model::CloneSetScatterTerm> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& term : node.items()) {
    term.check_keys({"key", "value"});
    const Node key = term.required("key");
    model::CloneSetScatterTerm t{key.as<std::string>(), ""};
    if (t.key.empty()) key.fail("key should not be empty");
    if (const auto value = field(term, "value")) t.value = value->as<std::string>();
    if (!seen.emplace(t.key, t.value).second) {
      term.fail(fmt::format("duplicated key={} value={}", t.key, t.value));
    }
    out.push_back(std::move(t));
  }
  return out;
}

// Where the update strategy's fields were found, for the checks that need replicas.
struct UpdateStrategyNodes {
  std::optional<Node> max_unavailable;
  std::optional<Node> max_surge;
  std::string type_key;  // "type" (v1alpha1) or "podUpdatePolicy" (v1beta1)
};

// The fields v1alpha1 keeps under updateStrategy and v1beta1 under updateStrategy.rollingUpdate.
UpdateStrategyNodes read_update_fields(const Node& s, bool beta, model::CloneSetSpec& c) {
  const auto& keys = beta ? kRollingUpdateBeta : kUpdateStrategyAlpha;
  s.check_keys(keys);
  UpdateStrategyNodes nodes{field(s, "maxUnavailable"), field(s, "maxSurge"), std::string(keys[0])};
  if (const auto type = field(s, keys[0])) {
    if (!beta && type->is_scalar() && type->scalar() == "OnDelete") {
      type->fail(
          "OnDelete is not modelled by podsim (and the v1alpha1 webhook rejects it); use "
          "ReCreate, InPlaceIfPossible or InPlaceOnly");
    }
    const auto choice = type->as_choice({"ReCreate", "InPlaceIfPossible", "InPlaceOnly"});
    c.type = choice == "ReCreate"            ? model::CloneSetUpdateType::ReCreate
             : choice == "InPlaceIfPossible" ? model::CloneSetUpdateType::InPlaceIfPossible
                                             : model::CloneSetUpdateType::InPlaceOnly;
  }
  // Fractional percentages only where Kruise's controller reads them as such (see manifest.hpp).
  if (const auto v = field(s, "partition")) c.partition = v->as_int_or_percent(true);
  if (nodes.max_unavailable) c.maxUnavailable = nodes.max_unavailable->as_int_or_percent(false);
  if (nodes.max_surge) c.maxSurge = nodes.max_surge->as_int_or_percent(false);
  if (const auto v = field(s, "paused")) c.paused = v->as<bool>();
  if (const auto v = field(s, "priorityStrategy")) c.priorityStrategy = read_priority_strategy(*v);
  if (const auto v = field(s, "scatterStrategy")) c.scatterStrategy = read_scatter_strategy(*v);
  if (const auto v = field(s, "inPlaceUpdateStrategy")) {
    v->check_keys(kInPlaceUpdateStrategy);
    if (const auto grace = field(*v, "gracePeriodSeconds")) {
      c.gracePeriodSeconds = k8s::non_negative_int32(*grace);
    }
    if (beta) {
      read_pre_download_fields(*v, c.imagePreDownload);
    } else {
      for (const auto key : std::span(kInPlaceUpdateStrategy).subspan(1)) {
        if (field(*v, key)) {
          k8s::fail_at_key(*v, key,
                           "is a v1beta1 field; a v1alpha1 CloneSet sets it with an annotation "
                           "(apps.kruise.io/image-predownload-*)");
        }
      }
    }
  }
  return nodes;
}

// What the Kruise webhook checks once replicas are known (validateUpdateStrategy).
void check_update_strategy(const model::CloneSetSpec& c, const UpdateStrategyNodes& nodes,
                           const Node& strategy) {
  const std::int32_t surge = c.maxSurge.scaled(c.replicas, true);
  if (c.type == model::CloneSetUpdateType::InPlaceOnly && surge > 0) {
    nodes.max_surge->fail(fmt::format("can not use maxSurge with {} InPlaceOnly, got '{}'",
                                      nodes.type_key, c.maxSurge.str()));
  }
  const std::int32_t unavailable = c.maxUnavailable.scaled(c.replicas, true);
  if (c.replicas > 0 && unavailable < 1 && surge < 1) {
    const Node& at = nodes.max_unavailable ? *nodes.max_unavailable
                                           : (nodes.max_surge ? *nodes.max_surge : strategy);
    at.fail(
        fmt::format("maxUnavailable and maxSurge should not both be less than 1: with {} "
                    "replicas, maxUnavailable '{}' gives {} and maxSurge '{}' gives {}",
                    c.replicas, c.maxUnavailable.str(), unavailable, c.maxSurge.str(), surge));
  }
}

}  // namespace

std::string_view kind_name(WorkloadKind kind) {
  return kind == WorkloadKind::Deployment ? "Deployment" : "CloneSet";
}

ManifestRead<model::DeploymentSpec> read_deployment(const Node& manifest,
                                                    const ImageResolver& images) {
  ManifestRead<model::DeploymentSpec> out;
  model::DeploymentSpec& d = out.spec;
  Ignored& ignored = out.ignored_fields;
  constexpr auto kVersions = std::to_array<std::string_view>({"apps/v1"});
  read_header(manifest, "Deployment", kVersions, ignored);
  d.name = read_metadata(manifest, {}, ignored);

  const Node spec = manifest.required("spec");
  spec.check_keys(kDeploymentSpecFields);
  k8s::ignore_unread(spec, kDeploymentSpecRead, ignored);
  if (const auto v = field(spec, "replicas")) d.replicas = k8s::non_negative_int32(*v);
  if (const auto v = field(spec, "minReadySeconds")) {
    d.minReadySeconds = k8s::non_negative_int32(*v);
  }
  if (const auto v = field(spec, "progressDeadlineSeconds")) {
    d.progressDeadlineSeconds = k8s::non_negative_int32(*v);
  }
  check_deadline(spec, d.progressDeadlineSeconds, d.minReadySeconds, false);
  if (const auto v = field(spec, "paused")) d.paused = v->as<bool>();
  if (const auto v = field(spec, "strategy")) read_deployment_strategy(*v, d);
  d.template_ = read_pod_template(spec.required("template"), images, ignored);
  return out;
}

ManifestRead<model::CloneSetSpec> read_cloneset(const Node& manifest, const ImageResolver& images) {
  ManifestRead<model::CloneSetSpec> out;
  model::CloneSetSpec& c = out.spec;
  Ignored& ignored = out.ignored_fields;
  constexpr auto kVersions = std::to_array<std::string_view>({kKruiseAlpha, kKruiseBeta});
  const bool beta = read_header(manifest, "CloneSet", kVersions, ignored) == kKruiseBeta;
  const auto annotations_read = beta ? std::span<const std::string_view>()
                                     : std::span<const std::string_view>(kPreDownloadAnnotations);
  c.name = read_metadata(manifest, annotations_read, ignored);
  if (!beta) read_pre_download_annotations(manifest, c.imagePreDownload);

  const Node spec = manifest.required("spec");
  spec.check_keys(kCloneSetSpecFields);
  k8s::ignore_unread(spec, kCloneSetSpecRead, ignored);
  if (const auto v = field(spec, "replicas")) c.replicas = k8s::non_negative_int32(*v);
  if (const auto v = field(spec, "minReadySeconds")) {
    c.minReadySeconds = k8s::non_negative_int32(*v);
  }
  if (const auto v = field(spec, "progressDeadlineSeconds")) {
    c.progressDeadlineSeconds = k8s::non_negative_int32(*v);
    check_deadline(spec, *c.progressDeadlineSeconds, c.minReadySeconds, true);
  }
  if (const auto scale = field(spec, "scaleStrategy")) {
    scale->check_keys(beta ? std::span<const std::string_view>(kScaleStrategyBeta)
                           : std::span<const std::string_view>(kScaleStrategyAlpha));
    k8s::ignore_unread(*scale, kScaleStrategyRead, ignored);
    if (const auto v = field(*scale, "maxUnavailable")) {
      c.scaleMaxUnavailable = v->as_int_or_percent(false);
    }
  }

  UpdateStrategyNodes nodes;
  std::optional<Node> strategy = field(spec, "updateStrategy");
  if (strategy && beta) {
    strategy->check_keys({"type", "rollingUpdate"});
    if (const auto type = field(*strategy, "type")) {
      if (type->is_scalar() &&
          (type->scalar() == "ReCreate" || type->scalar() == "InPlaceIfPossible" ||
           type->scalar() == "InPlaceOnly")) {
        type->fail(
            fmt::format("'{}' goes in rollingUpdate.podUpdatePolicy in {}; type is "
                        "RollingUpdate or OnDelete",
                        type->scalar(), kKruiseBeta));
      }
      if (type->as_choice({"RollingUpdate", "OnDelete"}) == "OnDelete") {
        type->fail("OnDelete is not modelled by podsim; use RollingUpdate");
      }
    }
    if (const auto rolling = field(*strategy, "rollingUpdate")) {
      nodes = read_update_fields(*rolling, true, c);
      strategy = rolling;
    }
  } else if (strategy) {
    nodes = read_update_fields(*strategy, false, c);
  }
  check_update_strategy(c, nodes, strategy ? *strategy : spec);

  c.template_ = read_pod_template(spec.required("template"), images, ignored);
  return out;
}

ManifestRead<WorkloadSpec> read_workload(const Node& manifest, const ImageResolver& images) {
  if (manifest.required("kind").as_choice({"Deployment", "CloneSet"}) == "Deployment") {
    auto d = read_deployment(manifest, images);
    return {std::move(d.spec), std::move(d.ignored_fields)};
  }
  auto c = read_cloneset(manifest, images);
  return {std::move(c.spec), std::move(c.ignored_fields)};
}

namespace {

constexpr auto kWorkloadKinds = std::to_array<std::string_view>({"Deployment", "CloneSet"});

// A near miss of a workload kind ("Deploymnet", "cloneset"): a typo, not another kind of object.
// Not did_you_mean: its prefix rule would take DeploymentConfig (OpenShift) for a typo.
std::optional<std::string_view> near_workload_kind(std::string_view kind) {
  for (const auto k : kWorkloadKinds) {
    bool same_letters = kind.size() == k.size();
    for (std::size_t i = 0; same_letters && i < k.size(); ++i) {
      same_letters = std::tolower(static_cast<unsigned char>(kind[i])) ==
                     std::tolower(static_cast<unsigned char>(k[i]));
    }
    if (same_letters || (kind.size() > 3 && edit_distance(kind, k) <= 2)) return k;
  }
  return std::nullopt;
}

void collect(const Node& doc, std::vector<WorkloadDocument>& out) {
  if (doc.is_null()) return;
  if (!doc.is_map()) {
    doc.fail(
        fmt::format("expected a Kubernetes object (a mapping with apiVersion and kind), got {}",
                    doc.describe()));
  }
  const Node kind_node = doc.required("kind");
  const auto kind = kind_node.as<std::string>();
  if (kind == "List") {
    if (const auto items = field(doc, "items")) {
      for (const auto& item : items->items()) collect(item, out);
    }
    return;
  }
  WorkloadKind workload = WorkloadKind::Deployment;
  if (kind == "Deployment") {
    workload = WorkloadKind::Deployment;
  } else if (kind == "CloneSet") {
    workload = WorkloadKind::CloneSet;
  } else if (const auto near = near_workload_kind(kind)) {
    kind_node.fail(fmt::format("unknown kind '{}' (did you mean '{}'?)", kind, *near));
  } else {
    return;  // a Service, a ConfigMap, ...: not podsim's business
  }
  const Node name = doc.required("metadata").required("name");
  WorkloadDocument document{workload, name.as<std::string>(), doc};
  for (const auto& other : out) {
    if (other.kind == workload && other.name == document.name) {
      const auto first = other.node.required("metadata").required("name").location();
      name.fail(fmt::format("a second {} named '{}' (the first is at {}:{}:{})", kind,
                            document.name, first.file, first.line, first.column));
    }
  }
  out.push_back(std::move(document));
}

}  // namespace

std::vector<WorkloadDocument> workload_documents(std::span<const Node> documents) {
  std::vector<WorkloadDocument> out;
  for (const auto& doc : documents) collect(doc, out);
  return out;
}

std::vector<WorkloadDocument> load_workload_documents(const std::filesystem::path& path) {
  const auto documents = load_yaml_documents(path);
  return workload_documents(documents);
}

const WorkloadDocument& find_workload(std::span<const WorkloadDocument> documents,
                                      std::string_view name, std::optional<WorkloadKind> kind,
                                      const Node& at) {
  const WorkloadDocument* found = nullptr;
  std::vector<std::string> names;
  for (const auto& doc : documents) {
    if (kind && doc.kind != *kind) continue;
    names.push_back(doc.name);
    if (doc.name != name) continue;
    if (found) {
      at.fail(fmt::format("both a Deployment and a CloneSet are named '{}': say which kind", name));
    }
    found = &doc;
  }
  if (found) return *found;
  const std::string what = kind ? std::string(kind_name(*kind)) : "Deployment or CloneSet";
  const std::string where =
      documents.empty() ? std::string("the manifests") : documents.front().node.file();
  std::vector<std::string_view> candidates(names.begin(), names.end());
  const auto suggestion = did_you_mean(name, candidates);
  at.fail(fmt::format("no {} named '{}' in {} ({})", what, name, where,
                      suggestion      ? fmt::format("did you mean '{}'?", *suggestion)
                      : names.empty() ? std::string("it has none")
                                      : fmt::format("found: {}", join(candidates))));
}

std::vector<ManifestRead<WorkloadSpec>> load_workloads(const std::filesystem::path& path,
                                                       const ImageResolver& images) {
  std::vector<ManifestRead<WorkloadSpec>> out;
  for (const auto& doc : load_workload_documents(path))
    out.push_back(read_workload(doc.node, images));
  return out;
}

}  // namespace podsim::loader
