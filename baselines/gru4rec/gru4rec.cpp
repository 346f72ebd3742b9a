// GRU4Rec (Hidasi et al., ICLR 2016), RecBole's variant: a GRU over the item embeddings; the
// projected hidden state at the last position, dotted with the item embeddings, scores items.
#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/gru.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/plugin.h"

namespace recbench {
namespace {

//! Embedding -> dropout -> GRU (no bias, as RecBole) -> Linear back to the embedding width.
class GRU4RecNetImpl : public torch::nn::Module {
 public:
  GRU4RecNetImpl(int64_t num_items, const nn::GruOptions& o) {
    items = register_module("items", nn::item_table(num_items, o.embedding));
    drop = register_module("drop", torch::nn::Dropout(o.dropout));
    gru = register_module("gru", nn::make_gru(o));
    dense = register_module("dense", torch::nn::Linear(o.hidden, o.embedding));
  }
  //! items [B, L] left-aligned -> states [B, L, embedding] (causal: padding comes after).
  torch::Tensor forward(const torch::Tensor& seq) {
    return dense(std::get<0>(gru(drop(items(seq)))));
  }
  torch::nn::Embedding items{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::nn::GRU gru{nullptr};
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(GRU4RecNet);

class GRU4Rec final : public nn::SequentialModel {
 public:
  GRU4Rec(Params& params, const PluginContext& context)
      : SequentialModel(read_common(params), context) {
    const nn::GruOptions o = nn::read_gru_options(params, {});
    loss_ = nn::read_loss(params);
    const auto& data = nn::require_data(context.data, "gru4rec");
    net_ = GRU4RecNet(data.num_items(), o);
    nn::init_xavier(*net_);
    attach(net_.ptr());
  }

 protected:
  torch::Tensor encode(const HistoryBatch& batch) override {
    HistoryBatch h = keep_recent(batch, options().max_len);
    return nn::gather_last(net_(h.items), h.lengths);
  }
  torch::Tensor batch_loss(const TrainBatch& batch) override {
    return nn::target_loss(loss_, net_(batch.items), batch, output_table());
  }
  torch::Tensor output_table() const override { return net_->items->weight; }

 private:
  static nn::CommonOptions read_common(Params& params) {
    return nn::read_common_options(params, {}, {TrainMode::prefix, TrainMode::every_position});
  }
  nn::ItemLoss loss_;
  GRU4RecNet net_{nullptr};
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(gru4rec, recbench::GRU4Rec, "1.0",
                "GRU4Rec: recurrent session-based recommender (Hidasi et al. 2016)")
