// A plugin whose probe is fine but which exports no factory.
#include <torch/version.h>
#include <boost/dll/alias.hpp>

#include "recbench/plugin_info.h"

extern "C" const RecbenchPluginInfo recbench_info_no_factory = {
    RECBENCH_PLUGIN_ABI_VERSION, "no_factory",           "0.1",
    "forgot its factory",        RECBENCH_COMPILER_ID,   _GLIBCXX_USE_CXX11_ABI,
    RECBENCH_TORCH_VERSION_ID,   RECBENCH_TORCH_BUILD_ID};
BOOST_DLL_ALIAS(recbench_info_no_factory, recbench_plugin_info)
