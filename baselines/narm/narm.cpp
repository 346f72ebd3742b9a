// NARM (Li et al., CIKM 2017): a GRU encoder whose last state (global) and attention-pooled
// states (local) are concatenated and mapped by a bilinear decoder onto the item embeddings.
#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/plugin.h"

namespace recbench {
namespace {

struct NARMOptions {
  int64_t embedding = 64, hidden = 128, layers = 1;
  double dropout = 0.25, context_dropout = 0.5;
};

class NARMNetImpl : public torch::nn::Module {
 public:
  NARMNetImpl(int64_t num_items, const NARMOptions& o) {
    items = register_module(
        "items",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(num_items, o.embedding).padding_idx(0)));
    drop = register_module("drop", torch::nn::Dropout(o.dropout));
    gru = register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(o.embedding, o.hidden)
                                                    .num_layers(o.layers)
                                                    .bias(false)
                                                    .batch_first(true)));
    auto plain = [](int64_t in, int64_t out) {
      return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
    };
    a1 = register_module("a1", plain(o.hidden, o.hidden));
    a2 = register_module("a2", plain(o.hidden, o.hidden));
    v = register_module("v", plain(o.hidden, 1));
    context_drop = register_module("context_drop", torch::nn::Dropout(o.context_dropout));
    b = register_module("b", plain(2 * o.hidden, o.embedding));
  }
  //! items [B, L] left-aligned, lengths [B] -> session representation [B, embedding].
  torch::Tensor forward(const torch::Tensor& seq, const torch::Tensor& lengths) {
    auto states = std::get<0>(gru(drop(items(seq))));  // [B, L, h]
    auto global = nn::gather_last(states, lengths);    // c_g = h_t
    auto real = seq.gt(0).unsqueeze(2).to(states.dtype());
    // alpha_tj = v^T sigmoid(A1 h_t + A2 h_j), zero at padding (Li et al. eq. 7-8)
    auto alpha = v(real * torch::sigmoid(a1(states) + a2(global).unsqueeze(1)));  // [B, L, 1]
    auto local = (alpha * states).sum(1);                                         // c_l
    return b(context_drop(torch::cat({local, global}, 1)));
  }
  torch::nn::Embedding items{nullptr};
  torch::nn::Dropout drop{nullptr}, context_drop{nullptr};
  torch::nn::GRU gru{nullptr};
  torch::nn::Linear a1{nullptr}, a2{nullptr}, v{nullptr}, b{nullptr};
};
TORCH_MODULE(NARMNet);

class NARM final : public nn::SequentialModel {
 public:
  NARM(Params& params, const PluginContext& context)
      : SequentialModel(nn::read_common_options(params, {}, {TrainMode::prefix}), context.device) {
    NARMOptions o;
    o.embedding = params.integer("embedding_size", 64, "item embedding width", 1);
    o.hidden = params.integer("hidden_size", 128, "GRU state width", 1);
    o.layers = params.integer("num_layers", 1, "stacked GRU layers", 1);
    o.dropout = params.real("dropout", 0.25, "dropout on the input embeddings", 0.0, 1.0);
    o.context_dropout =
        params.real("context_dropout", 0.5, "dropout on the [local; global] context", 0.0, 1.0);
    loss_ = nn::read_loss(params);
    const auto& data = nn::require_data(context.data, "narm");
    net_ = NARMNet(data.num_items(), o);
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
  NARMNet net_{nullptr};
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(narm, recbench::NARM, "1.0",
                "NARM: GRU encoder with global and local attention (Li et al. 2017)")
