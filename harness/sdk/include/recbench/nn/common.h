// Weight initialisations of RecBole's sequential models and small pieces they share.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>

#include "recbench/export.h"
#include "recbench/nn/losses.h"
#include "recbench/train_views.h"

namespace recbench::nn {

//! Linear and Embedding weights ~ N(0, std^2), Linear biases 0, LayerNorm (1, 0) (SASRec,
//! BERT4Rec).
RECBENCH_API void init_normal(torch::nn::Module& module, double std);
//! Xavier-normal Linear and Embedding weights, zero biases; GRU weights Xavier-uniform (GRU4Rec,
//! NARM).
RECBENCH_API void init_xavier(torch::nn::Module& module);

//! An item embedding table: `num_items` rows of width `dim`, row 0 the padding item.
RECBENCH_API torch::nn::Embedding item_table(int64_t num_items, int64_t dim);

//! Gathers the state at position lengths-1 of each row: hidden [B, L, d], lengths [B] -> [B, d].
RECBENCH_API torch::Tensor gather_last(const torch::Tensor& hidden, const torch::Tensor& lengths);

//! States [M, d] and target items [M] of every target in a batch, from per-position states
//! [B, W, d]: the last input position of each prefix, or every position with a target.
struct TargetStates {
  torch::Tensor states;
  torch::Tensor targets;
};
RECBENCH_API TargetStates select_targets(const torch::Tensor& states, const TrainBatch& batch);

//! `loss` of the per-position `states` [B, W, d] at every target of `batch` (select_targets()),
//! against the item table `table`.
RECBENCH_API torch::Tensor target_loss(const ItemLoss& loss, const torch::Tensor& states,
                                       const TrainBatch& batch, const torch::Tensor& table);

}  // namespace recbench::nn
