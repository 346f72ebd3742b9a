// NARM (Li et al., CIKM 2017): a GRU encoder whose last state (global) and attention-pooled
// states (local) are concatenated and mapped by a bilinear decoder onto the item embeddings.
#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/gru.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/plugin.h"

namespace recbench {
namespace {

struct NARMOptions {
  nn::GruOptions gru;
  double context_dropout = 0.5;
};

class NARMNetImpl : public torch::nn::Module {
 public:
  NARMNetImpl(int64_t num_items, const NARMOptions& o) {
    const int64_t hidden = o.gru.hidden;
    items = register_module("items", nn::item_table(num_items, o.gru.embedding));
    drop = register_module("drop", torch::nn::Dropout(o.gru.dropout));
    gru = register_module("gru", nn::make_gru(o.gru));
    auto plain = [](int64_t in, int64_t out) {
      return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
    };
    a1 = register_module("a1", plain(hidden, hidden));
    a2 = register_module("a2", plain(hidden, hidden));
    v = register_module("v", plain(hidden, 1));
    context_drop = register_module("context_drop", torch::nn::Dropout(o.context_dropout));
    b = register_module("b", plain(2 * hidden, o.gru.embedding));
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
      : SequentialModel(nn::read_common_options(params, {}, {TrainMode::prefix}), context) {
    NARMOptions o;
    o.gru = nn::read_gru_options(params, gru_defaults());
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
  //! Li et al.: dropout 0.25 on the input embeddings.
  static nn::GruOptions gru_defaults() {
    nn::GruOptions o;
    o.dropout = 0.25;
    return o;
  }
  nn::ItemLoss loss_;
  NARMNet net_{nullptr};
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(narm, recbench::NARM, "1.0",
                "NARM: GRU encoder with global and local attention (Li et al. 2017)")
