// Host memory of loading a sharded bfloat16 checkpoint: peak resident memory of the process while
// load_model runs, against the checkpoint's size (issue: under 1.3x). `--write` generates the
// checkpoint without ever holding a float32 copy; `--load` measures in a fresh process.
#include <sys/resource.h>
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/safetensors.h"

namespace po = boost::program_options;
using namespace recbench;
using namespace recbench::llm;

namespace {

//! Resident-set high-water mark (VmHWM) of this process in MiB.
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

//! Current resident set (VmRSS) in MiB.
double rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

//! A Llama-shaped config of about `billions` x 1e9 parameters (hidden 2048, GQA 16/4).
ModelConfig sized_config(double billions) {
  ModelConfig c;
  c.model_type = "llama";
  c.vocab_size = 32000;
  c.hidden_size = 2048;
  c.intermediate_size = 5632;
  c.num_attention_heads = 16;
  c.num_key_value_heads = 4;
  c.head_dim = 128;
  ModelConfig one = c, two = c;
  one.num_hidden_layers = 1;
  two.num_hidden_layers = 2;
  const auto per_layer = static_cast<double>(two.parameter_count() - one.parameter_count());
  const double rest = static_cast<double>(one.parameter_count()) - per_layer;
  c.num_hidden_layers =
      std::max<int64_t>(1, static_cast<int64_t>((billions * 1e9 - rest) / per_layer + 0.5));
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string write, load;
    double billions = 1.0;
    int64_t shard_mb = 500;
    bool eager = false;
    po::options_description opts(
        "recbench_load_bench (--write DIR [--billions 1] [--shard-mb 500]) | (--load DIR "
        "[--eager])");
    opts.add_options()("help,h", "show this help")("write", po::value(&write), "write here")(
        "billions", po::value(&billions), "parameters in billions (with --write)")(
        "shard-mb", po::value(&shard_mb), "shard size in MiB (with --write)")(
        "load", po::value(&load), "load this checkpoint and report memory")(
        "eager", po::bool_switch(&eager),
        "load the way recbench did before: a random float32 model converted to bfloat16, then "
        "every tensor copied out of the mapping first");
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
    if (vm.count("help") || (write.empty() == load.empty())) {
      std::cout << opts << "\n";
      return write.empty() == load.empty() ? 2 : 0;
    }
    torch::NoGradGuard no_grad;
    if (!write.empty()) {
      const ModelConfig c = sized_config(billions);
      CausalLm model(c, ModelInit{torch::kBFloat16, torch::kCPU, false});
      torch::manual_seed(0);
      for (auto& p : model->parameters()) p.normal_(0.0, 0.02);  // drawn in bfloat16, in place
      save_model(model, write, static_cast<uint64_t>(shard_mb) << 20);
      std::cout << "wrote " << c.parameter_count() << " parameters (" << c.num_hidden_layers
                << " layers) to " << write << "\n";
      return 0;
    }
    uint64_t bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(load)) {
      if (entry.path().extension() == ".safetensors") bytes += entry.file_size();
    }
    const double start_mb = rss_mb();
    const auto t0 = std::chrono::steady_clock::now();
    CausalLm model{nullptr};
    if (eager) {
      model = CausalLm(ModelConfig::from_file(std::filesystem::path(load) / "config.json"));
      model->to(torch::kBFloat16);
      CheckpointWeights weights(load);
      for (auto& [name, param] : model->hf_state()) param.copy_(weights.tensor(name));
    } else {
      model = load_model(load, torch::kCPU, torch::kBFloat16);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double checkpoint_mb = static_cast<double>(bytes) / (1 << 20);
    const double peak = peak_rss_mb();
    nlohmann::json r = {{"path", eager ? "eager" : "load_model"},
                        {"checkpoint_mb", checkpoint_mb},
                        {"rss_before_mb", start_mb},
                        {"peak_rss_mb", peak},
                        {"peak_over_checkpoint", peak / checkpoint_mb},
                        {"load_peak_over_checkpoint", (peak - start_mb) / checkpoint_mb},
                        {"seconds", seconds}};
    std::cout << r.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "recbench_load_bench: " << e.what() << "\n";
    return 2;
  }
}
