// Out-of-line anchors of the SDK's interfaces, so their vtables and typeinfo live in the SDK.
#include "recbench/recommender.h"
#include "recbench/train_context.h"

namespace recbench {

Recommender::~Recommender() = default;
EmbeddingSource::~EmbeddingSource() = default;
TrainContext::~TrainContext() = default;

torch::Tensor Recommender::score_candidates(const HistoryBatch& batch, const torch::Tensor& cand) {
  return score_all(batch).gather(1, cand);
}

std::optional<std::filesystem::path> TrainContext::embedding_artifact(const std::string&) const {
  return std::nullopt;
}

bool TrainContext::stop_requested() const { return false; }

void TrainContext::save_checkpoint(const std::function<void(const std::filesystem::path&)>&) {}

std::optional<std::filesystem::path> TrainContext::resume_checkpoint() const {
  return std::nullopt;
}

}  // namespace recbench
