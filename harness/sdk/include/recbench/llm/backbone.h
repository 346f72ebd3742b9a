// An LLM backbone for a recommender plugin: the model, its tokenizer and one rule for its EOS id.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <torch/types.h>

#include "recbench/export.h"
#include "recbench/llm/config.h"
#include "recbench/llm/model.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::llm {

//! The token that ends a sequence when the model's config names none.
inline constexpr const char* kEndOfText = "<|endoftext|>";
//! SentencePiece's end of sequence (Llama 2, Mistral), tried after kEndOfText.
inline constexpr const char* kEndOfSequence = "</s>";

//! A causal LM with the tokenizer it reads, the tokenizer file's bytes (tokenizer.json text or a
//! SentencePiece tokenizer.model; saved beside the model by save_tokenizer()) and the id that ends
//! prompts, items and answers.
struct Backbone {
  CausalLm model{nullptr};
  Tokenizer tokenizer;
  std::string tokenizer_json;
  int64_t eos_token_id;
};

//! The EOS rule of every LLM plugin: the config's `eos_token_id` (the model's own end of
//! sequence, saved with it in config.json), else the tokenizer's `<|endoftext|>`, else its `</s>`.
//! ConfigError naming `owner` when none exists.
RECBENCH_API int64_t eos_token_id(const ModelConfig& config, const Tokenizer& tokenizer,
                                  const std::string& owner);

//! Throws ConfigError naming `key` (the option that names `dir`, e.g.
//! "models.cprec.params.backbone") unless `dir` holds config.json and tokenizer.json or
//! tokenizer.model.
RECBENCH_API void check_model_folder(const std::filesystem::path& dir, const std::string& key);

//! The tokenizer of model folder `dir`: tokenizer.model (SentencePiece) when present, else
//! tokenizer.json. Llama 2 and Mistral ship both; their tokenizer.json is HF's conversion of the
//! .model, so the original is read.
RECBENCH_API std::filesystem::path tokenizer_file(const std::filesystem::path& dir);

//! Writes a Backbone's tokenizer bytes into `dir` as tokenizer.json or tokenizer.model (by
//! content, as Tokenizer::from_bytes tells them apart) and removes the other name, so that
//! tokenizer_file(dir) finds it.
RECBENCH_API void save_tokenizer(const std::filesystem::path& dir, const std::string& data);

//! `model` with the tokenizer of `tokenizer_json` (either file's bytes; `owner` names it in
//! messages) and the EOS id of
//! eos_token_id().
RECBENCH_API Backbone make_backbone(CausalLm model, std::string tokenizer_json,
                                    const std::string& owner);

//! make_backbone() of a Hugging Face model folder: load_model(dir, device, dtype) (default:
//! default_dtype(device)) and tokenizer_file(dir).
RECBENCH_API Backbone load_backbone(const std::filesystem::path& dir, const torch::Device& device,
                                    const std::string& owner,
                                    std::optional<torch::ScalarType> dtype = std::nullopt);

}  // namespace recbench::llm
