// Loading an LLM backbone and choosing its EOS id, shared by the LLM plugins.
#include "recbench/llm/backbone.h"

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"

namespace recbench::llm {

int64_t eos_token_id(const ModelConfig& config, const Tokenizer& tokenizer,
                     const std::string& owner) {
  if (config.eos_token_id) return *config.eos_token_id;
  if (auto id = tokenizer.token_to_id(kEndOfText)) return *id;
  throw ConfigError(owner + ": no end-of-sequence token (the config has no eos_token_id, the " +
                    "tokenizer no " + kEndOfText + ")");
}

void check_model_folder(const std::filesystem::path& dir, const std::string& key) {
  for (const char* file : {"config.json", "tokenizer.json"}) {
    if (!std::filesystem::exists(dir / file)) {
      throw ConfigError(key + ": " + (dir / file).string() +
                        " not found (expected \"tiny\" or a Hugging Face model folder)");
    }
  }
}

Backbone make_backbone(CausalLm model, std::string tokenizer_json, const std::string& owner) {
  Tokenizer tokenizer = Tokenizer::from_json(tokenizer_json, owner);
  const int64_t eos = eos_token_id(model->config(), tokenizer, owner);
  return {std::move(model), std::move(tokenizer), std::move(tokenizer_json), eos};
}

Backbone load_backbone(const std::filesystem::path& dir, const torch::Device& device,
                       const std::string& owner, std::optional<torch::ScalarType> dtype) {
  CausalLm model = load_model(dir, device, dtype);
  return make_backbone(std::move(model), read_text_file(dir / "tokenizer.json"), owner);
}

}  // namespace recbench::llm
