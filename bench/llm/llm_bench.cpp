// LLM-layer speed benchmark: training tokens/s and shared-prompt scoring candidates/s on CPU.
// The workload mirrors bench/llm/reference/llm_reference.py exactly (same weights, same tokens).
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/inference.h"
#include "recbench/llm/training.h"
#include "recbench/plugin_info.h"  // AT_CUDA_ENABLED where present
#include "recbench/precision.h"

#if defined(AT_CUDA_ENABLED)
#if AT_CUDA_ENABLED()
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#endif
#include "recbench/threads.h"

namespace po = boost::program_options;
using namespace recbench;
using namespace recbench::llm;

namespace {

struct Args {
  std::string task, model, size;
  std::string device = "cpu", precision = "auto";
  int64_t lora = 0;        //!< LoRA rank on every linear (0 = full fine-tuning)
  double peak_tflops = 0;  //!< the device's peak for MFU (0 = not reported)
  bool checkpointing = false;
  bool full_logits = false;  //!< train: the head at every position (the previous loss)
  int64_t targets = 0;       //!< train: supervised positions per row, the last ones (0 = all)
  int threads = 1;
  int64_t steps = 10, warmup = 2, batch = 8, seq_len = 128, prompt_len = 128, candidates = 64,
          candidate_len = 8, vocab = 0;
  uint64_t seed = 0;
};

//! "tiny": ModelConfig::tiny (2 layers, hidden 64); "100m": 12 layers, hidden 768, GQA 12/4;
//! "qwen2.5-0.5b": Qwen2.5-0.5B's shape (24 layers, hidden 896, GQA 14/2, vocab 151,936, tied).
ModelConfig named_config(const std::string& size, int64_t vocab) {
  if (size == "tiny") return ModelConfig::tiny(vocab > 0 ? vocab : 2048);
  if (size == "qwen2.5-0.5b") {
    ModelConfig c = ModelConfig::tiny(vocab > 0 ? vocab : 151936);
    c.hidden_size = 896;
    c.intermediate_size = 4864;
    c.num_hidden_layers = 24;
    c.num_attention_heads = 14;
    c.num_key_value_heads = 2;
    c.head_dim = 64;
    c.max_position_embeddings = 32768;
    c.rope_theta = 1000000.0;
    c.tie_word_embeddings = true;
    return c;
  }
  if (size != "100m") {
    throw ConfigError("--write-model: size '" + size + "' (tiny, 100m, qwen2.5-0.5b)");
  }
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

//! Waits for the device's queued work, so wall-clock times cover it.
void sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

nlohmann::json train(CausalLm& model, const Args& a, const torch::Device& device, Precision p) {
  auto optimizer = make_adamw(model, {1e-4, 0.01, 0.9, 0.95, 1e-8});
  LrSchedule schedule = LrSchedule::constant(1e-4);
  GradientAccumulator acc(*optimizer, schedule, 1, 1.0, nullptr, p);
  torch::manual_seed(a.seed);
  torch::Tensor ids =
      torch::randint(0, model->config().vocab_size, {a.warmup + a.steps, a.batch, a.seq_len})
          .to(device);
  torch::Tensor mask = torch::zeros({a.batch, a.seq_len}, torch::TensorOptions().device(device));
  mask.slice(1, a.targets > 0 ? a.seq_len - a.targets : 0).fill_(1.0);
  model->train();
  std::vector<double> losses;
  auto start = std::chrono::steady_clock::now();
  double cpu = cpu_seconds();
  for (int64_t s = 0; s < a.warmup + a.steps; ++s) {
    if (s == a.warmup) {
      start = std::chrono::steady_clock::now();
      cpu = cpu_seconds();
    }
    if (s == a.warmup) sync(device);
    torch::Tensor batch = ids[s];
    torch::Tensor loss;
    {
      AutocastScope autocast(p, device);
      ForwardOptions fwd;
      fwd.compute_logits = a.full_logits;
      const LmOutput out = model->forward(batch, fwd);
      loss = a.full_logits ? causal_lm_loss(out.logits, batch, mask)
                           : supervised_lm_loss(model, out.hidden, batch, mask);
    }
    acc.backward(loss);
    losses.push_back(loss.item<double>());
  }
  sync(device);
  double seconds = seconds_since(start), cpu_used = cpu_seconds() - cpu;
  auto tokens = static_cast<double>(a.batch * a.seq_len * a.steps);
  // Model FLOPs: 6 per parameter and token for full fine-tuning (forward 2, backward 4); with a
  // frozen base, backward skips the weight gradients: 4 per base parameter and token.
  const auto params = static_cast<double>(model->config().parameter_count());
  const double flops_per_token = (a.lora > 0 ? 4.0 : 6.0) * params;
  nlohmann::json r = {{"tokens_per_s", tokens / seconds},
                      {"tokens_per_cpu_s", tokens / cpu_used},
                      {"seconds", seconds},
                      {"cpu_seconds", cpu_used},
                      {"first_loss", losses.front()},
                      {"last_loss", losses.back()}};
  if (a.peak_tflops > 0) r["mfu"] = flops_per_token * tokens / seconds / (a.peak_tflops * 1e12);
  return r;
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
      "seed", po::value(&a.seed)->default_value(0), "weights and tokens seed")(
      "device", po::value(&a.device)->default_value("cpu"), "cpu or cuda")(
      "precision", po::value(&a.precision)->default_value("auto"),
      "auto, fp32, bf16-mixed, fp16-mixed or bf16 (recbench/precision.h)")(
      "lora", po::value(&a.lora)->default_value(0), "train: LoRA rank on every linear (0 = full)")(
      "checkpointing", po::bool_switch(&a.checkpointing), "train: activation checkpointing")(
      "full-logits", po::bool_switch(&a.full_logits),
      "train: output head and log-softmax at every position (the loss before supervised_lm_loss)")(
      "targets", po::value(&a.targets)->default_value(0),
      "train: supervised positions per row, the last ones (0 = all)")(
      "peak-tflops", po::value(&a.peak_tflops)->default_value(0.0),
      "train: the device's peak TFLOP/s, to report MFU");
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
  const torch::Device device(a.device);
  const Precision p = a.precision == "auto" ? default_precision(device)
                                            : parse_precision(a.precision, "--precision");
  check_precision(p, device, "--precision");
  CausalLm model = load_model(a.model, device, a.lora > 0 ? frozen_dtype(p) : master_dtype(p));
  if (a.task == "train" && a.lora > 0) {
    model->add_lora({a.lora, 2.0 * static_cast<double>(a.lora), 0.0},
                    {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  }
  cast_for_training(model, p);
  model->set_activation_checkpointing(a.checkpointing);
  nlohmann::json result = a.task == "train" ? train(model, a, device, p) : score(model, a);
  result["impl"] = "recbench";
  result["task"] = a.task;
  result["threads"] = a.threads;
  result["parameters"] = model->config().parameter_count();
  result["device"] = a.device;
  result["precision"] = precision_name(p);
  result["lora"] = a.lora;
  result["fused_attention"] = model->fused_attention();
  result["full_logits"] = a.full_logits;
  result["targets"] = a.targets;
  result["checkpointing"] = a.checkpointing;
  {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmHWM:", 0) == 0) result["peak_rss_mb"] = std::stod(line.substr(6)) / 1024.0;
    }
  }
#if defined(AT_CUDA_ENABLED)
#if AT_CUDA_ENABLED()
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    result["peak_device_memory_mb"] =
        static_cast<double>(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0);
  }
#endif
#endif
  std::cout << result.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  limit_onednn_cache();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "recbench_llm_bench: " << e.what() << "\n";
    return 2;
  }
}
