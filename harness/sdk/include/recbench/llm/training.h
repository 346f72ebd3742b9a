// Causal-LM training utilities: masked loss, packing, AdamW groups, accumulation with clipping.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "recbench/export.h"
#include "recbench/llm/model.h"
#include "recbench/precision.h"
#include "recbench/schedule.h"

namespace torch::optim {
class Optimizer;
class AdamW;
}  // namespace torch::optim

namespace recbench {
class DataParallel;
}

namespace recbench::llm {

/// Mean next-token cross-entropy. `logits` [B, T, V] predicts token t+1 at position t;
/// `loss_mask` [B, T] (0/1 or bool) marks the tokens of `input_ids` that are targets (e.g. only the
/// target item's title). Computed in float32 whatever the logits' dtype. Returns 0 (with a
/// gradient path) when no token is a target.
RECBENCH_API torch::Tensor causal_lm_loss(const torch::Tensor& logits,
                                          const torch::Tensor& input_ids,
                                          const torch::Tensor& loss_mask);

/// causal_lm_loss() from the final hidden states [B, T, H] (a forward with compute_logits =
/// false): the output head and the float32 log-softmax run only at the positions whose next
/// token is a target, not at every position. Same value; for a 150k vocabulary and prompts whose
/// targets are a title, most of the memory and time of the loss is saved.
RECBENCH_API torch::Tensor supervised_lm_loss(CausalLm& model, const torch::Tensor& hidden,
                                              const torch::Tensor& input_ids,
                                              const torch::Tensor& loss_mask);

/// The number of target tokens causal_lm_loss() averages over for `loss_mask` (what a rank's
/// share of a global batch is measured in under data parallelism).
RECBENCH_API double lm_loss_terms(const torch::Tensor& loss_mask);

//! One training example: tokens and which of them are targets (same length).
struct LmExample {
  std::vector<int64_t> ids;      //!< token ids
  std::vector<uint8_t> targets;  //!< 1 where the token is predicted and counted in the loss
};

//! A padded or packed batch.
struct LmBatch {
  torch::Tensor input_ids;       //!< [B, T] int64
  torch::Tensor loss_mask;       //!< [B, T] float32
  torch::Tensor attention_mask;  //!< [B, T] int64, 1 = real token
};

/// Packs examples greedily, in order, into rows of `seq_len` tokens (an example never straddles
/// two rows; a longer one is cut to `seq_len`); rows are right-padded with `pad_id`. Packed
/// examples attend to earlier examples of the same row, as in standard pre-training packing.
RECBENCH_API LmBatch pack_examples(const std::vector<LmExample>& examples, int64_t seq_len,
                                   int64_t pad_id);

//! AdamW settings; weight decay applies to matrices only (not to norms and biases).
struct AdamWOptions {
  double lr = 1e-4;            //!< initial learning rate (the schedule overrides it each step)
  double weight_decay = 0.01;  //!< decoupled weight decay of matrices
  double beta1 = 0.9;          //!< first-moment decay
  double beta2 = 0.95;         //!< second-moment decay
  double eps = 1e-8;           //!< denominator epsilon
};

//! AdamW over the trainable parameters of `model`, in two groups (decayed / not decayed).
RECBENCH_API std::unique_ptr<torch::optim::AdamW> make_adamw(CausalLm& model,
                                                             const AdamWOptions& options);

//! Sets the learning rate of every parameter group of `optimizer`.
RECBENCH_API void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

/// Gradient accumulation with clipping and a schedule: call backward() on every micro-batch loss;
/// every `accumulation_steps` calls it clips the global gradient norm to `max_grad_norm`
/// (0 = no clipping), sets the schedule's lr, steps the optimiser, zeroes gradients and advances
/// the schedule. Under data parallelism (`dp` not null) each rank passes the loss of its rows
/// and their share of the global micro-batch; gradients are summed over ranks before clipping.
/// Under fp16-mixed the loss is scaled (recbench/precision.h LossScaler) and a step whose
/// gradients overflow is skipped (the schedule still advances, as with torch.cuda.amp).
class RECBENCH_API GradientAccumulator {
 public:
  GradientAccumulator(torch::optim::Optimizer& optimizer, LrSchedule& schedule,
                      int64_t accumulation_steps, double max_grad_norm, DataParallel* dp = nullptr,
                      Precision precision = Precision::fp32);
  //! Backpropagates share x loss / accumulation_steps (an undefined `loss`: this rank has no
  //! rows); returns true when an optimiser step was taken.
  bool backward(const torch::Tensor& loss, double share = 1.0);
  //! Gradient norm before clipping at the last optimiser step.
  double last_grad_norm() const { return last_norm_; }
  //! The fp16 loss scaler (disabled under the other policies).
  const LossScaler& scaler() const { return scaler_; }

 private:
  torch::optim::Optimizer& optimizer_;
  LrSchedule& schedule_;
  int64_t accumulation_steps_;
  double max_grad_norm_;
  DataParallel* dp_;
  LossScaler scaler_;
  int64_t micro_ = 0;
  double last_norm_ = 0;
};

//! Saves optimiser state (torch archive) and schedule position (JSON) into `dir`.
RECBENCH_API void save_training_state(const std::filesystem::path& dir,
                                      torch::optim::Optimizer& optimizer,
                                      const LrSchedule& schedule);
//! Restores what save_training_state wrote; returns the schedule.
RECBENCH_API LrSchedule load_training_state(const std::filesystem::path& dir,
                                            torch::optim::Optimizer& optimizer);

}  // namespace recbench::llm
