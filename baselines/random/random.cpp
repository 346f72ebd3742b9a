// Random: independent uniform scores (the chance floor every metric must be compared with).
#include <torch/torch.h>

#include "recbench/plugin.h"
#include "recbench/train_context.h"

namespace recbench {
namespace {

class RandomScorer final : public Recommender {
 public:
  RandomScorer(Params& params, const PluginContext& context)
      : device_(context.device), num_items_(context.data->num_items()) {
    generator_seed_ = static_cast<uint64_t>(
        params.integer("seed_offset", 0, "added to the cell's sampling seed", 0));
  }

  void fit(TrainContext& ctx) override {
    generator_seed_ += ctx.seed(Stream::sampling);
    ctx.record_epoch(0, 0.0);
  }

  torch::Tensor score_all(const HistoryBatch& batch) override {
    // Seeded by the batch's users, so scores do not depend on the evaluation batch size.
    auto users = batch.users.cpu();
    auto out = torch::empty({batch.size(), num_items_});
    for (int64_t b = 0; b < batch.size(); ++b) {
      auto gen = at::detail::createCPUGenerator(generator_seed_ * 1000003ULL +
                                                static_cast<uint64_t>(users[b].item<int64_t>()));
      out[b] = torch::rand({num_items_}, gen);
    }
    return out.to(device_);
  }

  void save(const std::filesystem::path& dir) const override {
    torch::save(torch::tensor(static_cast<int64_t>(generator_seed_)), (dir / "seed.pt").string());
  }
  void load(const std::filesystem::path& dir) override {
    torch::Tensor seed;
    torch::load(seed, (dir / "seed.pt").string());
    generator_seed_ = static_cast<uint64_t>(seed.item<int64_t>());
  }

 private:
  torch::Device device_;
  int64_t num_items_;
  uint64_t generator_seed_ = 0;
};

}  // namespace
}  // namespace recbench

RECBENCH_PLUGIN(random, recbench::RandomScorer, "1.0", "Uniform random scores (chance level)")
