// A TrainContext for benchmarking: validates with the harness evaluator after every epoch, times
// training and evaluation separately, and stops once a target validation NDCG@10 is reached.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "recbench/core/data/dataset.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/core/run/early_stopping.h"
#include "recbench/error.h"
#include "recbench/train_context.h"

namespace recbench::bench {

//! One validated epoch: seconds are wall-clock, `elapsed` counts from the start of fit().
struct EpochRecord {
  int epoch = 0;
  double loss = 0.0, ndcg10 = 0.0;
  double train_seconds = 0.0, eval_seconds = 0.0, elapsed = 0.0;
};

class BenchContext final : public TrainContext {
 public:
  //! `target` > 0 stops training at the first epoch whose validation NDCG@10 reaches it.
  BenchContext(const PreparedDataset& data, uint64_t seed, double target, bool verbose);
  ~BenchContext() override;

  const DatasetView& data() const override { return view_; }
  torch::Device device() const override { return torch::kCPU; }
  uint64_t seed(Stream stream) const override;
  spdlog::logger& log() override { return *log_; }
  ValidationOutcome validate(Recommender& model, int epoch, double train_loss) override;
  void record_epoch(int epoch, double train_loss) override;
  std::filesystem::path work_dir() const override { return dir_; }
  std::optional<std::filesystem::path> artifact(const std::string&) const override {
    return std::nullopt;
  }
  int64_t eval_batch_size() const override { return protocol_.batch_size; }
  //! SASRec reads no pre-training corpus; the benchmark has none.
  const DatasetView& corpus(const std::string& name) const override {
    throw ConfigError("the SASRec benchmark has no pre-training corpus '" + name + "'");
  }
  std::filesystem::path shared_dir(const std::string& key) const override {
    const auto dir = dir_ / "shared" / key;
    std::filesystem::create_directories(dir);
    return dir;
  }

  //! Restarts the clocks (call right before fit()).
  void start();
  //! NDCG@10 on the validation split, with its wall time in seconds.
  std::pair<double, double> evaluate_valid(Recommender& model) const;
  const std::vector<EpochRecord>& epochs() const { return epochs_; }
  //! Index into epochs() of the first epoch at or above the target; -1 if none.
  int reached() const { return reached_; }

 private:
  using Clock = std::chrono::steady_clock;
  const PreparedDataset& data_;
  DatasetView view_;
  uint64_t seed_;
  double target_;
  EvalProtocol protocol_;
  std::shared_ptr<spdlog::logger> log_;
  std::filesystem::path dir_;
  Clock::time_point start_, epoch_start_;
  std::vector<EpochRecord> epochs_;
  //! The runner's early stopping on NDCG@10; the benchmark stops at its target instead.
  EarlyStopping stopping_{"NDCG@10", std::numeric_limits<int64_t>::max()};
  int reached_ = -1;
};

}  // namespace recbench::bench
