// `recbench run`: runs an experiment file and prints its results table.
#include <iostream>

#include "commands.h"
#include "launcher.h"
#include "options.h"
#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/runner.h"
#include "recbench/error.h"

namespace recbench::cli {

namespace {

//! The arguments less --nproc N / --nproc=N (what each worker runs).
std::vector<std::string> without_nproc(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--nproc") {
      ++i;
    } else if (args[i].rfind("--nproc=", 0) != 0) {
      out.push_back(args[i]);
    }
  }
  return out;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("out,o", po::value<std::string>(),
                        "results file (default: experiment.output)")(
      "set,s", po::value<std::vector<std::string>>()->composing(),
      "override a key, e.g. --set models.sasrec.params.hidden_size=32 (repeatable)")(
      "resume", po::bool_switch(), "continue an existing results file, skipping complete cells")(
      "rerun-changed", po::bool_switch(),
      "with --resume: train again the complete cells whose parameters or protocol changed "
      "(otherwise such a file is refused)")("dataset",
                                            po::value<std::vector<std::string>>()->composing(),
                                            "run only this dataset's cells (repeatable)")(
      "model", po::value<std::vector<std::string>>()->composing(),
      "run only this model label's cells, and those it reads (repeatable)")(
      "seed", po::value<std::vector<int64_t>>()->composing(),
      "run only this seed's cells (repeatable)")("device", po::value<std::string>(),
                                                 "cpu or cuda (default: experiment.device)")(
      "shard", po::value<std::string>(),
      "run only shard i of N (0-based, e.g. $SLURM_ARRAY_TASK_ID/4); default --out: "
      "<output>.shard-i-of-N.h5; combine the parts with recbench merge")(
      "plugin-path", po::value<std::vector<std::string>>()->composing(),
      "folder with plugins (repeatable; default: $RECBENCH_PLUGIN_PATH, then the build's)")(
      "nproc", po::value<int>(),
      "data-parallel training in N local processes (each takes 1/N of every batch; "
      "docs/cluster.md)")("dist-timeout", po::value<int>()->default_value(300),
                          "seconds a data-parallel rendezvous or training collective may wait");
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
  const int timeout = vm["dist-timeout"].as<int>();
  if (timeout <= 0) {
    throw ConfigError("--dist-timeout " + std::to_string(timeout) + ": expected seconds > 0");
  }
  const auto worker = dist::worker_env();  // set by a launcher (--nproc, torchrun) or srun
  if (vm.count("nproc")) {
    const int nproc = vm["nproc"].as<int>();
    if (nproc < 1) throw ConfigError("--nproc " + std::to_string(nproc) + ": expected N >= 1");
    if (worker) {
      throw ConfigError("--nproc: this process is already rank " + std::to_string(worker->rank) +
                        " of " + std::to_string(worker->world_size) +
                        " (RANK/WORLD_SIZE or srun's variables are set); drop --nproc");
    }
    if (nproc > 1) {
      // Checked here too, so that the workers do not all print the same refusal.
      const auto out =
          vm.count("out") ? std::filesystem::path(vm["out"].as<std::string>()) : config.output;
      if (std::filesystem::exists(out) && !vm["resume"].as<bool>()) {
        throw ConfigError(out.string() +
                          ": results file exists; pass --resume to continue it or --out to write "
                          "another file");
      }
      if (!dist::available()) {
        throw ConfigError(
            "--nproc: this recbench was built without LibTorch's c10d Gloo "
            "(install libgloo-dev and reconfigure)");
      }
      return launch_workers(nproc, without_nproc(args));
    }
  }

  if (vm.count("out")) options.output = vm["out"].as<std::string>();
  if (vm.count("device")) options.device = vm["device"].as<std::string>();
  options.resume = vm["resume"].as<bool>();
  options.rerun_changed = vm["rerun-changed"].as<bool>();
  if (options.rerun_changed && !options.resume) {
    throw ConfigError("--rerun-changed: it only applies to --resume");
  }
  if (vm.count("dataset")) options.select.datasets = vm["dataset"].as<std::vector<std::string>>();
  if (vm.count("model")) options.select.models = vm["model"].as<std::vector<std::string>>();
  if (vm.count("seed")) options.select.seeds = vm["seed"].as<std::vector<int64_t>>();
  options.worker = worker;
  options.dist_timeout = std::chrono::seconds(timeout);
  if (vm.count("plugin-path")) {
    for (const auto& p : vm["plugin-path"].as<std::vector<std::string>>()) {
      options.plugin_dirs.emplace_back(p);
    }
  }
  const RunSummary summary = run_experiment(config, options);
  if (worker && worker->rank != 0) {  // rank 0 prints the table
    if (summary.interrupted) return kExitInterrupted;
    return summary.failed > 0 ? kExitFailedCells : kExitOk;
  }

  ReportOptions report;
  report.allow_mixed_devices = true;  // a resumed file may mix devices: say so under the table
  std::cout << render_report(ResultsFile::open_existing(summary.output).read_cells(), report);
  if (summary.interrupted) return kExitInterrupted;
  return summary.failed > 0 ? kExitFailedCells : kExitOk;
}

}  // namespace recbench::cli
