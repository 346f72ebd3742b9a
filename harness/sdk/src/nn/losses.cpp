// Next-item losses: CE over all items, BCE with one negative, sampled softmax with N negatives.
#include "recbench/nn/losses.h"

#include <torch/torch.h>

#include "recbench/error.h"

namespace recbench::nn {

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names{"ce", "bce", "sampled_softmax"};
  return names;
}

LossKind parse_loss(const std::string& name) {
  const auto& names = loss_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<LossKind>(i);
  }
  throw ConfigError("unknown loss '" + name + "'; expected ce, bce or sampled_softmax");
}

namespace {

//! Uniform items in 1..n-1 different from `avoid` (shape of avoid): draw from n-2 values, skip.
torch::Tensor negatives_except(const torch::Tensor& avoid, int64_t n) {
  auto neg = torch::randint(1, n - 1, avoid.sizes(), avoid.options());
  return neg + neg.ge(avoid).to(neg.dtype());
}

torch::Tensor logits_of(const torch::Tensor& hidden, const torch::Tensor& table,
                        const torch::Tensor& bias, const torch::Tensor& items) {
  // hidden [M, d], items [M, k] -> [M, k]
  auto emb = table.index_select(0, items.reshape(-1)).view({items.size(0), items.size(1), -1});
  auto out = torch::bmm(emb, hidden.unsqueeze(2)).squeeze(2);
  return bias.defined() ? out + bias.index_select(0, items.reshape(-1)).view_as(out) : out;
}

}  // namespace

torch::Tensor ItemLoss::operator()(const torch::Tensor& hidden, const torch::Tensor& targets,
                                   const torch::Tensor& table, const torch::Tensor& bias) const {
  const int64_t n = table.size(0);
  switch (kind) {
    case LossKind::ce: {
      auto logits = torch::matmul(hidden, table.t());
      if (bias.defined()) logits = logits + bias;
      return torch::cross_entropy_loss(logits, targets);
    }
    case LossKind::bce: {
      auto items = torch::stack({targets, negatives_except(targets, n)}, 1);  // [M, 2]
      auto logits = logits_of(hidden, table, bias, items);
      auto labels = torch::zeros_like(logits);
      labels.select(1, 0).fill_(1.0);
      return torch::binary_cross_entropy_with_logits(logits, labels, {}, {}, at::Reduction::Sum) /
             targets.size(0);
    }
    case LossKind::sampled_softmax: {
      auto negs = torch::randint(1, n, {num_negatives}, targets.options());  // shared by the batch
      auto pos = logits_of(hidden, table, bias, targets.unsqueeze(1));       // [M, 1]
      auto neg = torch::matmul(hidden, table.index_select(0, negs).t());     // [M, N]
      if (bias.defined()) neg = neg + bias.index_select(0, negs);
      neg = neg.masked_fill(negs.unsqueeze(0).eq(targets.unsqueeze(1)), -1e9);  // accidental hits
      auto logits = torch::cat({pos, neg}, 1);
      return torch::cross_entropy_loss(logits, torch::zeros_like(targets));
    }
  }
  throw Error("ItemLoss: unknown loss kind");
}

}  // namespace recbench::nn
