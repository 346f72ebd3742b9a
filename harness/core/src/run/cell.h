// One cell's life: build the model, train it with a TrainContext, evaluate the best state on
// the test split, and assemble its results record.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cell_record.h"
#include "recbench/core/plugins/plugin_loader.h"
#include "recbench/core/results/results_file.h"
#include "recbench/plugin.h"
#include "run_state.h"

namespace recbench::run_detail {

//! Builds the model of `entry` as the host does for every cell (and once up front, seed 0, to
//! validate every configuration): Params over the entry's table, the factory, finish().
//! `resolved` receives the resolved parameters and defaults; `dependencies` what the model
//! declared.
std::unique_ptr<Recommender> build_model(const RunEnv& env, const LoadedPlugin& plugin,
                                         const ModelEntry& entry, const DatasetView& view,
                                         uint64_t seed, ResolvedParams* resolved,
                                         std::vector<ModelDependency>* dependencies = nullptr);

//! One dataset x model x seed cell.
struct CellJob {
  const DatasetState& dataset;
  const ModelEntry& entry;
  const LoadedPlugin& plugin;
  int64_t seed;
  const std::vector<ModelDependency>& dependencies;  //!< entries whose trained cells it reads
};

//! Runs one cell and returns its record: "complete", or "failed" with the error (a failing cell
//! never stops the run). Records a complete cell's artefacts in `artifacts`, a failure in
//! artifacts.failed. Throws Interrupted when the user interrupts; the cell is then not recorded.
CellRecord run_cell(const RunEnv& env, const CellJob& job, CellArtifacts& artifacts);

}  // namespace recbench::run_detail
