// A cell's resumable checkpoint on disk: the model's own folder plus the harness's state.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "recbench/core/results/results_file.h"
#include "recbench/core/run/early_stopping.h"

namespace recbench::run_detail {

//! What the harness keeps of a cell in training: its learning curve, early stopping, and the
//! training seconds spent before the stop.
struct HarnessState {
  std::vector<CurvePoint> curve;
  EarlyStopping::State stopping;
  double train_seconds = 0.0;
};

//! A checkpoint found for a cell.
struct FoundCheckpoint {
  std::filesystem::path dir;  //!< the model's folder (what resume_checkpoint() returns)
  HarnessState state;
};

//! Writes <work>/checkpoint: `write` fills model/, the harness adds its state, the cell's
//! resolved configuration and a hard-linked copy of the best model so far (<work>/model), then
//! swaps it in for the previous checkpoint.
void write_checkpoint(const std::filesystem::path& work_dir, const std::string& config_toml,
                      const HarnessState& state,
                      const std::function<void(const std::filesystem::path&)>& write);

//! The checkpoint of <work> when one is there for this configuration (a key the plugin declared
//! after the checkpoint was written, held at its default, does not count); `why_not` says why a
//! checkpoint that is there is not used (another configuration, unreadable). Restores <work>/model
//! from the checkpoint's copy of the best model.
std::optional<FoundCheckpoint> find_checkpoint(const std::filesystem::path& work_dir,
                                               const std::string& config_toml,
                                               std::string* why_not);

//! Removes the checkpoint of a cell that finished.
void remove_checkpoint(const std::filesystem::path& work_dir);

}  // namespace recbench::run_detail
