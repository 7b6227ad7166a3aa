// `workloads:` and `fleets:`: Kubernetes manifests (inline, or by path and spliced into the tree so
// that overrides reach them), podsim's app behaviour per container, and fleets of generated apps.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "podsim/loader/distribution_spec.hpp"
#include "podsim/loader/suggest.hpp"
#include "podsim/model/image_generator.hpp"
#include "podsim/sim/random.hpp"
#include "scenario_sections.hpp"

namespace podsim::loader::sections {
namespace {

// A manifest's own top level; the manifest reader checks it strictly.
constexpr auto kManifestKeys =
    std::to_array<std::string_view>({"apiVersion", "kind", "metadata", "spec", "status"});
// podsim's keys beside them.
constexpr auto kWorkloadKeys = std::to_array<std::string_view>(
    {"manifest", "document", "behavior", "apiVersion", "kind", "metadata", "spec", "status"});

// Stands for a fleet app's own image in the template read once for the whole fleet.
constexpr model::ImageId kAppImage = std::numeric_limits<model::ImageId>::max();

bool is_manifest_key(std::string_view key) {
  return std::find(kManifestKeys.begin(), kManifestKeys.end(), key) != kManifestKeys.end();
}

std::string join_path(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += '.';
    out += escape_key(k);
  }
  return out;
}

std::optional<Node> find_path(const Node& root, const std::vector<std::string>& keys) {
  std::optional<Node> node = root;
  for (const auto& k : keys) {
    if (!node->is_map()) return std::nullopt;
    node = node->find(k);
    if (!node) return std::nullopt;
  }
  return node;
}

// ---- splicing manifests into the tree ----------------------------------------------------------

// A workload (or fleet template) that names a manifest file.
struct ManifestRef {
  std::vector<std::string> keys;  // of the workload node
  Node manifest;                  // its `manifest:` value
  std::string name;               // the document to take (document:, else the workload's name)
  bool explicit_document = false;

  std::string id() const {
    return fmt::format("{}={}:{}", join_path(keys), manifest.file(), manifest.scalar());
  }
};

void collect_ref(const Node& workload, std::vector<std::string> keys, std::string name,
                 std::vector<ManifestRef>& out) {
  if (!workload.is_map() || !workload.has("manifest")) return;
  const Node manifest = workload.required("manifest");
  if (!manifest.is_scalar()) {
    manifest.fail(
        fmt::format("expected the path of a manifest file, got {} (an inline manifest "
                    "goes beside it: apiVersion, kind, metadata, spec)",
                    manifest.describe()));
  }
  ManifestRef ref{std::move(keys), manifest, std::move(name), false};
  if (const auto d = workload.find("document")) {
    ref.name = d->as<std::string>();
    ref.explicit_document = true;
  }
  out.push_back(std::move(ref));
}

std::vector<ManifestRef> manifest_refs(const Node& tree) {
  std::vector<ManifestRef> out;
  if (!tree.is_map()) return out;
  if (const auto workloads = tree.find("workloads"); workloads && workloads->is_map()) {
    for (const auto& [name, w] : workloads->entries()) {
      collect_ref(w, {"workloads", name}, name, out);
    }
  }
  if (const auto fleets = tree.find("fleets"); fleets && fleets->is_map()) {
    for (const auto& [name, f] : fleets->entries()) {
      if (!f.is_map()) continue;
      if (const auto t = f.find("template"))
        collect_ref(*t, {"fleets", name, "template"}, name, out);
    }
  }
  return out;
}

// Overrides that put the manifest's top-level fields beside `manifest:`.
void splice(const Node& tree, const ManifestRef& ref, ManifestFiles& files,
            std::vector<Override>& out) {
  const auto workload = find_path(tree, ref.keys);
  if (!workload) return;
  for (const auto& [key, value] : workload->entries()) {
    if (is_manifest_key(key)) {
      throw LoadError(workload->key_location(key),
                      fmt::format("{}: give either a manifest file (manifest: {}) or an inline "
                                  "manifest (apiVersion, kind, metadata, spec), not both; '{}' is "
                                  "inline",
                                  workload->path(), ref.manifest.scalar(), key));
    }
  }
  const auto& documents = files.documents(ref.manifest);
  const Node at = ref.explicit_document ? workload->required("document") : ref.manifest;
  const WorkloadDocument* doc = nullptr;
  if (documents.size() == 1 && !ref.explicit_document) {
    doc = &documents.front();  // one workload in the file: its name need not match
  } else {
    doc = &find_workload(documents, ref.name, std::nullopt, at);
  }
  const std::string prefix = join_path(ref.keys);
  for (const auto& [key, value] : doc->node.entries()) {
    out.push_back(make_override(fmt::format("{}.{}", prefix, escape_key(key)), value));
  }
}

Node splice_all(const Node& tree, const std::vector<ManifestRef>& refs, ManifestFiles& files) {
  std::vector<Override> splices;
  for (const auto& ref : refs) splice(tree, ref, files, splices);
  return splices.empty() ? tree : apply_overrides(tree, splices);
}

bool same_refs(const std::vector<ManifestRef>& a, const std::vector<ManifestRef>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id() != b[i].id() || a[i].name != b[i].name) return false;
  }
  return true;
}

