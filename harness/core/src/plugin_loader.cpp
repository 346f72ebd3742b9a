// Plugin loading: probe first (ABI version and build fingerprint), factory second, never unload.
#include "recbench/core/plugin_loader.h"

#include <cstdlib>
#include <sstream>

#include <torch/version.h>
#include <boost/dll/shared_library.hpp>

#include "recbench/error.h"

namespace recbench {

namespace {

//! Loaded modules live until the process exits: LibTorch registers operators from static
//! initialisers, and unloading a library that did so crashes at exit.
std::vector<boost::dll::shared_library>& loaded_modules() {
  static auto* modules = new std::vector<boost::dll::shared_library>();
  return *modules;
}

std::string check_probe(const RecbenchPluginInfo& info) {
  static const RecbenchPluginInfo host = {
      RECBENCH_PLUGIN_ABI_VERSION, "host", "", "", RECBENCH_COMPILER_ID, _GLIBCXX_USE_CXX11_ABI,
      RECBENCH_TORCH_VERSION_ID};
  std::ostringstream why;
  if (info.abi_version != host.abi_version) {
    why << "plugin ABI version " << info.abi_version << ", host expects " << host.abi_version;
  } else if (info.cxx11_abi != host.cxx11_abi) {
    why << "built with _GLIBCXX_USE_CXX11_ABI=" << info.cxx11_abi << ", host uses "
        << host.cxx11_abi;
  } else if (std::string(info.torch_version) != host.torch_version) {
    why << "built against LibTorch " << info.torch_version << ", host uses " << host.torch_version;
  } else if (std::string(info.compiler) != host.compiler) {
    why << "built with " << info.compiler << ", host built with " << host.compiler;
  }
  return why.str();
}

}  // namespace

LoadedPlugin PluginRegistry::load_module(const std::filesystem::path& file) {
  namespace dll = boost::dll;
  auto fail = [&](const std::string& reason) -> PluginError {
    return PluginError(file.string() + ": " + reason);
  };
  dll::shared_library lib;
  boost::dll::fs::error_code ec;
  lib.load(file, dll::load_mode::rtld_now | dll::load_mode::rtld_local, ec);
  if (ec) throw fail("cannot load: " + ec.message());
  if (!lib.has("recbench_plugin_info")) {
    throw fail("not a recbench plugin (no recbench_plugin_info symbol)");
  }
  const auto& info = lib.get_alias<const RecbenchPluginInfo>("recbench_plugin_info");
  if (std::string why = check_probe(info); !why.empty()) {
    throw fail("plugin '" +
               std::string(info.abi_version == RECBENCH_PLUGIN_ABI_VERSION ? info.name : "?") +
               "' refused: " + why);
  }
  if (!lib.has("recbench_plugin_factory")) {
    throw fail("plugin '" + std::string(info.name) + "' has no recbench_plugin_factory symbol");
  }
  LoadedPlugin plugin{info.name, info.version, info.description, file.string(), nullptr};
  plugin.factory = lib.get_alias<std::remove_pointer_t<PluginFactory>>("recbench_plugin_factory");
  loaded_modules().push_back(std::move(lib));
  return plugin;
}

PluginRegistry::PluginRegistry(const std::vector<std::filesystem::path>& dirs) {
  for (const StaticPlugin& p : static_plugins()) {
    plugins_[p.info->name] = {p.info->name, p.info->version, p.info->description, "(static)",
                              p.factory};
  }
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      if (name.rfind("recbench_", 0) == 0 && entry.path().extension() == ".so") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        LoadedPlugin plugin = load_module(file);
        plugins_.try_emplace(plugin.name, std::move(plugin));  // earlier folders win
      } catch (const PluginError& e) {
        rejected_.push_back({file, e.what()});
      }
    }
  }
}

const LoadedPlugin* PluginRegistry::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : &it->second;
}

const LoadedPlugin& PluginRegistry::require(const std::string& name) const {
  if (const LoadedPlugin* p = find(name)) return *p;
  std::string msg = "unknown plugin '" + name + "'; known plugins: ";
  bool first = true;
  for (const auto& [known, _] : plugins_) {
    msg += (first ? "" : ", ") + known;
    first = false;
  }
  if (plugins_.empty()) msg += "(none)";
  for (const auto& r : rejected_) {
    if (r.path.filename().string() == "recbench_" + name + ".so") {
      msg += "; " + r.reason;
    }
  }
  throw PluginError(msg);
}

std::vector<std::filesystem::path> default_plugin_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("RECBENCH_PLUGIN_PATH")) {
    std::stringstream s(env);
    for (std::string part; std::getline(s, part, ':');) {
      if (!part.empty()) dirs.emplace_back(part);
    }
  }
  dirs.emplace_back(RECBENCH_DEFAULT_PLUGIN_DIR);
  return dirs;
}

}  // namespace recbench
