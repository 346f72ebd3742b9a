// Finds, checks and loads plugins (Boost.DLL); loaded libraries stay loaded for the process.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "recbench/plugin_registry.h"

namespace recbench {

//! A plugin that passed the probe: its info and factory, from a module or a static link.
struct LoadedPlugin {
  std::string name, version, description;
  std::string origin;  //!< the module's path, or "(static)"
  PluginFactory factory = nullptr;
};

//! A file that looked like a plugin but was refused, with the reason.
struct RejectedPlugin {
  std::filesystem::path path;
  std::string reason;
};

class PluginRegistry {
 public:
  //! Registers the statically linked plugins, then scans `dirs` for recbench_*.so modules.
  //! Refused files are remembered; they matter only if an experiment asks for them.
  explicit PluginRegistry(const std::vector<std::filesystem::path>& dirs);

  //! Loads one module file; throws PluginError naming the file and the reason.
  static LoadedPlugin load_module(const std::filesystem::path& file);

  const LoadedPlugin* find(const std::string& name) const;
  //! Like find(), but throws PluginError listing known plugins and any refusal of that name.
  const LoadedPlugin& require(const std::string& name) const;
  const std::map<std::string, LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<RejectedPlugin>& rejected() const { return rejected_; }

 private:
  std::map<std::string, LoadedPlugin> plugins_;
  std::vector<RejectedPlugin> rejected_;
};

//! Default plugin folders: $RECBENCH_PLUGIN_PATH (':'-separated), then the build's plugins/.
std::vector<std::filesystem::path> default_plugin_dirs();

}  // namespace recbench
