#pragma once
// A Kubernetes PodTemplateSpec (`spec.template` of a Deployment or CloneSet) read into
// model::PodTemplate, with the defaults the API server would fill in.
//
// Read: template.metadata.labels and .annotations; spec.containers and spec.initContainers (name,
// image, imagePullPolicy, resources.requests cpu and memory, env; readinessProbe, startupProbe
// and livenessProbe timings (and a startup or liveness probe's terminationGracePeriodSeconds) for
// app containers and native sidecars; lifecycle.preStop for app containers; restartPolicy: Always
// on an init container = a native sidecar), terminationGracePeriodSeconds, nodeSelector, priority,
// restartPolicy (must be Always). Probes are validated as the API server does: one handler,
// successThreshold 1 for startup and liveness probes, no terminationGracePeriodSeconds on a
// readinessProbe, no probes on a run-to-completion init container.
//
// Everything else is ignored but remembered: its canonical text (canonical_yaml) goes into
// other_fields, so that a release that changes it (volumes, command, ports, a probe's path) is
// seen to change the pod. Keys of other_fields are field names as users type them: "volumes",
// "metadata.namespace" (pod level); "command", "resources.limits", "readinessProbe.httpGet",
// "lifecycle.postStart" (container level). Probes template_diff does not compare (an app
// container's startupProbe and livenessProbe, every probe of a sidecar) are kept whole under their
// field name ("startupProbe"), so that changing their settings is a spec change. Empty values
// (`creationTimestamp: null`) are unset fields to Kubernetes and are skipped.
//
// Strict and open structs (see also manifest.hpp): PodSpec and Container gain fields in every
// Kubernetes release, so their unknown keys are taken for newer fields and kept as other fields;
// only a misspelling of a known field (another case, or within 2 edits: "imagePullPolicyy",
// "readinesProbe", "initContainer", "volumeMount") is an error. The smaller, stable structs inside
// are strict, as kubectl's strict field validation is: the template itself (metadata, spec), its
// metadata (ObjectMeta), resources, probes, lifecycle and its handlers, exec, sleep and
// env entries.
//
// Assumptions, where Kubernetes semantics do not map onto the model:
// - A preStop hook is timed only when it is a sleep: `sleep: {seconds: N}`, or an `exec` of
//   `sleep N` (also `/bin/sleep N` and `sh -c "sleep N"`, N with an optional s/m/h/d suffix as
//   GNU sleep reads it). Any other hook (httpGet, another command) is taken to return at once
//   (0 s) and its path is listed as ignored. Timed or not, the hook's text is kept in
//   other_fields["lifecycle.preStop"], so that a release that changes it is seen to change the
//   spec (the model's preStop duration is not compared between templates).
// - Init containers run for the node pool's profile time (run_time stays null); app start and
//   shutdown also come from the profile (a scenario's `behavior` sets them per container).
// - requests default to limits per resource where only limits are given, as the API server does
//   for every pod it admits (SetDefaults_Pod).
// - imagePullPolicy defaults to Always for an image tagged :latest or not tagged (and not pinned
//   by digest), else IfNotPresent, as the API server defaults it.
// - Label, annotation, nodeSelector and env values are taken as text even when YAML would read
//   them as numbers (the API server wants strings there; podsim does not insist).
// - priority is read as written; a priorityClassName is not resolved (it is kept as other field).

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "podsim/loader/yaml_reader.hpp"
#include "podsim/model/image.hpp"
#include "podsim/model/pod_template.hpp"

namespace podsim::loader {

/// Turns a container's image reference ("registry.example.com/web:v2") into the model's image.
/// `at` is the `image:` node: for an image the scenario does not know, throw `at.error(...)` so
/// that the message points at the manifest line.
using ImageResolver = std::function<model::ImageId(const Node& at, const std::string& reference)>;

/// Reads a pod template (`spec.template`). Appends to `ignored` the YAML path of every field it
/// does not model, in the order read (for `--verbose`). Throws LoadError.
/// Example: `read_pod_template(deployment.required("spec").required("template"), images, ignored)`.
model::PodTemplate read_pod_template(const Node& pod_template, const ImageResolver& images,
                                     std::vector<std::string>& ignored);

/// The imagePullPolicy the API server gives a container that sets none: Always when the image is
/// tagged `latest` or has neither tag nor digest, IfNotPresent otherwise.
/// Example: `default_pull_policy("nginx") == model::ImagePullPolicy::Always`.
model::ImagePullPolicy default_pull_policy(std::string_view image);

/// The seconds a preStop `exec` command sleeps, when that is all it does: ["sleep", "5"],
/// ["/bin/sleep", "2.5"], ["sh", "-c", "sleep 10"], ["/bin/sh", "-c", "sleep 1m; "]; nullopt for
/// anything else. Example: `sleep_seconds({"sleep", "5"}) == 5.0`.
std::optional<double> sleep_seconds(std::span<const std::string> command);

}  // namespace podsim::loader
