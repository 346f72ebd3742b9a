// What a cell records about the device it ran on (results/results_file.h DeviceRecord).
#pragma once

#include <string>

#include <torch/types.h>

#include "recbench/core/results/results_file.h"
#include "recbench/precision.h"

namespace recbench::run_detail {

//! The device part of every cell's record: device, its model name, LibTorch and CUDA versions,
//! the precision policy's name; world size 1 and no peak memory yet.
DeviceRecord describe_device(const torch::Device& device, Precision precision);

//! Starts a cell's peak device memory count (CUDA's caching allocator; nothing on CPU).
void reset_peak_device_memory(const torch::Device& device);
//! Peak device memory in MiB since the last reset; NaN on CPU (peak_rss_mb covers host memory).
double peak_device_memory_mb(const torch::Device& device);

}  // namespace recbench::run_detail
