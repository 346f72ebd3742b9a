// Out-of-line anchors of the SDK's interfaces, so their vtables and typeinfo live in the SDK.
#include "recbench/distributed.h"
#include "recbench/recommender.h"
#include "recbench/train_context.h"

namespace recbench {

Recommender::~Recommender() = default;
EmbeddingSource::~EmbeddingSource() = default;
TrainContext::~TrainContext() = default;
DataParallel::~DataParallel() = default;

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

DataParallel* TrainContext::data_parallel() { return nullptr; }

RowRange rows_of_rank(int64_t global, int rank, int world_size) {
  return {global * rank / world_size, global * (rank + 1) / world_size};
}

}  // namespace recbench
