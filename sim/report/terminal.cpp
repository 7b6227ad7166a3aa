#include "podsim/report/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

namespace podsim::report {

namespace {

enum class Unit { seconds, count, bytes };

struct MetricRow {
  std::string_view key;
  std::string_view label;
  Unit unit;
  bool higher_is_better;  // decides whether a significant change is coloured green or red
};

constexpr MetricRow kRows[] = {
    {"rollout_duration_s", "rollout duration", Unit::seconds, false},
    {"unavailable_pod_seconds", "unavailable pod-seconds", Unit::count, false},
    {"min_available_replicas", "min available", Unit::count, true},
    {"scheduler_cycles", "scheduler cycles", Unit::count, false},
    {"sandboxes_created", "sandboxes created", Unit::count, false},
    {"bytes_pulled", "bytes pulled", Unit::bytes, false},
    {"ip_changes", "IP changes", Unit::count, false},
};

constexpr std::size_t kBarCells = 30;
constexpr std::string_view kGap = "   ";

class Style {
 public:
  explicit Style(bool on) : on_(on) {}
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string red(std::string_view s) const { return wrap("31", s); }
  std::string green(std::string_view s) const { return wrap("32", s); }
  std::string cyan(std::string_view s) const { return wrap("36", s); }

 private:
  std::string wrap(std::string_view code, std::string_view s) const {
    if (!on_ || s.empty()) return std::string(s);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
  }
  bool on_;
};

// Terminal cells: code points, not bytes (every character used here is one cell wide), and
// colour escapes take none.
std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm') ++i;
    } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      ++width;
    }
  }
  return width;
}

std::string pad_right(std::string s, std::size_t width) {
  const std::size_t w = display_width(s);
  if (w < width) s.append(width - w, ' ');
  return s;
}

std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w < width ? std::string(width - w, ' ') + s : s;
}

// Fixed decimals with thousands separators: 40123.45 -> "40,123.5" (1 decimal).
std::string number(double x, int decimals) {
  std::string digits = fmt::format("{:.{}f}", std::abs(x), decimals);
  const std::size_t dot = std::min(digits.find('.'), digits.size());
  for (std::size_t i = dot; i > 3; i -= 3) digits.insert(i - 3, 1, ',');
  // No "-0.0": a negative number that rounds to zero prints as zero.
  const bool zero = digits.find_first_not_of("0.,") == std::string::npos;
  return x < 0 && !zero ? fmt::format("-{}", digits) : digits;
}

// About three significant digits, at least one decimal: 812.4, 45.3, 3.14, 0.250.
int decimals_for(double x) {
  if (x == 0 || !std::isfinite(x)) return 1;
  const int exponent = static_cast<int>(std::floor(std::log10(std::abs(x))));
  return std::clamp(2 - exponent, 1, 3);
}

std::string percent(double fraction, bool sign) {
  const std::string text = number(100 * fraction, 1);
  return sign && text.front() != '-' && text != "0.0" ? fmt::format("+{}", text) : text;
}

std::string value_cell(const MetricSummary* m, Unit unit) {
  if (m == nullptr || m->n == 0) return "-";
  const double half_width = m->ci_lower <= m->ci_upper ? m->half_width() : kUndefined;
  double scale = 1;
  std::string_view suffix;
  int decimals = 1;
  if (unit == Unit::bytes) {
    // Decimal units, like the bandwidths in scenario files (1 GB = 10^9 bytes).
    constexpr std::pair<double, std::string_view> kUnits[] = {
        {1e12, " TB"}, {1e9, " GB"}, {1e6, " MB"}, {1e3, " kB"}};
    suffix = " B";
    decimals = 0;
    for (const auto& [size, name] : kUnits) {
      if (std::abs(m->mean) >= size) {
        scale = size;
        suffix = name;
        decimals = 1;
        break;
      }
    }
  } else {
    if (unit == Unit::seconds) suffix = " s";
    const bool exact = m->mean == std::round(m->mean) && !(half_width > 0);
    decimals = exact ? 0 : decimals_for(m->mean);
  }
  std::string text = fmt::format("{}{}", number(m->mean / scale, decimals), suffix);
  if (std::isfinite(half_width)) text += fmt::format(" ± {}", number(half_width / scale, decimals));
  return text;
}

