// Next-item losses over an item embedding table: full CE, BCE with one negative, sampled softmax.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "recbench/export.h"

namespace recbench::nn {

enum class LossKind {
  ce,               //!< softmax cross-entropy over all items (RecBole's CE)
  bce,              //!< binary CE of the target vs one uniform negative (original SASRec)
  sampled_softmax,  //!< softmax over the target and N uniform negatives shared by the batch
};

//! The names accepted in a `loss` key, in LossKind order.
RECBENCH_API const std::vector<std::string>& loss_names();
RECBENCH_API LossKind parse_loss(const std::string& name);

//! A next-item loss. Negatives are drawn uniformly from items 1..n-1 with the global LibTorch
//! generator (seed it for determinism); a negative equal to the target is never used as one.
struct RECBENCH_API ItemLoss {
  LossKind kind = LossKind::ce;
  int64_t num_negatives = 100;  //!< sampled_softmax only

  //! `hidden` [M, d] user states, `targets` [M] item ids (all >= 1), `table` [n, d] the output
  //! item embeddings (row 0 padding), `bias` [n] optional per-item bias. Returns the mean loss.
  torch::Tensor operator()(const torch::Tensor& hidden, const torch::Tensor& targets,
                           const torch::Tensor& table, const torch::Tensor& bias = {}) const;
};

}  // namespace recbench::nn
