// What a cell records about the device it ran on (results/results_file.h DeviceRecord).
#pragma once

#include <string>

#include <torch/types.h>

#include "recbench/core/results/results_file.h"

namespace recbench::run_detail {

//! The precision policy of a run on `device`: "fp32" on CPU; "llm-bf16" on CUDA, where LLM
//! backbones load in bfloat16 (llm::default_dtype) and every other model computes in float32.
std::string precision_policy(const torch::Device& device);

//! The device part of every cell's record: device, its model name, LibTorch and CUDA versions,
//! precision; world size 1 and no peak memory yet.
DeviceRecord describe_device(const torch::Device& device);

//! Starts a cell's peak device memory count (CUDA's caching allocator; nothing on CPU).
void reset_peak_device_memory(const torch::Device& device);
//! Peak device memory in MiB since the last reset; NaN on CPU (peak_rss_mb covers host memory).
double peak_device_memory_mb(const torch::Device& device);

}  // namespace recbench::run_detail
