// `recbench report`: prints the datasets x models table of a results file (or, with --format
// html, a self-contained page with the figures).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "options.h"
#include "python_package.h"
#include "recbench/core/config/experiment.h"
#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"

namespace recbench::cli {
namespace {

//! The figures of `recbench plot` as inline SVG (caption, document), drawn into a temporary
//! folder; a kind that cannot be drawn (no Python, no curves) is left out with a warning.
std::vector<std::pair<std::string, std::string>> draw_figures(const std::string& file) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("recbench-report-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, std::string>> figures;
  const std::pair<const char*, const char*> kinds[] = {
      {"curves", "Learning curves: training loss and validation metric per epoch"},
      {"metric-at-k", "NDCG@K for K = 1 ... the largest K, recomputed from the stored ranks"},
      {"bars", "The validation metric with 95% bootstrap confidence intervals over test users"}};
  for (const auto& [kind, caption] : kinds) {
    const auto svg = dir / (std::string(kind) + ".svg");
    const int status = run_and_wait(
        python_module_command("recbench.plot", {file, "--kind", kind, "--out", svg.string()}));
    std::ifstream in(svg);
    if (status != 0 || !in) {
      std::cerr << "recbench report: the " << kind << " figure was not drawn (exit " << status
                << "); " << kPythonHint << "\n";
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string doc = text.str();
    doc.erase(0, doc.find("<svg"));  // inline: no XML declaration or doctype
    figures.emplace_back(caption, std::move(doc));
  }
  std::filesystem::remove_all(dir);
  return figures;
}

}  // namespace

int report_command(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("format,f", po::value<std::string>()->default_value("md"),
                        "md, latex, csv or html (one self-contained page with figures)")(
      "metric,m", po::value<std::vector<std::string>>()->composing(),
      "metric to show, e.g. NDCG@10 (repeatable; default: all)")(
      "baseline,b", po::value<std::string>(), "model label to compute improvements against")(
      "allow-mixed-devices", po::bool_switch(),
      "report cells of different device classes or precisions in one table");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::string>()->required(), "results file");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (parse_args(args, "recbench report FILE.h5 [options]", visible, hidden, positional, vm)) {
    return kExitOk;
  }
  ReportOptions options;
  options.format = parse_report_format(vm["format"].as<std::string>());
  if (vm.count("metric")) options.metrics = vm["metric"].as<std::vector<std::string>>();
  if (vm.count("baseline")) options.baseline = vm["baseline"].as<std::string>();
  options.allow_mixed_devices = vm["allow-mixed-devices"].as<bool>();
  const std::string file = vm["file"].as<std::string>();
  const ResultsFile results = ResultsFile::open_existing(file);
  // The run's experiment, as stored: its [[reference]] tables and its tie policy.
  const RunInfo info = results.info();
  const std::string source = file + " (stored experiment)";
  options.references = read_references(info.experiment_toml, source);
  options.ties = stored_tie_policy(info.experiment_toml, source);
  const auto cells = results.read_cells();
  if (options.format == ReportFormat::html) {
    options.run = &info;
    options.figures = draw_figures(file);
  }
  std::cout << render_report(cells, options);
  return kExitOk;
}

}  // namespace recbench::cli
