// Pop: scores every item by its number of training interactions (the non-personalised floor).
// As an EmbeddingSource its item table is the score column [n, 1] and every user is [1].
#include <fstream>

#include <torch/torch.h>

#include "recbench/error.h"
#include "recbench/plugin.h"
#include "recbench/train_context.h"

namespace recbench {
namespace {

class Pop final : public Recommender, public EmbeddingSource {
 public:
  Pop(Params& params, const PluginContext& context) : device_(context.device) {
    log_counts_ = params.flag("log_counts", false, "score log(1 + count) instead of count");
  }

  void fit(TrainContext& ctx) override {
    const auto& counts = ctx.data().item_counts;
    scores_ = torch::tensor(std::vector<double>(counts.begin(), counts.end()), torch::kFloat64);
    if (log_counts_) scores_ = torch::log1p(scores_);
    scores_ = scores_.to(torch::kFloat32).to(device_);
    ctx.record_epoch(0, 0.0);
  }

  torch::Tensor score_all(const HistoryBatch& batch) override {
    return scores_.unsqueeze(0).expand({batch.size(), scores_.size(0)});
  }

  //! [n, 1]: the popularity score of each item (row 0, padding, has count 0).
  torch::Tensor item_embeddings() const override { return scores_.unsqueeze(1); }
  //! [B, 1] of ones: every user gets the same ranking.
  torch::Tensor user_representation(const HistoryBatch& batch) override {
    return torch::ones({batch.size(), 1}, scores_.options());
  }

  void save(const std::filesystem::path& dir) const override {
    torch::save(scores_.cpu(), (dir / "scores.pt").string());
    torch::save(item_embeddings().cpu().contiguous(), (dir / "item_embeddings.pt").string());
  }
  void load(const std::filesystem::path& dir) override {
    const auto path = dir / "scores.pt";
    if (!std::filesystem::exists(path)) throw DataError(path.string() + ": saved model not found");
    torch::load(scores_, path.string());
    scores_ = scores_.to(device_);
  }

 private:
  torch::Device device_;
  bool log_counts_ = false;
  torch::Tensor scores_;
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(pop, recbench::Pop, "1.0", "Most popular items first (training interaction counts)")
