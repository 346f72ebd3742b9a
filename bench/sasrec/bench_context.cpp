// BenchContext: per-epoch validation with the harness evaluator, timed, with a target stop.
#include "bench_context.h"

#include <stdlib.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <tuple>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "recbench/error.h"
#include "recbench/random.h"
#include "recbench/train_views.h"

namespace recbench::bench {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

BenchContext::BenchContext(const PreparedDataset& data, uint64_t seed, double target, bool verbose)
    : data_(data), view_(data.view()), seed_(seed), target_(target) {
  protocol_.mode = EvalMode::full;
  protocol_.metrics = {"NDCG"};
  protocol_.topk = {10};
  if (verbose) {
    log_ = std::make_shared<spdlog::logger>("bench",
                                            std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    log_ =
        std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  std::string dir = (std::filesystem::temp_directory_path() / "sasrec_bench_XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) throw Error("sasrec_bench: cannot create a temporary folder");
  dir_ = dir;
  start();
}

BenchContext::~BenchContext() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

uint64_t BenchContext::seed(Stream stream) const {
  return stream_seed(seed_, static_cast<int>(stream));
}

void BenchContext::start() { start_ = epoch_start_ = Clock::now(); }

std::pair<double, double> BenchContext::evaluate_valid(Recommender& model) const {
  const auto t0 = Clock::now();
  const EvalResult r =
      evaluate(model, {data_.valid, data_.item_counts, view_.num_items(), view_.max_history},
               protocol_, torch::kCPU);
  return {r.value("NDCG@10"), seconds(Clock::now() - t0)};
}

ValidationOutcome BenchContext::validate(Recommender& model, int epoch, double train_loss) {
  EpochRecord rec;
  rec.epoch = epoch;
  rec.loss = train_loss;
  rec.train_seconds = seconds(Clock::now() - epoch_start_);
  std::tie(rec.ndcg10, rec.eval_seconds) = evaluate_valid(model);
  rec.elapsed = seconds(Clock::now() - start_);
  ValidationOutcome out;
  out.value = rec.ndcg10;
  out.improved = stopping_.update(epoch, rec.ndcg10).improved;  // the runner's rule
  epochs_.push_back(rec);
  if (reached_ < 0 && target_ > 0 && rec.ndcg10 >= target_) {
    reached_ = static_cast<int>(epochs_.size()) - 1;
  }
  out.should_stop = reached_ >= 0;
  log_->info("epoch {} loss {:.4f} valid NDCG@10 {:.4f} train {:.2f} s eval {:.3f} s", epoch,
             train_loss, rec.ndcg10, rec.train_seconds, rec.eval_seconds);
  // One JSON line per epoch (the reference's format), so an interrupted run keeps its curve.
  std::cout << fmt::format(
                   "{{\"epoch\": {}, \"loss\": {}, \"valid_ndcg10\": {}, \"train_seconds\": {}, "
                   "\"eval_seconds\": {}, \"elapsed\": {}}}",
                   epoch, train_loss, rec.ndcg10, rec.train_seconds, rec.eval_seconds, rec.elapsed)
            << std::endl;
  epoch_start_ = Clock::now();
  return out;
}

void BenchContext::record_epoch(int, double) { epoch_start_ = Clock::now(); }

}  // namespace recbench::bench
