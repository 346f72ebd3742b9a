// BERT4Rec (Sun et al., CIKM 2019): a bidirectional Transformer trained with the cloze task;
// at inference a mask token appended after the history is decoded into next-item scores.
#include <torch/torch.h>

#include <vector>

#include "recbench/error.h"
#include "recbench/nn/common.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/nn/transformer.h"
#include "recbench/plugin.h"
#include "recbench/train_views.h"

namespace recbench {
namespace {

//! Items (+ one mask row) and positions -> bidirectional encoder -> GELU/LayerNorm output head.
class BERT4RecNetImpl : public torch::nn::Module {
 public:
  BERT4RecNetImpl(int64_t num_items, int64_t max_len, const nn::TransformerOptions& o) {
    items = register_module("items", nn::item_table(num_items + 1, o.hidden));  // + mask token
    input = register_module("input",
                            nn::PositionalInput(max_len, o.hidden, o.dropout, o.layer_norm_eps));
    encoder = register_module("encoder", nn::TransformerEncoder(o));
    head = register_module("head", torch::nn::Linear(o.hidden, o.hidden));
    head_norm = register_module(
        "head_norm",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.hidden}).eps(o.layer_norm_eps)));
    bias = register_parameter("bias", torch::zeros({num_items}));
  }
  //! items [B, L] left-aligned (may hold the mask token) -> states [B, L, d]; with `rows` [B],
  //! the state at each sequence's position rows[b] only, [B, d].
  torch::Tensor forward(const torch::Tensor& seq, const torch::Tensor& rows = {}) {
    auto states = encoder(input(items(seq), seq), nn::attention_mask(seq, /*causal=*/false), rows);
    // Under CPU autocast the linear's output is bfloat16, and LibTorch 1.13's CPU autocast
    // leaves layer_norm uncast (CUDA's casts it to float32): match the norm's weights.
    return head_norm(torch::gelu(head(states)).to(head_norm->weight.scalar_type()));
  }
  torch::nn::Embedding items{nullptr};
  nn::PositionalInput input{nullptr};
  nn::TransformerEncoder encoder{nullptr};
  torch::nn::Linear head{nullptr};
  torch::nn::LayerNorm head_norm{nullptr};
  torch::Tensor bias;
};
TORCH_MODULE(BERT4RecNet);

class BERT4Rec final : public nn::SequentialModel {
 public:
  BERT4Rec(Params& params, const PluginContext& context)
      : BERT4Rec(read_common(params), params, context) {}
  //! The base class never groups: a cloze batch's loss is a mean over its masked positions,
  //! which batch_loss() groups itself when `common.group_by_length`.
  BERT4Rec(nn::CommonOptions common, Params& params, const PluginContext& context)
      : SequentialModel(ungrouped(common), context), group_by_length_(common.group_by_length) {
    const nn::TransformerOptions o = nn::read_transformer_options(params, bert_defaults());
    const double init_std = params.real("init_std", 0.02, "std of the normal initialisation", 0.0);
    mask_ratio_ =
        params.real("mask_ratio", 0.2, "share of items masked in cloze samples", 0.0, 1.0);
    ft_ratio_ =
        params.real("ft_ratio", 0.5,
                    "share of samples that mask only the last item (Sun et al. 3.6)", 0.0, 1.0);
    loss_ = nn::read_loss(params);
    if (options().max_len < 2) throw ConfigError("bert4rec: max_len must be >= 2");
    const auto& data = nn::require_data(context.data, "bert4rec");
    mask_token_ = data.num_items();
    net_ = BERT4RecNet(data.num_items(), options().max_len, o);
    nn::init_normal(*net_, init_std);
    attach(net_.ptr());
  }

  //! [n, d + 1]: the item embeddings with the output bias as last column.
  torch::Tensor item_embeddings() const override {
    auto table = output_table().detach();
    return torch::cat({table, net_->bias.detach().unsqueeze(1)}, 1);
  }
  //! [B, d + 1]: the state at the appended mask token, and a 1 that picks up the bias.
  torch::Tensor user_representation(const HistoryBatch& batch) override {
    auto rep = SequentialModel::user_representation(batch);
    return torch::cat({rep, torch::ones({rep.size(0), 1}, rep.options())}, 1);
  }

