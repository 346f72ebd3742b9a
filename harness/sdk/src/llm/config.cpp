// ModelConfig: HF config.json parsing and writing for the Llama/Qwen2/Qwen3 families.
#include "recbench/llm/config.h"

#include <nlohmann/json.hpp>

#include "recbench/error.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::llm {

using json = nlohmann::json;

namespace {

std::optional<int64_t> optional_id(const json& root, const char* key) {
  if (!root.contains(key) || root[key].is_null()) return std::nullopt;
  const json& v = root[key];
  if (v.is_array()) return v.empty() ? std::nullopt : std::optional<int64_t>(v[0].get<int64_t>());
  return v.get<int64_t>();
}

RopeScaling parse_rope_scaling(const json& node, const std::string& origin) {
  RopeScaling s;
  if (node.is_null()) return s;
  s.type = node.contains("rope_type") ? node["rope_type"].get<std::string>()
                                      : node.value("type", std::string("default"));
  if (s.type != "default" && s.type != "linear" && s.type != "llama3") {
    throw ConfigError(origin + ": rope_scaling.type: unsupported '" + s.type +
                      "' (known: default, linear, llama3)");
  }
  s.factor = node.value("factor", 1.0);
  s.low_freq_factor = node.value("low_freq_factor", 1.0);
  s.high_freq_factor = node.value("high_freq_factor", 4.0);
  s.original_max_position = node.value("original_max_position_embeddings", int64_t{8192});
  return s;
}

}  // namespace

ModelConfig ModelConfig::from_json(const std::string& text, const std::string& origin) {
  ModelConfig c;
  try {
    json root = json::parse(text);
    c.model_type = root.value("model_type", std::string("llama"));
    if (c.model_type != "llama" && c.model_type != "qwen2" && c.model_type != "qwen3" &&
        c.model_type != "mistral") {
      throw ConfigError(origin + ": model_type: unsupported '" + c.model_type +
                        "' (known: llama, mistral, qwen2, qwen3)");
    }
    c.vocab_size = root.at("vocab_size").get<int64_t>();
    c.hidden_size = root.at("hidden_size").get<int64_t>();
    c.intermediate_size = root.at("intermediate_size").get<int64_t>();
    c.num_hidden_layers = root.at("num_hidden_layers").get<int64_t>();
    c.num_attention_heads = root.at("num_attention_heads").get<int64_t>();
    c.num_key_value_heads = root.value("num_key_value_heads", c.num_attention_heads);
    json head_dim = root.value("head_dim", json());
    c.head_dim =
        head_dim.is_null() ? c.hidden_size / c.num_attention_heads : head_dim.get<int64_t>();
    c.max_position_embeddings = root.value("max_position_embeddings", int64_t{4096});
    c.rms_norm_eps = root.value("rms_norm_eps", 1e-6);
    c.rope_theta = root.value("rope_theta", 10000.0);
    c.rope_scaling = parse_rope_scaling(root.value("rope_scaling", json()), origin);
    bool attention_bias = root.value("attention_bias", false);
    c.qkv_bias = c.model_type == "qwen2" || attention_bias;
    c.o_bias = c.model_type != "qwen2" && attention_bias;
    c.mlp_bias = root.value("mlp_bias", false);
    c.qk_norm = c.model_type == "qwen3";
    c.tie_word_embeddings = root.value("tie_word_embeddings", false);
    // Fields of architectures this decoder does not implement: one error naming the field.
    const std::string act = root.value("hidden_act", std::string("silu"));
    if (act != "silu") {
      throw ConfigError(origin + ": hidden_act: unsupported '" + act + "' (only silu / SwiGLU)");
    }
    for (const char* moe : {"num_experts", "num_local_experts", "n_routed_experts"}) {
      if (root.contains(moe) && !root[moe].is_null() && root[moe].get<int64_t>() > 0) {
        throw ConfigError(origin + ": " + moe +
                          ": mixture-of-experts layers are not supported (dense decoders only)");
      }
    }
    // Mistral always windows when the field is set; Qwen2/Qwen3 only with use_sliding_window.
    const bool windowed = c.model_type == "mistral" || c.model_type == "llama" ||
                          root.value("use_sliding_window", false);
    if (windowed && root.contains("sliding_window") && !root["sliding_window"].is_null()) {
      c.sliding_window = root["sliding_window"].get<int64_t>();
      if (*c.sliding_window <= 0) {
        throw ConfigError(origin + ": sliding_window: expected a positive window or null");
      }
    }
    c.bos_token_id = optional_id(root, "bos_token_id");
    c.eos_token_id = optional_id(root, "eos_token_id");
    c.pad_token_id = optional_id(root, "pad_token_id");
  } catch (const json::exception& e) {
    throw ConfigError(origin + ": invalid config.json (" + e.what() + ")");
  }
  c.validate(origin);
  return c;
}

