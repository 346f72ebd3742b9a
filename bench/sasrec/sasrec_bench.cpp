// sasrec_bench: generates MovieLens-100K-sized synthetic data, then trains recbench's SASRec on it
// and reports wall time per epoch, time to a target validation NDCG@10 and full-ranking eval time.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "bench_context.h"
#include "recbench/core/synth/recbole_corpus.h"
#include "recbench/error.h"
#include "recbench/params.h"
#include "recbench/plugin.h"
#include "recbench/threads.h"

namespace po = boost::program_options;
using nlohmann::json;
using recbench::bench::BenchContext;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const char* usage) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n" << desc;
    std::exit(0);
  }
  po::notify(vm);
  return vm;
}

//! `generate`: DIR/synthetic.inter (+ .item) and DIR/recipe.toml, the atomic recipe reading it.
int generate(const std::vector<std::string>& args) {
  po::options_description desc("options");
  desc.add_options()("help", "this text")("out", po::value<std::string>()->required(),
                                          "output folder")(
      "users", po::value<int64_t>()->default_value(943), "users")(
      "items", po::value<int64_t>()->default_value(1682), "items")(
      "seq-len", po::value<int64_t>()->default_value(106), "mean interactions per user")(
      "seed", po::value<uint64_t>()->default_value(2024), "generator seed");
  const auto vm = parse(args, desc, "sasrec_bench generate --out DIR [options]");
  recbench::SyntheticOptions o;
  o.users = vm["users"].as<int64_t>();
  o.items = vm["items"].as<int64_t>();
  o.seq_len = vm["seq-len"].as<int64_t>();
  const std::filesystem::path dir = vm["out"].as<std::string>();
  const auto files = recbench::write_synthetic_atomic(dir, o, vm["seed"].as<uint64_t>());
  std::ofstream recipe(dir / "recipe.toml");
  recipe << "# Written by sasrec_bench generate: the atomic files next to this recipe.\n"
         << "name = \"synthetic-ml100k-size\"\nformat = \"atomic\"\nmax_history = 50\n\n"
         << "[files]\ninter = \"" << files.inter.filename().string() << "\"\n\n"
         << "[filter]\nmin_length = 3\n";
  std::cout << files.inter.string() << "\n";
  return 0;
}

//! The SASRec plugin (linked statically) built from TOML text as the host would build it.
std::unique_ptr<recbench::Recommender> make_sasrec(const std::string& toml,
                                                   const BenchContext& ctx) {
  for (const auto& p : recbench::static_plugins()) {
    if (std::string(p.info->name) != "sasrec") continue;
    recbench::Params params("models.sasrec.params", toml, "sasrec_bench");
    recbench::PluginContext context;
    context.seed = ctx.seed(recbench::Stream::init);
    context.data = &ctx.data();
    torch::manual_seed(context.seed);
    auto model = p.factory(params, context);
    params.finish();
    return model;
  }
  throw recbench::PluginError("sasrec_bench: the sasrec plugin is not linked in");
}

