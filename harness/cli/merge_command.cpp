// `recbench merge`: combines the part files of a sharded run into one results file.
#include <iostream>

#include "commands.h"
#include "options.h"
#include "recbench/core/results/merge.h"

namespace recbench::cli {

int merge_command(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("out,o", po::value<std::string>()->required(),
                        "the merged results file (must not exist)")("force", po::bool_switch(),
                                                                    "replace --out if it exists")(
      "allow-mixed-devices", po::bool_switch(),
      "merge cells of different device classes or precisions")(
      "allow-mixed-builds", po::bool_switch(),
      "merge parts written by different builds (recbench version, git revision, LibTorch)");
  po::options_description hidden;
  hidden.add_options()("parts", po::value<std::vector<std::string>>()->required(), "part files");
  po::positional_options_description positional;
  positional.add("parts", -1);
  po::variables_map vm;
  if (parse_args(args,
                 "recbench merge PART.h5... --out FILE.h5 [--force] [--allow-mixed-devices] "
                 "[--allow-mixed-builds]",
                 visible, hidden, positional, vm)) {
    return kExitOk;
  }
  std::vector<std::filesystem::path> parts;
  for (const auto& p : vm["parts"].as<std::vector<std::string>>()) parts.emplace_back(p);
  const std::string out = vm["out"].as<std::string>();
  const MergeSummary summary = merge_results(parts, out, vm["force"].as<bool>(),
                                             {.mixed_devices = vm["allow-mixed-devices"].as<bool>(),
                                              .mixed_builds = vm["allow-mixed-builds"].as<bool>()});
  if (!summary.missing_shards.empty()) {
    std::string missing;
    for (const auto& s : summary.missing_shards) missing += (missing.empty() ? "" : ", ") + s;
    std::cerr << "recbench merge: warning: shard(s) " << missing
              << " not among the parts; their cells are missing from " << out << "\n";
  }
  std::cout << "merged " << parts.size() << " part(s): " << summary.cells << " cell(s)";
  if (summary.failed > 0) std::cout << " (" << summary.failed << " failed)";
  std::cout << " -> " << out << "\n";
  return kExitOk;
}

}  // namespace recbench::cli