ModelConfig ModelConfig::from_file(const std::filesystem::path& path) {
  return from_json(read_text_file(path), path.string());
}

std::string ModelConfig::architecture() const {
  if (model_type == "qwen2") return "Qwen2ForCausalLM";
  if (model_type == "qwen3") return "Qwen3ForCausalLM";
  if (model_type == "mistral") return "MistralForCausalLM";
  return "LlamaForCausalLM";
}

std::string ModelConfig::to_json() const {
  json root = {{"architectures", {architecture()}},
               {"model_type", model_type},
               {"vocab_size", vocab_size},
               {"hidden_size", hidden_size},
               {"intermediate_size", intermediate_size},
               {"num_hidden_layers", num_hidden_layers},
               {"num_attention_heads", num_attention_heads},
               {"num_key_value_heads", num_key_value_heads},
               {"head_dim", head_dim},
               {"max_position_embeddings", max_position_embeddings},
               {"rms_norm_eps", rms_norm_eps},
               {"rope_theta", rope_theta},
               {"hidden_act", "silu"},
               {"tie_word_embeddings", tie_word_embeddings},
               {"torch_dtype", "float32"}};
  if (model_type != "qwen2") root["attention_bias"] = qkv_bias;
  if (model_type == "llama") root["mlp_bias"] = mlp_bias;
  if (rope_scaling.type == "default") {
    root["rope_scaling"] = nullptr;
  } else {
    root["rope_scaling"] = {{"rope_type", rope_scaling.type}, {"factor", rope_scaling.factor}};
    if (rope_scaling.type == "llama3") {
      root["rope_scaling"]["low_freq_factor"] = rope_scaling.low_freq_factor;
      root["rope_scaling"]["high_freq_factor"] = rope_scaling.high_freq_factor;
      root["rope_scaling"]["original_max_position_embeddings"] = rope_scaling.original_max_position;
    }
  }
  if (bos_token_id) root["bos_token_id"] = *bos_token_id;
  if (eos_token_id) root["eos_token_id"] = *eos_token_id;
  if (pad_token_id) root["pad_token_id"] = *pad_token_id;
  if (sliding_window) {
    root["sliding_window"] = *sliding_window;
    if (model_type == "qwen2" || model_type == "qwen3") root["use_sliding_window"] = true;
  }
  return root.dump(2) + "\n";
}

ModelConfig ModelConfig::tiny(int64_t vocab) {
  ModelConfig c;
  c.model_type = "qwen2";
  c.vocab_size = vocab;
  c.hidden_size = 64;
  c.intermediate_size = 128;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 16;
  c.max_position_embeddings = 512;
  c.rope_theta = 1000000.0;
  c.qkv_bias = true;
  c.tie_word_embeddings = false;
  return c;
}

int64_t ModelConfig::parameter_count() const {
  int64_t q = num_attention_heads * head_dim, kv = num_key_value_heads * head_dim;
  int64_t attention = hidden_size * q * 2 + hidden_size * kv * 2;
  if (qkv_bias) attention += q + 2 * kv;
  if (o_bias) attention += hidden_size;
  if (qk_norm) attention += 2 * head_dim;
  int64_t mlp = 3 * hidden_size * intermediate_size;
  if (mlp_bias) mlp += 2 * intermediate_size + hidden_size;
  int64_t layer = attention + mlp + 2 * hidden_size;
  int64_t embeddings = vocab_size * hidden_size * (tie_word_embeddings ? 1 : 2);
  return embeddings + num_hidden_layers * layer + hidden_size;
}

void ModelConfig::validate(const std::string& origin) const {
  auto require = [&](bool ok, const std::string& what) {
    if (!ok) throw ConfigError(origin + ": " + what);
  };
  require(vocab_size > 0 && hidden_size > 0 && intermediate_size > 0 && num_hidden_layers > 0,
          "vocab_size, hidden_size, intermediate_size and num_hidden_layers must be positive");
  require(num_attention_heads > 0 && num_key_value_heads > 0 && head_dim > 0 && head_dim % 2 == 0,
          "num_attention_heads, num_key_value_heads must be positive and head_dim even");
  require(num_attention_heads % num_key_value_heads == 0,
          "num_attention_heads (" + std::to_string(num_attention_heads) +
              ") must be a multiple of num_key_value_heads (" +
              std::to_string(num_key_value_heads) + ")");
  require(rope_theta > 0 && rms_norm_eps > 0, "rope_theta and rms_norm_eps must be positive");
}

}  // namespace recbench::llm
