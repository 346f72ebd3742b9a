// The plugin ABI's info probe: a C struct the host reads before trusting anything else.
#pragma once

#include <cstdint>

//! Bump when Recommender, TrainContext, Params, PluginContext or the factory signature change.
#define RECBENCH_PLUGIN_ABI_VERSION 2u

extern "C" {
//! Plain data only, so that a host of any version can read it safely.
struct RecbenchPluginInfo {
  uint32_t abi_version;     //!< RECBENCH_PLUGIN_ABI_VERSION the plugin was built with
  const char* name;         //!< registry name, e.g. "sasrec"
  const char* version;      //!< the plugin's own version
  const char* description;  //!< one line
  const char* compiler;     //!< build fingerprint: compiler and version
  int32_t cxx11_abi;        //!< _GLIBCXX_USE_CXX11_ABI
  const char* torch_version;
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
//! "major.minor" of the LibTorch this translation unit is compiled against.
#define RECBENCH_TORCH_VERSION_ID \
  RECBENCH_STRINGIFY(TORCH_VERSION_MAJOR) "." RECBENCH_STRINGIFY(TORCH_VERSION_MINOR)
