// `releases:` and `waves:`: what changes in which workload, when, and in how many batches. A wave
// expands into one release per workload of the fleets and workloads it names.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <set>

#include "podsim/loader/distribution_spec.hpp"
#include "podsim/loader/suggest.hpp"
#include "podsim/sim/random.hpp"
#include "scenario_sections.hpp"

namespace podsim::loader::sections {
namespace {

constexpr std::int64_t kI32 = std::numeric_limits<std::int32_t>::max();

// A change to a workload's pod template.
struct Change {
  bool next_image = false;
  std::vector<std::pair<std::string, Node>> images;  // container -> image reference
  std::vector<std::pair<std::string, Node>> env;     // container -> {NAME: value}
  std::vector<Override> set;                         // paths below spec.template
  bool any() const { return next_image || !images.empty() || !env.empty() || !set.empty(); }
};

std::vector<Override> read_set(const Node& set) {
  std::vector<Override> out;
  if (set.is_sequence()) {
    for (const auto& item : set.items()) out.push_back(parse_override_text(item));
  } else {
    for (const auto& [path, value] : unique_entries(set)) out.push_back(make_override(path, value));
  }
  return out;
}

// The keys of a change, shared by releases and waves' change alternatives.
void read_change_keys(const Node& n, Change& c) {
  if (const auto v = n.find("images")) c.images = unique_entries(*v);
  if (const auto v = n.find("env")) c.env = unique_entries(*v);
  if (const auto v = n.find("set")) c.set = read_set(*v);
}

const WorkloadInfo& find_workload_info(const Workloads& workloads, const Node& at) {
  const std::string name = at.as<std::string>();
  if (const WorkloadInfo* w = workloads.find(name)) return *w;
  const auto names = workloads.names(false);
  std::vector<std::string_view> views(names.begin(), names.end());
  const auto suggestion = did_you_mean(name, views);
  at.fail(fmt::format("unknown workload '{}' ({})", name,
                      suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                 : fmt::format("workloads: {}", join(views))));
}

// A container of the template by name (app or init), or an error at `at` naming the close ones.
template <class Fn>
void with_container(model::PodTemplate& t, const std::string& name, const Node& at, Fn&& fn) {
  for (auto& c : t.containers) {
    if (c.name == name) return fn(c.image, c.env);
  }
  for (auto& c : t.initContainers) {
    if (c.name == name) return fn(c.image, c.env);
  }
  std::vector<std::string> names;
  for (const auto& c : t.containers) names.push_back(c.name);
  for (const auto& c : t.initContainers) names.push_back(c.name);
  std::vector<std::string_view> views(names.begin(), names.end());
  const auto suggestion = did_you_mean(name, views);
  at.fail(fmt::format("no container '{}' in the pod template ({})", name,
                      suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                 : fmt::format("containers: {}", join(views))));
}

const model::PodTemplate& current_template(const experiment::World& world, const WorkloadInfo& w) {
  return std::visit([](const auto& s) -> const model::PodTemplate& { return s.template_; },
                    world.workloads[w.index]);
}

// The workload's template with `c` applied. `at` locates errors about the change as a whole.
model::PodTemplate changed_template(const Node& tree, const WorkloadInfo& w, const Change& c,
                                    const NextVersions& next, const experiment::World& world,
                                    const Node& at) {
  model::PodTemplate t =
      c.set.empty() ? current_template(world, w) : reread_template(tree, w, c.set, world);
  if (c.next_image) {
    bool moved = false;
    const auto advance = [&](model::ImageId& image) {
      const auto it = next.find(image);
      if (it == next.end()) return;
      if (it->second.size() > 1) {
        at.fail(fmt::format(
            "image '{}' of workload '{}' has {} next versions ('{}', '{}', ...): "
            "name the image to use under images",
            world.catalog.image(image).name, w.name, it->second.size(),
            world.catalog.image(it->second[0]).name, world.catalog.image(it->second[1]).name));
      }
      image = it->second.front();
      moved = true;
    };
    for (auto& container : t.containers) advance(container.image);
    for (auto& container : t.initContainers) advance(container.image);
    if (!moved) {
      at.fail(
          fmt::format("no image of workload '{}' has a next version (declare one under "
                      "images with from: <image>)",
                      w.name));
    }
  }
  for (const auto& [container, image] : c.images) {
    with_container(t, container, image, [&](model::ImageId& id, auto&) {
      id = find_image(world.catalog, image, image.as<std::string>());
    });
  }
  for (const auto& [container, vars] : c.env) {
    with_container(t, container, vars,
                   [&](model::ImageId&, std::map<std::string, std::string>& env) {
                     for (const auto& [name, value] : unique_entries(vars))
                       env[name] = value.scalar();
                   });
  }
  return t;
}

// Fields every release has, whether written or expanded from a wave.
void read_rollout_fields(const Node& n, const WorkloadInfo& w, model::ReleaseSpec& r) {
  if (const auto v = n.find("replicas")) r.replicas = static_cast<std::int32_t>(v->as_int(0, kI32));
  const bool batches = n.has("batches"), partitions = n.has("partitions");
  if ((batches || partitions) && w.kind != WorkloadKind::CloneSet) {
    const std::string_view key = batches ? "batches" : "partitions";
    throw LoadError(n.key_location(key),
                    fmt::format("{}.{}: batches step a CloneSet's partition, but '{}' is a "
                                "Deployment (tune its maxSurge and maxUnavailable instead)",
                                n.path(), key, w.name));
  }
  if (batches && partitions) {
    throw LoadError(n.key_location("partitions"),
                    fmt::format("{}: give batches or partitions, not both", n.path()));
  }
  if (batches) {
    const std::int64_t replicas = r.replicas.value_or(w.replicas);
    // At most a batch per pod: a fleet of small apps shares one wave setting.
    const std::int64_t count =
        std::min(n.required("batches").as_int(1, 10'000), std::max<std::int64_t>(replicas, 1));
    for (std::int64_t k = 1; k <= count; ++k) {
      // Batch k has updated ceil(replicas * k / count) pods; the rest stay old (partition).
      const std::int64_t updated = (replicas * k + count - 1) / count;
      r.partition_steps.push_back(
          model::IntOrPercent::integer(static_cast<std::int32_t>(replicas - updated)));
    }
  }
  if (partitions) {
    const Node list = n.required("partitions");
    const auto items = list.items();
    if (items.empty()) list.fail("give at least one partition, e.g. [75%, 50%, 0]");
    // Kruise takes fractional percentages for partition (domain-reference §2.2).
    for (const auto& item : items) r.partition_steps.push_back(item.as_int_or_percent(true));
  }
  if (const auto v = n.find("batch_pause")) {
    if (!batches && !partitions) {
      throw LoadError(n.key_location("batch_pause"),
                      fmt::format("{}: batch_pause needs batches or partitions", n.path()));
    }
    r.batch_pause = parse_distribution(*v);
  }
  if (const auto v = n.find("prewarm")) {
    if (v->is_map()) {
      v->check_keys({"parallelism", "lead"});
      r.prewarm.enabled = true;
      if (const auto p = v->find("parallelism")) {
        r.prewarm.parallelism = static_cast<std::uint32_t>(p->as_int(0, kI32));
      }
      if (const auto l = v->find("lead")) r.prewarm.lead = l->as<sim::Duration>();
    } else {
      r.prewarm.enabled = v->as<bool>();
    }
  }
}

void add_release(model::ReleaseSpec spec, sim::DistributionPtr at, const Node& where,
                 std::set<std::string>& names, experiment::World& world) {
  if (!names.insert(spec.name).second) {
    where.fail(fmt::format("a second release named '{}'", spec.name));
  }
  world.releases.push_back(experiment::ReleasePlan{std::move(spec), std::move(at)});
}

void read_release(const Node& n, std::size_t index, const Node& tree, const Workloads& workloads,
                  const NextVersions& next, std::set<std::string>& names,
                  experiment::World& world) {
  n.check_keys({"name", "workload", "at", "images", "env", "set", "replicas", "batches",
                "partitions", "batch_pause", "prewarm"});
  const WorkloadInfo& w = find_workload_info(workloads, n.required("workload"));
  model::ReleaseSpec r;
  r.name = n.optional<std::string>("name", fmt::format("release-{}", index + 1));
  r.workload = w.name;
  Change change;
  read_change_keys(n, change);
  read_rollout_fields(n, w, r);
  if (change.any()) r.new_template = changed_template(tree, w, change, next, world, n);
  if (!r.new_template && !r.replicas) {
    n.fail("a release changes something: give images, env, set or replicas");
  }
  // Released right after the workloads are available, unless `at` says later.
  sim::DistributionPtr at =
      n.has("at") ? parse_distribution(n.required("at")) : sim::dist::constant(0);
  add_release(std::move(r), std::move(at), n, names, world);
}

// A wave's `change`: one change for all, or weighted alternatives drawn per workload.
struct WaveChange {
  std::vector<double> weights;
  std::vector<Change> alternatives;
};

Change read_one_change(const Node& n, bool weighted) {
  Change c;
  if (n.is_scalar()) {
    n.as_choice({"next_image"});
    c.next_image = true;
    return c;
  }
  if (weighted) {
    n.check_keys({"weight", "next_image", "images", "env", "set"});
  } else {
    n.check_keys({"next_image", "images", "env", "set"});
  }
  c.next_image = n.optional<bool>("next_image", false);
  read_change_keys(n, c);
  if (!c.any()) n.fail("a change needs next_image: true, images, env or set");
  return c;
}

WaveChange read_wave_change(const Node& wave) {
  WaveChange out;
  const auto n = wave.find("change");
  if (!n) {  // a new image version: what most platform releases are
    out.weights = {1};
    out.alternatives.emplace_back().next_image = true;
    return out;
  }
  if (n->is_sequence()) {
    for (const auto& item : n->items()) {
      out.alternatives.push_back(read_one_change(item, true));
      out.weights.push_back(
          item.required("weight").as_number(0, std::numeric_limits<double>::max()));
    }
    double total = 0;
    for (const double w : out.weights) total += w;
    if (out.alternatives.empty() || !(total > 0))
      n->fail("give alternatives with weights summing to > 0");
    return out;
  }
  out.weights = {1};
  out.alternatives.push_back(read_one_change(*n, false));
  return out;
}

void read_wave(const Node& n, std::size_t index, const Node& tree, const ReadContext& ctx,
               const Workloads& workloads, const NextVersions& next, std::set<std::string>& names,
               experiment::World& world) {
  n.check_keys({"name", "workloads", "at", "change", "replicas", "batches", "partitions",
                "batch_pause", "prewarm"});
  const std::string wave = n.optional<std::string>("name", fmt::format("wave-{}", index + 1));

  // The workloads: fleet names expand to their apps.
  const Node targets = n.required("workloads");
  std::vector<Node> target_nodes =
      targets.is_sequence() ? targets.items() : std::vector<Node>{targets};
  std::vector<const WorkloadInfo*> members;
  std::set<std::string> seen;
  for (const auto& t : target_nodes) {
    const std::string name = t.as<std::string>();
    std::vector<const WorkloadInfo*> add;
    if (const auto fleet = workloads.fleets.find(name); fleet != workloads.fleets.end()) {
      for (const std::size_t i : fleet->second) add.push_back(&workloads.list[i]);
    } else if (const WorkloadInfo* w = workloads.find(name)) {
      add.push_back(w);
    } else {
      const auto all = workloads.names(true);
      std::vector<std::string_view> views(all.begin(), all.end());
      const auto suggestion = did_you_mean(name, views);
      t.fail(fmt::format("unknown fleet or workload '{}' ({})", name,
                         suggestion ? fmt::format("did you mean '{}'?", *suggestion)
                                    : fmt::format("known: {}", join(views))));
    }
    for (const WorkloadInfo* w : add) {
      if (!seen.insert(w->name).second)
        t.fail(fmt::format("workload '{}' is in the wave twice", w->name));
      members.push_back(w);
    }
  }
  if (members.empty()) targets.fail("a wave needs at least one workload");

  // When: one distribution for every release (each draws its own time), or a list of times.
  std::vector<sim::DistributionPtr> at(members.size());
  if (const auto a = n.find("at"); a && a->is_sequence()) {
    const auto items = a->items();
    if (items.size() != members.size()) {
      a->fail(fmt::format("gives {} times for {} workloads", items.size(), members.size()));
    }
    for (std::size_t i = 0; i < items.size(); ++i) at[i] = parse_distribution(items[i]);
  } else {
    const sim::DistributionPtr d = a ? parse_distribution(*a) : sim::dist::constant(0);
    std::fill(at.begin(), at.end(), d);
  }

  const WaveChange change = read_wave_change(n);
  const Node change_at = n.find("change").value_or(n);
  const double total = [&] {
    double t = 0;
    for (const double w : change.weights) t += w;
    return t;
  }();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const WorkloadInfo& w = *members[i];
    // The alternative is drawn per workload from the scenario seed: the same in every variant.
    std::size_t pick = 0;
    if (change.alternatives.size() > 1) {
      const double u =
          sim::RandomStream::derive(ctx.seed, {"waves", wave, w.name}).uniform01() * total;
      double cumulative = 0;
      for (pick = 0; pick + 1 < change.weights.size(); ++pick) {
        cumulative += change.weights[pick];
        if (u < cumulative) break;
      }
    }
    model::ReleaseSpec r;
    r.name = fmt::format("{}/{}", wave, w.name);
    r.workload = w.name;
    read_rollout_fields(n, w, r);
    r.new_template = changed_template(tree, w, change.alternatives[pick], next, world, change_at);
    add_release(std::move(r), at[i], n, names, world);
  }
}

}  // namespace

void read_releases(const Node& tree, const ReadContext& ctx, const Workloads& workloads,
                   const NextVersions& next, experiment::World& world) {
  std::set<std::string> names;
  if (const auto releases = tree.find("releases")) {
    const auto items = releases->items();
    for (std::size_t i = 0; i < items.size(); ++i) {
      read_release(items[i], i, tree, workloads, next, names, world);
    }
  }
  if (const auto waves = tree.find("waves")) {
    const auto items = waves->items();
    for (std::size_t i = 0; i < items.size(); ++i) {
      read_wave(items[i], i, tree, ctx, workloads, next, names, world);
    }
  }
}

}  // namespace podsim::loader::sections
