// A plugin built against the other kind of LibTorch build (CUDA for a CPU host, CPU for a CUDA
// host): the host must refuse it from its probe, naming both builds.
#include <torch/version.h>
#include <string_view>

#include <boost/dll/alias.hpp>

#include "recbench/plugin_info.h"

namespace {
constexpr const char* kOtherBuild =
    std::string_view(RECBENCH_TORCH_BUILD_ID) == "cpu" ? "cuda" : "cpu";
}

extern "C" const RecbenchPluginInfo recbench_info_other_torch_build = {
    RECBENCH_PLUGIN_ABI_VERSION,    "other_torch_build",  "0.1",
    "built for the other LibTorch", RECBENCH_COMPILER_ID, _GLIBCXX_USE_CXX11_ABI,
    RECBENCH_TORCH_VERSION_ID,      kOtherBuild};
BOOST_DLL_ALIAS(recbench_info_other_torch_build, recbench_plugin_info)
