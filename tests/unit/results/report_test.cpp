// render_report: golden tables in Markdown, LaTeX and CSV; bolding, std, failed cells, baseline.
#include <gtest/gtest.h>

#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"
#include "recbench/error.h"
#include "results_test_util.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

CellRecord cell(const std::string& dataset, const std::string& model, int64_t seed,
                std::vector<std::pair<std::string, double>> metrics) {
  CellRecord c;
  c.dataset = dataset;
  c.model = model;
  c.plugin = model;
  c.seed = seed;
  c.metrics = std::move(metrics);
  return c;
}

CellRecord failed(const std::string& dataset, const std::string& model, int64_t seed) {
  CellRecord c = cell(dataset, model, seed, {});
  c.status = "failed";
  c.error = "out of memory";
  return c;
}

//! ml_1m: pop 0.25 ± 0.125, sasrec 0.625 ± 0.125 (best), gru4rec failed on both seeds.
//! beauty: pop 0.0625 ± 0 (3 seeds), sasrec 0.1875 ± 0.0884 (2 seeds, 1 failed), no gru4rec.
std::vector<CellRecord> sample_cells() {
  std::vector<CellRecord> cells;
  const double pop[] = {0.125, 0.25, 0.375}, sasrec[] = {0.5, 0.625, 0.75};
  for (int64_t s = 0; s < 3; ++s) {
    cells.push_back(cell("ml_1m", "pop", s, {{"HR@10", 0.5}, {"NDCG@10", pop[s]}}));
    cells.push_back(cell("ml_1m", "sasrec", s, {{"HR@10", 0.9}, {"NDCG@10", sasrec[s]}}));
  }
  cells.push_back(failed("ml_1m", "gru4rec", 0));
  cells.push_back(failed("ml_1m", "gru4rec", 1));
  for (int64_t s = 0; s < 3; ++s) {
    cells.push_back(cell("beauty", "pop", s, {{"HR@10", 0.25}, {"NDCG@10", 0.0625}}));
  }
  cells.push_back(failed("beauty", "sasrec", 0));
  cells.push_back(cell("beauty", "sasrec", 1, {{"HR@10", 0.5}, {"NDCG@10", 0.125}}));
  cells.push_back(cell("beauty", "sasrec", 2, {{"HR@10", 0.5}, {"NDCG@10", 0.25}}));
  return cells;
}

std::string report(ReportFormat format, std::vector<std::string> metrics = {"NDCG@10"},
                   const std::string& baseline = "") {
  ReportOptions options;
  options.format = format;
  options.metrics = std::move(metrics);
  options.baseline = baseline;
  return render_report(sample_cells(), options);
}

TEST(Report, MarkdownGolden) {
  EXPECT_EQ(report(ReportFormat::markdown),
            "### NDCG@10\n\n"
            "| Dataset | pop | sasrec | gru4rec |\n"
            "| --- | ---: | ---: | ---: |\n"
            "| ml_1m | 0.2500 ± 0.1250 | **0.6250** ± 0.1250 | failed |\n"
            "| beauty | 0.0625 ± 0.0000 (n=3) | **0.1875** ± 0.0884 (n=2, 1 failed) | - |\n"
            "\n"
            "Failed cells:\n\n"
            "- ml_1m / gru4rec / seed 0: out of memory\n"
            "- ml_1m / gru4rec / seed 1: out of memory\n"
            "- beauty / sasrec / seed 0: out of memory\n");
}

TEST(Report, LatexGolden) {
  EXPECT_EQ(
      report(ReportFormat::latex),
      "\\begin{table}[t]\n"
      "  \\centering\n"
      "  \\caption{NDCG@10: mean $\\pm$ std over seeds.}\n"
      "  \\begin{tabular}{lrrr}\n"
      "    \\toprule\n"
      "    Dataset & pop & sasrec & gru4rec \\\\\n"
      "    \\midrule\n"
      "    ml\\_1m & 0.2500 $\\pm$ 0.1250 & \\textbf{0.6250} $\\pm$ 0.1250 & failed \\\\\n"
      "    beauty & 0.0625 $\\pm$ 0.0000 (n=3) & \\textbf{0.1875} $\\pm$ 0.0884 (n=2, 1 failed)"
      " & -- \\\\\n"
      "    \\bottomrule\n"
      "  \\end{tabular}\n"
      "\\end{table}\n"
      "% failed: ml_1m / gru4rec / seed 0: out of memory\n"
      "% failed: ml_1m / gru4rec / seed 1: out of memory\n"
      "% failed: beauty / sasrec / seed 0: out of memory\n");
}

