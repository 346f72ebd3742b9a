// `recbench data`: prepares datasets from recipes and writes the synthetic corpus.
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "options.h"
#include "recbench/core/dataset.h"
#include "recbench/core/logging.h"
#include "recbench/core/synthetic.h"

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

int synth(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()
      ("out,o", po::value<std::string>()->default_value("data/synthetic"), "output folder")
      ("seed", po::value<uint64_t>()->default_value(0), "generator seed")
      ("users", po::value<int64_t>(), "number of users")
      ("items", po::value<int64_t>(), "number of items")
      ("domains", po::value<int64_t>(), "number of domains (item i is in domain i % domains)")
      ("seq-len", po::value<int64_t>(), "mean interactions per user")
      ("topics", po::value<int64_t>(), "latent topics");
  po::variables_map vm;
  if (parse_args(args, "recbench data synth [--out DIR] [options]", visible, {}, {}, vm)) {
    return kExitOk;
  }
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
