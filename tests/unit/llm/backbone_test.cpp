// load_backbone and the one EOS rule of the LLM plugins.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "recbench/error.h"
#include "recbench/llm/backbone.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/checkpoint.h"
#include "unit/llm/temp_dir.h"

namespace recbench::llm {
namespace {

//! A small tokenizer whose special tokens are `specials`.
std::string tokenizer_json(const std::vector<std::string>& specials) {
  BpeTrainerOptions o;
  o.vocab_size = 300;
  o.special_tokens = specials;
  return train_bpe({"an item title", "another item title"}, o);
}

TEST(LlmBackbone, EosIsTheConfigsThenTheTokenizersEndOfText) {
  const auto tok = Tokenizer::from_json(tokenizer_json({"<|endoftext|>", "<|im_end|>"}), "test");
  const int64_t end_of_text = *tok.token_to_id(kEndOfText);
  ModelConfig config = ModelConfig::tiny(tok.vocab_size());
  config.eos_token_id.reset();
  EXPECT_EQ(eos_token_id(config, tok, "test"), end_of_text);
  config.eos_token_id = *tok.token_to_id("<|im_end|>");
  EXPECT_EQ(eos_token_id(config, tok, "test"), *config.eos_token_id);

  const auto plain = Tokenizer::from_json(tokenizer_json({}), "test");
  config.eos_token_id.reset();
  try {
    eos_token_id(config, plain, "models.x.params");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("models.x.params"), std::string::npos) << e.what();
  }
}

TEST(LlmBackbone, LoadsModelTokenizerAndEos) {
  const auto dir = temp_dir("backbone_load");
  const std::string json = tokenizer_json({"<|endoftext|>"});
  const auto tok = Tokenizer::from_json(json, "test");
  ModelConfig config = ModelConfig::tiny(tok.vocab_size());
  config.eos_token_id = 3;  // the config wins over <|endoftext|>
  torch::manual_seed(0);
  CausalLm model(config);
  save_model(model, dir);
  write_text_file(dir / "tokenizer.json", json);

  EXPECT_NO_THROW(check_model_folder(dir, "models.x.params.backbone"));
  const Backbone backbone = load_backbone(dir, torch::kCPU, "test");
  EXPECT_EQ(backbone.eos_token_id, 3);
  EXPECT_EQ(backbone.tokenizer_json, json);
  EXPECT_EQ(backbone.tokenizer.vocab_size(), tok.vocab_size());
  EXPECT_TRUE(torch::equal(backbone.model->parameters()[0], model->parameters()[0]));
  std::filesystem::remove_all(dir);
}

TEST(LlmBackbone, ReadsASentencePieceFolderAndItsEndOfSequence) {
  const auto dir = temp_dir("backbone_sentencepiece");
  const std::string model_bytes = read_text_file(std::filesystem::path(RECBENCH_TEST_DATA_DIR) /
                                                 "llm" / "tiny_sentencepiece.model");
  write_text_file(dir / "tokenizer.model", model_bytes);
  ModelConfig config = ModelConfig::tiny(340);
  config.eos_token_id.reset();  // so the tokenizer's </s> (id 2) is the one found
  torch::manual_seed(0);
  save_model(CausalLm(config), dir);

  EXPECT_NO_THROW(check_model_folder(dir, "models.x.params.backbone"));
  const Backbone backbone = load_backbone(dir, torch::kCPU, "test");
  EXPECT_TRUE(backbone.tokenizer.is_sentencepiece());
  EXPECT_EQ(backbone.eos_token_id, 2);
  EXPECT_EQ(backbone.tokenizer_json, model_bytes);

  // Llama 2 and Mistral ship both files: the .model is read.
  write_text_file(dir / "tokenizer.json", tokenizer_json({"<|endoftext|>"}));
  EXPECT_EQ(tokenizer_file(dir), dir / "tokenizer.model");
  EXPECT_TRUE(load_backbone(dir, torch::kCPU, "test").tokenizer.is_sentencepiece());

  // A plugin saving the backbone writes the bytes under the name they are read back from.
  const auto saved = temp_dir("backbone_sentencepiece_saved");
  write_text_file(saved / "tokenizer.json", "stale");
  save_tokenizer(saved, backbone.tokenizer_json);
  EXPECT_FALSE(std::filesystem::exists(saved / "tokenizer.json"));
  EXPECT_EQ(read_text_file(tokenizer_file(saved)), model_bytes);
  save_tokenizer(saved, tokenizer_json({}));
  EXPECT_FALSE(std::filesystem::exists(saved / "tokenizer.model"));
  EXPECT_FALSE(Tokenizer::from_file(tokenizer_file(saved)).is_sentencepiece());
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(saved);
}

TEST(LlmBackbone, AFolderWithoutTokenizerIsAConfigErrorNamingTheKey) {
  const auto dir = temp_dir("backbone_no_tokenizer");
  torch::manual_seed(0);
  save_model(CausalLm(ModelConfig::tiny(64)), dir);
  try {
    check_model_folder(dir, "models.x.params.backbone");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("models.x.params.backbone"), std::string::npos) << what;
    EXPECT_NE(what.find("tokenizer.json"), std::string::npos) << what;
    EXPECT_NE(what.find("tokenizer.model"), std::string::npos) << what;
  }
  EXPECT_THROW(check_model_folder(dir / "missing", "k"), ConfigError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace recbench::llm
