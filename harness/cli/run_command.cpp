// `recbench run`: runs an experiment file and prints its results table.
#include <iostream>

#include "commands.h"
#include "options.h"
#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/runner.h"

namespace recbench::cli {

int run_command(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("out,o", po::value<std::string>(),
                        "results file (default: experiment.output)")(
      "set,s", po::value<std::vector<std::string>>()->composing(),
      "override a key, e.g. --set models.sasrec.params.hidden_size=32 (repeatable)")(
      "resume", po::bool_switch(), "continue an existing results file, skipping complete cells")(
      "device", po::value<std::string>(), "cpu or cuda (default: experiment.device)")(
      "shard", po::value<std::string>(),
      "run only shard i of N (0-based, e.g. $SLURM_ARRAY_TASK_ID/4); default --out: "
      "<output>.shard-i-of-N.h5; combine the parts with recbench merge")(
      "plugin-path", po::value<std::vector<std::string>>()->composing(),
      "folder with plugins (repeatable; default: $RECBENCH_PLUGIN_PATH, then the build's)");
  po::options_description hidden;
  hidden.add_options()("experiment", po::value<std::string>()->required(), "experiment file");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  po::variables_map vm;
  if (parse_args(args, "recbench run EXPERIMENT.toml [options]", visible, hidden, positional, vm)) {
    return kExitOk;
  }
  RunOptions options;
  if (vm.count("shard")) options.shard = parse_shard(vm["shard"].as<std::string>());
  std::vector<std::string> sets;
  if (vm.count("set")) sets = vm["set"].as<std::vector<std::string>>();
  const ExperimentConfig config = load_experiment(vm["experiment"].as<std::string>(), sets);

  if (vm.count("out")) options.output = vm["out"].as<std::string>();
  if (vm.count("device")) options.device = vm["device"].as<std::string>();
  options.resume = vm["resume"].as<bool>();
  if (vm.count("plugin-path")) {
    for (const auto& p : vm["plugin-path"].as<std::vector<std::string>>()) {
      options.plugin_dirs.emplace_back(p);
    }
  }
  const RunSummary summary = run_experiment(config, options);

  ReportOptions report;
  report.allow_mixed_devices = true;  // a resumed file may mix devices: say so under the table
  std::cout << render_report(ResultsFile::open_existing(summary.output).read_cells(), report);
  if (summary.interrupted) return kExitInterrupted;
  return summary.failed > 0 ? kExitFailedCells : kExitOk;
}

}  // namespace recbench::cli