//! Wall times of `repeats` full-ranking evaluations of the validation split (the evaluator) and
//! of score_all over all its histories in one batch (the model alone).
json time_evaluation(recbench::Recommender& model, const BenchContext& ctx,
                     const recbench::PreparedDataset& data, int repeats) {
  std::vector<double> eval_s, score_s;
  std::vector<int64_t> rows(data.valid.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  const auto batch =
      recbench::make_history_batch(data.valid.histories, rows, data.max_history, torch::kCPU);
  for (int r = 0; r < repeats; ++r) {
    eval_s.push_back(ctx.evaluate_valid(model).second);
    const auto t0 = std::chrono::steady_clock::now();
    const auto scores = model.score_all(batch);
    score_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return {{"users", rows.size()},
          {"eval_seconds_median", median(eval_s)},
          {"eval_seconds_min", *std::min_element(eval_s.begin(), eval_s.end())},
          {"score_all_seconds_median", median(score_s)}};
}

json epochs_json(const BenchContext& ctx) {
  json out = json::array();
  for (const auto& e : ctx.epochs()) {
    out.push_back({{"epoch", e.epoch},
                   {"loss", e.loss},
                   {"valid_ndcg10", e.ndcg10},
                   {"train_seconds", e.train_seconds},
                   {"eval_seconds", e.eval_seconds},
                   {"elapsed", e.elapsed}});
  }
  return out;
}

//! `train`: fits SASRec until the target or max-epochs, then times evaluation.
int train(const std::vector<std::string>& args) {
  po::options_description desc("options");
  desc.add_options()("help", "this text")("data", po::value<std::string>()->required(),
                                          "folder written by `generate`")(
      "train-mode", po::value<std::string>()->default_value("every_position"),
      "every_position | prefix")("batch-size", po::value<int64_t>()->default_value(0),
                                 "0: the plugin's default")(
      "target", po::value<double>()->default_value(0.0), "stop at this valid NDCG@10 (0: never)")(
      "max-epochs", po::value<int64_t>()->default_value(50), "epoch limit")(
      "threads", po::value<int>()->default_value(2), "LibTorch intra-op threads")(
      "seed", po::value<uint64_t>()->default_value(1), "master seed")(
      "eval-repeats", po::value<int>()->default_value(10), "timed evaluations after training")(
      "verbose", "log every epoch on stderr");
  const auto vm = parse(args, desc, "sasrec_bench train --data DIR [options]");
  recbench::set_cpu_threads(vm["threads"].as<int>());
  recbench::PrepareOptions prep;
  prep.use_cache = false;
  const auto recipe =
      recbench::load_recipe(std::filesystem::path(vm["data"].as<std::string>()) / "recipe.toml");
  const auto data = recbench::prepare_dataset(recipe, prep);

  std::string toml = "epochs = " + std::to_string(vm["max-epochs"].as<int64_t>()) +
                     "\ntrain_mode = '" + vm["train-mode"].as<std::string>() + "'\n";
  if (vm["batch-size"].as<int64_t>() > 0) {
    toml += "batch_size = " + std::to_string(vm["batch-size"].as<int64_t>()) + "\n";
  }
  BenchContext ctx(data, vm["seed"].as<uint64_t>(), vm["target"].as<double>(), vm.count("verbose"));
  auto model = make_sasrec(toml, ctx);
  ctx.start();
  model->fit(ctx);
  std::vector<double> epoch_s;
  for (const auto& e : ctx.epochs()) epoch_s.push_back(e.train_seconds);
  double best = 0.0;
  for (const auto& e : ctx.epochs()) best = std::max(best, e.ndcg10);
  json out{{"train_mode", vm["train-mode"].as<std::string>()},
           {"users", data.stats.users},
           {"items", data.stats.items},
           {"interactions", data.stats.interactions},
           {"threads", vm["threads"].as<int>()},
           {"target", vm["target"].as<double>()},
           {"epochs_run", ctx.epochs().size()},
           {"train_seconds_per_epoch_median", median(epoch_s)},
           {"best_valid_ndcg10", best},
           {"reached_epoch", ctx.reached() >= 0 ? json(ctx.reached()) : json(nullptr)},
           {"seconds_to_target",
            ctx.reached() >= 0 ? json(ctx.epochs()[ctx.reached()].elapsed) : json(nullptr)},
           {"evaluation", time_evaluation(*model, ctx, data, vm["eval-repeats"].as<int>())},
           {"curve", epochs_json(ctx)}};
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  recbench::keep_freed_memory();
  recbench::limit_onednn_cache();
  const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "generate") return generate(args);
    if (command == "train") return train(args);
    std::cerr << "usage: sasrec_bench generate --out DIR | sasrec_bench train --data DIR "
                 "[--help]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sasrec_bench: " << e.what() << "\n";
    return 1;
  }
}
