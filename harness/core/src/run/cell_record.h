// Results records: what the runner writes to the results file for a dataset and for a cell.
#pragma once

#include <string>

#include "recbench/core/results/results_file.h"
#include "run_state.h"

namespace recbench::run_detail {

//! /datasets/<name>: fingerprint, recipe, statistics and the stored candidate lists.
DatasetRecord dataset_record(const DatasetState& ds);

//! The cell's resolved configuration as TOML: the cell's identity and device, the plugin's
//! resolved parameters and the evaluation protocol, so that every cell is self-describing.
std::string cell_config(const RunEnv& env, const std::string& dataset, const ModelEntry& model,
                        int64_t seed, const std::string& params_toml);

//! Copies a test evaluation into the record: metrics, per-user ranks, timing.
void record_test(CellRecord& cell, const EvalResult& result, const EvalSet& test);

}  // namespace recbench::run_detail
