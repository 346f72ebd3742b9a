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

//! The plugins a process can use. Statically linked plugins are registered at once; module
//! files (recbench_<name>.so in the plugin folders) are opened only when asked for, so an
//! experiment opens the libraries of its own models and no others.
class PluginRegistry {
 public:
  //! Registers the statically linked plugins and lists the recbench_*.so files of `dirs`
  //! (earlier folders win); opens none of them.
  explicit PluginRegistry(const std::vector<std::filesystem::path>& dirs);

  //! Loads one module file; throws PluginError naming the file and the loader's reason (not a
  //! shared library, a missing dependency or symbol, ABI or build mismatch, no factory).
  static LoadedPlugin load_module(const std::filesystem::path& file);

  //! Plugin `name`, opening recbench_<name>.so on first use; throws PluginError listing the known
  //! plugins and, when a file of that name was refused, why.
  const LoadedPlugin& require(const std::string& name);
  //! Opens every listed module (`recbench plugins`); refused files go to rejected().
  void load_all();

  //! The plugins registered or loaded so far.
  const std::map<std::string, LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<RejectedPlugin>& rejected() const { return rejected_; }

 private:
  //! Opens `file` (once), registering or rejecting it.
  void open(const std::filesystem::path& file);

  std::map<std::string, LoadedPlugin> plugins_;
  std::vector<RejectedPlugin> rejected_;
  std::vector<std::filesystem::path> modules_;  //!< listed module files, folder order
  std::vector<std::filesystem::path> opened_;   //!< module files tried already
};

//! Default plugin folders: $RECBENCH_PLUGIN_PATH (':'-separated), then the build's plugins/.
std::vector<std::filesystem::path> default_plugin_dirs();

}  // namespace recbench
