// What the harness offers a model while it trains: data, device, seeds, logging, validation.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <torch/types.h>

#include "recbench/data.h"
#include "recbench/export.h"

namespace spdlog {
class logger;
}

namespace recbench {

class DataParallel;
class Recommender;

//! Independent random streams of one cell, all derived from its master seed.
enum class Stream { split, sampling, init, dropout, shuffle };

//! What validate() decided after an epoch.
struct ValidationOutcome {
  double value = 0.0;        //!< the validation metric (e.g. NDCG@10)
  bool improved = false;     //!< best so far; the harness checkpointed the model
  bool should_stop = false;  //!< early stopping's patience is exhausted
};

class RECBENCH_API TrainContext {
 public:
  virtual ~TrainContext();

  virtual const DatasetView& data() const = 0;
  virtual torch::Device device() const = 0;
  //! Seed of one stream of this cell; equal cells get equal seeds.
  virtual uint64_t seed(Stream stream) const = 0;
  virtual spdlog::logger& log() = 0;
  //! Runs the harness evaluator on the validation split, records the learning curve
  //! (epoch, train loss, metric, seconds) and applies early stopping.
  virtual ValidationOutcome validate(Recommender& model, int epoch, double train_loss) = 0;
  //! Records one learning-curve point without validating (stages that do not validate).
  virtual void record_epoch(int epoch, double train_loss) = 0;
  //! A folder private to this cell for checkpoints and artefacts.
  virtual std::filesystem::path work_dir() const = 0;
  //! Saved model folder of another run of this experiment (same dataset and seed), by its label;
  //! empty when that run does not exist or has not completed.
  virtual std::optional<std::filesystem::path> artifact(const std::string& model_label) const = 0;
  //! Evaluation batch size of the protocol (models may use it for their own chunking).
  virtual int64_t eval_batch_size() const = 0;
  //! The item embedding table (recbench/embedding_artifact.h) the harness wrote for another
  //! complete run of this experiment (same dataset and seed) whose model is an EmbeddingSource;
  //! empty when there is none. The default has none.
  virtual std::optional<std::filesystem::path> embedding_artifact(
      const std::string& model_label) const;
  //! Pre-training corpus `name` of the experiment (a [[corpora]] entry): every user's full
  //! sequence as `train`, no validation split. ConfigError naming the known corpora otherwise.
  virtual const DatasetView& corpus(const std::string& name) const = 0;
  //! A folder shared by every cell of the experiment and kept across --resume (created on
  //! demand): <results>_artifacts/shared/<key>. `key` is one path component ([A-Za-z0-9_.-]).
  virtual std::filesystem::path shared_dir(const std::string& key) const = 0;

  // Stopping and resuming mid-training (Ctrl-C, Slurm's SIGTERM before preemption or the time
  // limit). A model checks stop_requested() after every optimizer step; when it is true it saves
  // what it needs to continue with save_checkpoint() and returns from fit(). The harness then
  // records nothing for the cell, and `recbench run --resume` trains it again, handing the model
  // its checkpoint through resume_checkpoint(). A model without checkpoints just returns (the
  // cell restarts from zero). The defaults: never stop, no checkpoint.

  //! True once the run was asked to stop.
  virtual bool stop_requested() const;
  //! Writes a resumable checkpoint: `write` fills the empty folder it is given with the model's
  //! state (weights, optimizer, RNG, position in the data); the harness adds its own (learning
  //! curve, early stopping, the best model so far) and replaces the cell's previous checkpoint
  //! atomically. Only a complete checkpoint is ever handed back.
  virtual void save_checkpoint(const std::function<void(const std::filesystem::path&)>& write);
  //! The folder of this cell's checkpoint when the cell was stopped before and its configuration
  //! is unchanged (the harness's own state is restored already); empty otherwise.
  virtual std::optional<std::filesystem::path> resume_checkpoint() const;
  //! The data-parallel group this cell trains in (recbench/distributed.h): each rank computes
  //! its rows of every global batch and averages gradients through it. nullptr when the run
  //! has one process (the default).
  virtual DataParallel* data_parallel();
};

}  // namespace recbench
