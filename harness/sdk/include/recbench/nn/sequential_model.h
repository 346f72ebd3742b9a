// Base class of neural next-item models: training loop, full-ranking scores, save/load, and
// the EmbeddingSource interface, so a model only writes its encoder and its batch loss.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "recbench/data.h"
#include "recbench/export.h"
#include "recbench/nn/losses.h"
#include "recbench/plugin.h"
#include "recbench/precision.h"
#include "recbench/recommender.h"
#include "recbench/train_views.h"

namespace torch::optim {
class Optimizer;
}
namespace recbench {
class DataParallel;
class Params;
class Progress;
}  // namespace recbench

namespace recbench::nn {

//! Training options every neural baseline reads (RecBole's meanings).
struct CommonOptions {
  int64_t epochs = 300;       //!< upper bound; the harness's early stopping usually ends sooner
  int64_t batch_size = 2048;  //!< training samples (prefixes or windows) per step
  double lr = 1e-3;           //!< Adam learning rate
  double weight_decay = 0.0;  //!< Adam's L2 penalty
  int64_t max_len = 50;       //!< items of history the model reads
  TrainMode mode = TrainMode::prefix;
  //! Train each batch as groups of rows of similar length (group_by_length), the loss being
  //! the groups' losses weighted by their loss_terms(). Exact when a row's loss depends neither
  //! on other rows nor on the padding after it (causal or padding-masked encoders, per-row
  //! losses); random draws (dropout, negatives) then differ only in order. A model whose loss
  //! is not a mean over loss_terms() (BERT4Rec's random cloze positions) groups its rows itself
  //! (length_groups()) and hands the base class false. Params key `group_by_length`.
  bool group_by_length = true;
};

//! Which train modes a model offers; the first is the default.
using TrainModes = std::vector<TrainMode>;

//! Declares and reads epochs, batch_size, lr, weight_decay, max_len, group_by_length and (when
//! `modes` has more than one entry) train_mode. `defaults` gives the model's defaults;
//! `window_batch_size` is the batch_size default in every_position mode (windows are ~max_len
//! times larger than prefixes).
RECBENCH_API CommonOptions read_common_options(Params& params, const CommonOptions& defaults,
                                               const TrainModes& modes,
                                               int64_t window_batch_size = 128);

RECBENCH_API const char* train_mode_name(TrainMode mode);

//! Declares and reads `loss` (ce | bce | sampled_softmax) and `num_negatives`.
RECBENCH_API ItemLoss read_loss(Params& params, const std::string& default_loss = "ce");

//! The dataset a model is built for; throws PluginError naming `model` when there is none.
RECBENCH_API const DatasetView& require_data(const DatasetView* data, const char* model);

//! A model = a network (registered with attach()) + encode() + batch_loss() + output_table().
//! Scores are encode(history) x output_table()^T, one matrix product per batch.
class RECBENCH_API SequentialModel : public Recommender, public EmbeddingSource {
 public:
  //! Adam over the network's parameters, epochs of shuffled batches from the training view,
  //! ctx.validate() after each epoch; stops when it says so. When the run asks to stop
  //! (TrainContext::stop_requested) it writes a checkpoint after the current batch and returns;
  //! a resumed cell continues from that batch with the same weights, optimizer state and RNG.
  void fit(TrainContext& ctx) override;
  torch::Tensor score_all(const HistoryBatch& batch) override;
  //! Writes model.pt (the network's parameters and buffers) and item_embeddings.pt (a tensor).
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override;

  torch::Tensor item_embeddings() const override;
  //! Evaluation mode, no gradients.
  torch::Tensor user_representation(const HistoryBatch& batch) override;

 protected:
  //! Takes the device and the precision policy from `context` (fp32: as always; the mixed
  //! policies run batch_loss() and encode() under autocast and score in float32; fp16-mixed
  //! scales the loss; pure bf16 keeps the network in bfloat16).
  SequentialModel(const CommonOptions& options, const PluginContext& context);
  //! Registers the network (call at the end of the derived constructor); moves it to the device.
  void attach(std::shared_ptr<torch::nn::Module> network);

  //! [B, d] user representation of histories (train or eval mode as set by the caller).
  virtual torch::Tensor encode(const HistoryBatch& batch) = 0;
  //! Mean training loss of one batch of the view (train mode, gradients on).
  virtual torch::Tensor batch_loss(const TrainBatch& batch) = 0;
  //! [n, d] output item table (a parameter, with gradients); row 0 is padding.
  virtual torch::Tensor output_table() const = 0;
  //! Length of the training view's inputs; max_len by default.
  virtual int64_t train_length() const { return options_.max_len; }
  //! How many terms batch_loss() averages over: under data parallelism each rank's gradient
  //! is weighted by its share of the global batch's terms. Targets by default (rows, or
  //! non-padding positions in every_position mode); a loss with randomly drawn terms (BERT4Rec's
  //! cloze mask) is then weighted by its expected share.
  virtual double loss_terms(const TrainBatch& batch) const;

  const CommonOptions& options() const { return options_; }
  const torch::Device& device() const { return device_; }
  torch::nn::Module& network() const { return *network_; }

 private:
  //! Where training stands: an epoch, its next batch, and the summed loss of its batches so far.
  struct Position {
    int64_t epoch = 0, batch = 0;
    double loss_sum = 0.0;
  };
  //! Trains the batches of epoch `at.epoch` from `at.batch` on, advancing `at`; returns false
  //! when the run asked to stop (after writing a checkpoint), else the epoch's mean loss.
  std::optional<double> train_epoch(TrainView& view, TrainContext& ctx,
                                    torch::optim::Optimizer& opt, Position& at);
  //! The checkpoint's training.pt: network, optimizer, the device's RNG, position.
  void save_training_state(const std::filesystem::path& dir, const torch::optim::Optimizer& opt,
                           const Position& at) const;
  Position load_training_state(const std::filesystem::path& dir, torch::optim::Optimizer& opt);
  //! batch_loss() of `batch`, over its length groups when options().group_by_length.
  torch::Tensor grouped_loss(const TrainBatch& batch);
  //! One optimiser step on this rank's rows of a global batch; returns its share-weighted loss.
  double train_step(const TrainBatch& global, DataParallel* dp, torch::optim::Optimizer& opt,
                    Progress& progress);

  CommonOptions options_;
  torch::Device device_;
  Precision precision_;
  LossScaler scaler_;
  std::shared_ptr<torch::nn::Module> network_;
};

}  // namespace recbench::nn