std::string change_cell(const ComparisonSummary& c, bool higher_is_better, const Style& style) {
  if (!std::isfinite(c.relative_change)) return "n/a";
  std::string text = fmt::format("{}%", percent(c.relative_change, true));
  if (!(c.ci_lower <= c.ci_upper)) return text;  // one replication: no interval
  text += fmt::format(" [{}, {}]", percent(c.ci_lower, false), percent(c.ci_upper, false));
  if (c.ci_lower <= 0 && c.ci_upper >= 0) return style.dim(text);  // no significant change
  const bool better = (c.relative_change > 0) == higher_is_better;
  return better ? style.green(text) : style.red(text);
}

// Eighth blocks, so a bar resolves 1/240 of the scale.
std::string bar(double fraction) {
  static constexpr std::string_view kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  if (!(fraction > 0)) return {};
  const auto eighths = std::max<long>(1, std::lround(std::min(fraction, 1.0) * kBarCells * 8));
  std::string s;
  for (long i = 0; i < eighths / 8; ++i) s += "█";
  s += kEighths[eighths % 8];
  return s;
}

using Table = std::vector<std::vector<std::string>>;

void print_table(std::string& out, const Table& table) {
  std::vector<std::size_t> widths;
  for (const auto& row : table) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  for (const auto& row : table) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += kGap;
      line += pad_right(row[i], widths[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
}

const ComparisonSummary* find_comparison(const Summary& s, std::string_view baseline,
                                         std::string_view candidate, std::string_view metric) {
  for (const ComparisonSummary& c : s.comparisons) {
    if (c.baseline == baseline && c.candidate == candidate && c.metric == metric) return &c;
  }
  return nullptr;
}

bool any_variant_has(const Summary& s, std::string_view metric) {
  return std::any_of(s.variants.begin(), s.variants.end(),
                     [&](const VariantSummary& v) { return v.metric(metric) != nullptr; });
}

void metrics_table(std::string& out, const Summary& s, const Style& style) {
  // Each variant's column shows its change against the baseline of the first comparison that
  // has it as candidate; other comparisons are listed below the table.
  std::vector<std::string> baseline_of(s.variants.size());
  std::vector<bool> is_baseline(s.variants.size(), false);
  for (std::size_t j = 0; j < s.variants.size(); ++j) {
    for (const ComparisonSummary& c : s.comparisons) {
      if (c.candidate == s.variants[j].name) {
        baseline_of[j] = c.baseline;
        break;
      }
    }
  }
  for (std::size_t j = 0; j < s.variants.size(); ++j) {
    for (const std::string& b : baseline_of)
      is_baseline[j] = is_baseline[j] || b == s.variants[j].name;
  }

  Table table;
  std::vector<std::string> names = {""}, roles = {""};
  bool any_role = false;
  for (std::size_t j = 0; j < s.variants.size(); ++j) {
    names.push_back(style.bold(s.variants[j].name));
    std::string role;
    if (!baseline_of[j].empty()) {
      role = fmt::format("vs {}", baseline_of[j]);
    } else if (is_baseline[j]) {
      role = "baseline";
    }
    any_role = any_role || !role.empty();
    roles.push_back(style.dim(role));
  }
  table.push_back(names);
  if (any_role) table.push_back(roles);

  bool any_change = false;
  for (const MetricRow& row : kRows) {
    if (!any_variant_has(s, row.key)) continue;
    std::vector<std::string> values = {std::string(row.label)}, changes = {""};
    bool has_change = false;
    for (std::size_t j = 0; j < s.variants.size(); ++j) {
      values.push_back(value_cell(s.variants[j].metric(row.key), row.unit));
      const ComparisonSummary* c =
          baseline_of[j].empty() ? nullptr
                                 : find_comparison(s, baseline_of[j], s.variants[j].name, row.key);
      changes.push_back(c ? change_cell(*c, row.higher_is_better, style) : "");
      has_change = has_change || c != nullptr;
    }
    table.push_back(values);
    if (has_change) table.push_back(changes);
    any_change = any_change || has_change;
  }
  std::vector<std::string> stalled = {"stalled"};
  for (const VariantSummary& v : s.variants) {
    const std::string text = fmt::format("{} of {}", v.stalled, v.replications);
    stalled.push_back(v.stalled > 0 ? style.red(text) : text);
  }
  table.push_back(stalled);
  print_table(out, table);

  // Comparisons the columns could not show (a candidate with a second baseline).
  Table others;
  for (const ComparisonSummary& c : s.comparisons) {
    const auto column =
        std::find_if(s.variants.begin(), s.variants.end(),
                     [&](const VariantSummary& v) { return v.name == c.candidate; });
    const std::size_t j = static_cast<std::size_t>(column - s.variants.begin());
    if (j < s.variants.size() && baseline_of[j] == c.baseline) continue;
    for (const MetricRow& row : kRows) {
      if (row.key != c.metric) continue;
      others.push_back({fmt::format("{} vs {}", c.candidate, c.baseline), std::string(row.label),
                        change_cell(c, row.higher_is_better, style)});
    }
  }
  if (!others.empty()) {
    out += "\nalso compared:\n";
    for (auto& row : others) row.front() = fmt::format("  {}", row.front());
    print_table(out, others);
    any_change = true;
  }

  out += '\n';
  out += style.dim("± half-width of the 95% confidence interval over replications (Student t)");
  out += '\n';
  if (any_change) {
    out += style.dim(
        "changes: paired by replication (common random numbers), 95% interval in brackets");
    out += '\n';
  }
}

void stage_bars(std::string& out, const Summary& s, const Style& style) {
  if (s.stages.empty() || s.variants.empty()) return;
  double largest = 0;
  std::size_t name_width = 0;
  for (const model::Stage stage : s.stages) {
    name_width = std::max(name_width, model::to_string(stage).size());
  }
  std::size_t seconds_width = 0;
  for (const VariantSummary& v : s.variants) {
    for (const StageSummary& st : v.stages) {
      if (st.share > largest) largest = st.share;
      seconds_width = std::max(seconds_width, number(st.mean_seconds, 1).size());
    }
  }

  // The header names the in-place column only when some variant updated pods in place.
  bool in_place = false;
  for (const VariantSummary& v : s.variants) {
    for (const StageSummary& st : v.stages) {
      in_place = in_place || std::isfinite(st.in_place_critical_path_share);
    }
  }

  out += '\n';
  out += style.bold("where pod time goes");
  out += style.dim(
      in_place ? " (share of all stage time; pod-seconds per replication; share of new pods' "
                 "critical paths; share of in-place updates' critical paths)"
               : " (share of all stage time; pod-seconds per replication; share of new pods' "
                 "critical paths)");
  out += '\n';
  for (const VariantSummary& v : s.variants) {
    out += style.bold(v.name);
    out += '\n';
    for (const StageSummary& st : v.stages) {
      const std::string share =
          std::isfinite(st.share) ? fmt::format("{}%", percent(st.share, false)) : "-";
      const std::string seconds = std::isfinite(st.mean_seconds) ? number(st.mean_seconds, 1) : "-";
      const std::string on_path =
          std::isfinite(st.critical_path_share)
              ? fmt::format("{}% on path", percent(st.critical_path_share, false))
              : "";
      std::string line = fmt::format(
          "  {}  {}  {}  {} s  {}", pad_right(std::string(model::to_string(st.stage)), name_width),
          pad_right(style.cyan(bar(largest > 0 ? st.share / largest : 0)), kBarCells),
          pad_left(share, 6), pad_left(seconds, seconds_width), pad_left(on_path, 15));
      if (std::isfinite(st.in_place_critical_path_share)) {
        line += fmt::format("  {}",
                            pad_left(fmt::format("{}% in-place path",
                                                 percent(st.in_place_critical_path_share, false)),
                                     21));
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line;
      out += '\n';
    }
  }
}

}  // namespace

std::string terminal_report(const Summary& summary, bool colour) {
  const Style style(colour);
  std::string out = style.bold(summary.scenario.empty() ? "podsim" : summary.scenario);
  out += fmt::format(": {} replication{}, seed {}", summary.replications,
                     summary.replications == 1 ? "" : "s", summary.seed);
  if (!summary.file.empty()) out += fmt::format(" ({})", summary.file);
  out += "\n\n";
  if (summary.variants.empty()) {
    out += "no variants\n";
    return out;
  }
  metrics_table(out, summary, style);
  stage_bars(out, summary, style);
  return out;
}

}  // namespace podsim::report
