// render_report with [[reference]] values: the "Published numbers" table (recbench mean ± std,
// the published value, the difference and a verdict against seed and per-user noise) in
// Markdown and LaTeX, and the extra CSV columns.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"

namespace recbench {
namespace {

//! A complete sasrec cell on lastfm: 100 test users, the first `hits` ranked first; users
//! hits..hits+tied-1 tie with one other item at the top (a hit only under optimistic ties).
CellRecord sasrec(int64_t seed, int hits, int tied) {
  CellRecord c;
  c.dataset = "lastfm";
  c.model = "sasrec";
  c.plugin = "sasrec";
  c.seed = seed;
  for (int u = 0; u < 100; ++u) {
    c.users.push_back(u);
    c.rank_greater.push_back(u < hits + tied ? 0 : 5);
    c.rank_ties.push_back(u >= hits && u < hits + tied ? 1 : 0);
  }
  c.metrics = {{"HR@1", static_cast<double>(hits) / 100.0}};  // pessimistic, as stored
  return c;
}

CellRecord simple(const std::string& model, int64_t seed, double hr) {
  CellRecord c;
  c.dataset = "lastfm";
  c.model = model;
  c.plugin = model;
  c.seed = seed;
  c.metrics = {{"HR@1", hr}};
  return c;
}

CellRecord failed(const std::string& model, int64_t seed) {
  CellRecord c = simple(model, seed, 0.0);
  c.metrics.clear();
  c.status = "failed";
  c.error = "out of memory";
  return c;
}

//! sasrec HR@1 0.40 and 0.50 (mean 0.45, std 0.0707); gru4rec failed twice; pop 0.1 once.
std::vector<CellRecord> cells() {
  return {sasrec(1, 40, 10), sasrec(2, 50, 0), failed("gru4rec", 1), failed("gru4rec", 2),
          simple("pop", 1, 0.1)};
}

PublishedValue published(const std::string& model, const std::string& metric, double value,
                         const std::string& source = "Paper A, Table 2") {
  PublishedValue p;
  p.source = source;
  p.dataset = "lastfm";
  p.model = model;
  p.metric = metric;
  p.value = value;
  return p;
}

std::string section(const std::string& report) {
  const auto at = report.find("\n### Published numbers");
  return at == std::string::npos ? "" : report.substr(at);
}

// Hand-computed noise for sasrec HR@1 under pessimistic ties: per-user standard errors
// sqrt(0.4 * 0.6 / 99) = 0.049237 and sqrt(0.25 / 99) = 0.050252, mean se = 0.049744; std over
// seeds 0.070711; noise = 2 sqrt(0.070711^2 + 0.049744^2) = 0.172910.
constexpr double kNoise = 0.1729102630740282;

TEST(PublishedNumbers, MarkdownShowsOursThePublishedValueDifferenceAndVerdict) {
  ReportOptions options;
  options.references = {published("sasrec", "HR@1", 0.40), published("gru4rec", "HR@1", 0.30),
                        published("pop", "NDCG@10", 0.05)};
  const std::string md = render_report(cells(), options);
  EXPECT_EQ(section(md),
            "\n### Published numbers\n\n"
            "| Dataset | Model | Metric | Source | recbench | Published | Difference | Verdict |\n"
            "| --- | --- | --- | --- | ---: | ---: | ---: | --- |\n"
            "| lastfm | sasrec | HR@1 | Paper A, Table 2 | 0.4500 ± 0.0707 (n=2) | 0.4000 | "
            "+0.0500 (+12.5%) | within noise (± 0.1729) |\n"
            "| lastfm | gru4rec | HR@1 | Paper A, Table 2 | - | 0.3000 | - | failed |\n"
            "| lastfm | pop | NDCG@10 | Paper A, Table 2 | - | 0.0500 | - | not run |\n"
            "\nVerdict within noise: |difference| <= 2 sqrt(s^2 + se^2), s = std over seeds, se = "
            "standard error of the mean over test users (rank metrics; 0 otherwise).\n"
            "\nFailed cells:\n\n"
            "- lastfm / gru4rec / seed 1: out of memory\n"
            "- lastfm / gru4rec / seed 2: out of memory\n");
  // The results tables come first, unchanged.
  EXPECT_EQ(md.find("### HR@1\n"), 0u) << md;
  // Without references there is no section.
  EXPECT_EQ(section(render_report(cells(), {})), "");
}

TEST(PublishedNumbers, VerdictIsAboveOrBelowOutsideTwiceTheNoise) {
  ReportOptions options;
  options.references = {published("sasrec", "HR@1", 0.45 - kNoise + 0.001, "just inside"),
                        published("sasrec", "HR@1", 0.45 - kNoise - 0.001, "just outside"),
                        published("sasrec", "HR@1", 0.25, "low"),
                        published("sasrec", "HR@1", 0.70, "high")};
  const std::string md = section(render_report(cells(), options));
  EXPECT_NE(md.find("| just inside | 0.4500 ± 0.0707 (n=2) | 0.2781 | +0.1719 (+61.8%) | within "
                    "noise (± 0.1729) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| just outside | 0.4500 ± 0.0707 (n=2) | 0.2761 | +0.1739 (+63.0%) | above "
                    "(± 0.1729) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| low | 0.4500 ± 0.0707 (n=2) | 0.2500 | +0.2000 (+80.0%) | above "
                    "(± 0.1729) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| high | 0.4500 ± 0.0707 (n=2) | 0.7000 | -0.2500 (-35.7%) | below "
                    "(± 0.1729) |"),
            std::string::npos)
      << md;
}

TEST(PublishedNumbers, StandardErrorFollowsTheRunsTiePolicy) {
  ReportOptions options;
  options.references = {published("sasrec", "HR@1", 0.40)};
  // Optimistic ties make seed 1's ten tied users hits: its per-user se becomes sqrt(0.25 / 99).
  options.ties = TiePolicy::optimistic;
  EXPECT_NE(section(render_report(cells(), options)).find("within noise (± 0.1735)"),
            std::string::npos);
  // A cell without per-user ranks (pop, one seed) has no noise at all: any difference counts.
  options.references = {published("pop", "HR@1", 0.0999)};
  EXPECT_NE(section(render_report(cells(), options))
                .find("| 0.1000 ± 0.0000 (n=1) | 0.0999 | +0.0001 (+0.1%) | above (± 0.0000) |"),
            std::string::npos)
      << render_report(cells(), options);
}

//! The fields of one CSV line (quoted fields unquoted).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

TEST(PublishedNumbers, CsvHasTheExtraColumns) {
  ReportOptions options;
  options.format = ReportFormat::csv;
  options.references = {published("sasrec", "HR@1", 0.25), published("gru4rec", "HR@1", 0.30)};
  std::istringstream csv(render_report(cells(), options));
  std::string line;
  std::getline(csv, line);
  // The published value, its source, the difference to it, the noise and the verdict.
  EXPECT_EQ(
      line.rfind("metric,dataset,model,mean,std,n,failed,best,published,published_source,", 0), 0u)
      << line;
  EXPECT_EQ(line.substr(line.size() - 14), ",noise,verdict") << line;
  std::map<std::string, std::vector<std::string>> rows;  // by model
  while (std::getline(csv, line)) {
    const auto fields = csv_fields(line);
    ASSERT_EQ(fields.size(), 13u) << line;
    rows[fields[2]] = fields;
  }
  ASSERT_EQ(rows.size(), 3u);
  const auto& s = rows["sasrec"];
  EXPECT_EQ(s[3], "0.45");
  EXPECT_EQ(s[8], "0.25");
  EXPECT_EQ(s[9], "Paper A, Table 2");
  EXPECT_NEAR(std::stod(s[10]), 0.2, 1e-12);
  EXPECT_NEAR(std::stod(s[11]), kNoise, 1e-12);
  EXPECT_EQ(s[12], "above");
  const auto& g = rows["gru4rec"];
  EXPECT_EQ(std::vector<std::string>(g.begin() + 3, g.end()),
            (std::vector<std::string>{"", "", "0", "2", "0", "0.3", "Paper A, Table 2", "", "0",
                                      "failed"}));
  const auto& p = rows["pop"];  // no reference: empty columns
  EXPECT_EQ(std::vector<std::string>(p.begin() + 8, p.end()),
            (std::vector<std::string>{"", "", "", "", ""}));
  // Without references the columns are absent.
  options.references.clear();
  EXPECT_EQ(render_report(cells(), options).find("published"), std::string::npos);
}

TEST(PublishedNumbers, LatexTable) {
  ReportOptions options;
  options.format = ReportFormat::latex;
  options.references = {published("sasrec", "HR@1", 0.40, "Paper_A & co")};
  const std::string tex = render_report(cells(), options);
  EXPECT_NE(tex.find("Dataset & Model & Metric & Source & recbench & Published & Difference & "
                     "Verdict \\\\"),
            std::string::npos)
      << tex;
  EXPECT_NE(tex.find("    lastfm & sasrec & HR@1 & Paper\\_A \\& co & 0.4500 $\\pm$ 0.0707 (n=2) "
                     "& 0.4000 & +0.0500 (+12.5\\%) & within noise ($\\pm$ 0.1729) \\\\\n"),
            std::string::npos)
      << tex;
}

}  // namespace
}  // namespace recbench