// ---- reading one workload ----------------------------------------------------------------------

// The manifest part of a workload node, without podsim's keys, as the manifest reader wants it.
// `keep_name`: take metadata.name as it is (a file's document, a fleet template); otherwise it is
// the workload's name, and may be left out.
Node manifest_view(const Node& w, const std::string& name, bool keep_name) {
  YAML::Node view(YAML::NodeType::Map);
  for (auto it = w.yaml().begin(); it != w.yaml().end(); ++it) {
    if (it->first.IsScalar() && is_manifest_key(it->first.Scalar())) {
      view.force_insert(it->first, it->second);
    }
  }
  const auto file = std::make_shared<const std::string>(w.file());
  Node out(view, file, w.path(), w.location(), w.origins());
  const auto meta = out.find("metadata");
  const bool has_name = meta && meta->is_map() && meta->has("name");
  if (has_name && !keep_name) {
    const Node given = meta->required("name");
    if (given.as<std::string>() != name) {
      given.fail(
          fmt::format("is '{}' but the workload is named '{}' (leave metadata.name out, or "
                      "make them equal)",
                      given.scalar(), name));
    }
  }
  if (has_name || (meta && !meta->is_map() && !meta->is_null())) return out;  // the reader errs
  // No name: the workload's (a fleet template's name is replaced per app anyway).
  YAML::Node value(name);
  std::string path = "metadata.name";
  if (!meta || meta->is_null()) {
    value = YAML::Node(YAML::NodeType::Map);
    value.force_insert(YAML::Node("name"), YAML::Node(name));
    path = "metadata";
  }
  const Override fill = make_override(path, Node(value, file, "", w.location()));
  return apply_overrides(out, std::span<const Override>(&fill, 1));
}

template <class Container>
void read_app_behavior(const Node& b, Container& c) {
  if (const auto n = b.find("app_start")) c.app_start = parse_distribution(*n);
  if (const auto n = b.find("shutdown")) c.shutdown = parse_distribution(*n);
  if (const auto n = b.find("preStop")) c.preStop = parse_distribution(*n);
  if (const auto n = b.find("hang_after")) c.hang_after = parse_distribution(*n);
  if (const auto n = b.find("crash_after")) c.crash_after = parse_distribution(*n);
}

// `behavior:` per container: what the application does, which no manifest says.
void apply_behavior(const Node& behavior, model::PodTemplate& t) {
  std::vector<std::string> names;
  for (const auto& c : t.containers) names.push_back(c.name);
  for (const auto& c : t.initContainers) names.push_back(c.name);
  for (const auto& [container, b] : unique_entries(behavior)) {
    auto app = std::find_if(t.containers.begin(), t.containers.end(),
                            [&](const auto& c) { return c.name == container; });
    if (app != t.containers.end()) {
      b.check_keys({"app_start", "shutdown", "preStop", "hang_after", "crash_after"});
      read_app_behavior(b, *app);
      continue;
    }
    auto init = std::find_if(t.initContainers.begin(), t.initContainers.end(),
                             [&](const auto& c) { return c.name == container; });
    if (init != t.initContainers.end() && init->sidecar) {
      // A native sidecar runs with the pod, as an app container does.
      b.check_keys({"app_start", "shutdown", "preStop", "hang_after", "crash_after"});
      read_app_behavior(b, *init);
      continue;
    }
    if (init != t.initContainers.end()) {
      b.check_keys({"run_time"});
      if (const auto n = b.find("run_time")) init->run_time = parse_distribution(*n);
      continue;
    }
    std::vector<std::string_view> views(names.begin(), names.end());
    const auto suggestion = did_you_mean(container, views);
    throw LoadError(
        behavior.key_location(container),
        fmt::format("{}: no container '{}' in the pod template ({})", behavior.path(), container,
                    suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                               : fmt::format("containers: {}", join(views))));
  }
}

