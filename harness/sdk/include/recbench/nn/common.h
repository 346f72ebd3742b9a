// Weight initialisations of RecBole's sequential models and small tensor helpers they share.
#pragma once

#include <torch/nn/module.h>

#include "recbench/export.h"
#include "recbench/train_views.h"

namespace recbench::nn {

//! Linear and Embedding weights ~ N(0, std^2), Linear biases 0, LayerNorm (1, 0) (SASRec,
//! BERT4Rec).
RECBENCH_API void init_normal(torch::nn::Module& module, double std);
//! Xavier-normal Linear and Embedding weights, zero biases; GRU weights Xavier-uniform (GRU4Rec,
//! NARM).
RECBENCH_API void init_xavier(torch::nn::Module& module);

//! Gathers the state at position lengths-1 of each row: hidden [B, L, d], lengths [B] -> [B, d].
RECBENCH_API torch::Tensor gather_last(const torch::Tensor& hidden, const torch::Tensor& lengths);

//! States [M, d] and target items [M] of every target in a batch, from per-position states
//! [B, W, d]: the last input position of each prefix, or every position with a target.
struct TargetStates {
  torch::Tensor states;
  torch::Tensor targets;
};
RECBENCH_API TargetStates select_targets(const torch::Tensor& states, const TrainBatch& batch);

}  // namespace recbench::nn
