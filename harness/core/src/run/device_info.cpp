// Device records: /proc/cpuinfo for a CPU's name; CUDA's device properties and caching
// allocator where LibTorch was built with CUDA.
#include "device_info.h"

#include <fstream>
#include <limits>

#include <torch/version.h>

#include "recbench/plugin_info.h"  // RECBENCH_TORCH_BUILD_ID, AT_CUDA_ENABLED where present

#if defined(AT_CUDA_ENABLED)
#if AT_CUDA_ENABLED()
#define RECBENCH_HAS_CUDA 1
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#endif

namespace recbench::run_detail {
namespace {

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto first = line.find_first_not_of(' ', colon + 1);
    return first == std::string::npos ? "" : line.substr(first);
  }
  return "unknown CPU";
}

}  // namespace

DeviceRecord describe_device(const torch::Device& device, Precision precision) {
  DeviceRecord r;
  r.device = device.str();
  r.torch_version = TORCH_VERSION;
  r.precision = precision_name(precision);
  r.name = cpu_name();
#ifdef RECBENCH_HAS_CUDA
  r.cuda_version =
      std::to_string(CUDA_VERSION / 1000) + "." + std::to_string(CUDA_VERSION % 1000 / 10);
  if (device.is_cuda()) r.name = at::cuda::getDeviceProperties(device.index())->name;
#endif
  return r;
}

void reset_peak_device_memory([[maybe_unused]] const torch::Device& device) {
#ifdef RECBENCH_HAS_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#endif
}

double peak_device_memory_mb([[maybe_unused]] const torch::Device& device) {
#ifdef RECBENCH_HAS_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    // Index 0 is StatType::AGGREGATE in every version (the enum's namespace moved in 2.4).
    return static_cast<double>(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0);
  }
#endif
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace recbench::run_detail