model::PodTemplate& template_of(WorkloadSpec& spec) {
  return std::visit([](auto& s) -> model::PodTemplate& { return s.template_; }, spec);
}

struct ReadWorkload {
  WorkloadSpec spec;
  std::vector<std::string> ignored;
};

// One workload node (after splicing and overrides) into a spec named `name`.
// Inline manifests of workloads carry their name in metadata.name or not at all; a fleet
// template's name is not any app's.
ReadWorkload read_one(const Node& w, const std::string& name, const ImageResolver& images,
                      bool inline_name_must_match) {
  if (!w.is_map()) {
    w.fail(
        fmt::format("expected a workload (manifest: FILE, or an inline Deployment or CloneSet), "
                    "got {}",
                    w.describe()));
  }
  w.check_keys(kWorkloadKeys);
  const bool by_path = w.has("manifest");
  if (!by_path && !w.has("kind")) {
    w.fail(
        "a workload needs a manifest: a file (manifest: apps/web.yaml) or an inline one "
        "(apiVersion, kind, metadata, spec)");
  }
  if (!by_path && w.has("document")) {
    throw LoadError(
        w.key_location("document"),
        fmt::format("{}: document picks a manifest from a file: it needs manifest", w.path()));
  }
  auto read = read_workload(manifest_view(w, name, by_path || !inline_name_must_match), images);
  ReadWorkload out{std::move(read.spec), std::move(read.ignored_fields)};
  std::visit([&](auto& s) { s.name = name; }, out.spec);
  if (const auto b = w.find("behavior")) apply_behavior(*b, template_of(out.spec));
  return out;
}

ImageResolver catalog_resolver(const model::ImageCatalog& catalog) {
  return
      [&catalog](const Node& at, const std::string& ref) { return find_image(catalog, at, ref); };
}

WorkloadKind kind_of(const WorkloadSpec& spec) {
  return std::holds_alternative<model::DeploymentSpec>(spec) ? WorkloadKind::Deployment
                                                             : WorkloadKind::CloneSet;
}

std::int32_t replicas_of(const WorkloadSpec& spec) {
  return std::visit([](const auto& s) { return s.replicas; }, spec);
}

void substitute_app_image(model::PodTemplate& t, model::ImageId image) {
  for (auto& c : t.containers) {
    if (c.image == kAppImage) c.image = image;
  }
  for (auto& c : t.initContainers) {
    if (c.image == kAppImage) c.image = image;
  }
}

void note_ignored(const ReadContext& ctx, const std::vector<std::string>& fields) {
  if (!ctx.ignored) return;
  for (const auto& f : fields) {
    if (std::find(ctx.ignored->begin(), ctx.ignored->end(), f) == ctx.ignored->end()) {
      ctx.ignored->push_back(f);
    }
  }
}

void add_workload(WorkloadInfo info, WorkloadSpec spec, const Node& at, experiment::World& world,
                  Workloads& out) {
  if (out.by_name.contains(info.name)) {
    at.fail(fmt::format("a second workload named '{}'{}", info.name,
                        info.fleet.empty() ? "" : " (fleet app names are <prefix>-<i>)"));
  }
  info.kind = kind_of(spec);
  info.replicas = replicas_of(spec);
  info.index = world.workloads.size();
  out.by_name.emplace(info.name, out.list.size());
  if (!info.fleet.empty()) out.fleets[info.fleet].push_back(out.list.size());
  out.list.push_back(std::move(info));
  world.workloads.push_back(std::move(spec));
}

// The image reference of the template's first app container, if the tree has one.
std::optional<std::string> first_container_image(const Node& w) {
  const std::vector<std::string> keys{"spec", "template", "spec", "containers"};
  const auto containers = find_path(w, keys);
  if (!containers || !containers->is_sequence()) return std::nullopt;
  const auto items = containers->items();
  if (items.empty() || !items[0].is_map() || !items[0].has("image")) return std::nullopt;
  const Node image = items[0].required("image");
  if (!image.is_scalar()) return std::nullopt;
  return image.scalar();
}

using FleetApps = std::vector<std::pair<WorkloadInfo, WorkloadSpec>>;

