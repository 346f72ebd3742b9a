// Results records: what the runner writes to the results file for a dataset and for a cell.
#pragma once

#include <string>
#include <vector>

#include "recbench/core/results/results_file.h"
#include "recbench/params.h"
#include "run_state.h"

namespace recbench::run_detail {

//! /datasets/<name>: fingerprint, recipe, statistics and the stored candidate lists.
DatasetRecord dataset_record(const DatasetState& ds);

//! A model's parameters after its plugin read them, as TOML tables.
struct ResolvedParams {
  std::string values;    //!< every declared key: the experiment's value or the default
  std::string defaults;  //!< every declared key at the plugin's default
};

//! The plugin's declared defaults (ParamSpec::default_value) as one TOML table.
std::string defaults_toml(const std::vector<ParamSpec>& specs);

//! The cell's resolved configuration as TOML: the cell's identity and device, the plugin's
//! resolved parameters, its defaults and the evaluation protocol, so that every cell is
//! self-describing (changed_settings() reads the defaults to tell a key declared later).
std::string cell_config(const RunEnv& env, const std::string& dataset, const ModelEntry& model,
                        int64_t seed, const ResolvedParams& params);

//! Copies a test evaluation into the record: metrics, per-user ranks, timing.
void record_test(CellRecord& cell, const EvalResult& result, const EvalSet& test);

}  // namespace recbench::run_detail
