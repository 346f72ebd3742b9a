// A plugin built for another ABI version: the host must refuse it before touching its factory.
#include <boost/dll/alias.hpp>

#include "recbench/plugin_info.h"

extern "C" const RecbenchPluginInfo recbench_info_wrong_abi = {RECBENCH_PLUGIN_ABI_VERSION + 41,
                                                               "wrong_abi",
                                                               "0.1",
                                                               "built for a future host",
                                                               RECBENCH_COMPILER_ID,
                                                               _GLIBCXX_USE_CXX11_ABI,
                                                               "1.13",
                                                               "cpu"};
BOOST_DLL_ALIAS(recbench_info_wrong_abi, recbench_plugin_info)
