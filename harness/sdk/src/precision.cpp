// Precision policies: names, dtypes, autocast scopes and fp16 loss scaling.
#include "recbench/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "llm/autocast_state.h"
#include "recbench/error.h"

namespace recbench {

std::string precision_name(Precision p) {
  switch (p) {
    case Precision::fp32:
      return "fp32";
    case Precision::bf16_mixed:
      return "bf16-mixed";
    case Precision::fp16_mixed:
      return "fp16-mixed";
    case Precision::bf16:
      return "bf16";
  }
  return "fp32";
}

std::vector<std::string> precision_names() { return {"fp32", "bf16-mixed", "fp16-mixed", "bf16"}; }

Precision parse_precision(const std::string& name, const std::string& origin) {
  for (Precision p :
       {Precision::fp32, Precision::bf16_mixed, Precision::fp16_mixed, Precision::bf16}) {
    if (precision_name(p) == name) return p;
  }
  throw ConfigError(origin + ": unknown precision '" + name +
                    "' (expected auto, fp32, bf16-mixed, fp16-mixed or bf16)");
}

Precision default_precision(const torch::Device& device) {
  return device.is_cuda() ? Precision::bf16_mixed : Precision::fp32;
}

void check_precision(Precision p, const torch::Device& device, const std::string& origin) {
  if (p == Precision::fp16_mixed && !device.is_cuda()) {
    throw ConfigError(origin +
                      ": fp16-mixed needs device = \"cuda\" (LibTorch's CPU autocast computes in "
                      "bfloat16 only); use bf16-mixed on CPU");
  }
}

torch::ScalarType compute_dtype(Precision p) {
  switch (p) {
    case Precision::fp32:
      return torch::kFloat;
    case Precision::fp16_mixed:
      return torch::kHalf;
    case Precision::bf16_mixed:
    case Precision::bf16:
      return torch::kBFloat16;
  }
  return torch::kFloat;
}

torch::ScalarType master_dtype(Precision p) {
  return p == Precision::bf16 ? torch::kBFloat16 : torch::kFloat;
}

torch::ScalarType frozen_dtype(Precision p) { return compute_dtype(p); }

AutocastScope::AutocastScope(Precision p, const torch::Device& device) {
  if (p != Precision::bf16_mixed && p != Precision::fp16_mixed) return;
  active_ = true;
  cuda_ = device.is_cuda();
  const auto was = detail::AutocastState::of(device);
  was_enabled_ = was.enabled;
  was_dtype_ = was.dtype;
  detail::AutocastState{true, compute_dtype(p)}.apply(device);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // The cast-weight cache lives while any scope is open, as with Python's torch.autocast.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  detail::AutocastState{was_enabled_, was_dtype_}.apply(cuda_ ? torch::kCUDA : torch::kCPU);
}

LossScaler::LossScaler(bool enabled, double initial_scale, int64_t growth_interval)
    : enabled_(enabled), scale_(initial_scale), growth_interval_(growth_interval) {
  if (initial_scale <= 0 || growth_interval <= 0) {
    throw ConfigError("loss scaler: the scale and growth interval must be positive");
  }
}

torch::Tensor LossScaler::scale(const torch::Tensor& loss) const {
  return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) const {
  if (!enabled_) return true;
  torch::NoGradGuard no_grad;
  bool finite = true;
  for (const auto& p : params) {
    const torch::Tensor& g = p.grad();  // div_ scales the gradient itself
    if (!g.defined()) continue;
    g.div_(scale_);
    if (finite && !torch::isfinite(g).all().item<bool>()) finite = false;
  }
  return finite;
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ *= 0.5;
    good_steps_ = 0;
    ++skipped_;
    return;
  }
  if (++good_steps_ >= growth_interval_) {
    scale_ *= 2.0;
    good_steps_ = 0;
  }
}

}  // namespace recbench
