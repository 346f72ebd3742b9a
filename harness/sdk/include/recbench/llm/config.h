// Architecture settings of a Llama/Qwen2/Qwen3-style decoder, read from and written to HF
// config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "recbench/export.h"

namespace recbench::llm {

//! Rotary-embedding frequency scaling ("rope_scaling" in config.json).
struct RopeScaling {
  std::string type = "default";          //!< default | linear | llama3
  double factor = 1.0;                   //!< linear and llama3: context extension factor
  double low_freq_factor = 1.0;          //!< llama3 only
  double high_freq_factor = 4.0;         //!< llama3 only
  int64_t original_max_position = 8192;  //!< llama3 only
};

//! Sizes and options of a decoder-only transformer (names follow HF's config.json).
struct RECBENCH_API ModelConfig {
  std::string model_type = "llama";        //!< llama | qwen2 | qwen3 (written back to config.json)
  int64_t vocab_size = 32000;              //!< rows of the embedding and of the output head
  int64_t hidden_size = 4096;              //!< model width
  int64_t intermediate_size = 11008;       //!< SwiGLU inner width
  int64_t num_hidden_layers = 32;          //!< decoder blocks
  int64_t num_attention_heads = 32;        //!< query heads
  int64_t num_key_value_heads = 32;        //!< key/value heads (GQA when fewer than query heads)
  int64_t head_dim = 128;                  //!< per-head width (hidden_size / heads unless given)
  int64_t max_position_embeddings = 4096;  //!< longest supported sequence
  double rms_norm_eps = 1e-6;              //!< RMSNorm epsilon
  double rope_theta = 10000.0;             //!< RoPE base
  RopeScaling rope_scaling;                //!< RoPE frequency scaling
  bool qkv_bias = false;                   //!< bias on q/k/v projections (Qwen2)
  bool o_bias = false;                     //!< bias on the output projection (Llama attention_bias)
  bool mlp_bias = false;                   //!< bias on the MLP projections (Llama mlp_bias)
  bool qk_norm = false;                    //!< per-head RMSNorm of queries and keys (Qwen3)
  bool tie_word_embeddings = false;        //!< output head shares the input embedding matrix
  /// Mistral's (and Qwen2's with use_sliding_window) attention window. recbench attends to the
  /// whole sequence, which equals the windowed model only while sequences fit in the window:
  /// forward() refuses longer ones naming this field.
  std::optional<int64_t> sliding_window;
  std::optional<int64_t> bos_token_id;  //!< beginning-of-sequence id, if any
  std::optional<int64_t> eos_token_id;  //!< end-of-sequence id (first one when a list)
  std::optional<int64_t> pad_token_id;  //!< padding id, if any

  /// Parses config.json text; `origin` names the file in errors (ConfigError naming the key).
  static ModelConfig from_json(const std::string& text, const std::string& origin);
  //! Reads `path` (a config.json).
  static ModelConfig from_file(const std::filesystem::path& path);
  //! config.json text that HF transformers loads as the matching *ForCausalLM.
  std::string to_json() const;
  //! A tiny configuration for tests and the CPU quickstart (2 layers, hidden 64, GQA, Qwen2).
  static ModelConfig tiny(int64_t vocab_size = 256);
  //! Number of parameters the model built from this config holds.
  int64_t parameter_count() const;
  //! HF architecture name, e.g. "Qwen2ForCausalLM".
  std::string architecture() const;
  //! Throws ConfigError naming `origin` when sizes are inconsistent.
  void validate(const std::string& origin) const;
};

}  // namespace recbench::llm
