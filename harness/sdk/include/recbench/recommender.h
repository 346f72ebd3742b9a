// The model interface every plugin implements; the harness owns data, evaluation and results.
#pragma once

#include <filesystem>

#include <torch/types.h>

#include "recbench/batch.h"
#include "recbench/export.h"

namespace recbench {

class TrainContext;

//! A trained or trainable recommender. Models return scores; they never compute metrics.
class RECBENCH_API Recommender {
 public:
  virtual ~Recommender();

  //! Trains on ctx.data(); may run several stages and call ctx.validate() after each epoch.
  virtual void fit(TrainContext& ctx) = 0;
  //! Scores of every item: [B, num_items] (column 0 is padding and is ignored).
  virtual torch::Tensor score_all(const HistoryBatch& batch) = 0;
  //! Scores of given candidates `cand` [B, C] -> [B, C]. The default gathers from score_all.
  virtual torch::Tensor score_candidates(const HistoryBatch& batch, const torch::Tensor& cand);
  //! Writes everything needed to score again into `dir` (exists, empty).
  virtual void save(const std::filesystem::path& dir) const = 0;
  //! Restores a model written by save() on a model constructed with the same parameters.
  virtual void load(const std::filesystem::path& dir) = 0;
};

//! Optional interface of models with an item embedding table and a user representation, so that
//! other plugins (RSLLM) can consume them. Discovered with dynamic_cast.
class RECBENCH_API EmbeddingSource {
 public:
  virtual ~EmbeddingSource();
  //! [num_items, d]; row 0 is padding.
  virtual torch::Tensor item_embeddings() const = 0;
  //! [B, d] representation whose dot product with item_embeddings() gives score_all().
  virtual torch::Tensor user_representation(const HistoryBatch& batch) = 0;
};

}  // namespace recbench
