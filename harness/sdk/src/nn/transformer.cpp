// Transformer blocks: RecBole-compatible multi-head attention, feed-forward and input layers.
#include "recbench/nn/transformer.h"

#include <cmath>
#include <vector>

#include <torch/torch.h>

#include "recbench/error.h"
#include "recbench/params.h"

namespace recbench::nn {

TransformerOptions read_transformer_options(Params& params, const TransformerOptions& defaults) {
  TransformerOptions o = defaults;
  o.hidden = params.integer("hidden_size", defaults.hidden, "embedding and model width", 1);
  o.layers = params.integer("num_layers", defaults.layers, "Transformer layers", 1);
  o.heads = params.integer("num_heads", defaults.heads, "attention heads (divide hidden_size)", 1);
  o.inner = params.integer("inner_size", defaults.inner, "feed-forward width", 1);
  o.dropout =
      params.real("dropout", defaults.dropout, "dropout on embeddings and sublayers", 0.0, 1.0);
  o.attn_dropout =
      params.real("attn_dropout", defaults.attn_dropout, "dropout on attention weights", 0.0, 1.0);
  o.layer_norm_eps =
      params.real("layer_norm_eps", defaults.layer_norm_eps, "LayerNorm epsilon", 0.0);
  return o;
}

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

namespace {

//! Row rows[b] of dimension `dim` of each batch entry b: t [B, ..., N, ..., X] -> size 1 at dim.
torch::Tensor pick(const torch::Tensor& t, const torch::Tensor& rows, int64_t dim) {
  std::vector<int64_t> shape(static_cast<size_t>(t.dim()), 1);
  shape[0] = -1;
  auto index = rows.view(shape);
  std::vector<int64_t> sizes = t.sizes().vec();
  sizes[static_cast<size_t>(dim)] = 1;
  return t.gather(dim, index.expand(sizes));
}

}  // namespace

torch::Tensor TransformerLayerImpl::attend(const torch::Tensor& x, const torch::Tensor& mask,
                                           const torch::Tensor& rows) {
  const int64_t batch = x.size(0), heads = options_.heads, d = options_.hidden;
  const int64_t head_dim = d / heads;
  // [B, L, n·d] -> n x [B, h, L, d/h]
  auto split = [&](const torch::Tensor& t, int64_t n) {
    return t.view({batch, -1, n, heads, head_dim}).permute({2, 0, 3, 1, 4});
  };
  torch::Tensor q, k, v;
  if (!rows.defined()) {
    auto qkv = split(qkv_(x), 3);
    q = qkv[0], k = qkv[1], v = qkv[2];
  } else {  // keys and values of every position, queries of the chosen ones only
    const auto& w = qkv_->weight;
    const auto& b = qkv_->bias;
    auto kv = split(torch::linear(x, w.narrow(0, d, 2 * d), b.narrow(0, d, 2 * d)), 2);
    k = kv[0], v = kv[1];
    q = split(torch::linear(pick(x, rows, 1), w.narrow(0, 0, d), b.narrow(0, 0, d)), 1)[0];
  }
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(head_dim));
  auto probs = attn_drop_(torch::softmax(scores + mask, -1));
  auto context = torch::matmul(probs, v).permute({0, 2, 1, 3}).reshape({batch, q.size(2), -1});
  return out_(context);
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                            const torch::Tensor& rows) {
  auto feed = [&](const torch::Tensor& h) { return ff2_(torch::gelu(ff1_(h))); };
  // With rows, the residual stream and the mask shrink to the chosen positions.
  const auto own = [&](const torch::Tensor& t) { return rows.defined() ? pick(t, rows, 1) : t; };
  const auto query_mask =
      rows.defined() ? pick(mask.expand({x.size(0), -1, x.size(1), -1}), rows, 2) : mask;
  if (options_.pre_norm) {
    auto h = own(x) + drop_(attend(norm1_(x), query_mask, rows));
    return h + drop_(feed(norm2_(h)));
  }
  auto h = norm1_(own(x) + drop_(attend(x, query_mask, rows)));
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

torch::Tensor TransformerEncoderImpl::forward(torch::Tensor x, const torch::Tensor& mask,
                                              const torch::Tensor& rows) {
  const size_t last = layers_->size() - 1;
  for (size_t i = 0; i < layers_->size(); ++i) {
    x = layers_[i]->as<TransformerLayerImpl>()->forward(x, mask,
                                                        i == last ? rows : torch::Tensor());
  }
  if (rows.defined()) x = x.squeeze(1);
  return final_norm_ ? final_norm_(x) : x;
}

PositionAnchor read_position_anchor(Params& params, PositionAnchor fallback) {
  const std::string anchor = params.choice(
      "position_anchor", fallback == PositionAnchor::latest ? "latest" : "oldest",
      {"oldest", "latest"},
      "item the learned positions count from: oldest (RecBole) or latest (original SASRec, "
      "S3-Rec: left-padded, the latest item always at position max_len - 1)");
  return anchor == "latest" ? PositionAnchor::latest : PositionAnchor::oldest;
}

PositionalInputImpl::PositionalInputImpl(int64_t max_len, int64_t hidden, double dropout,
                                         double layer_norm_eps, PositionAnchor anchor)
    : max_len_(max_len), anchor_(anchor) {
  positions_ = register_module("positions", torch::nn::Embedding(max_len, hidden));
  norm_ = register_module(
      "norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden}).eps(layer_norm_eps)));
  drop_ = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor PositionalInputImpl::forward(const torch::Tensor& item_emb,
                                           const torch::Tensor& items) {
  auto pos = torch::arange(item_emb.size(1), item_emb.options().dtype(torch::kInt64));
  if (anchor_ == PositionAnchor::oldest) {
    return drop_(norm_(item_emb + positions_(pos).unsqueeze(0)));
  }
  // Item i of a sequence of n sits where left padding to max_len would put it: max_len - n + i.
  // Padding after the sequence gets clamped positions; attention never reads it as a key.
  auto length = items.ne(0).sum(1, /*keepdim=*/true);
  pos = (pos.unsqueeze(0) + (max_len_ - length)).clamp(0, max_len_ - 1);
  return drop_(norm_(item_emb + positions_(pos)));
}

}  // namespace recbench::nn
