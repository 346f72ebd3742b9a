// Experiment files: datasets x models x seeds under one protocol, strictly validated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "recbench/core/data/dataset.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/core/results/published.h"

namespace recbench {

//! One [[models]] entry: a label (unique in the experiment) and the plugin that implements it.
struct ModelEntry {
  std::string label, plugin;
  toml::table params;  //!< the entry's [models.params] table (may be empty)
  std::map<std::string, toml::source_position, std::less<>> positions;  //!< of params' keys
};

struct ExperimentConfig {
  std::filesystem::path source;  //!< the experiment file
  std::string text;              //!< the file verbatim, followed by the --set overrides
  std::string name;
  std::filesystem::path output;     //!< results file (.h5)
  std::filesystem::path cache_dir;  //!< prepared-dataset cache
  std::vector<int64_t> seeds;
  std::string device = "cpu";
  //! auto | fp32 | bf16-mixed | fp16-mixed | bf16 (auto: fp32 on CPU, bf16-mixed on CUDA; the
  //! runner resolves it once the device is known, recbench/precision.h).
  std::string precision = "auto";
  int64_t threads = 0;  //!< LibTorch intra-op threads (0 = LibTorch's default)
  std::string log_level = "info";
  EvalProtocol protocol;
  std::string valid_metric = "NDCG@10";
  int64_t patience = 5;         //!< epochs without improvement before early stopping
  uint64_t candidate_seed = 0;  //!< seed of the stored negative/candidate lists
  std::vector<Recipe> datasets;
  std::vector<ModelEntry> models;
  //! [[corpora]]: pre-training corpora, prepared (and cached) like datasets, never evaluated;
  //! plugins read them with TrainContext::corpus(name).
  std::vector<Recipe> corpora;
  //! [[reference]]: published numbers this experiment reproduces (recbench report prints them).
  std::vector<PublishedValue> references;
};

//! Reads and validates an experiment. `overrides` are "key=value" (--set); the key addresses
//! tables by dots and [[models]]/[[datasets]]/[[corpora]] entries by label/name, e.g.
//! "models.sasrec.params.hidden=32", "experiment.seeds=[1,2]", "datasets.ml-100k.max_history=10".
ExperimentConfig load_experiment(const std::filesystem::path& file,
                                 const std::vector<std::string>& overrides = {});

//! The [[reference]] tables of an experiment's text (as stored in a results file); `source`
//! names it in errors. Each needs source, dataset, model, metric (a registry metric at a K) and
//! value; note is optional.
std::vector<PublishedValue> read_references(std::string_view experiment_toml,
                                            const std::string& source);

//! The evaluation.tie_policy of an experiment's text (pessimistic when absent).
TiePolicy stored_tie_policy(std::string_view experiment_toml, const std::string& source);

//! Applies one "key=value" override to a parsed experiment table (value is TOML, else a string).
void apply_override(toml::table& root, const std::string& assignment);

}  // namespace recbench
