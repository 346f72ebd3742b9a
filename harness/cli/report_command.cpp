// `recbench report`: prints the datasets x models table of a results file.
#include <iostream>

#include "commands.h"
#include "options.h"
#include "recbench/core/config/experiment.h"
#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"

namespace recbench::cli {

int report_command(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("format,f", po::value<std::string>()->default_value("md"),
                        "md, latex or csv")(
      "metric,m", po::value<std::vector<std::string>>()->composing(),
      "metric to show, e.g. NDCG@10 (repeatable; default: all)")(
      "baseline,b", po::value<std::string>(), "model label to compute improvements against");
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
  const std::string file = vm["file"].as<std::string>();
  const ResultsFile results = ResultsFile::open_existing(file);
  // The run's experiment, as stored: its [[reference]] tables and its tie policy.
  const std::string experiment = results.info().experiment_toml;
  const std::string source = file + " (stored experiment)";
  options.references = read_references(experiment, source);
  options.ties = stored_tie_policy(experiment, source);
  const auto cells = results.read_cells();
  std::cout << render_report(cells, options);
  return kExitOk;
}

}  // namespace recbench::cli