 protected:
  //! History (at most max_len - 1 items) + mask token; the state at the mask.
  torch::Tensor encode(const HistoryBatch& batch) override {
    HistoryBatch h = keep_recent(batch, options().max_len - 1);
    auto lengths = h.lengths * h.items.select(1, 0).ne(0).to(torch::kInt64);  // empty history: 0
    auto seq = append(h.items, lengths, torch::full_like(lengths, mask_token_));
    return net_(seq, lengths);  // the state at the mask token; the last layer computes it alone
  }
  torch::Tensor batch_loss(const TrainBatch& batch) override;
  torch::Tensor output_table() const override {
    return net_->items->weight.slice(0, 0, mask_token_);
  }
  int64_t train_length() const override { return options().max_len - 1; }

 private:
  static nn::CommonOptions read_common(Params& params) {
    return nn::read_common_options(params, {}, {TrainMode::prefix, TrainMode::every_position});
  }
  static nn::CommonOptions ungrouped(nn::CommonOptions o) {
    o.group_by_length = false;
    return o;
  }
  //! RecBole's BERT4Rec: dropout 0.2 where SASRec has 0.5.
  static nn::TransformerOptions bert_defaults() {
    nn::TransformerOptions o;
    o.dropout = o.attn_dropout = 0.2;
    return o;
  }
  //! items [B, W] with `lengths` real items -> [B, W + 1] with `next` [B] at position lengths.
  static torch::Tensor append(const torch::Tensor& items, const torch::Tensor& lengths,
                              const torch::Tensor& next) {
    auto seq = torch::cat({items, torch::zeros({items.size(0), 1}, items.options())}, 1);
    return seq.scatter(1, lengths.unsqueeze(1), next.unsqueeze(1));
  }
  torch::Tensor cloze_mask(const torch::Tensor& seq, const torch::Tensor& lengths) const;

  bool group_by_length_ = true;
  double mask_ratio_ = 0.2, ft_ratio_ = 0.5;
  int64_t mask_token_ = 0;
  nn::ItemLoss loss_;
  BERT4RecNet net_{nullptr};
};

//! Which positions of `seq` [B, W] (lengths [B] real items) to mask: each real item with
//! probability mask_ratio; rows drawn with probability ft_ratio mask only their last item; a row
//! with nothing masked masks one uniformly drawn position.
torch::Tensor BERT4Rec::cloze_mask(const torch::Tensor& seq, const torch::Tensor& lengths) const {
  const auto opts = torch::TensorOptions().device(seq.device());
  auto pos = torch::arange(seq.size(1), opts.dtype(torch::kInt64)).unsqueeze(0);
  auto real = pos < lengths.unsqueeze(1);
  auto mask = torch::rand(seq.sizes(), opts).lt(mask_ratio_).logical_and(real);
  auto last = pos.eq((lengths - 1).unsqueeze(1));
  auto fine_tune = torch::rand({seq.size(0), 1}, opts).lt(ft_ratio_);
  mask = torch::where(fine_tune, last, mask);
  auto empty = mask.any(1, /*keepdim=*/true).logical_not();
  auto pick = (torch::rand({seq.size(0), 1}, opts) * lengths.unsqueeze(1)).to(torch::kInt64);
  return mask.logical_or(empty.logical_and(pos.eq(pick)));
}

torch::Tensor BERT4Rec::batch_loss(const TrainBatch& batch) {
  // The whole window (inputs + the last target) is the cloze sequence.
  auto last = batch.targets.dim() == 1
                  ? batch.targets
                  : batch.targets.gather(1, (batch.lengths - 1).unsqueeze(1)).squeeze(1);
  auto seq = append(batch.items, batch.lengths, last);
  auto lengths = batch.lengths + 1;
  auto mask = cloze_mask(seq, lengths);  // drawn over the whole batch, grouped or not
  auto input = seq.masked_fill(mask, mask_token_);
  // Padding is a masked key, so a row's states do not depend on the width it is run at: the
  // encoder runs per length group, and one loss averages every masked position of the batch.
  std::vector<LengthGroup> groups;
  if (group_by_length_) {
    groups = length_groups(lengths);
  } else {
    groups.push_back({torch::arange(seq.size(0), lengths.options()), seq.size(1)});
  }
  std::vector<torch::Tensor> hidden, targets;
  for (const LengthGroup& g : groups) {
    auto states = net_(g.take(input));
    auto index = g.take(mask).reshape(-1).nonzero().squeeze(1);
    hidden.push_back(states.reshape({-1, states.size(2)}).index_select(0, index));
    targets.push_back(g.take(seq).reshape(-1).index_select(0, index));
  }
  return loss_(torch::cat(hidden), torch::cat(targets), output_table(), net_->bias);
}

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(bert4rec, recbench::BERT4Rec, "1.0",
                "BERT4Rec: bidirectional Transformer with the cloze objective (Sun et al. 2019)")
