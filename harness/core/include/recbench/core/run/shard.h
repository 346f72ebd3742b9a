// Which cells of an experiment one process runs: a shard of N (`recbench run --shard i/N`) and
// the cells named by --dataset, --model and --seed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "recbench/core/config/experiment.h"
#include "recbench/core/run/model_order.h"

namespace recbench {

//! Shard `index` of `count` (0 <= index < count), as Slurm numbers array tasks with
//! --array=0-(N-1).
struct ShardSpec {
  int64_t index = 0;
  int64_t count = 1;

  std::string str() const;  //!< "i/N", as --shard takes it and the results file stores it
};

//! Parses `--shard i/N`; throws ConfigError naming --shard and what was expected.
ShardSpec parse_shard(const std::string& text);

//! `results/x.h5` -> `results/x.shard-i-of-N.h5`: the results file of a shard without --out.
std::filesystem::path shard_output(const std::filesystem::path& output, const ShardSpec& shard);

//! One cell of an experiment.
struct CellId {
  std::string dataset, model;  //!< dataset name, model label
  int64_t seed = 0;

  bool operator<(const CellId& o) const {
    return std::tie(dataset, model, seed) < std::tie(o.dataset, o.model, o.seed);
  }
  bool operator==(const CellId& o) const {
    return std::tie(dataset, model, seed) == std::tie(o.dataset, o.model, o.seed);
  }
};

/// The groups of cells that must run in one process: one per dataset, seed and connected
/// component of the model dependency graph (a cell reads the artefacts of the same dataset and
/// seed only). Ordered datasets first (experiment order), then components (by their first entry
/// in the experiment), then seeds (experiment order); within a group, entries in experiment order.
std::vector<std::vector<CellId>> cell_groups(const std::vector<std::string>& datasets,
                                             const std::vector<ModelEntry>& models,
                                             const ModelDependencies& dependencies,
                                             const std::vector<int64_t>& seeds);

//! The cells of shard `shard`: group g (in cell_groups' order) goes to shard g mod N.
std::set<CellId> shard_cells(const std::vector<std::vector<CellId>>& groups,
                             const ShardSpec& shard);

//! `recbench run --dataset D --model M --seed S` (each repeatable; an empty list selects all).
struct CellSelection {
  std::vector<std::string> datasets, models;  //!< dataset names, model labels
  std::vector<int64_t> seeds;

  bool all() const { return datasets.empty() && models.empty() && seeds.empty(); }
  std::string str() const;  //!< "--model sasrec --seed 1", as given
};

//! The cells `selection` names, plus the cells of the same dataset and seed that they read (a
//! selected RSLLM brings its SASRec). Throws ConfigError naming the option and the values the
//! experiment has for a name or seed that is not in it.
std::set<CellId> selected_cells(const std::vector<std::string>& datasets,
                                const std::vector<ModelEntry>& models,
                                const ModelDependencies& dependencies,
                                const std::vector<int64_t>& seeds, const CellSelection& selection);

}  // namespace recbench
