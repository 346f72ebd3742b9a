// Runs an experiment: every dataset x model x seed cell under one protocol, results to HDF5.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "recbench/core/config/experiment.h"
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
};

struct RunSummary {
  std::filesystem::path output;
  int complete = 0, skipped = 0, failed = 0;
  int owned = 0;  //!< cells this process is responsible for (all, or its shard's)
  bool interrupted = false;
};

//! Validates everything (plugins, datasets, every model's parameters) before training anything,
//! then trains and evaluates each cell and writes it atomically. A failing cell is recorded as
//! failed and the run goes on; Ctrl-C stops after the current epoch, keeping finished cells.
RunSummary run_experiment(const ExperimentConfig& config, const RunOptions& options);

}  // namespace recbench
