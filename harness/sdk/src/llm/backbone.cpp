// Loading an LLM backbone and choosing its EOS id, shared by the LLM plugins.
#include "recbench/llm/backbone.h"

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"

namespace recbench::llm {

int64_t eos_token_id(const ModelConfig& config, const Tokenizer& tokenizer,
                     const std::string& owner) {
  if (config.eos_token_id) return *config.eos_token_id;
  if (auto id = tokenizer.token_to_id(kEndOfText)) return *id;
  if (auto id = tokenizer.token_to_id(kEndOfSequence)) return *id;
  throw ConfigError(owner + ": no end-of-sequence token (the config has no eos_token_id, the " +
                    "tokenizer no " + kEndOfText + " nor " + kEndOfSequence + ")");
}

void check_model_folder(const std::filesystem::path& dir, const std::string& key) {
  const char* expected = " not found (expected \"tiny\" or a Hugging Face model folder)";
  if (!std::filesystem::exists(dir / "config.json")) {
    throw ConfigError(key + ": " + (dir / "config.json").string() + expected);
  }
  if (!std::filesystem::exists(tokenizer_file(dir))) {
    throw ConfigError(key + ": " + (dir / "tokenizer.json").string() + " (or tokenizer.model)" +
                      expected);
  }
}

std::filesystem::path tokenizer_file(const std::filesystem::path& dir) {
  if (std::filesystem::exists(dir / "tokenizer.model")) return dir / "tokenizer.model";
  return dir / "tokenizer.json";
}

void save_tokenizer(const std::filesystem::path& dir, const std::string& data) {
  const size_t first = data.find_first_not_of(" \t\r\n");
  const bool is_json = first != std::string::npos && data[first] == '{';
  std::filesystem::remove(dir / (is_json ? "tokenizer.model" : "tokenizer.json"));
  write_text_file(dir / (is_json ? "tokenizer.json" : "tokenizer.model"), data);
}

Backbone make_backbone(CausalLm model, std::string tokenizer_json, const std::string& owner) {
  Tokenizer tokenizer = Tokenizer::from_bytes(tokenizer_json, owner);
  const int64_t eos = eos_token_id(model->config(), tokenizer, owner);
  return {std::move(model), std::move(tokenizer), std::move(tokenizer_json), eos};
}

Backbone load_backbone(const std::filesystem::path& dir, const torch::Device& device,
                       const std::string& owner, std::optional<torch::ScalarType> dtype) {
  CausalLm model = load_model(dir, device, dtype);
  return make_backbone(std::move(model), read_text_file(tokenizer_file(dir)), owner);
}

}  // namespace recbench::llm
