// `recbench data`: prepares datasets from recipes and writes the synthetic corpus.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "options.h"
#include "recbench/core/common/logging.h"
#include "recbench/core/data/dataset.h"
#include "recbench/core/synth/recbole_corpus.h"
#include "recbench/core/synth/synthetic_world.h"
#include "recbench/error.h"

namespace recbench::cli {

namespace {

int prepare(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("cache-dir", po::value<std::string>()->default_value(".cache/recbench"),
                        "cache folder")("no-cache", po::bool_switch(),
                                        "prepare again even if cached");
  po::options_description hidden;
  hidden.add_options()("recipe", po::value<std::string>()->required(), "recipe file");
  po::positional_options_description positional;
  positional.add("recipe", 1);
  po::variables_map vm;
  if (parse_args(args, "recbench data prepare RECIPE.toml [options]", visible, hidden, positional,
                 vm)) {
    return kExitOk;
  }
  auto log = make_logger("info");
  const Recipe recipe = load_recipe(vm["recipe"].as<std::string>());
  const PreparedDataset data = prepare_dataset(
      recipe, {vm["cache-dir"].as<std::string>(), !vm["no-cache"].as<bool>(), log.get()});
  const DatasetStats& s = data.stats;
  std::cout << fmt::format(
      "dataset      {}\nfingerprint  {}\nusers        {}\nitems        {}\ninteractions {}\n"
      "avg length   {:.2f}\ndensity      {:.6f}\nraw          {}\nfiltered out {}\n"
      "skipped      {}\n",
      data.name, data.fingerprint, s.users, s.items, s.interactions, s.avg_length, s.density,
      s.raw_interactions, s.dropped_filter, s.skipped_lines);
  return kExitOk;
}

//! The old single-file corpus (format = "synthetic") as RecBole atomic files.
int synth_atomic(const po::variables_map& vm) {
  std::map<std::string, double> raw;
  if (vm.count("users")) raw["users"] = static_cast<double>(vm["users"].as<int64_t>());
  if (vm.count("items")) raw["items"] = static_cast<double>(vm["items"].as<int64_t>());
  if (vm.count("domains")) raw["domains"] = static_cast<double>(vm["domains"].as<int64_t>());
  if (vm.count("seq-len")) raw["seq_len"] = static_cast<double>(vm["seq-len"].as<int64_t>());
  if (vm.count("topics")) raw["topics"] = static_cast<double>(vm["topics"].as<int64_t>());
  const SyntheticOptions options = synthetic_options(raw, "command line");
  const SyntheticFiles files =
      write_synthetic_atomic(vm["out"].as<std::string>(), options, vm["seed"].as<uint64_t>());
  std::cout << "wrote " << files.inter.string() << "\nwrote " << files.item.string() << "\n";
  return kExitOk;
}

int synth(const std::vector<std::string>& args) {
  po::options_description visible("options");
  // clang-format off
  visible.add_options()
      ("out,o", po::value<std::string>()->default_value("data/synthetic"), "output folder")
      ("seed", po::value<uint64_t>()->default_value(0), "generator seed")
      ("scale", po::value<double>()->default_value(1.0),
       "size factor: users and items of every domain are multiplied by it")
      ("dataset", po::value<std::vector<std::string>>()->composing(),
       "write only this dataset (repeatable): ml-100k, steam, lastfm, amazon-office, "
       "amazon-instruments, amazon-pretrain")
      ("atomic", po::bool_switch(),
       "write the format = \"synthetic\" corpus as RecBole atomic files instead")
      ("users", po::value<int64_t>(), "with --atomic: number of users")
      ("items", po::value<int64_t>(), "with --atomic: number of items")
      ("domains", po::value<int64_t>(), "with --atomic: domains (item i is in domain i % domains)")
      ("seq-len", po::value<int64_t>(), "with --atomic: mean interactions per user")
      ("topics", po::value<int64_t>(), "with --atomic: latent topics");
  // clang-format on
  po::variables_map vm;
  if (parse_args(args, "recbench data synth [--out DIR] [--seed S] [--scale F] [options]", visible,
                 {}, {}, vm)) {
    return kExitOk;
  }
  if (vm["atomic"].as<bool>()) return synth_atomic(vm);
  for (const char* atomic_only : {"users", "items", "domains", "seq-len", "topics"}) {
    if (vm.count(atomic_only)) {
      throw ConfigError(std::string("recbench data synth: --") + atomic_only +
                        " needs --atomic (the world is sized with --scale)");
    }
  }
  std::vector<std::string> datasets;
  if (vm.count("dataset")) datasets = vm["dataset"].as<std::vector<std::string>>();
  const WorldOptions options{vm["seed"].as<uint64_t>(), vm["scale"].as<double>()};
  for (const auto& path : write_synthetic_world(vm["out"].as<std::string>(), options, datasets)) {
    std::cout << "wrote " << path.string() << " (" << std::filesystem::file_size(path)
              << " bytes)\n";
  }
  return kExitOk;
}

}  // namespace

int data_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "usage: recbench data prepare RECIPE.toml | recbench data synth [--out DIR]\n";
    return kExitBadInput;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "prepare") return prepare(rest);
  if (args[0] == "synth") return synth(rest);
  std::cerr << "recbench data: unknown subcommand '" << args[0] << "'; known: prepare, synth\n";
  return kExitBadInput;
}

}  // namespace recbench::cli
