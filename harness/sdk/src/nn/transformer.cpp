// Transformer blocks: RecBole-compatible multi-head attention, feed-forward and input layers.
#include "recbench/nn/transformer.h"

#include <cmath>

#include <torch/torch.h>

#include "recbench/error.h"

namespace recbench::nn {

torch::Tensor attention_mask(const torch::Tensor& items, bool causal) {
  const int64_t len = items.size(1);
  auto allowed = items.ne(0).unsqueeze(1).unsqueeze(2);  // [B, 1, 1, L] keys that are real
  if (causal) {
    auto lower = torch::ones({len, len}, items.options().dtype(torch::kBool)).tril();
    allowed = allowed.logical_and(lower);  // [B, 1, L, L]
  } else {
    allowed = allowed.expand({items.size(0), 1, len, len});
  }
  auto mask = torch::zeros(allowed.sizes(), items.options().dtype(torch::kFloat32));
  return mask.masked_fill(allowed.logical_not(), -10000.0);
}

TransformerLayerImpl::TransformerLayerImpl(const TransformerOptions& options) : options_(options) {
  if (options.hidden % options.heads != 0) {
    throw ConfigError("transformer: hidden size " + std::to_string(options.hidden) +
                      " is not divisible by the number of heads " + std::to_string(options.heads));
  }
  const int64_t d = options.hidden;
  auto norm = torch::nn::LayerNormOptions({d}).eps(options.layer_norm_eps);
  qkv_ = register_module("qkv", torch::nn::Linear(d, 3 * d));
  out_ = register_module("out", torch::nn::Linear(d, d));
  ff1_ = register_module("ff1", torch::nn::Linear(d, options.inner));
  ff2_ = register_module("ff2", torch::nn::Linear(options.inner, d));
  norm1_ = register_module("norm1", torch::nn::LayerNorm(norm));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(norm));
  attn_drop_ = register_module("attn_drop", torch::nn::Dropout(options.attn_dropout));
  drop_ = register_module("drop", torch::nn::Dropout(options.dropout));
}

torch::Tensor TransformerLayerImpl::attend(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t batch = x.size(0), len = x.size(1), heads = options_.heads;
  const int64_t head_dim = options_.hidden / heads;
  // [B, L, 3d] -> 3 x [B, h, L, d/h]
  auto qkv = qkv_(x).view({batch, len, 3, heads, head_dim}).permute({2, 0, 3, 1, 4});
  auto scores = torch::matmul(qkv[0], qkv[1].transpose(-1, -2)) / std::sqrt(double(head_dim));
  auto probs = attn_drop_(torch::softmax(scores + mask, -1));
  auto context = torch::matmul(probs, qkv[2]).permute({0, 2, 1, 3}).reshape({batch, len, -1});
  return out_(context);
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  auto feed = [&](const torch::Tensor& h) { return ff2_(torch::gelu(ff1_(h))); };
  if (options_.pre_norm) {
    auto h = x + drop_(attend(norm1_(x), mask));
    return h + drop_(feed(norm2_(h)));
  }
  auto h = norm1_(x + drop_(attend(x, mask)));
  return norm2_(h + drop_(feed(h)));
}

TransformerEncoderImpl::TransformerEncoderImpl(const TransformerOptions& options) {
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < options.layers; ++i) layers_->push_back(TransformerLayer(options));
  if (options.pre_norm) {
    final_norm_ = register_module(
        "final_norm",
        torch::nn::LayerNorm(
            torch::nn::LayerNormOptions({options.hidden}).eps(options.layer_norm_eps)));
  }
}

torch::Tensor TransformerEncoderImpl::forward(torch::Tensor x, const torch::Tensor& mask) {
  for (const auto& layer : *layers_) x = layer->as<TransformerLayerImpl>()->forward(x, mask);
  return final_norm_ ? final_norm_(x) : x;
}

PositionalInputImpl::PositionalInputImpl(int64_t max_len, int64_t hidden, double dropout,
                                         double layer_norm_eps) {
  positions_ = register_module("positions", torch::nn::Embedding(max_len, hidden));
  norm_ = register_module(
      "norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden}).eps(layer_norm_eps)));
  drop_ = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor PositionalInputImpl::forward(const torch::Tensor& item_emb) {
  auto pos = torch::arange(item_emb.size(1), item_emb.options().dtype(torch::kInt64));
  return drop_(norm_(item_emb + positions_(pos).unsqueeze(0)));
}

}  // namespace recbench::nn
