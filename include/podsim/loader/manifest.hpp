#pragma once
// Kubernetes workload manifests read into the model's specs: an `apps/v1` Deployment into
// model::DeploymentSpec, an OpenKruise CloneSet (`apps.kruise.io/v1alpha1`, or the v1beta1 layout
// with updateStrategy.rollingUpdate.podUpdatePolicy) into model::CloneSetSpec. Fields left out
// take the API defaults (domain-reference §1.1, §2.2); what the API server or the Kruise webhook
// would reject is a LoadError at the offending value.
//
//   auto images = [&](const Node& at, const std::string& ref) { return catalog.resolve(at, ref); };
//   for (const auto& w : load_workloads("apps.yaml", images)) { ... }
//   auto web = read_workload(scenario.required("workloads").required("web"), images);
//
// Read, besides the pod template (pod_template_spec.hpp):
//   Deployment  metadata.name, spec.replicas, strategy.type, strategy.rollingUpdate.maxSurge and
//               maxUnavailable, minReadySeconds, progressDeadlineSeconds, paused.
//   CloneSet    metadata.name, the apps.kruise.io/image-predownload-* annotations (v1alpha1),
//               spec.replicas, minReadySeconds, progressDeadlineSeconds,
//               scaleStrategy.maxUnavailable, updateStrategy: type, partition, maxUnavailable,
//               maxSurge, paused, priorityStrategy, scatterStrategy,
//               inPlaceUpdateStrategy.gracePeriodSeconds (v1beta1: under rollingUpdate, with
//               podUpdatePolicy and the imagePreDownload* fields).
// Every other field is ignored; its path is listed in ignored_fields (for `--verbose`).
//
// Validated as the API server (Deployment) or the Kruise v1.9 webhook (CloneSet) validates:
// replicas, minReadySeconds and the *Seconds fields >= 0; progressDeadlineSeconds >
// minReadySeconds; strategy types (with did-you-mean); int-or-percent values (no negatives, no
// numbers in quotes, whole percentages for Deployments); Deployment maxUnavailable <= 100%, not
// both it and maxSurge 0, no rollingUpdate with Recreate; CloneSet maxSurge > 0 with InPlaceOnly;
// CloneSet maxUnavailable and maxSurge not both < 1 once scaled against replicas > 0; priority
// weights 0..100, only one of weightPriority and orderPriority; scatter terms with a key and no
// duplicates.
//
// Strict and open structs. Real manifests carry many fields podsim does not model, so unknown keys
// are not errors in general; but in the structs podsim reads, whose schema is small and stable, an
// unknown key is an error with a did-you-mean suggestion, as kubectl's strict field validation
// rejects it. Strict: the document's top level (apiVersion, kind, metadata, spec, status),
// metadata (ObjectMeta), Deployment spec, strategy and rollingUpdate; CloneSet spec,
// updateStrategy (and v1beta1 rollingUpdate), scaleStrategy, inPlaceUpdateStrategy,
// priorityStrategy and its terms, matchSelector, scatterStrategy terms; and inside the pod
// template the structs listed in pod_template_spec.hpp. Open (new fields appear every release):
// PodSpec and Container, where only a misspelling of a known field (another case, or within 2
// edits) is an error.
//
// Assumptions:
// - CloneSet percentages: Kruise honours fractional percentages ("12.5%") for partition only; its
//   controller reads maxUnavailable, maxSurge and scaleStrategy.maxUnavailable with Kubernetes'
//   whole-percent parser (a fraction there silently counts as 0), so podsim rejects fractions
//   there.
// - CloneSet type OnDelete is not modelled (and the v1alpha1 webhook rejects it).
// - CloneSet weightPriority terms match on matchSelector.matchLabels; matchExpressions are not
//   modelled and are an error rather than silently ignored.
// - CloneSetImagePreDownload::enabled (the feature gate) is cluster configuration: reading a
//   manifest never sets it. The v1alpha1 annotations are validated where the controller would
//   silently fall back to its default.
// - v1beta1: as Kruise master reads it (apps/v1beta1 cloneset_types.go); its pre-download fields
//   live in rollingUpdate.inPlaceUpdateStrategy and the v1alpha1 annotations are ignored.
// - CloneSet lifecycle hooks, volumeClaimTemplates, selectors and revisionHistoryLimit are ignored
//   (listed in ignored_fields); selectors are not checked against the template labels.

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "podsim/loader/pod_template_spec.hpp"
#include "podsim/loader/yaml_reader.hpp"
#include "podsim/model/cloneset_spec.hpp"
#include "podsim/model/deployment_spec.hpp"

namespace podsim::loader {

enum class WorkloadKind { Deployment, CloneSet };

/// "Deployment" or "CloneSet".
std::string_view kind_name(WorkloadKind kind);

using WorkloadSpec = std::variant<model::DeploymentSpec, model::CloneSetSpec>;

/// A spec read from a manifest, and the YAML paths of the fields podsim ignored, in the order read
/// ("web.yaml" document paths such as "spec.template.spec.volumes", or
/// "workloads.web.spec.revisionHistoryLimit" for a manifest inside a scenario).
template <class Spec>
struct ManifestRead {
  Spec spec;
  std::vector<std::string> ignored_fields;
};

/// Reads an apps/v1 Deployment. Throws LoadError.
ManifestRead<model::DeploymentSpec> read_deployment(const Node& manifest,
                                                    const ImageResolver& images);
/// Reads a CloneSet, apps.kruise.io/v1alpha1 or v1beta1. Throws LoadError.
ManifestRead<model::CloneSetSpec> read_cloneset(const Node& manifest, const ImageResolver& images);
/// Reads a Deployment or a CloneSet, by its `kind`. Throws LoadError.
ManifestRead<WorkloadSpec> read_workload(const Node& manifest, const ImageResolver& images);

/// A workload document of a manifest stream, found by kind and name but not yet read (so that the
/// images of workloads a scenario does not use need not be known).
struct WorkloadDocument {
  WorkloadKind kind;
  std::string name;  // metadata.name
  Node node;         // the document, or the item of a `kind: List`
};

/// The Deployments and CloneSets among `documents`, in order. Empty documents and other kinds
/// (Service, ConfigMap, ...) are skipped; the items of a `kind: List` (kubectl get -o yaml) are
/// looked at one by one. A near miss of Deployment or CloneSet ("Deploymnet") is an error, and
/// so is a second workload with the same kind and name.
std::vector<WorkloadDocument> workload_documents(std::span<const Node> documents);
/// workload_documents of every document of a (multi-document) file.
std::vector<WorkloadDocument> load_workload_documents(const std::filesystem::path& path);

/// The workload named `name` (and of `kind`, if given); an error at `at` (the scenario's
/// reference) if there is none, with a did-you-mean, or if a Deployment and a CloneSet share the
/// name and no kind is given.
const WorkloadDocument& find_workload(std::span<const WorkloadDocument> documents,
                                      std::string_view name, std::optional<WorkloadKind> kind,
                                      const Node& at);

/// Reads every workload of a file, in order.
std::vector<ManifestRead<WorkloadSpec>> load_workloads(const std::filesystem::path& path,
                                                       const ImageResolver& images);

}  // namespace podsim::loader
