// The autocast switch and dtype of one device type: what AutocastScope saves and restores, and
// what activation checkpointing replays in backward (SDK-internal).
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/types.h>

namespace recbench::detail {

struct AutocastState {
  bool enabled = false;
  torch::ScalarType dtype = torch::kBFloat16;

  //! The state of `device`'s type (CUDA, or the CPU for every other device).
  static AutocastState of(const torch::Device& device) {
    return device.is_cuda()
               ? AutocastState{at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype()}
               : AutocastState{at::autocast::is_cpu_enabled(),
                               at::autocast::get_autocast_cpu_dtype()};
  }
  //! Makes this the state of `device`'s type.
  void apply(const torch::Device& device) const {
    if (device.is_cuda()) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(enabled);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(enabled);
    }
  }
};

}  // namespace recbench::detail
