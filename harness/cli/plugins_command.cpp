// `recbench plugins`: lists loadable plugins and the files that were refused, with reasons.
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "options.h"
#include "recbench/core/plugins/plugin_loader.h"

namespace recbench::cli {

int plugins_command(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("plugin-path", po::value<std::vector<std::string>>()->composing(),
                        "folder with plugins (repeatable; default: $RECBENCH_PLUGIN_PATH, "
                        "then the build's)");
  po::variables_map vm;
  if (parse_args(args, "recbench plugins [--plugin-path DIR]", visible, {}, {}, vm)) {
    return kExitOk;
  }
  std::vector<std::filesystem::path> dirs;
  if (vm.count("plugin-path")) {
    for (const auto& p : vm["plugin-path"].as<std::vector<std::string>>()) dirs.emplace_back(p);
  } else {
    dirs = default_plugin_dirs();
  }
  PluginRegistry registry(dirs);
  registry.load_all();
  for (const auto& [name, p] : registry.plugins()) {
    std::cout << fmt::format("{:<12} {:<6} {}\n{:<19} {}\n", name, p.version, p.description, "",
                             p.origin);
  }
  if (registry.plugins().empty()) std::cout << "no plugins found\n";
  for (const auto& r : registry.rejected()) std::cerr << "refused: " << r.reason << "\n";
  return kExitOk;
}

}  // namespace recbench::cli
