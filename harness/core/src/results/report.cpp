// `recbench report`: datasets x models tables of mean ± std over seeds in Markdown, LaTeX or CSV.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "recbench/core/eval/metric_registry.h"
#include "recbench/core/results/report.h"
#include "recbench/core/results/significance.h"
#include "recbench/detail/key_check.h"
#include "recbench/error.h"

namespace recbench {
namespace {

//! The seeds of one (dataset, model) summarised for one metric.
struct Summary {
  bool present = false;          //!< at least one cell exists
  int n = 0;                     //!< complete seeds that report the metric
  int failed = 0;                //!< failed seeds
  double mean = 0.0, std = 0.0;  //!< sample std (n - 1); 0 when n < 2
};

//! One model against the baseline on one dataset and metric: paired tests over test users (each
//! user's value averaged over the complete seeds), a paired t-test over seeds (seeds both ran),
//! a bootstrap interval of the mean difference; one-sided in the direction of the difference.
struct Tests {
  Alternative direction = Alternative::greater;  //!< the claim tested: above or below
  WilcoxonResult wilcoxon;
  PairedTResult t_users, t_seeds;
  BootstrapInterval difference;  //!< model - baseline, over users
  double wilcoxon_holm = std::numeric_limits<double>::quiet_NaN();  //!< Holm over the table
  double t_users_holm = std::numeric_limits<double>::quiet_NaN();
  std::string reason;  //!< why no per-user test (list/run metric, failed cells, ...), else ""
};

//! One table row: a dataset and a metric across models.
struct Row {
  std::string dataset;
  std::vector<Summary> cells;                      //!< one per model
  std::vector<bool> best;                          //!< bold
  std::vector<std::optional<double>> improvement;  //!< % over the baseline
  std::vector<std::optional<Tests>> tests;         //!< against the baseline (--baseline)
  bool mark_n = false;                             //!< models differ in their number of seeds
};

//! Cells grouped by dataset and model, both in order of first appearance.
struct Grid {
  std::vector<std::string> datasets, models, metrics;
  std::map<std::pair<std::string, std::string>, std::vector<const CellRecord*>> cells;
};

template <class T>
void add_unique(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

std::string join(const std::vector<std::string>& items) { return detail::join_keys(items, "", ""); }

//! The registry's entry for a stored metric name such as "Gini@10" (nullptr for other names).
const MetricInfo* registry_entry(const std::string& metric) {
  return find_metric(std::string_view(metric).substr(0, metric.find('@')));
}

//! Metrics where smaller is better (bold the minimum, improvement is a decrease); names the
//! registry does not know count as higher-is-better.
bool lower_is_better(const std::string& metric) {
  const MetricInfo* info = registry_entry(metric);
  return info != nullptr && !info->higher_is_better;
}

//! A requested name in the registry's spelling ("ndcg@10" -> "NDCG@10"); others unchanged.
std::string canonical_name(const std::string& metric) {
  const MetricInfo* info = registry_entry(metric);
  if (info == nullptr) return metric;
  const auto at = metric.find('@');
  return std::string(info->name) + (at == std::string::npos ? "" : metric.substr(at));
}

Grid make_grid(const std::vector<CellRecord>& cells, const ReportOptions& options) {
  Grid grid;
  std::vector<std::string> found;
  for (const CellRecord& cell : cells) {
    add_unique(grid.datasets, cell.dataset);
    add_unique(grid.models, cell.model);
    grid.cells[{cell.dataset, cell.model}].push_back(&cell);
    for (const auto& [metric, value] : cell.metrics) {
      add_unique(found, metric);
    }
  }
  for (const std::string& requested : options.metrics) {
    const std::string metric = canonical_name(requested);
    if (std::find(found.begin(), found.end(), metric) == found.end()) {
      throw ConfigError("report: metric '" + requested +
                        "' is not in the results (found: " + join(found) + ")");
    }
    grid.metrics.push_back(metric);
  }
  if (grid.metrics.empty()) grid.metrics = found;
  if (!options.baseline.empty() &&
      std::find(grid.models.begin(), grid.models.end(), options.baseline) == grid.models.end()) {
    throw ConfigError("report: baseline model '" + options.baseline +
                      "' is not in the results (models: " + join(grid.models) + ")");
  }
  return grid;
}

Summary summarise(const std::vector<const CellRecord*>& cells, const std::string& metric) {
  Summary s;
  s.present = !cells.empty();
  std::vector<double> values;
  for (const CellRecord* cell : cells) {
    if (cell->status != "complete") {
      ++s.failed;
      continue;
    }
    for (const auto& [name, value] : cell->metrics) {
      if (name == metric) {
        values.push_back(value);
      }
    }
  }
  s.n = static_cast<int>(values.size());
  if (s.n == 0) {
    return s;
  }
  for (double v : values) {
    s.mean += v;
  }
  s.mean /= s.n;
  if (s.n < 2) {
    return s;
  }
  double sum_sq = 0.0;
  for (double v : values) {
    sum_sq += (v - s.mean) * (v - s.mean);
  }
  s.std = std::sqrt(sum_sq / (s.n - 1));
  return s;
}

void mark_best(Row& row, const std::string& metric) {
  std::vector<size_t> with_values;
  for (size_t i = 0; i < row.cells.size(); ++i) {
    if (row.cells[i].n > 0) {
      with_values.push_back(i);
    }
  }
  if (with_values.size() < 2) {
    return;  // nothing to compare against
  }
  bool lower = lower_is_better(metric);
  double best = row.cells[with_values.front()].mean;
  for (size_t i : with_values) {
    best = lower ? std::min(best, row.cells[i].mean) : std::max(best, row.cells[i].mean);
  }
  for (size_t i : with_values) {
    row.best[i] = row.cells[i].mean == best;
  }
  for (size_t i : with_values) {
    if (row.cells[i].n != row.cells[with_values.front()].n) {
      row.mark_n = true;
    }
  }
}

//! (name, K) of a stored metric that has a value per test user (a rank metric at a K, not
//! ValidHR, whose invalid rows are not users' values); nullopt otherwise.
std::optional<std::pair<std::string, int64_t>> per_user_metric(const std::string& metric) {
  const MetricInfo* info = registry_entry(metric);
  const auto at = metric.find('@');
  if (info == nullptr || info->kind != MetricKind::rank || info->candidates_only ||
      at == std::string::npos) {
    return std::nullopt;
  }
  return std::pair(std::string(info->name), std::stoll(metric.substr(at + 1)));
}

//! Each test user's value of `metric` averaged over the complete seeds, and each seed's mean;
//! nullopt with a reason when the metric has no per-user value or the cells disagree on users.
struct PerUser {
  std::vector<double> values;            //!< per test example, mean over seeds
  std::map<int64_t, double> seed_means;  //!< seed -> the metric's value
  std::string reason;
};

PerUser per_user(const std::vector<const CellRecord*>& cells, const std::string& metric,
                 TiePolicy ties) {
  PerUser out;
  const auto rank = per_user_metric(metric);
  if (!rank) {
    out.reason = "no per-user values for " + metric;
    return out;
  }
  int seeds = 0;
  for (const CellRecord* cell : cells) {
    if (cell->status != "complete") continue;
    const auto v =
        rank_metric_values(rank->first, rank->second, cell->rank_greater, cell->rank_ties, ties);
    if (seeds > 0 && v.size() != out.values.size()) {
      out.reason = "seeds have different test sets";
      return out;
    }
    if (seeds == 0) out.values.assign(v.size(), 0.0);
    for (size_t i = 0; i < v.size(); ++i) out.values[i] += v[i];
    double sum = 0.0;
    for (double x : v) sum += x;
    out.seed_means[cell->seed] = v.empty() ? 0.0 : sum / static_cast<double>(v.size());
    ++seeds;
  }
  if (seeds == 0) out.reason = "no complete seed";
  for (double& x : out.values) x /= std::max(seeds, 1);
  return out;
}

Tests test_against(const std::vector<const CellRecord*>& model,
                   const std::vector<const CellRecord*>& base, const std::string& metric,
                   TiePolicy ties, bool lower_better, double model_mean, double base_mean) {
  Tests t;
  const bool above = model_mean >= base_mean;
  t.direction = above ? Alternative::greater : Alternative::less;
  const PerUser m = per_user(model, metric, ties), b = per_user(base, metric, ties);
  t.reason = !m.reason.empty() ? m.reason : b.reason;
  if (t.reason.empty() && m.values.size() != b.values.size()) {
    t.reason = "the model and the baseline have different test sets";
  }
  if (!t.reason.empty()) return t;
  (void)lower_better;  // the direction is the observed one, whichever way is better
  t.wilcoxon = wilcoxon_signed_rank(m.values, b.values, t.direction);
  t.t_users = paired_t_test(m.values, b.values, t.direction);
  t.difference = bootstrap_mean_difference_ci(m.values, b.values, 0.95, 1000, 0);
  std::vector<double> ms, bs;  // seeds both ran, paired by seed
  for (const auto& [seed, value] : m.seed_means) {
    if (auto it = b.seed_means.find(seed); it != b.seed_means.end()) {
      ms.push_back(value);
      bs.push_back(it->second);
    }
  }
  t.t_seeds = paired_t_test(ms, bs, t.direction);
  return t;
}

Row make_row(const Grid& grid, const std::string& dataset, const std::string& metric,
             const std::string& baseline, TiePolicy ties) {
  Row row;
  row.dataset = dataset;
  for (const std::string& model : grid.models) {
    auto it = grid.cells.find({dataset, model});
    row.cells.push_back(it == grid.cells.end() ? Summary{} : summarise(it->second, metric));
  }
  row.best.assign(row.cells.size(), false);
  row.improvement.assign(row.cells.size(), std::nullopt);
  row.tests.assign(row.cells.size(), std::nullopt);
  mark_best(row, metric);
  auto base_it = std::find(grid.models.begin(), grid.models.end(), baseline);
  if (baseline.empty() || base_it == grid.models.end()) {
    return row;
  }
  const Summary& base = row.cells[static_cast<size_t>(base_it - grid.models.begin())];
  if (base.n == 0) {
    return row;
  }
  double sign = lower_is_better(metric) ? -1.0 : 1.0;
  const auto& base_cells = grid.cells.at({dataset, baseline});
  for (size_t i = 0; i < row.cells.size(); ++i) {
    if (grid.models[i] != baseline && row.cells[i].n > 0) {
      if (base.mean != 0.0) {
        row.improvement[i] = sign * (row.cells[i].mean - base.mean) / std::abs(base.mean) * 100.0;
      }
      row.tests[i] = test_against(grid.cells.at({dataset, grid.models[i]}), base_cells, metric,
                                  ties, lower_is_better(metric), row.cells[i].mean, base.mean);
    }
  }
  return row;
}

//! recbench's summary of one published value and what the difference means.
struct Comparison {
  const PublishedValue* ref = nullptr;
  Summary ours;
  double se = 0.0;     //!< standard error of the mean over test users (rank metrics), else 0
  double noise = 0.0;  //!< 2 sqrt(std^2 + se^2)
  std::string verdict;
};

//! Mean over complete seeds of the standard error of a rank metric's mean over test examples;
//! 0 for metrics that are not per-example (list and run metrics, ValidHR).
double per_user_standard_error(const std::vector<const CellRecord*>& cells,
                               const std::string& metric, TiePolicy ties) {
  const auto rank = per_user_metric(metric);
  if (!rank) return 0.0;
  double sum = 0.0;
  int seeds = 0;
  for (const CellRecord* cell : cells) {
    if (cell->status != "complete" || cell->rank_greater.size() < 2) continue;
    const auto v =
        rank_metric_values(rank->first, rank->second, cell->rank_greater, cell->rank_ties, ties);
    const double n = static_cast<double>(v.size());
    double mean = 0.0, sq = 0.0;
    for (double x : v) mean += x / n;
    for (double x : v) sq += (x - mean) * (x - mean);
    sum += std::sqrt(sq / (n - 1.0) / n);
    ++seeds;
  }
  return seeds > 0 ? sum / seeds : 0.0;
}

std::vector<Comparison> compare(const Grid& grid, const ReportOptions& options) {
  std::vector<Comparison> out;
  for (const PublishedValue& ref : options.references) {
    // With --metric, only the selected metrics.
    if (!options.metrics.empty() &&
        std::find(grid.metrics.begin(), grid.metrics.end(), ref.metric) == grid.metrics.end()) {
      continue;
    }
    Comparison c;
    c.ref = &ref;
    auto it = grid.cells.find({ref.dataset, ref.model});
    if (it != grid.cells.end()) {
      c.ours = summarise(it->second, ref.metric);
      c.se = per_user_standard_error(it->second, ref.metric, options.ties);
    }
    c.noise = 2.0 * std::sqrt(c.ours.std * c.ours.std + c.se * c.se);
    const double diff = c.ours.mean - ref.value;
    if (c.ours.n == 0) {
      c.verdict = c.ours.failed > 0 ? "failed" : "not run";
    } else if (std::abs(diff) <= c.noise) {
      c.verdict = "within noise";
    } else {
      c.verdict = diff > 0 ? "above" : "below";
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string fixed(double value, const char* format) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

//! Decorations that differ between Markdown and LaTeX.
struct Style {
  std::string bold_open, bold_close, plus_minus, percent, missing;
  std::string (*escape)(const std::string&);
  std::string dagger = "†";  //!< significant difference from the baseline
};

std::string escape_markdown(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c == '|' ? std::string("\\|") : std::string(1, c);
  }
  return out;
}

std::string escape_latex(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '_':
      case '%':
      case '&':
      case '$':
      case '#':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const Style kMarkdown{"**", "**", " ± ", "%", "-", escape_markdown};
const Style kHtml{"<b>", "</b>", " ± ", "%", "–", escape_html};
const Style kLatex{"\\textbf{", "}", " $\\pm$ ", "\\%", "--", escape_latex, "$^{\\dagger}$"};

constexpr double kAlpha = 0.05;

//! Holm's correction over every valid per-user test of one table (all datasets and models).
void adjust_table(std::vector<Row>& rows) {
  // test(t) -> (valid, p); adjusted(t) -> where the Holm-adjusted p goes.
  const auto adjust = [&](auto test, auto adjusted) {
    std::vector<double> p;
    std::vector<Tests*> owners;
    for (Row& row : rows) {
      for (auto& t : row.tests) {
        if (!t || !t->reason.empty() || !test(*t).first) continue;
        p.push_back(test(*t).second);
        owners.push_back(&*t);
      }
    }
    const auto holm_p = holm(p);
    for (size_t i = 0; i < owners.size(); ++i) adjusted(*owners[i]) = holm_p[i];
  };
  adjust([](const Tests& t) { return std::pair(t.wilcoxon.valid, t.wilcoxon.p_value); },
         [](Tests& t) -> double& { return t.wilcoxon_holm; });
  adjust([](const Tests& t) { return std::pair(t.t_users.valid, t.t_users.p_value); },
         [](Tests& t) -> double& { return t.t_users_holm; });
}

//! The legend of the markers, and why a test is missing where it is.
std::string test_legend(const std::vector<Row>& rows, const std::vector<std::string>& models,
                        const std::string& baseline, const Style& style) {
  std::string out = style.dagger + " the difference from " + style.escape(baseline) +
                    " is significant at " + fixed(kAlpha, "%.2f") +
                    ": one-sided Wilcoxon signed-rank test over test users (each user's value "
                    "averaged over seeds), Holm-adjusted over this table.";
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.tests.size(); ++i) {
      if (!row.tests[i]) continue;
      const Tests& t = *row.tests[i];
      const std::string why = !t.reason.empty()   ? t.reason
                              : !t.wilcoxon.valid ? t.wilcoxon.reason
                                                  : "";
      if (!why.empty()) {
        out += " No test for " + style.escape(row.dataset) + " / " + style.escape(models[i]) +
               ": " + style.escape(why) + ".";
      }
    }
  }
  return out;
}

std::string cell_text(const Row& row, size_t i, const Style& style) {
  const Summary& s = row.cells[i];
  if (!s.present) {
    return style.missing;
  }
  if (s.n == 0) {
    return s.failed > 0 ? "failed" : style.missing;
  }
  std::string mean = fixed(s.mean, "%.4f");
  std::string text = row.best[i] ? style.bold_open + mean + style.bold_close : mean;
  if (row.tests[i] && row.tests[i]->wilcoxon_holm < kAlpha) text += style.dagger;
  if (s.n > 1) {
    text += style.plus_minus + fixed(s.std, "%.4f");
  }
  std::vector<std::string> notes;
  if (row.mark_n) {
    notes.push_back("n=" + std::to_string(s.n));
  }
  if (s.failed > 0) {
    notes.push_back(std::to_string(s.failed) + " failed");
  }
  if (!notes.empty()) {
    text += " (" + join(notes) + ")";
  }
  if (row.improvement[i]) {
    text += " (" + fixed(*row.improvement[i], "%+.2f") + style.percent + ")";
  }
  return text;
}

std::string render_markdown(const Grid& grid, const std::vector<std::vector<Row>>& tables,
                            const ReportOptions& options) {
  std::ostringstream out;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (t > 0) {
      out << "\n";
    }
    out << "### " << escape_markdown(grid.metrics[t]) << "\n\n| Dataset |";
    for (const std::string& model : grid.models) {
      out << " " << escape_markdown(model) << " |";
    }
    out << "\n| --- |";
    for (size_t i = 0; i < grid.models.size(); ++i) {
      out << " ---: |";
    }
    out << "\n";
    for (const Row& row : tables[t]) {
      out << "| " << escape_markdown(row.dataset) << " |";
      for (size_t i = 0; i < row.cells.size(); ++i) {
        out << " " << cell_text(row, i, kMarkdown) << " |";
      }
      out << "\n";
    }
    if (!options.baseline.empty()) {
      out << "\nIn parentheses: relative improvement over " << escape_markdown(options.baseline)
          << " in %. " << test_legend(tables[t], grid.models, options.baseline, kMarkdown) << "\n";
    }
  }
  return out.str();
}

std::string render_latex(const Grid& grid, const std::vector<std::vector<Row>>& tables,
                         const ReportOptions& options) {
  std::ostringstream out;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (t > 0) {
      out << "\n";
    }
    out << "\\begin{table}[t]\n  \\centering\n  \\caption{" << escape_latex(grid.metrics[t])
        << ": mean $\\pm$ std over seeds";
    if (!options.baseline.empty()) {
      out << "; in parentheses the relative improvement over " << escape_latex(options.baseline)
          << " in \\%. " << test_legend(tables[t], grid.models, options.baseline, kLatex);
    }
    out << ".}\n  \\begin{tabular}{l" << std::string(grid.models.size(), 'r') << "}\n"
        << "    \\toprule\n    Dataset";
    for (const std::string& model : grid.models) {
      out << " & " << escape_latex(model);
    }
    out << " \\\\\n    \\midrule\n";
    for (const Row& row : tables[t]) {
      out << "    " << escape_latex(row.dataset);
      for (size_t i = 0; i < row.cells.size(); ++i) {
        out << " & " << cell_text(row, i, kLatex);
      }
      out << " \\\\\n";
    }
    out << "    \\bottomrule\n  \\end{tabular}\n\\end{table}\n";
  }
  return out.str();
}

constexpr const char* kNoiseRule =
    "within noise: |difference| <= 2 sqrt(s^2 + se^2), s = std over seeds, se = standard error of "
    "the mean over test users (rank metrics; 0 otherwise)";

//! The published-number table: recbench's mean ± std, the published value, the difference.
std::string render_comparisons(const std::vector<Comparison>& comparisons, const Style& style,
                               bool latex) {
  if (comparisons.empty()) return {};
  std::ostringstream out;
  const char* sep = latex ? " & " : " | ";
  if (latex) {
    out << "\\begin{table}[t]\n  \\centering\n  \\caption{recbench (mean $\\pm$ std over seeds) "
           "against published numbers; "
        << escape_latex(kNoiseRule) << ".}\n  \\begin{tabular}{llllrrrl}\n    \\toprule\n"
        << "    Dataset & Model & Metric & Source & recbench & Published & Difference & Verdict "
           "\\\\\n    \\midrule\n";
  } else {
    out << "\n### Published numbers\n\n| Dataset | Model | Metric | Source | recbench | Published "
           "| Difference | Verdict |\n| --- | --- | --- | --- | ---: | ---: | ---: | --- |\n";
  }
  for (const Comparison& c : comparisons) {
    const PublishedValue& r = *c.ref;
    std::string ours = style.missing;
    std::string diff = style.missing;
    if (c.ours.n > 0) {
      ours = fixed(c.ours.mean, "%.4f") + style.plus_minus + fixed(c.ours.std, "%.4f") +
             " (n=" + std::to_string(c.ours.n) + ")";
      diff = fixed(c.ours.mean - r.value, "%+.4f");
      if (r.value != 0.0) {
        diff += " (" + fixed((c.ours.mean - r.value) / std::abs(r.value) * 100.0, "%+.1f") +
                style.percent + ")";
      }
    }
    std::string verdict = c.verdict;
    if (c.ours.n > 0) verdict += " (" + style.plus_minus.substr(1) + fixed(c.noise, "%.4f") + ")";
    out << (latex ? "    " : "| ") << style.escape(r.dataset) << sep << style.escape(r.model) << sep
        << style.escape(r.metric) << sep << style.escape(r.source) << sep << ours << sep
        << fixed(r.value, "%.4f") << sep << diff << sep << verdict << (latex ? " \\\\\n" : " |\n");
  }
  if (latex) {
    out << "    \\bottomrule\n  \\end{tabular}\n\\end{table}\n";
  } else {
    out << "\nVerdict " << kNoiseRule << ".\n";
  }
  return out.str();
}

//! Shortest decimal text that reads back to the same double (no rounding).
std::string exact(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    return text;
  }
  std::string out = "\"";
  for (char c : text) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

//! The test columns of one cell (empty for the baseline and for cells without values).
std::string csv_tests(const std::optional<Tests>& tests) {
  if (!tests) return std::string(18, ',');
  const Tests& t = *tests;
  const auto number = [](bool valid, double v) {
    return valid ? "," + exact(v) : std::string(",");
  };
  std::string note = t.reason;
  if (note.empty() && !t.wilcoxon.valid) note = t.wilcoxon.reason;
  if (note.empty()) note = t.wilcoxon.note;
  if (note.empty() && !t.t_seeds.valid) note = "seeds: " + t.t_seeds.reason;
  const bool w = t.reason.empty() && t.wilcoxon.valid, tu = t.reason.empty() && t.t_users.valid;
  const bool d = t.reason.empty() && t.difference.valid;
  return "," + std::string(kAlternatives(t.direction)) + number(w, t.wilcoxon.statistic) + "," +
         (w ? std::string(kWilcoxonMethods(t.wilcoxon.method)) : "") +
         number(w, t.wilcoxon.p_value) + number(w, t.wilcoxon_holm) +
         number(w, t.wilcoxon.rank_biserial) + number(tu, t.t_users.t) +
         number(tu, t.t_users.p_value) + number(tu, t.t_users_holm) +
         number(tu, t.t_users.cohens_dz) + number(t.t_seeds.valid, t.t_seeds.t) + "," +
         std::to_string(t.t_seeds.n) + number(t.t_seeds.valid, t.t_seeds.p_value) +
         number(d, t.difference.estimate) + number(d, t.difference.lower) +
         number(d, t.difference.upper) + "," + csv_field(note);
}

//! The comparison for (metric, dataset, model), or null.
const Comparison* find_comparison(const std::vector<Comparison>& comparisons,
                                  const std::string& metric, const std::string& dataset,
                                  const std::string& model) {
  for (const Comparison& c : comparisons) {
    if (c.ref->metric == metric && c.ref->dataset == dataset && c.ref->model == model) return &c;
  }
  return nullptr;
}

std::string render_csv(const Grid& grid, const std::vector<std::vector<Row>>& tables,
                       const std::vector<Comparison>& comparisons, const ReportOptions& options) {
  std::ostringstream out;
  out << "metric,dataset,model,mean,std,n,failed,best";
  if (!options.baseline.empty()) {
    out << ",improvement_pct,direction,wilcoxon_statistic,wilcoxon_method,wilcoxon_p,"
           "wilcoxon_p_holm,rank_biserial,t_users,t_users_p,t_users_p_holm,cohens_dz,t_seeds,"
           "t_seeds_n,t_seeds_p,difference,difference_ci_low,difference_ci_high,test_note";
  }
  if (!comparisons.empty()) {
    out << ",published,published_source,published_difference,noise,verdict";
  }
  out << "\n";
  for (size_t t = 0; t < tables.size(); ++t) {
    for (const Row& row : tables[t]) {
      for (size_t i = 0; i < row.cells.size(); ++i) {
        const Summary& s = row.cells[i];
        if (!s.present) {
          continue;
        }
        out << csv_field(grid.metrics[t]) << "," << csv_field(row.dataset) << ","
            << csv_field(grid.models[i]) << "," << (s.n > 0 ? exact(s.mean) : "") << ","
            << (s.n > 1 ? exact(s.std) : "") << "," << s.n << "," << s.failed << ","
            << (row.best[i] ? 1 : 0);
        if (!options.baseline.empty()) {
          out << "," << (row.improvement[i] ? exact(*row.improvement[i]) : "");
          out << csv_tests(row.tests[i]);
        }
        if (!comparisons.empty()) {
          const Comparison* c =
              find_comparison(comparisons, grid.metrics[t], row.dataset, grid.models[i]);
          if (c == nullptr) {
            out << ",,,,,";
          } else {
            out << "," << exact(c->ref->value) << "," << csv_field(c->ref->source) << ","
                << (s.n > 0 ? exact(s.mean - c->ref->value) : "") << "," << exact(c->noise) << ","
                << csv_field(c->verdict);
          }
        }
        out << "\n";
      }
    }
  }
  return out.str();
}

std::string failed_list(const std::vector<CellRecord>& cells, const std::string& prefix);

constexpr const char* kHtmlStyle =
    "body{font-family:sans-serif;max-width:75em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{border-bottom:1px solid #ccc;padding:.25em .75em;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    "pre{background:#f6f6f6;padding:.75em;overflow-x:auto}figure{margin:1em 0}"
    "figure svg{max-width:100%;height:auto}.failed{color:#b00}";

void html_table(std::ostringstream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  out << "<table>\n<tr>";
  for (const auto& h : header) out << "<th>" << escape_html(h) << "</th>";
  out << "</tr>\n";
  for (const auto& row : rows) {
    out << "<tr>";
    for (const auto& cell : row) out << "<td>" << cell << "</td>";
    out << "</tr>\n";
  }
  out << "</table>\n";
}

//! One self-contained page: no script or style from elsewhere, figures inline, so it opens
//! offline. The closing script counts the table cells the browser laid out (a test reads it).
std::string render_html(const Grid& grid, const std::vector<std::vector<Row>>& tables,
                        const std::vector<Comparison>& comparisons,
                        const std::vector<CellRecord>& cells, const ReportOptions& options) {
  std::ostringstream out;
  const RunInfo* run = options.run;
  const std::string name = run != nullptr ? run->experiment_name : "results";
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>recbench "
         "report: "
      << escape_html(name) << "</title>\n<style>" << kHtmlStyle << "</style>\n</head>\n<body>\n"
      << "<h1>recbench report: " << escape_html(name) << "</h1>\n";
  for (size_t t = 0; t < tables.size(); ++t) {
    std::vector<std::string> header{"Dataset"};
    header.insert(header.end(), grid.models.begin(), grid.models.end());
    std::vector<std::vector<std::string>> rows;
    for (const Row& row : tables[t]) {
      std::vector<std::string>& r = rows.emplace_back();
      r.push_back(escape_html(row.dataset));
      for (size_t i = 0; i < row.cells.size(); ++i) r.push_back(cell_text(row, i, kHtml));
    }
    out << "<h2>" << escape_html(grid.metrics[t]) << "</h2>\n";
    html_table(out, header, rows);
  }
  out << "<p>Mean ± sample standard deviation over seeds; the best model of each dataset in "
         "bold (in the metric's direction)";
  if (!options.baseline.empty()) {
    out << "; in parentheses the relative improvement over " << escape_html(options.baseline)
        << " in %";
  }
  out << ".</p>\n";
  if (!options.baseline.empty()) {
    for (size_t t = 0; t < tables.size(); ++t) {
      out << "<p>" << escape_html(grid.metrics[t]) << ": "
          << test_legend(tables[t], grid.models, options.baseline, kHtml) << "</p>\n";
    }
  }
  if (!comparisons.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const Comparison& c : comparisons) {
      const PublishedValue& r = *c.ref;
      const bool have = c.ours.n > 0;
      rows.push_back(
          {escape_html(r.dataset), escape_html(r.model), escape_html(r.metric),
           escape_html(r.source),
           have ? fixed(c.ours.mean, "%.4f") + " ± " + fixed(c.ours.std, "%.4f") +
                      " (n=" + std::to_string(c.ours.n) + ")"
                : "–",
           fixed(r.value, "%.4f"), have ? fixed(c.ours.mean - r.value, "%+.4f") : "–",
           escape_html(c.verdict) + (have ? " (± " + fixed(c.noise, "%.4f") + ")" : "")});
    }
    out << "<h2>Published numbers</h2>\n";
    html_table(
        out,
        {"Dataset", "Model", "Metric", "Source", "recbench", "Published", "Difference", "Verdict"},
        rows);
    out << "<p>Verdict " << escape_html(kNoiseRule) << ".</p>\n";
  }
  const std::string failures = failed_list(cells, "");
  if (!failures.empty()) {
    out << "<h2 class=\"failed\">Failed cells</h2>\n<pre>" << escape_html(failures) << "</pre>\n";
  }
  for (const auto& [caption, svg] : options.figures) {
    out << "<figure>" << svg << "<figcaption>" << escape_html(caption)
        << "</figcaption></figure>\n";
  }
  if (run != nullptr) {
    out << "<h2>Environment</h2>\n";
    html_table(
        out, {"", ""},
        {{"recbench", escape_html(run->recbench_version)},
         {"git revision", escape_html(run->git_revision)},
         {"LibTorch", escape_html(run->torch_version)},
         {"device", escape_html(run->device)},
         {"started", escape_html(run->start_time)},
         {"finished", escape_html(run->end_time.empty() ? "(not finished)" : run->end_time)}});
    out << "<h2>Experiment</h2>\n<pre>" << escape_html(run->experiment_toml) << "</pre>\n";
  }
  out << "<script>document.body.dataset.renderedCells = String(Array.from("
         "document.querySelectorAll('td')).filter(c => c.getClientRects().length > 0).length);"
         "</script>\n</body>\n</html>\n";
  return out.str();
}

//! "dataset / model / seed s: first line of the error" for every failed cell, each after `prefix`.
std::string failed_list(const std::vector<CellRecord>& cells, const std::string& prefix) {
  const size_t max_error = 200;
  std::string out;
  for (const CellRecord& cell : cells) {
    if (cell.status == "complete") {
      continue;
    }
    std::string error = cell.error.substr(0, cell.error.find_first_of("\r\n"));
    if (error.size() > max_error) {
      error.resize(max_error);
      error += "...";
    }
    out += prefix + cell.dataset + " / " + cell.model + " / seed " + std::to_string(cell.seed) +
           ": " + (error.empty() ? cell.status : error) + "\n";
  }
  return out;
}

}  // namespace

namespace {

//! Under the tables of a report that was allowed to mix devices: which cells ran where.
std::string device_note(const std::vector<CellRecord>& cells, const std::string& prefix) {
  const auto groups = device_groups(cells);
  if (groups.size() < 2) return "";
  std::string text = prefix + "Cells of several devices or precisions (--allow-mixed-devices):\n";
  for (const auto& [group, names] : groups) {
    text += prefix + "  " + group + ": " + std::to_string(names.size()) + " cell(s)\n";
  }
  return text;
}

//! Under the tables: a model's cells on one dataset that ran with different settings (one seed
//! capped at fewer epochs, say), whose mean over seeds mixes them.
std::string settings_note(const std::vector<CellRecord>& cells, const std::string& prefix) {
  std::map<std::pair<std::string, std::string>, const CellRecord*> first;
  std::string lines;
  for (const CellRecord& c : cells) {
    if (c.status != "complete" || c.config_toml.empty()) continue;
    auto [it, added] = first.emplace(std::make_pair(c.dataset, c.model), &c);
    if (added) continue;
    const auto changes = changed_settings(it->second->config_toml, c.config_toml,
                                          "in seed " + std::to_string(it->second->seed),
                                          "in seed " + std::to_string(c.seed));
    if (changes.empty()) continue;
    lines += fmt::format("{}  {} / {}: {}\n", prefix, c.dataset, c.model, fmt::join(changes, "; "));
  }
  if (lines.empty()) return "";
  return prefix + "Cells of one model that ran with different settings (their mean mixes them):\n" +
         lines;
}

}  // namespace

std::string render_report(const std::vector<CellRecord>& cells, const ReportOptions& options) {
  if (!options.allow_mixed_devices) require_one_device(cells, "report");
  Grid grid = make_grid(cells, options);
  const std::vector<Comparison> comparisons = compare(grid, options);
  std::vector<std::vector<Row>> tables;
  for (const std::string& metric : grid.metrics) {
    std::vector<Row>& rows = tables.emplace_back();
    for (const std::string& dataset : grid.datasets) {
      rows.push_back(make_row(grid, dataset, metric, options.baseline, options.ties));
    }
    adjust_table(rows);
  }
  switch (options.format) {
    case ReportFormat::markdown: {
      std::string failures = failed_list(cells, "- ");
      std::string text = render_markdown(grid, tables, options) +
                         render_comparisons(comparisons, kMarkdown, false) +
                         device_note(cells, "") + settings_note(cells, "");
      if (failures.empty()) {
        return text;
      }
      return text + (text.empty() ? "" : "\n") + "Failed cells:\n\n" + failures;
    }
    case ReportFormat::latex:
      return render_latex(grid, tables, options) + render_comparisons(comparisons, kLatex, true) +
             device_note(cells, "% ") + settings_note(cells, "% ") +
             failed_list(cells, "% failed: ");
    case ReportFormat::csv:
      return render_csv(grid, tables, comparisons, options);
    case ReportFormat::html:
      return render_html(grid, tables, comparisons, cells, options);
  }
  return {};
}

ReportFormat parse_report_format(const std::string& name) {
  if (name == "markdown") return ReportFormat::markdown;
  if (name == "tex") return ReportFormat::latex;
  return kReportFormats.parse(name);
}

}  // namespace recbench
