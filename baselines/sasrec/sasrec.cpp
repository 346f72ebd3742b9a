// SASRec (Kang & McAuley, ICDM 2018): causal self-attention over the history; the state at the
// last position, dotted with the (shared) item embeddings, scores the next item.
#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/nn/transformer.h"
#include "recbench/plugin.h"

namespace recbench {
namespace {

//! Item embeddings + learned positions -> causal Transformer encoder -> a state per position.
class SASRecNetImpl : public torch::nn::Module {
 public:
  SASRecNetImpl(int64_t num_items, int64_t max_len, const nn::TransformerOptions& o,
                nn::PositionAnchor anchor) {
    items = register_module("items", nn::item_table(num_items, o.hidden));
    input = register_module(
        "input", nn::PositionalInput(max_len, o.hidden, o.dropout, o.layer_norm_eps, anchor));
    encoder = register_module("encoder", nn::TransformerEncoder(o));
  }
  //! items [B, L] left-aligned -> states [B, L, d]; with `rows` [B], the state at each
  //! sequence's position rows[b] only, [B, d].
  torch::Tensor forward(const torch::Tensor& seq, const torch::Tensor& rows = {}) {
    return encoder(input(items(seq), seq), nn::attention_mask(seq, /*causal=*/true), rows);
  }
  torch::nn::Embedding items{nullptr};
  nn::PositionalInput input{nullptr};
  nn::TransformerEncoder encoder{nullptr};
};
TORCH_MODULE(SASRecNet);

class SASRec final : public nn::SequentialModel {
 public:
  SASRec(Params& params, const PluginContext& context)
      : SequentialModel(read_common(params), context) {
    nn::TransformerOptions o = nn::read_transformer_options(params, {});
    o.pre_norm = params.flag("pre_norm", false,
                             "pre-LN layers as the original code (default post-LN as RecBole)");
    const nn::PositionAnchor anchor = nn::read_position_anchor(params, nn::PositionAnchor::oldest);
    const double init_std = params.real("init_std", 0.02, "std of the normal initialisation", 0.0);
    loss_ = nn::read_loss(params);
    const auto& data = nn::require_data(context.data, "sasrec");
    net_ = SASRecNet(data.num_items(), options().max_len, o, anchor);
    nn::init_normal(*net_, init_std);
    attach(net_.ptr());
  }

 protected:
  torch::Tensor encode(const HistoryBatch& batch) override {
    HistoryBatch h = keep_recent(batch, options().max_len);
    return net_(h.items, (h.lengths - 1).clamp_min(0));  // the last layer at the last item only
  }
  torch::Tensor batch_loss(const TrainBatch& batch) override {
    return nn::target_loss(loss_, net_(batch.items), batch, output_table());
  }
  torch::Tensor output_table() const override { return net_->items->weight; }

 private:
  static nn::CommonOptions read_common(Params& params) {
    return nn::read_common_options(params, {}, {TrainMode::every_position, TrainMode::prefix});
  }
  nn::ItemLoss loss_;
  SASRecNet net_{nullptr};
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(sasrec, recbench::SASRec, "1.0",
                "SASRec: causal self-attention sequential recommender (Kang & McAuley 2018)")
