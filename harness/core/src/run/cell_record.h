// Results records: what the runner writes to the results file for a dataset and for a cell.
#pragma once

#include <string>
#include <vector>

#include "recbench/core/results/results_file.h"
#include "run_state.h"

namespace recbench::run_detail {

//! /datasets/<name>: fingerprint, recipe, statistics and the stored candidate lists.
DatasetRecord dataset_record(const DatasetState& ds);

//! The cell's resolved configuration as TOML: the cell's identity and device, the plugin's
//! resolved parameters and the evaluation protocol, so that every cell is self-describing.
std::string cell_config(const RunEnv& env, const std::string& dataset, const ModelEntry& model,
                        int64_t seed, const std::string& params_toml);

//! Where a stored cell's configuration (cell_config) differs from `current`'s, one entry per
//! setting: "params.epochs: 20 there, 200 now". Only the plugin's parameters and the evaluation
//! protocol count; device and threads do not define what a cell measures.
std::vector<std::string> changed_settings(const std::string& stored, const std::string& current);

//! Copies a test evaluation into the record: metrics, per-user ranks, timing.
void record_test(CellRecord& cell, const EvalResult& result, const EvalSet& test);

}  // namespace recbench::run_detail
