// What the cells of one run share: the environment, the prepared datasets and corpora, and the
// index of finished cells' artefacts.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <torch/types.h>

#include "recbench/core/config/experiment.h"
#include "recbench/core/data/dataset.h"
#include "recbench/core/dist/process_group.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/core/results/results_file.h"
#include "recbench/precision.h"

namespace spdlog {
class logger;
}

namespace recbench::run_detail {

//! Everything shared by the cells of one run.
struct RunEnv {
  const ExperimentConfig* config = nullptr;
  torch::Device device = torch::kCPU;
  Precision precision = Precision::fp32;  //!< the resolved experiment.precision
  spdlog::logger* log = nullptr;
  std::filesystem::path artifacts_root;
  const std::map<std::string, DatasetView>* corpora = nullptr;  //!< [[corpora]] by name
  DeviceRecord device_record;  //!< what every cell records of its device (run/device_info.h)
  //! The data-parallel group of this process; null in a one-process run.
  dist::ProcessGroup* parallel = nullptr;

  int rank() const { return parallel != nullptr ? parallel->rank() : 0; }
  //! Processes that train each cell together (1 without data parallelism).
  int world_size() const { return parallel != nullptr ? parallel->world_size() : 1; }
  //! Rank 0 (or the only process): the one that writes results, logs and artefacts.
  bool is_root() const { return rank() == 0; }

  //! <results>_artifacts/<dataset>/<label>/seed_<s>
  std::filesystem::path cell_dir(const std::string& dataset, const std::string& label,
                                 int64_t seed) const {
    return artifacts_root / dataset / label / ("seed_" + std::to_string(seed));
  }
};

enum class Split { valid, test };

//! One prepared dataset with its stored candidate lists.
struct DatasetState {
  PreparedDataset data;
  DatasetView view;
  std::optional<CandidateLists> valid_candidates, test_candidates;

  //! The split as the evaluator takes it.
  EvalSplit eval_split(Split split) const {
    const bool valid = split == Split::valid;
    const auto& candidates = valid ? valid_candidates : test_candidates;
    return {valid ? data.valid : data.test, data.item_counts, view.num_items(), view.max_history,
            candidates ? &*candidates : nullptr};
  }
};

//! One prepared pre-training corpus: all of every user's sequence is training data.
struct CorpusState {
  PreparedDataset data;
  EvalSet no_validation;
};

//! "dataset/label/seed_s": the name of a cell in logs, messages and the artefact index.
inline std::string cell_key(const std::string& dataset, const std::string& label, int64_t seed) {
  return dataset + "/" + label + "/seed_" + std::to_string(seed);
}

//! Artefacts of the complete cells, and the cells that failed, by cell key.
struct CellArtifacts {
  std::map<std::string, std::filesystem::path> models;      //!< saved model folders
  std::map<std::string, std::filesystem::path> embeddings;  //!< item embedding tables
  std::set<std::string> failed;

  //! Records a complete cell whose folder is `dir` (model/ and an optional embedding table).
  void add_complete(const std::string& key, const std::filesystem::path& dir);
  //! Records a complete cell from the artefact paths its record stores ("model" and an optional
  //! "item_embeddings"): a merged results file's cells keep their shards' folders.
  void add_recorded(const std::string& key, const std::map<std::string, std::string>& recorded);
  //! The artefacts of one dataset and seed, keyed by model label (what a cell may read).
  CellArtifacts of(const std::string& dataset, int64_t seed,
                   const std::vector<ModelEntry>& models) const;
};

}  // namespace recbench::run_detail
