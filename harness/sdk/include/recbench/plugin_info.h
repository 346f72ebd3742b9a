// The plugin ABI's info probe: a C struct the host reads before trusting anything else.
#pragma once

#include <cstdint>

//! Bump when Recommender, TrainContext, Params, PluginContext or the factory signature change.
//! 4: TrainContext::data_parallel(), stop_requested(), save_checkpoint(), resume_checkpoint().
//! 5: PluginContext::precision.
//! 6: nn::CommonOptions::group_by_length (SequentialModel's layout).
//! 7: nn::PositionalInput's anchor (its layout, forward(item_emb, items)).
#define RECBENCH_PLUGIN_ABI_VERSION 7u

extern "C" {
//! Plain data only, so that a host of any version can read it safely.
struct RecbenchPluginInfo {
  uint32_t abi_version;       //!< RECBENCH_PLUGIN_ABI_VERSION the plugin was built with
  const char* name;           //!< registry name, e.g. "sasrec"
  const char* version;        //!< the plugin's own version
  const char* description;    //!< one line
  const char* compiler;       //!< build fingerprint: compiler and version
  int32_t cxx11_abi;          //!< _GLIBCXX_USE_CXX11_ABI
  const char* torch_version;  //!< LibTorch "major.minor"
  const char* torch_build;    //!< "cpu" or "cuda": a CPU build's kernels differ from a CUDA one's
};
}

#define RECBENCH_STRINGIFY_IMPL(x) #x
#define RECBENCH_STRINGIFY(x) RECBENCH_STRINGIFY_IMPL(x)
#if defined(__clang__)
#define RECBENCH_COMPILER_ID "clang " __clang_version__
#elif defined(__GNUC__)
#define RECBENCH_COMPILER_ID "gcc " __VERSION__
#else
#define RECBENCH_COMPILER_ID "unknown"
#endif
//! Whether the LibTorch this translation unit is compiled against was built with CUDA (a pip
//! PyTorch's ATen/cuda/CUDAConfig.h says; Debian's CPU LibTorch ships no such header).
#if __has_include(<ATen/cuda/CUDAConfig.h>)
#include <ATen/cuda/CUDAConfig.h>
#endif
#if defined(AT_CUDA_ENABLED)
#if AT_CUDA_ENABLED()
#define RECBENCH_TORCH_BUILD_ID "cuda"
#endif
#endif
#ifndef RECBENCH_TORCH_BUILD_ID
#define RECBENCH_TORCH_BUILD_ID "cpu"
#endif
//! "major.minor" of the LibTorch this translation unit is compiled against.
#define RECBENCH_TORCH_VERSION_ID \
  RECBENCH_STRINGIFY(TORCH_VERSION_MAJOR) "." RECBENCH_STRINGIFY(TORCH_VERSION_MINOR)
