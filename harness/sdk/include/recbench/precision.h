// The precision policy of an experiment: which dtype weights are kept in, which dtype products
// compute in, and whether fp16's loss scaling runs. One per experiment (part of the protocol).
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "recbench/export.h"

namespace recbench {

enum class Precision {
  fp32,        //!< everything float32
  bf16_mixed,  //!< float32 master weights and optimizer state, bfloat16 products (autocast)
  fp16_mixed,  //!< float32 master weights, float16 products (CUDA autocast), dynamic loss scaling
  bf16,  //!< pure bfloat16 weights and optimizer state (only when asked: small updates round away)
};

//! "fp32", "bf16-mixed", "fp16-mixed", "bf16".
RECBENCH_API std::string precision_name(Precision p);
//! Every policy's name, in the order above.
RECBENCH_API std::vector<std::string> precision_names();
//! Parses a name; `origin` (e.g. "exp.toml: experiment.precision") prefixes the ConfigError.
RECBENCH_API Precision parse_precision(const std::string& name, const std::string& origin);
//! The policy `auto` stands for: fp32 on CPU, bf16-mixed on CUDA.
RECBENCH_API Precision default_precision(const torch::Device& device);
//! Throws ConfigError (prefixed by `origin`) when `device` cannot run `p` (fp16-mixed on CPU:
//! LibTorch's CPU autocast computes in bfloat16 only).
RECBENCH_API void check_precision(Precision p, const torch::Device& device,
                                  const std::string& origin);

//! The dtype matrix products run in.
RECBENCH_API torch::ScalarType compute_dtype(Precision p);
//! The dtype of trainable weights (master weights): bfloat16 for pure bf16, else float32.
RECBENCH_API torch::ScalarType master_dtype(Precision p);
//! The dtype of frozen weights (e.g. a LoRA base model): the compute dtype, since nothing ever
//! updates them and autocast would cast them to it at every product anyway.
RECBENCH_API torch::ScalarType frozen_dtype(Precision p);

/// Enables LibTorch's autocast on `device` for the mixed policies while alive (nested scopes
/// restore what they found); does nothing for fp32 and pure bf16. Construct it around forward
/// passes and losses, not around backward (autocast's backward follows the forward's casts).
class RECBENCH_API AutocastScope {
 public:
  AutocastScope(Precision p, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  torch::ScalarType was_dtype_ = torch::kFloat;
};

/// fp16's dynamic loss scaling (what torch.cuda.amp.GradScaler does): the loss is multiplied by
/// `scale` before backward so small gradients do not flush to zero in float16; before the step the
/// gradients are divided back, and a step whose gradients hold inf/NaN is skipped and halves the
/// scale; every `growth_interval` finite steps in a row double it. Disabled, it is the identity.
class RECBENCH_API LossScaler {
 public:
  explicit LossScaler(bool enabled, double initial_scale = 65536.0, int64_t growth_interval = 2000);
  //! A scaler enabled for fp16-mixed only.
  static LossScaler for_policy(Precision p) { return LossScaler(p == Precision::fp16_mixed); }

  //! loss x scale (the loss itself when disabled).
  torch::Tensor scale(const torch::Tensor& loss) const;
  /// Divides the gradients of `params` by the scale and says whether all are finite. When not,
  /// the caller skips the optimizer step and calls update(false).
  bool unscale(const std::vector<torch::Tensor>& params) const;
  //! Adjusts the scale after a step that was taken (finite) or skipped (not finite).
  void update(bool finite);
  double current_scale() const { return enabled_ ? scale_ : 1.0; }
  bool enabled() const { return enabled_; }
  int64_t skipped_steps() const { return skipped_; }

 private:
  bool enabled_;
  double scale_;
  int64_t growth_interval_;
  int64_t good_steps_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace recbench
