// report --baseline: paired tests recomputed from the stored ranks, Holm over the table, markers
// and their legend, the CSV test table, and no p-value where a test cannot be made.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"

namespace recbench {
namespace {

//! A complete cell whose i-th test user's target has `greater[i]` items above it (no ties).
CellRecord ranked(const std::string& model, int64_t seed, std::vector<int64_t> greater) {
  CellRecord c;
  c.dataset = "d";
  c.model = c.plugin = model;
  c.seed = seed;
  double hits = 0;
  for (int64_t g : greater) hits += g < 10 ? 1 : 0;
  c.metrics = {{"HR@10", hits / static_cast<double>(greater.size())}, {"Coverage@10", 0.5}};
  c.rank_ties.assign(greater.size(), 0);
  c.rank_greater = std::move(greater);
  for (size_t i = 0; i < c.rank_greater.size(); ++i) c.users.push_back(static_cast<int64_t>(i));
  return c;
}

//! 40 users: "good" hits 30 of them, "base" 10, "same" exactly the base's ranks.
std::vector<CellRecord> cells() {
  std::vector<CellRecord> out;
  for (int64_t seed : {1, 2}) {
    std::vector<int64_t> good(40, 50), base(40, 50);
    for (int i = 0; i < 30; ++i) good[static_cast<size_t>(i)] = i % 10;
    for (int i = 0; i < 10; ++i) base[static_cast<size_t>(i)] = i;
    out.push_back(ranked("base", seed, base));
    out.push_back(ranked("good", seed, good));
    out.push_back(ranked("same", seed, base));
  }
  return out;
}

std::string render(ReportFormat format, const std::string& metric) {
  ReportOptions o;
  o.format = format;
  o.metrics = {metric};
  o.baseline = "base";
  return render_report(cells(), o);
}

//! The value of `column` in the CSV row of `model`.
std::string csv_value(const std::string& csv, const std::string& model, const std::string& column) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < csv.size()) {
    const size_t end = csv.find('\n', start);
    std::vector<std::string>& row = rows.emplace_back();
    std::string line = csv.substr(start, end - start), field;
    for (char c : line + ",") {
      if (c == ',') {
        row.push_back(field);
        field.clear();
      } else {
        field += c;
      }
    }
    start = end + 1;
  }
  size_t col = 0;
  while (col < rows[0].size() && rows[0][col] != column) ++col;
  for (const auto& row : rows) {
    if (row.size() > 2 && row[2] == model) return row.at(col);
  }
  return "(no row)";
}

TEST(ReportSignificance, AClearGainIsSignificantAndMarked) {
  const std::string csv = render(ReportFormat::csv, "HR@10");
  EXPECT_EQ(csv_value(csv, "good", "direction"), "greater");
  // 20 users hit only with "good": differences +1 on 20 users, 0 on 20 (dropped): the normal
  // approximation (zeros present) with all ranks tied; r+ = 210 of 210.
  EXPECT_EQ(csv_value(csv, "good", "wilcoxon_method"), "approx");
  EXPECT_EQ(csv_value(csv, "good", "wilcoxon_statistic"), "210");
  EXPECT_LT(std::stod(csv_value(csv, "good", "wilcoxon_p")), 1e-4);
  EXPECT_EQ(csv_value(csv, "good", "rank_biserial"), "1");
  EXPECT_EQ(csv_value(csv, "good", "difference"), "0.5");
  EXPECT_LT(std::stod(csv_value(csv, "good", "difference_ci_low")), 0.5);
  EXPECT_GT(std::stod(csv_value(csv, "good", "difference_ci_high")), 0.5);
  EXPECT_EQ(csv_value(csv, "good", "t_seeds_n"), "2");
  const std::string md = render(ReportFormat::markdown, "HR@10");
  EXPECT_NE(md.find("**0.7500**†"), std::string::npos) << md;
  EXPECT_NE(md.find("† the difference from base is significant at 0.05"), std::string::npos) << md;
  EXPECT_NE(render(ReportFormat::latex, "HR@10").find("$^{\\dagger}$"), std::string::npos);
}

TEST(ReportSignificance, NoPValueIsInventedWhereNoTestApplies) {
  const std::string csv = render(ReportFormat::csv, "HR@10");
  EXPECT_EQ(csv_value(csv, "same", "wilcoxon_p"), "");
  EXPECT_NE(csv_value(csv, "same", "test_note").find("zero"), std::string::npos);
  const std::string md = render(ReportFormat::markdown, "HR@10");
  EXPECT_NE(md.find("No test for d / same"), std::string::npos) << md;
  EXPECT_EQ(md.find("0.2500†"), std::string::npos) << md;
  // A list metric has no per-user values: stated, not tested.
  const std::string coverage = render(ReportFormat::csv, "Coverage@10");
  EXPECT_EQ(csv_value(coverage, "good", "wilcoxon_p"), "");
  EXPECT_NE(csv_value(coverage, "good", "test_note").find("no per-user values"), std::string::npos);
}

TEST(ReportSignificance, HolmAdjustsOverTheWholeTable) {
  const std::string csv = render(ReportFormat::csv, "HR@10");
  // Only one valid test in the table ("same" has none): Holm leaves its p unchanged.
  EXPECT_EQ(csv_value(csv, "good", "wilcoxon_p_holm"), csv_value(csv, "good", "wilcoxon_p"));
}

}  // namespace
}  // namespace recbench