void read_fleet(const std::string& fleet, const Node& f, const ReadContext& ctx,
                model::ImageCatalog& catalog, NextVersions& next, FleetApps& out) {
  f.check_keys({"count", "prefix", "template", "replicas", "images"});
  const auto count = static_cast<std::uint32_t>(f.required("count").as_int(1, 1'000'000));
  const std::string prefix = f.optional<std::string>("prefix", fleet);
  const Node tmpl = f.required("template");

  model::ImageMix mix;  // defaults: image_generator.hpp (latency-figures §3)
  std::string registry;
  std::optional<std::string> template_image;
  std::uint32_t replaced = 1;  // a release rebuilds the app's top layer (assumption)
  std::optional<Node> images_node = f.find("images");
  if (images_node) {
    const Node& i = *images_node;
    i.check_keys({"registry", "template_image", "size", "base_share", "bases", "base_layers",
                  "app_layers", "unpack_ratio", "replace_top_layers"});
    registry = i.optional<std::string>("registry", "");
    if (const auto n = i.find("template_image")) template_image = n->as<std::string>();
    if (const auto n = i.find("size"))
      mix.compressed_bytes = parse_value_distribution(*n, ValueUnit::bytes);
    if (const auto n = i.find("base_share")) mix.base_share = n->as_number(0, 1);
    if (const auto n = i.find("bases"))
      mix.bases = static_cast<std::uint32_t>(n->as_int(1, 1'000'000));
    if (const auto n = i.find("base_layers"))
      mix.base_layers = static_cast<std::uint32_t>(n->as_int(0, 1000));
    if (const auto n = i.find("app_layers"))
      mix.app_layers = static_cast<std::uint32_t>(n->as_int(1, 1000));
    if (const auto n = i.find("unpack_ratio")) mix.unpack_ratio = n->as_number(1, 1000);
    if (const auto n = i.find("replace_top_layers")) {
      replaced = static_cast<std::uint32_t>(n->as_int(1, mix.base_layers + mix.app_layers));
    }
    if (mix.base_share > 0 && mix.base_layers == 0) {
      i.required("base_layers").fail("must be >= 1 when base_share > 0");
    }
  }
  if (!template_image) template_image = first_container_image(tmpl);

  // The template, read once: its app image stands in for each app's own.
  bool used = false;
  const ImageResolver resolver = [&](const Node& at, const std::string& ref) {
    if (template_image && ref == *template_image) {
      used = true;
      return kAppImage;
    }
    return find_image(catalog, at, ref);
  };
  ReadWorkload base = read_one(tmpl, prefix, resolver, /*inline_name_must_match=*/false);
  note_ignored(ctx, base.ignored);
  if (!used) {
    const Node at = images_node && images_node->has("template_image")
                        ? images_node->required("template_image")
                        : tmpl;
    at.fail(
        fmt::format("no container of the template uses the image '{}' that each app replaces "
                    "with its own",
                    template_image.value_or("")));
  }

  sim::DistributionPtr replicas;
  if (const auto n = f.find("replicas")) replicas = parse_value_distribution(*n, ValueUnit::count);
  // Same apps in every variant and replication: streams of the scenario seed and fleet name.
  // Base layers are named after the fleet, so two fleets never share (or clash on) a base.
  model::ImageGenerator generator(
      catalog, mix, sim::RandomStream::derive(ctx.seed, {"fleets", fleet, "images"}), fleet);
  const sim::RandomStream replica_streams =
      sim::RandomStream::derive(ctx.seed, {"fleets", fleet, "replicas"});
  const Node at_images = images_node.value_or(f);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string name = fmt::format("{}-{}", prefix, i);
    const std::string app = registry.empty() ? name : fmt::format("{}/{}", registry, name);
    model::ImageId v1 = 0, v2 = 0;
    try {
      v1 = generator.add_app(app);
      v2 = generator.new_version(v1, replaced);
    } catch (const std::invalid_argument& e) {
      at_images.fail(e.what());
    }
    next[v1].push_back(v2);
    WorkloadSpec spec = base.spec;
    std::visit([&](auto& s) { s.name = name; }, spec);
    substitute_app_image(template_of(spec), v1);
    if (replicas) {
      sim::RandomStream r = replica_streams.child(i);
      const double drawn = std::round(replicas->sample(r));
      const auto n = static_cast<std::int32_t>(
          std::clamp(drawn, 1.0, static_cast<double>(std::numeric_limits<std::int32_t>::max())));
      std::visit([&](auto& s) { s.replicas = n; }, spec);
    }
    WorkloadInfo info;
    info.name = name;
    info.tree_keys = {"fleets", fleet, "template"};
    info.fleet = fleet;
    info.app_image = v1;
    info.template_image = *template_image;
    out.emplace_back(std::move(info), std::move(spec));
  }
}

}  // namespace

