// Plugin loading: probe first (ABI version and build fingerprint), factory second, never unload.
#include "recbench/core/plugins/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
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
  static const RecbenchPluginInfo host = {RECBENCH_PLUGIN_ABI_VERSION,
                                          "host",
                                          "",
                                          "",
                                          RECBENCH_COMPILER_ID,
                                          _GLIBCXX_USE_CXX11_ABI,
                                          RECBENCH_TORCH_VERSION_ID,
                                          RECBENCH_TORCH_BUILD_ID};
  std::ostringstream why;
  if (info.abi_version != host.abi_version) {
    why << "plugin ABI version " << info.abi_version << ", host expects " << host.abi_version;
  } else if (info.cxx11_abi != host.cxx11_abi) {
    why << "built with _GLIBCXX_USE_CXX11_ABI=" << info.cxx11_abi << ", host uses "
        << host.cxx11_abi;
  } else if (std::string(info.torch_version) != host.torch_version ||
             std::string(info.torch_build) != host.torch_build) {
    why << "built against LibTorch " << info.torch_version << " (" << info.torch_build
        << "), host uses " << host.torch_version << " (" << host.torch_build << ")";
  } else if (std::string(info.compiler) != host.compiler) {
    why << "built with " << info.compiler << ", host built with " << host.compiler;
  }
  return why.str();
}

//! The dynamic loader's own words for why `file` does not load (Boost.DLL reports only an errno
//! such as "Bad file descriptor"), with a hint for the common causes.
std::string loader_reason(const std::filesystem::path& file, const std::string& fallback) {
  if (void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    dlclose(handle);  // loads now (a transient failure): nothing better to say
    return fallback;
  }
  const char* error = dlerror();
  std::string reason = error != nullptr ? error : fallback;
  if (const std::string prefix = file.string() + ": "; reason.rfind(prefix, 0) == 0) {
    reason.erase(0, prefix.size());  // the caller names the file already
  }
  if (reason.find("invalid ELF header") != std::string::npos ||
      reason.find("file too short") != std::string::npos) {
    reason += " (not a shared library)";
  } else if (reason.find("undefined symbol") != std::string::npos) {
    reason += " (built against another recbench or LibTorch? rebuild the plugin)";
  } else if (reason.find("cannot open shared object file") != std::string::npos) {
    reason += " (a library it needs is missing from the loader's path)";
  }
  return reason;
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
  if (ec) throw fail("cannot load: " + loader_reason(file, ec.message()));
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
    modules_.insert(modules_.end(), files.begin(), files.end());
  }
}

void PluginRegistry::open(const std::filesystem::path& file) {
  if (std::find(opened_.begin(), opened_.end(), file) != opened_.end()) return;
  opened_.push_back(file);
  try {
    LoadedPlugin plugin = load_module(file);
    plugins_.try_emplace(plugin.name, std::move(plugin));  // static and earlier folders win
  } catch (const PluginError& e) {
    rejected_.push_back({file, e.what()});
  }
}

void PluginRegistry::load_all() {
  for (const auto& file : modules_) open(file);
}

const LoadedPlugin& PluginRegistry::require(const std::string& name) {
  if (plugins_.count(name) == 0) {
    for (const auto& file : modules_) {  // the conventional file name first, in folder order
      if (file.filename() == "recbench_" + name + ".so") open(file);
      if (plugins_.count(name)) break;
    }
    if (plugins_.count(name) == 0) load_all();  // a module may register another name
  }
  if (auto it = plugins_.find(name); it != plugins_.end()) return it->second;
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
