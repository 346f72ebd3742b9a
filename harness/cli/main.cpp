// recbench: the command-line entry point.
#include <iostream>

#include "recbench/core/plugin_loader.h"

int main() {
  recbench::PluginRegistry registry(recbench::default_plugin_dirs());
  for (const auto& [name, p] : registry.plugins()) std::cout << name << " " << p.origin << "\n";
  for (const auto& r : registry.rejected()) std::cerr << r.reason << "\n";
}