std::string escape_key(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '.' || c == '[' || c == ']' || c == '=' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const std::vector<WorkloadDocument>& ManifestFiles::documents(const Node& manifest) {
  const std::string& text = manifest.scalar();
  std::filesystem::path path(text);
  // A --set value names files from the working directory; a file's, from that file's folder.
  if (path.is_relative() && !manifest.file().starts_with("--set ")) {
    path = std::filesystem::path(manifest.file()).parent_path() / path;
  }
  const std::string key = path.lexically_normal().string();
  if (const auto it = files_.find(key); it != files_.end()) return it->second;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    manifest.fail(fmt::format("cannot read manifest '{}': {}", path.string(),
                              std::filesystem::exists(path, ec) ? "not a file" : "no such file"));
  }
  return files_.emplace(key, load_workload_documents(path)).first->second;
}

Node build_tree(const Node& base, std::span<const Override> overrides, ManifestFiles& files) {
  // Splice the manifests the base names, then override. An override may name another manifest
  // (or add a workload): then splice what the overridden tree names and override again.
  std::vector<ManifestRef> refs = manifest_refs(base);
  Node tree = apply_overrides(splice_all(base, refs, files), overrides);
  std::vector<ManifestRef> now = manifest_refs(tree);
  if (same_refs(refs, now)) return tree;
  tree = apply_overrides(splice_all(base, now, files), overrides);
  // Workloads that only the overrides create get their manifest after the overrides.
  std::vector<ManifestRef> late;
  for (const auto& ref : manifest_refs(tree)) {
    const auto w = find_path(tree, ref.keys);
    if (w && !w->has("kind") && !w->has("spec")) late.push_back(ref);
  }
  return splice_all(tree, late, files);
}

const WorkloadInfo* Workloads::find(const std::string& name) const {
  const auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : &list[it->second];
}

std::vector<std::string> Workloads::names(bool with_fleets) const {
  std::vector<std::string> out;
  for (const auto& w : list) out.push_back(w.name);
  if (with_fleets) {
    for (const auto& [fleet, apps] : fleets) out.push_back(fleet);
  }
  return out;
}

void read_workloads(const Node& tree, const ReadContext& ctx, experiment::World& world,
                    NextVersions& next, Workloads& out) {
  // Fleet images first, since a workload or a pool's snapshot may name them; fleet apps come
  // after the workloads in World::workloads.
  std::vector<std::pair<Node, FleetApps>> fleets;
  if (const auto f = tree.find("fleets")) {
    for (const auto& [name, node] : unique_entries(*f)) {
      fleets.emplace_back(node, FleetApps{});
      read_fleet(name, node, ctx, world.catalog, next, fleets.back().second);
    }
  }
  if (const auto w = tree.find("workloads")) {
    const ImageResolver resolver = catalog_resolver(world.catalog);
    for (const auto& [name, node] : unique_entries(*w)) {
      ReadWorkload read = read_one(node, name, resolver, /*inline_name_must_match=*/true);
      note_ignored(ctx, read.ignored);
      WorkloadInfo info;
      info.name = name;
      info.tree_keys = {"workloads", name};
      add_workload(std::move(info), std::move(read.spec), node, world, out);
    }
  }
  for (auto& [node, apps] : fleets) {
    for (auto& [info, spec] : apps)
      add_workload(std::move(info), std::move(spec), node, world, out);
  }
  if (world.workloads.empty()) {
    tree.fail("a scenario needs at least one workload (under workloads or fleets)");
  }
}

model::PodTemplate reread_template(const Node& tree, const WorkloadInfo& w,
                                   std::span<const Override> set, const experiment::World& world) {
  const std::string prefix = fmt::format("{}.spec.template.", join_path(w.tree_keys));
  std::vector<Override> moved;
  for (const auto& o : set) moved.push_back(Override{prefix + o.path, o.value, o.where});
  const Node changed = apply_overrides(tree, moved);
  const Node node = *find_path(changed, w.tree_keys);
  ImageResolver resolver = catalog_resolver(world.catalog);
  if (w.app_image) {
    resolver = [&](const Node& at, const std::string& ref) {
      return ref == w.template_image ? *w.app_image : find_image(world.catalog, at, ref);
    };
  }
  ReadWorkload read = read_one(node, w.name, resolver, w.fleet.empty());
  return template_of(read.spec);
}

}  // namespace podsim::loader::sections
