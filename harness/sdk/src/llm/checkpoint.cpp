// Loading and saving HF model folders and PEFT-style LoRA adapters; `recbench llm info`.
#include "recbench/llm/checkpoint.h"

#include <torch/torch.h>

#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <set>

#include "recbench/error.h"
#include "recbench/llm/safetensors.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::llm {

using json = nlohmann::json;

namespace {

constexpr const char* kPeftPrefix = "base_model.model.";

//! Tensors that some checkpoints carry but that this model recomputes or shares.
bool ignorable(const std::string& name, const ModelConfig& config) {
  if (name.find("rotary_emb.inv_freq") != std::string::npos) return true;
  return config.tie_word_embeddings && name == "lm_head.weight";
}

void check_shape(const torch::Tensor& param, torch::IntArrayRef stored, const std::string& name,
                 const std::string& origin) {
  if (param.sizes() != stored) {
    std::ostringstream msg;
    msg << origin << ": tensor '" << name << "' has shape " << stored << ", the model "
        << "expects " << param.sizes();
    throw DataError(msg.str());
  }
}

void copy_into(torch::Tensor& param, const torch::Tensor& value, const std::string& name,
               const std::string& origin) {
  check_shape(param, value.sizes(), name, origin);
  torch::NoGradGuard no_grad;
  param.copy_(value);
}

}  // namespace

torch::ScalarType default_dtype(const torch::Device& device) {
  return compute_dtype(default_precision(device));  // the `auto` policy's products
}

void load_weights(CausalLm& model, const std::filesystem::path& dir) {
  CheckpointWeights weights(dir);
  const std::string origin = dir.string();
  std::set<std::string> expected;
  for (auto& [name, param] : model->hf_state()) {
    expected.insert(name);
    if (!weights.contains(name)) {
      throw DataError(origin + ": checkpoint lacks tensor '" + name + "' (architecture " +
                      model->config().architecture() + ")");
    }
    check_shape(param, weights.entry(name).shape, name, origin);
    weights.copy_into(name, param);
  }
  for (const auto& [name, file] : weights.files()) {
    if (!expected.count(name) && !ignorable(name, model->config())) {
      throw DataError(file.string() + ": unexpected tensor '" + name + "' for " +
                      model->config().architecture());
    }
  }
}

CausalLm load_model(const std::filesystem::path& dir, const torch::Device& device,
                    std::optional<torch::ScalarType> dtype) {
  ModelConfig config = ModelConfig::from_file(dir / "config.json");
  // Weights born in their dtype on their device, uninitialised: no random float32 model first.
  CausalLm model(config, ModelInit{dtype.value_or(default_dtype(device)), device, false});
  load_weights(model, dir);
  model->eval();
  return model;
}

void save_model(const CausalLm& model, const std::filesystem::path& dir, uint64_t max_shard_bytes) {
  std::filesystem::create_directories(dir);
  NamedTensors tensors;
  for (auto& [name, t] : model->hf_state()) tensors.emplace_back(name, t);
  save_checkpoint_weights(dir, tensors, max_shard_bytes);
  json config = json::parse(model->config().to_json());
  const auto stored = tensors.front().second.scalar_type();  // HF's torch_dtype: the weights' own
  config["torch_dtype"] = stored == torch::kBFloat16 ? "bfloat16"
                          : stored == torch::kHalf   ? "float16"
                                                     : "float32";
  std::ofstream out(dir / "config.json");
  out << config.dump(2) << "\n";
  if (!out) throw DataError((dir / "config.json").string() + ": cannot write");
}

void cast_for_training(CausalLm& model, Precision precision) {
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) {
    const auto dtype = p.requires_grad() ? master_dtype(precision) : frozen_dtype(precision);
    if (p.scalar_type() != dtype) p.set_data(p.to(dtype));
  }
}

void save_lora_adapter(const CausalLm& model, const std::filesystem::path& dir) {
  if (!model->lora_spec()) throw ConfigError("save_lora_adapter: the model has no LoRA adapter");
  std::filesystem::create_directories(dir);
  NamedTensors tensors;
  for (auto& [name, t] : model->lora_state()) tensors.emplace_back(kPeftPrefix + name, t);
  save_safetensors(dir / "adapter_model.safetensors", tensors, {{"format", "pt"}});
  const LoraSpec& spec = *model->lora_spec();
  json config = {{"peft_type", "LORA"},
                 {"task_type", "CAUSAL_LM"},
                 {"r", spec.rank},
                 {"lora_alpha", spec.alpha},
                 {"lora_dropout", spec.dropout},
                 {"target_modules", model->lora_targets()},
                 {"bias", "none"},
                 {"fan_in_fan_out", false}};
  std::ofstream(dir / "adapter_config.json") << config.dump(2) << "\n";
}

void load_lora_adapter(CausalLm& model, const std::filesystem::path& dir) {
  std::filesystem::path config_path = dir / "adapter_config.json";
  LoraSpec spec;
  std::vector<std::string> targets;
  try {
    json config = json::parse(read_text_file(config_path));
    spec.rank = config.at("r").get<int64_t>();
    spec.alpha = config.at("lora_alpha").get<double>();
    spec.dropout = config.value("lora_dropout", 0.0);
    targets = config.at("target_modules").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw ConfigError(config_path.string() + ": invalid adapter config (" + e.what() + ")");
  }
  model->add_lora(spec, targets);
  SafetensorsFile file(dir / "adapter_model.safetensors");
  for (auto& [name, param] : model->lora_state()) {
    std::string stored = kPeftPrefix + name;
    if (!file.contains(stored)) {
      throw DataError(file.path().string() + ": adapter lacks tensor '" + stored + "'");
    }
    copy_into(param, file.tensor(stored), stored, file.path().string());
  }
}

void print_model_info(const std::filesystem::path& dir, std::ostream& out) {
  ModelConfig c = ModelConfig::from_file(dir / "config.json");
  out << "architecture        " << c.architecture() << " (model_type " << c.model_type << ")\n"
      << "layers              " << c.num_hidden_layers << "\n"
      << "hidden size         " << c.hidden_size << "\n"
      << "intermediate size   " << c.intermediate_size << "\n"
      << "attention heads     " << c.num_attention_heads << " query, " << c.num_key_value_heads
      << " key/value, head dim " << c.head_dim << "\n"
      << "vocabulary          " << c.vocab_size << "\n"
      << "rope theta          " << c.rope_theta << " (scaling " << c.rope_scaling.type << ")\n"
      << "qkv bias            " << (c.qkv_bias ? "yes" : "no") << "\n"
      << "qk norm             " << (c.qk_norm ? "yes" : "no") << "\n"
      << "tied embeddings     " << (c.tie_word_embeddings ? "yes" : "no") << "\n"
      << "parameters          " << c.parameter_count() << "\n";
  if (!std::filesystem::exists(dir / "model.safetensors") &&
      !std::filesystem::exists(dir / "model.safetensors.index.json")) {
    out << "weights             none found\n";
    return;
  }
  CheckpointWeights weights(dir);
  std::map<std::string, int64_t> by_dtype;
  int64_t stored = 0;
  for (const auto& [name, file] : weights.files()) {
    int64_t n = 1;
    for (int64_t d : weights.entry(name).shape) n *= d;
    by_dtype[weights.entry(name).dtype] += n;
    stored += n;
  }
  out << "stored tensors      " << weights.files().size() << " (" << stored << " values:";
  for (const auto& [dtype, n] : by_dtype) out << " " << dtype << " " << n;
  out << ")\n";
}

}  // namespace recbench::llm