TEST(Report, CsvGoldenHasExactMeanStdAndCounts) {
  EXPECT_EQ(report(ReportFormat::csv),
            "metric,dataset,model,mean,std,n,failed,best\n"
            "NDCG@10,ml_1m,pop,0.25,0.125,3,0,0\n"
            "NDCG@10,ml_1m,sasrec,0.625,0.125,3,0,1\n"
            "NDCG@10,ml_1m,gru4rec,,,0,2,0\n"
            "NDCG@10,beauty,pop,0.0625,0,3,0,0\n"
            "NDCG@10,beauty,sasrec,0.1875,0.08838834764831845,2,1,1\n");
}

TEST(Report, BaselineAddsRelativeImprovement) {
  std::string md = report(ReportFormat::markdown, {"NDCG@10"}, "pop");
  EXPECT_NE(md.find("| ml_1m | 0.2500 ± 0.1250 | **0.6250** ± 0.1250 (+150.00%) | failed |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**0.1875** ± 0.0884 (n=2, 1 failed) (+200.00%) | - |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("relative improvement over pop in %"), std::string::npos) << md;
  std::string tex = report(ReportFormat::latex, {"NDCG@10"}, "pop");
  EXPECT_NE(tex.find("\\textbf{0.6250} $\\pm$ 0.1250 (+150.00\\%)"), std::string::npos) << tex;
  std::string csv = report(ReportFormat::csv, {"NDCG@10"}, "pop");
  EXPECT_EQ(csv.rfind("metric,dataset,model,mean,std,n,failed,best,improvement_pct,direction,", 0),
            0u)
      << csv;
  EXPECT_NE(csv.find("\nNDCG@10,ml_1m,pop,0.25,0.125,3,0,0,,,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nNDCG@10,ml_1m,sasrec,0.625,0.125,3,0,1,150,greater,"), std::string::npos)
      << csv;
}

TEST(Report, EveryMetricWhenNoneSelectedInOrderOfAppearance) {
  std::string md = report(ReportFormat::markdown, {});
  size_t hr = md.find("### HR@10"), ndcg = md.find("### NDCG@10");
  ASSERT_NE(hr, std::string::npos);
  ASSERT_NE(ndcg, std::string::npos);
  EXPECT_LT(hr, ndcg);
  EXPECT_NE(md.find("| ml_1m | 0.5000 ± 0.0000 | **0.9000** ± 0.0000 | failed |"),
            std::string::npos)
      << md;
}

TEST(Report, OneSeedShowsTheMeanOnlyAndTiesAreAllBold) {
  std::vector<CellRecord> cells = {cell("d", "a", 1, {{"HR@1", 0.5}}),
                                   cell("d", "b", 1, {{"HR@1", 0.5}}),
                                   cell("d", "c", 1, {{"HR@1", 0.25}})};
  EXPECT_EQ(render_report(cells, {}),
            "### HR@1\n\n| Dataset | a | b | c |\n| --- | ---: | ---: | ---: |\n"
            "| d | **0.5000** | **0.5000** | 0.2500 |\n");
}

TEST(Report, GiniIsBetterWhenLower) {
  std::vector<CellRecord> cells = {cell("d", "a", 1, {{"Gini@10", 0.75}}),
                                   cell("d", "b", 1, {{"Gini@10", 0.5}})};
  ReportOptions options;
  options.baseline = "a";
  EXPECT_NE(render_report(cells, options).find("| d | 0.7500 | **0.5000** (+33.33%) |"),
            std::string::npos)
      << render_report(cells, options);
}

TEST(Report, EscapesNamesForLatexAndCsv) {
  std::vector<CellRecord> cells = {cell("a,b", "my_model&co", 1, {{"tail_share", 0.5}})};
  ReportOptions options;
  options.format = ReportFormat::latex;
  std::string tex = render_report(cells, options);
  EXPECT_NE(tex.find("Dataset & my\\_model\\&co \\\\"), std::string::npos) << tex;
  EXPECT_NE(tex.find("\\caption{tail\\_share:"), std::string::npos) << tex;
  options.format = ReportFormat::csv;
  EXPECT_NE(render_report(cells, options).find("tail_share,\"a,b\",my_model&co,0.5,,1,0,0\n"),
            std::string::npos);
}

TEST(Report, OnlyFailuresStillListsThem) {
  CellRecord broken = failed("d", "m", 4);
  broken.error = "plugin 'm': unknown key 'hiden'\n  at exp.toml:3:1";
  EXPECT_EQ(render_report({broken}, {}),
            "Failed cells:\n\n- d / m / seed 4: plugin 'm': unknown key 'hiden'\n");
}

TEST(Report, NamesTheSettingsInWhichAModelsSeedsDiffer) {
  std::vector<CellRecord> cells = {
      cell("d", "sasrec", 1, {{"HR@10", 0.4}}), cell("d", "sasrec", 2, {{"HR@10", 0.5}}),
      cell("d", "gru", 1, {{"HR@10", 0.3}}), cell("d", "gru", 2, {{"HR@10", 0.3}})};
  cells[0].config_toml = "[params]\nepochs = 20\n[evaluation]\nmode = 'full'\n";
  cells[1].config_toml = "[params]\nepochs = 200\n[evaluation]\nmode = 'full'\n";
  cells[2].config_toml = cells[3].config_toml = cells[0].config_toml;  // equal: no note
  const std::string md = render_report(cells, {});
  EXPECT_NE(md.find("Cells of one model that ran with different settings (their mean mixes "
                    "them):\n  d / sasrec: params.epochs: 20 in seed 1, 200 in seed 2\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("d / gru"), std::string::npos) << md;
  ReportOptions latex;
  latex.format = ReportFormat::latex;
  EXPECT_NE(render_report(cells, latex).find("%   d / sasrec: params.epochs"), std::string::npos);
  cells[1].config_toml = cells[0].config_toml;
  EXPECT_EQ(render_report(cells, {}).find("different settings"), std::string::npos);
  // Seed 2 from a build whose plugin declared group_by_length since, at its default: no note.
  cells[1].config_toml =
      "[params]\nepochs = 20\ngroup_by_length = true\n[defaults]\ngroup_by_length = true\n"
      "[evaluation]\nmode = 'full'\n";
  EXPECT_EQ(render_report(cells, {}).find("different settings"), std::string::npos);
}

TEST(Report, UnknownMetricOrBaselineIsAConfigError) {
  ReportOptions options;
  options.metrics = {"NDCG@20"};
  try {
    render_report(sample_cells(), options);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'NDCG@20'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("HR@10, NDCG@10"), std::string::npos) << e.what();
  }
  options.metrics.clear();
  options.baseline = "bert4rec";
  EXPECT_THROW(render_report(sample_cells(), options), ConfigError);
}

TEST(Report, ParseFormat) {
  EXPECT_EQ(parse_report_format("md"), ReportFormat::markdown);
  EXPECT_EQ(parse_report_format("latex"), ReportFormat::latex);
  EXPECT_EQ(parse_report_format("csv"), ReportFormat::csv);
  EXPECT_EQ(parse_report_format("html"), ReportFormat::html);
  EXPECT_EQ(parse_report_format("markdown"), ReportFormat::markdown);
  EXPECT_EQ(parse_report_format("tex"), ReportFormat::latex);
  try {
    parse_report_format("pdf");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'pdf'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("md, latex, csv, html"), std::string::npos) << e.what();
  }
}

TEST(Report, ReadsTheFileItRenders) {
  testing_results::ScratchDir dir;
  ResultsFile file(dir / "r.h5", testing_results::sample_info());
  for (const CellRecord& c : sample_cells()) {
    file.write_cell(c);
  }
  ReportOptions options;
  options.metrics = {"NDCG@10"};
  EXPECT_EQ(render_report(ResultsFile::open_existing(dir / "r.h5").read_cells(CellDetail::summary),
                          options),
            report(ReportFormat::markdown));
}

TEST(Report, CellsOfDifferentDevicesOrPrecisionsAreRefusedUnlessAllowed) {
  std::vector<CellRecord> cells = sample_cells();
  for (CellRecord& c : cells) c.device = {"cpu", "AMD EPYC", "1.13.1", "", "fp32", 1, 0.0};
  ReportOptions options;
  options.metrics = {"NDCG@10"};
  EXPECT_NO_THROW(render_report(cells, options));  // one device class: the CPU's name is not part
  cells[1].device.name = "Intel Xeon";
  EXPECT_NO_THROW(render_report(cells, options));
  cells[3].device = {"cuda:0", "NVIDIA H100", "2.11.0", "12.8", "bf16-mixed", 1, 900.0};
  const std::string message = error_of<ConfigError>([&] { render_report(cells, options); });
  EXPECT_EQ(
      message,
      "report: cells ran on 2 device classes or precisions: cpu, fp32 (13 cell(s), e.g. "
      "ml_1m/pop/seed_0); cuda NVIDIA H100, bf16-mixed (1 cell(s), e.g. ml_1m/sasrec/seed_1); "
      "one table would compare them as alike (pass --allow-mixed-devices to do so)");
  options.allow_mixed_devices = true;
  const std::string text = render_report(cells, options);
  EXPECT_NE(text.find("Cells of several devices or precisions (--allow-mixed-devices):\n"
                      "  cpu, fp32: 13 cell(s)\n  cuda NVIDIA H100, bf16-mixed: 1 cell(s)\n"),
            std::string::npos)
      << text;
  cells[3].device = cells[0].device;
  cells[3].device.precision = "bf16-mixed";  // same device, another precision
  options.allow_mixed_devices = false;
  EXPECT_NE(error_of<ConfigError>([&] { render_report(cells, options); }).find("cpu, bf16-mixed"),
            std::string::npos);
}

}  // namespace
}  // namespace recbench
