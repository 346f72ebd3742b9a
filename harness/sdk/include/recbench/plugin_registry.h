// Torch-free declarations of the plugin factory and of plugins linked statically into a binary.
#pragma once

#include <memory>
#include <vector>

#include "recbench/export.h"
#include "recbench/plugin_info.h"

namespace recbench {

class Recommender;
class Params;
struct PluginContext;

using PluginFactory = std::unique_ptr<Recommender> (*)(Params&, PluginContext&);

//! A plugin linked into the same binary (tests, static builds), registered at start-up.
struct StaticPlugin {
  const RecbenchPluginInfo* info;
  PluginFactory factory;
};
//! The process-lifetime list of statically linked plugins.
RECBENCH_API std::vector<StaticPlugin>& static_plugins();

struct RECBENCH_API StaticPluginRegistrar {
  StaticPluginRegistrar(const RecbenchPluginInfo* info, PluginFactory factory);
};

}  // namespace recbench
