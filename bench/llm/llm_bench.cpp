// LLM-layer speed benchmark: training tokens/s and shared-prompt scoring candidates/s on CPU.
// The workload mirrors bench/llm/reference/llm_reference.py exactly (same weights, same tokens).
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/inference.h"
#include "recbench/llm/training.h"
#include "recbench/threads.h"

namespace po = boost::program_options;
using namespace recbench;
using namespace recbench::llm;

namespace {

struct Args {
  std::string task, model, size;
  int threads = 1;
  int64_t steps = 10, warmup = 2, batch = 8, seq_len = 128, prompt_len = 128, candidates = 64,
          candidate_len = 8, vocab = 0;
  uint64_t seed = 0;
};

//! "tiny": ModelConfig::tiny (2 layers, hidden 64); "100m": 12 layers, hidden 768, GQA 12/4.
ModelConfig named_config(const std::string& size, int64_t vocab) {
  if (size == "tiny") return ModelConfig::tiny(vocab > 0 ? vocab : 2048);
  if (size != "100m") throw ConfigError("--write-model: size '" + size + "' (tiny, 100m)");
  ModelConfig c = ModelConfig::tiny(vocab > 0 ? vocab : 16384);
  c.hidden_size = 768;
  c.intermediate_size = 2048;
  c.num_hidden_layers = 12;
  c.num_attention_heads = 12;
  c.num_key_value_heads = 4;
  c.head_dim = 64;
  c.max_position_embeddings = 2048;
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

//! Processor time of this process (all threads), robust to other processes' load.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

nlohmann::json train(CausalLm& model, const Args& a) {
  auto optimizer = make_adamw(model, {1e-4, 0.01, 0.9, 0.95, 1e-8});
  LrSchedule schedule = LrSchedule::constant(1e-4);
  GradientAccumulator acc(*optimizer, schedule, 1, 1.0);
  torch::manual_seed(a.seed);
  torch::Tensor ids =
      torch::randint(0, model->config().vocab_size, {a.warmup + a.steps, a.batch, a.seq_len});
  torch::Tensor mask = torch::ones({a.batch, a.seq_len});
  model->train();
  std::vector<double> losses;
  auto start = std::chrono::steady_clock::now();
  double cpu = cpu_seconds();
  for (int64_t s = 0; s < a.warmup + a.steps; ++s) {
    if (s == a.warmup) {
      start = std::chrono::steady_clock::now();
      cpu = cpu_seconds();
    }
    torch::Tensor batch = ids[s];
    torch::Tensor loss = causal_lm_loss(model->forward(batch).logits, batch, mask);
    acc.backward(loss);
    losses.push_back(loss.item<double>());
  }
  double seconds = seconds_since(start), cpu_used = cpu_seconds() - cpu;
  auto tokens = static_cast<double>(a.batch * a.seq_len * a.steps);
  return {{"tokens_per_s", tokens / seconds},
          {"tokens_per_cpu_s", tokens / cpu_used},
          {"seconds", seconds},
          {"cpu_seconds", cpu_used},
          {"first_loss", losses.front()},
          {"last_loss", losses.back()}};
}

nlohmann::json score(CausalLm& model, const Args& a) {
  torch::manual_seed(a.seed);
  int64_t v = model->config().vocab_size;
  torch::Tensor prompt_t = torch::randint(0, v, {1, a.prompt_len});
  torch::Tensor cand_t = torch::randint(0, v, {a.candidates, a.candidate_len});
  std::vector<int64_t> prompt(prompt_t.data_ptr<int64_t>(),
                              prompt_t.data_ptr<int64_t>() + prompt_t.numel());
  std::vector<std::vector<int64_t>> cands;
  for (int64_t i = 0; i < a.candidates; ++i) {
    const int64_t* row = cand_t[i].data_ptr<int64_t>();
    cands.emplace_back(row, row + a.candidate_len);
  }
  model->eval();
  ScoreOptions options;
  options.batch_size = a.batch;
  double mean = 0;
  auto start = std::chrono::steady_clock::now();
  double cpu = cpu_seconds();
  for (int64_t r = 0; r < a.warmup + a.steps; ++r) {
    if (r == a.warmup) {
      start = std::chrono::steady_clock::now();
      cpu = cpu_seconds();
    }
    std::vector<double> s = score_continuations(model, prompt, cands, options);
    mean = std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(s.size());
  }
  double seconds = seconds_since(start), cpu_used = cpu_seconds() - cpu;
  auto scored = static_cast<double>(a.candidates * a.steps);
  return {{"candidates_per_s", scored / seconds},
          {"candidates_per_cpu_s", scored / cpu_used},
          {"seconds", seconds},
          {"cpu_seconds", cpu_used},
          {"mean_score", mean}};
}

int run(int argc, char** argv) {
  Args a;
  std::string write_model;
  po::options_description opts(
      "recbench_llm_bench (--write-model DIR --size tiny|100m) | (--model DIR --task train|score)");
  opts.add_options()("help,h", "show this help")("write-model", po::value(&write_model),
                                                 "write a seeded random model folder and exit")(
      "size", po::value(&a.size)->default_value("tiny"), "tiny or 100m (with --write-model)")(
      "vocab", po::value(&a.vocab), "vocabulary (default 2048 tiny, 16384 100m)")(
      "model", po::value(&a.model), "model folder")("task", po::value(&a.task), "train or score")(
      "threads", po::value(&a.threads)->default_value(1), "LibTorch threads")(
      "steps", po::value(&a.steps)->default_value(10), "timed steps (score: repetitions)")(
      "warmup", po::value(&a.warmup)->default_value(2), "untimed steps first")(
      "batch", po::value(&a.batch)->default_value(8), "train rows / candidates per batch")(
      "seq-len", po::value(&a.seq_len)->default_value(128), "train row length")(
      "prompt-len", po::value(&a.prompt_len)->default_value(128), "score: prompt tokens")(
      "candidates", po::value(&a.candidates)->default_value(64), "score: candidates")(
      "candidate-len", po::value(&a.candidate_len)->default_value(8), "score: tokens each")(
      "seed", po::value(&a.seed)->default_value(0), "weights and tokens seed");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, opts), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  recbench::set_cpu_threads(a.threads);
  if (!write_model.empty()) {
    torch::manual_seed(a.seed);
    CausalLm model(named_config(a.size, a.vocab));
    save_model(model, write_model);
    std::cout << "wrote " << write_model << " (" << model->config().parameter_count()
              << " parameters)\n";
    return 0;
  }
  if (a.model.empty() || (a.task != "train" && a.task != "score")) {
    throw ConfigError("need --model DIR and --task train|score (or --write-model DIR)");
  }
  CausalLm model = load_model(a.model, torch::kCPU);
  nlohmann::json result = a.task == "train" ? train(model, a) : score(model, a);
  result["impl"] = "recbench";
  result["task"] = a.task;
  result["threads"] = a.threads;
  result["parameters"] = model->config().parameter_count();
  std::cout << result.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "recbench_llm_bench: " << e.what() << "\n";
    return 2;
  }
}
