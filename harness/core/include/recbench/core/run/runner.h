// Runs an experiment: every dataset x model x seed cell under one protocol, results to HDF5.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "recbench/core/config/experiment.h"
#include "recbench/core/dist/process_group.h"
#include "recbench/core/run/shard.h"

namespace recbench {

struct RunOptions {
  std::optional<std::filesystem::path> output;  //!< --out (overrides experiment.output)
  bool resume = false;                          //!< skip complete cells of an existing file
  std::optional<std::string> device;            //!< --device (overrides experiment.device)
  std::vector<std::filesystem::path> plugin_dirs;
  //! --shard: run only this shard's cells (see shard.h); the default output becomes
  //! shard_output(experiment.output).
  std::optional<ShardSpec> shard;
  //! --dataset/--model/--seed: run only these cells (and the cells they read); see shard.h.
  CellSelection select;
  //! --rerun-changed: with --resume, train again (and replace) the complete cells whose stored
  //! parameters or protocol differ from the experiment's now; without it such a file is refused.
  bool rerun_changed = false;
  //! This process's place in a data-parallel run (dist::worker_env()); none: one process.
  std::optional<dist::WorkerEnv> worker;
  //! Bound of the rendezvous and of each training collective (--dist-timeout).
  std::chrono::seconds dist_timeout{300};
};

struct RunSummary {
  std::filesystem::path output;
  int complete = 0, skipped = 0, failed = 0;
  int owned = 0;  //!< cells this process is responsible for (all, its shard's, those selected)
  bool interrupted = false;
  int world_size = 1;  //!< processes that trained each cell together
};

//! Validates everything (plugins, datasets, every model's parameters) before training anything,
//! then trains and evaluates each cell and writes it atomically. A failing cell is recorded as
//! failed and the run goes on; Ctrl-C stops after the current epoch, keeping finished cells.
RunSummary run_experiment(const ExperimentConfig& config, const RunOptions& options);

}  // namespace recbench
