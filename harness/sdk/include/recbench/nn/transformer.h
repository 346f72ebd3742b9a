// Transformer blocks for sequential recommenders (RecBole's TransformerEncoder, SASRec/BERT4Rec).
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "recbench/export.h"

namespace recbench {
class Params;
}

namespace recbench::nn {

struct TransformerOptions {
  int64_t hidden = 64;            //!< model width d
  int64_t heads = 2;              //!< attention heads (hidden must be divisible by heads)
  int64_t inner = 256;            //!< feed-forward width
  int64_t layers = 2;             //!< encoder layers
  double dropout = 0.5;           //!< on sublayer outputs (RecBole's hidden_dropout_prob)
  double attn_dropout = 0.5;      //!< on attention probabilities (attn_dropout_prob)
  double layer_norm_eps = 1e-12;  //!< RecBole's default
  //! false: post-LN, LayerNorm(x + Dropout(Sublayer(x))) as RecBole (and BERT);
  //! true: pre-LN, x + Dropout(Sublayer(LayerNorm(x))) with a final LayerNorm, as the original
  //! SASRec code.
  bool pre_norm = false;
};

//! Declares and reads hidden_size, num_layers, num_heads, inner_size, dropout, attn_dropout and
//! layer_norm_eps, the model's defaults taken from `defaults` (pre_norm is left as it is there).
RECBENCH_API TransformerOptions read_transformer_options(Params& params,
                                                         const TransformerOptions& defaults);

//! Additive attention mask [B, 1, L, L] for left-aligned `items` [B, L] (0 = padding): 0 where a
//! query may attend to a key, -10000 elsewhere (RecBole's constant). Keys that are padding are
//! masked; `causal` also masks keys after the query.
RECBENCH_API torch::Tensor attention_mask(const torch::Tensor& items, bool causal);

//! Multi-head self-attention followed by a GELU feed-forward network, each with a residual.
class RECBENCH_API TransformerLayerImpl : public torch::nn::Module {
 public:
  explicit TransformerLayerImpl(const TransformerOptions& options);
  //! x [B, L, d], mask from attention_mask() -> [B, L, d]. With `rows` [B] (int64 positions):
  //! only those positions' outputs, [B, 1, d], attending over all of x (what a last layer needs
  //! when only one state per sequence is read: its queries and feed-forward shrink from L to 1).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask,
                        const torch::Tensor& rows = {});

 private:
  torch::Tensor attend(const torch::Tensor& x, const torch::Tensor& mask,
                       const torch::Tensor& rows);
  TransformerOptions options_;
  torch::nn::Linear qkv_{nullptr}, out_{nullptr}, ff1_{nullptr}, ff2_{nullptr};
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Dropout attn_drop_{nullptr}, drop_{nullptr};
};
TORCH_MODULE(TransformerLayer);

//! A stack of TransformerLayers (plus the final LayerNorm of pre-LN stacks).
class RECBENCH_API TransformerEncoderImpl : public torch::nn::Module {
 public:
  explicit TransformerEncoderImpl(const TransformerOptions& options);
  //! x [B, L, d] -> [B, L, d]; with `rows` [B], the state at position rows[b] of each sequence,
  //! [B, d], equal to gather_last-style picking from the full output but with the last layer
  //! computed for those positions only.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask, const torch::Tensor& rows = {});

 private:
  torch::nn::ModuleList layers_;
  torch::nn::LayerNorm final_norm_{nullptr};
};
TORCH_MODULE(TransformerEncoder);

//! Which item of a sequence the learned positions are counted from.
enum class PositionAnchor {
  oldest,  //!< the oldest item is position 0 (RecBole, which pads on the right)
  latest,  //!< the latest item is position max_len - 1 (the original SASRec code and S3-Rec,
           //!< which pad on the left)
};

//! Reads `position_anchor` ("oldest" or "latest") with the model's default.
RECBENCH_API PositionAnchor read_position_anchor(Params& params, PositionAnchor fallback);

//! Learned absolute positions added to item embeddings, then LayerNorm and dropout (RecBole's
//! SASRec/BERT4Rec input block). Sequences are left-aligned (0 = padding on the right); the
//! anchor says whether positions count from their oldest or from their latest item.
class RECBENCH_API PositionalInputImpl : public torch::nn::Module {
 public:
  PositionalInputImpl(int64_t max_len, int64_t hidden, double dropout, double layer_norm_eps,
                      PositionAnchor anchor = PositionAnchor::oldest);
  //! item_emb [B, L, d] of `items` [B, L] with L <= max_len -> [B, L, d]. `items` gives each
  //! sequence's length, which only the `latest` anchor reads.
  torch::Tensor forward(const torch::Tensor& item_emb, const torch::Tensor& items);

 private:
  int64_t max_len_;
  PositionAnchor anchor_;
  torch::nn::Embedding positions_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Dropout drop_{nullptr};
};
TORCH_MODULE(PositionalInput);

}  // namespace recbench::nn
