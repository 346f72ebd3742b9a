// RecBole's initialisations and the last-position gather shared by sequential models.
#include "recbench/nn/common.h"

#include <torch/torch.h>

namespace recbench::nn {

void init_normal(torch::nn::Module& module, double std) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules()) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0.0, std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* emb = m->as<torch::nn::Embedding>()) {
      emb->weight.normal_(0.0, std);
    } else if (auto* norm = m->as<torch::nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

void init_xavier(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules()) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      torch::nn::init::xavier_normal_(linear->weight);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* emb = m->as<torch::nn::Embedding>()) {
      torch::nn::init::xavier_normal_(emb->weight);
    } else if (auto* gru = m->as<torch::nn::GRU>()) {
      for (auto& p : gru->named_parameters(false)) {
        if (p.key().rfind("weight", 0) == 0) torch::nn::init::xavier_uniform_(p.value());
      }
    }
  }
}

torch::nn::Embedding item_table(int64_t num_items, int64_t dim) {
  return torch::nn::Embedding(torch::nn::EmbeddingOptions(num_items, dim).padding_idx(0));
}

torch::Tensor gather_last(const torch::Tensor& hidden, const torch::Tensor& lengths) {
  auto index = (lengths - 1).clamp_min(0).view({-1, 1, 1}).expand({-1, 1, hidden.size(2)});
  return hidden.gather(1, index).squeeze(1);
}

TargetStates select_targets(const torch::Tensor& states, const TrainBatch& batch) {
  if (batch.targets.dim() == 1) return {gather_last(states, batch.lengths), batch.targets};
  auto index = batch.targets.reshape(-1).nonzero().squeeze(1);
  return {states.reshape({-1, states.size(2)}).index_select(0, index),
          batch.targets.reshape(-1).index_select(0, index)};
}

torch::Tensor target_loss(const ItemLoss& loss, const torch::Tensor& states,
                          const TrainBatch& batch, const torch::Tensor& table) {
  auto sel = select_targets(states, batch);
  return loss(sel.states, sel.targets, table);
}

}  // namespace recbench::nn
