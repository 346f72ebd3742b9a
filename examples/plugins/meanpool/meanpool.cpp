// MeanPool, the example of docs/writing-a-plugin.md: a user is the mean of the embeddings of the
// items in their history, mapped by one linear layer; dotted with the item embeddings, it scores.
#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/plugin.h"

namespace recbench {
namespace {

//! Item embeddings (row 0 = padding) and one linear layer over their mean.
class MeanPoolNetImpl : public torch::nn::Module {
 public:
  MeanPoolNetImpl(int64_t num_items, int64_t dim) {
    items = register_module(
        "items", torch::nn::Embedding(torch::nn::EmbeddingOptions(num_items, dim).padding_idx(0)));
    mix = register_module("mix", torch::nn::Linear(dim, dim));
  }
  //! items [B, L] left-aligned, zero-padded; lengths [B] -> user representations [B, dim].
  torch::Tensor forward(const torch::Tensor& seq, const torch::Tensor& lengths) {
    auto emb = items(seq);                               // [B, L, dim]
    auto real = seq.gt(0).unsqueeze(2).to(emb.dtype());  // 0 at padding (init_xavier fills row 0)
    auto mean = (emb * real).sum(1) / lengths.clamp_min(1).unsqueeze(1).to(emb.dtype());
    return mix(mean);
  }
  torch::nn::Embedding items{nullptr};
  torch::nn::Linear mix{nullptr};
};
TORCH_MODULE(MeanPoolNet);

class MeanPool final : public nn::SequentialModel {
 public:
  MeanPool(Params& params, const PluginContext& context)
      : SequentialModel(nn::read_common_options(params, {}, {TrainMode::prefix}), context) {
    const int64_t dim = params.integer("embedding_size", 64, "item embedding width", 1);
    loss_ = nn::read_loss(params);
    const auto& data = nn::require_data(context.data, "meanpool");
    net_ = MeanPoolNet(data.num_items(), dim);
    nn::init_xavier(*net_);
    attach(net_.ptr());
  }

 protected:
  torch::Tensor encode(const HistoryBatch& batch) override {
    HistoryBatch h = keep_recent(batch, options().max_len);
    return net_(h.items, h.lengths);
  }
  torch::Tensor batch_loss(const TrainBatch& batch) override {
    return loss_(encode(batch.history()), batch.targets, output_table());
  }
  torch::Tensor output_table() const override { return net_->items->weight; }

 private:
  nn::ItemLoss loss_;
  MeanPoolNet net_{nullptr};
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(meanpool, recbench::MeanPool, "1.0",
                "MeanPool: mean of the history's item embeddings (the plugin guide's example)")
