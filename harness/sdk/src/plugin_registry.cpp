// The registry of statically linked plugins (the only global state besides the logger).
#include "recbench/plugin_registry.h"

namespace recbench {

std::vector<StaticPlugin>& static_plugins() {
  static std::vector<StaticPlugin> plugins;
  return plugins;
}

StaticPluginRegistrar::StaticPluginRegistrar(const RecbenchPluginInfo* info,
                                             PluginFactory factory) {
  static_plugins().push_back({info, factory});
}

}  // namespace recbench
