// Pop: scores every item by its number of training interactions (the non-personalised floor).
#include <fstream>

#include <torch/torch.h>

#include "recbench/plugin.h"
#include "recbench/train_context.h"

namespace recbench {
namespace {

class Pop final : public Recommender {
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

  void save(const std::filesystem::path& dir) const override {
    torch::save(scores_.cpu(), (dir / "scores.pt").string());
  }
  void load(const std::filesystem::path& dir) override {
    torch::load(scores_, (dir / "scores.pt").string());
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
