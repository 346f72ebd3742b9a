// Caser (Tang & Wang, WSDM 2018): horizontal and vertical convolutions over the embeddings of
// the last L items, concatenated with a user embedding; RecBole's variant (output tied to the
// item embeddings through a ReLU projection, one target per sample).
#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/plugin.h"

namespace recbench {
namespace {

struct CaserOptions {
  int64_t embedding = 64, nv = 4, nh = 8, len = 5;
  double dropout = 0.4;
  bool user_embedding = true;  //!< false: the sequence alone (rows of a pre-split dataset are
                               //!< no users: their evaluation rows were never trained)
};

class CaserNetImpl : public torch::nn::Module {
 public:
  CaserNetImpl(int64_t num_items, int64_t num_users, const CaserOptions& o) {
    const int64_t d = o.embedding;
    items = register_module("items", nn::item_table(num_items, d));
    if (o.user_embedding) users = register_module("users", torch::nn::Embedding(num_users, d));
    conv_v =
        register_module("conv_v", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, o.nv, {o.len, 1})));
    conv_h = register_module("conv_h", torch::nn::ModuleList());
    for (int64_t h = 1; h <= o.len; ++h) {
      conv_h->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, o.nh, {h, d})));
    }
    fc1 = register_module("fc1", torch::nn::Linear(o.nv * d + o.nh * o.len, d));
    fc2 = register_module("fc2", torch::nn::Linear(o.user_embedding ? 2 * d : d, d));
    drop = register_module("drop", torch::nn::Dropout(o.dropout));
  }
  //! items [B, L] (exactly L columns, left-aligned), users [B] -> [B, d].
  torch::Tensor forward(const torch::Tensor& seq, const torch::Tensor& user) {
    auto emb = items(seq).unsqueeze(1);  // [B, 1, L, d]
    std::vector<torch::Tensor> parts{conv_v(emb).reshape({seq.size(0), -1})};
    for (const auto& conv : *conv_h) {
      auto out = torch::relu(conv->as<torch::nn::Conv2dImpl>()->forward(emb).squeeze(3));
      parts.push_back(std::get<0>(out.max(2)));  // max-pool over time: [B, nh]
    }
    auto z = torch::relu(fc1(drop(torch::cat(parts, 1))));
    return torch::relu(fc2(users ? torch::cat({z, users(user)}, 1) : z));
  }
  //! RecBole's regulariser: sum of the L2 norms of these weights.
  torch::Tensor weight_norms() const {
    auto norms =
        items->weight.norm() + conv_v->weight.norm() + fc1->weight.norm() + fc2->weight.norm();
    return users ? norms + users->weight.norm() : norms;
  }
  torch::nn::Embedding items{nullptr}, users{nullptr};
  torch::nn::Conv2d conv_v{nullptr};
  torch::nn::ModuleList conv_h{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(CaserNet);

class Caser final : public nn::SequentialModel {
 public:
  Caser(Params& params, const PluginContext& context)
      : SequentialModel(read_common(params), context) {
    CaserOptions o;
    o.len = options().max_len;
    o.embedding = params.integer("embedding_size", 64, "item and user embedding width", 1);
    o.nv = params.integer("nv", 4, "vertical convolution filters", 1);
    o.nh = params.integer("nh", 8, "horizontal filters per height 1..max_len", 1);
    o.dropout = params.real("dropout", 0.4, "dropout on the convolution features", 0.0, 1.0);
    o.user_embedding = params.flag("user_embedding", true,
                                   "concatenate a user embedding (false for pre-split data whose "
                                   "evaluation rows are not training users, e.g. LLaRA's)");
    reg_weight_ = params.real("reg_weight", 1e-4, "weight of the L2-norm regulariser", 0.0);
    loss_ = nn::read_loss(params);
    const auto& data = nn::require_data(context.data, "caser");
    net_ = CaserNet(data.num_items(), std::max<int64_t>(data.num_users, 1), o);
    init(o.embedding);
    attach(net_.ptr());
  }

 protected:
  torch::Tensor encode(const HistoryBatch& batch) override {
    HistoryBatch h = keep_recent(batch, options().max_len, /*pad_to=*/true);
    return net_(h.items, h.users);
  }
  torch::Tensor batch_loss(const TrainBatch& batch) override {
    return loss_(encode(batch.history()), batch.targets, output_table()) +
           reg_weight_ * net_->weight_norms();
  }
  torch::Tensor output_table() const override { return net_->items->weight; }

 private:
  static nn::CommonOptions read_common(Params& params) {
    nn::CommonOptions defaults;
    defaults.max_len = 5;  // Caser's L (RecBole's MAX_ITEM_LIST_LENGTH for Caser)
    return nn::read_common_options(params, defaults, {TrainMode::prefix});
  }
  //! RecBole: embeddings ~ N(0, 1/d), Linear Xavier-normal with zero bias.
  void init(int64_t d) {
    torch::NoGradGuard no_grad;
    net_->items->weight.normal_(0.0, 1.0 / static_cast<double>(d));
    if (net_->users) net_->users->weight.normal_(0.0, 1.0 / static_cast<double>(d));
    for (auto* fc : {net_->fc1.get(), net_->fc2.get()}) {
      torch::nn::init::xavier_normal_(fc->weight);
      fc->bias.zero_();
    }
  }
  double reg_weight_ = 1e-4;
  nn::ItemLoss loss_;
  CaserNet net_{nullptr};
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(caser, recbench::Caser, "1.0",
                "Caser: convolutional sequence embedding recommender (Tang & Wang 2018)")
