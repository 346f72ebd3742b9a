// Tokenizer: exact ids of Qwen3's real tokenizer.json against the JavaScript reference, decode,
// and the BPE trainer's round trip through tokenizer.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "recbench/error.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::llm {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llm";

const Tokenizer& qwen3() {
  static const Tokenizer tokenizer = Tokenizer::from_file(kFixtures / "qwen3_tokenizer.json.gz");
  return tokenizer;
}

TEST(LlmTokenizer, Qwen3MatchesReferenceIds) {
  auto expected = nlohmann::json::parse(read_text_file(kFixtures / "qwen3_expected.json"));
  ASSERT_GE(expected["texts"].size(), 20u);
  for (const auto& item : expected["texts"]) {
    std::string text = item["text"].get<std::string>();
    auto ids = item["ids"].get<std::vector<int64_t>>();
    EXPECT_EQ(qwen3().encode(text), ids) << "text: " << text;
  }
}

TEST(LlmTokenizer, Qwen3DecodeRoundTrips) {
  auto expected = nlohmann::json::parse(read_text_file(kFixtures / "qwen3_expected.json"));
  for (const auto& item : expected["texts"]) {
    std::string text = item["text"].get<std::string>();
    if (text.find("\u0301") != std::string::npos) continue;  // NFC changes these on purpose
    EXPECT_EQ(qwen3().decode(item["ids"].get<std::vector<int64_t>>()), text);
  }
}

TEST(LlmTokenizer, SpecialTokensAreSplitOutAndSkippable) {
  const Tokenizer& tok = qwen3();
  ASSERT_EQ(tok.token_to_id("<|im_start|>"), 151644);
  std::vector<int64_t> ids = tok.encode("<|im_start|>user<|im_end|>");
  EXPECT_EQ(ids.front(), 151644);
  EXPECT_EQ(ids.back(), 151645);
  EXPECT_EQ(tok.decode(ids, /*skip_special=*/true), "user");
  EXPECT_EQ(tok.vocab_size(), 151669);
  EXPECT_EQ(tok.id_to_token(9707), "Hello");
  EXPECT_THROW(tok.decode(std::vector<int64_t>{tok.vocab_size()}), DataError);
}

TEST(LlmTokenizer, Llama3AddsBeginOfTextThroughTheTemplateProcessor) {
  // Llama 3's tokenizer.json in miniature: Split + ByteLevel pre-tokenizer, and a Sequence
  // post-processor whose TemplateProcessing puts <|begin_of_text|> before the sequence.
  const auto json = nlohmann::json::parse(R"({
    "added_tokens": [
      {"id": 4, "content": "<|begin_of_text|>", "special": true},
      {"id": 5, "content": "<|end_of_text|>", "special": true}],
    "normalizer": null,
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "\\p{L}+"}, "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
    "post_processor": {"type": "Sequence", "processors": [
      {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
      {"type": "TemplateProcessing",
       "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                  {"Sequence": {"id": "A", "type_id": 0}}],
       "pair": [],
       "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [4],
                                                 "tokens": ["<|begin_of_text|>"]}}}]},
    "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true,
                "use_regex": true},
    "model": {"type": "BPE", "ignore_merges": true, "vocab": {"H": 0, "i": 1, "Hi": 2, "!": 3},
              "merges": [["H", "i"]]}})");
  const Tokenizer tok = Tokenizer::from_json(json.dump(), "llama3-mini");
  EXPECT_EQ(tok.encode("Hi!"), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tok.encode("Hi!", /*add_special_tokens=*/true), (std::vector<int64_t>{4, 2, 3}));
  EXPECT_EQ(tok.encode("", true), (std::vector<int64_t>{4}));
  EXPECT_EQ(tok.encode("<|begin_of_text|>Hi", true), (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(tok.decode(std::vector<int64_t>{4, 2, 3, 5}), "<|begin_of_text|>Hi!<|end_of_text|>");
  EXPECT_EQ(tok.decode(std::vector<int64_t>{4, 2, 3, 5}, /*skip_special=*/true), "Hi!");
}

TEST(LlmTokenizer, ByteToUnicodeIsABijectionOntoPrintables) {
  const auto& table = byte_to_unicode();
  EXPECT_EQ(table[' '], U'\u0120');  // 'Ġ'
  EXPECT_EQ(table['a'], U'a');
  std::vector<char32_t> sorted(table.begin(), table.end());
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(LlmTokenizer, BadFilesFailWithTheirName) {
  auto dir = std::filesystem::temp_directory_path() / "recbench_tokenizer_test";
  std::filesystem::create_directories(dir);
  EXPECT_THROW(Tokenizer::from_file(dir / "missing.json"), DataError);
  try {
    Tokenizer::from_json(R"({"model": {"type": "Unigram", "vocab": []}})", "x/tokenizer.json");
    FAIL() << "Unigram accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("x/tokenizer.json: model.type"), std::string::npos);
  }
  EXPECT_THROW(Tokenizer::from_json("{not json", "y.json"), ConfigError);
}

std::vector<std::string> toy_corpus() {
  const char* words[] = {"movie", "drama", "comedy", "the",  "matrix", "story", "love", "war",
                         "space", "night", "1999",   "2001", "café",   "小说",  "é"};
  std::vector<std::string> docs;
  for (int d = 0; d < 200; ++d) {
    std::string doc;
    for (int w = 0; w < 12; ++w) doc += std::string(w ? " " : "") + words[(d * 7 + w * w) % 15];
    docs.push_back(doc + ".\n");
  }
  return docs;
}

TEST(LlmBpeTrainer, LearnsAVocabularyTheReaderLoads) {
  BpeTrainerOptions options;
  options.vocab_size = 300;
  options.special_tokens = {"<|endoftext|>", "<|item|>"};
  Tokenizer tok = Tokenizer::from_json(train_bpe(toy_corpus(), options), "trained");
  EXPECT_EQ(tok.vocab_size(), 300);
  EXPECT_EQ(tok.token_to_id("<|endoftext|>"), 298);
  EXPECT_EQ(tok.token_to_id("<|item|>"), 299);
  // The learnt merges compress the corpus; any text (unseen scripts, emoji) still round-trips.
  size_t bytes = 0, tokens = 0;
  for (const std::string& doc : toy_corpus()) {
    bytes += doc.size();
    tokens += tok.encode(doc).size();
  }
  EXPECT_LT(tokens * 2, bytes);
  for (const std::string& text :
       {std::string("the matrix 1999 café 小说"), std::string("unseen: Привет 👍 \t tabs\n\n"),
        std::string("a<|item|>b<|endoftext|>")}) {
    std::vector<int64_t> ids = tok.encode(text);
    EXPECT_EQ(tok.decode(ids), text);
  }
  EXPECT_EQ(tok.encode("a<|item|>b")[1], 299);
  // Training is deterministic.
  EXPECT_EQ(train_bpe(toy_corpus(), options), train_bpe(toy_corpus(), options));
}

TEST(LlmBpeTrainer, FileVariantAndLimits) {
  auto dir = std::filesystem::temp_directory_path() / "recbench_bpe_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream corpus(dir / "corpus.txt");
    for (const std::string& doc : toy_corpus()) corpus << doc;
  }
  BpeTrainerOptions options;
  options.vocab_size = 5000;  // more than the corpus supports: stops when pairs run out
  train_bpe_file(dir / "corpus.txt", dir / "tokenizer.json", options);
  Tokenizer tok = Tokenizer::from_file(dir / "tokenizer.json");
  EXPECT_GT(tok.vocab_size(), 257);
  EXPECT_LT(tok.vocab_size(), 5000);
  EXPECT_EQ(tok.encode(" comedy drama").size(), 2u);  // every corpus word became one token
  EXPECT_EQ(tok.encode(" matrix").size(), 1u);
  options.vocab_size = 100;
  EXPECT_THROW(train_bpe(toy_corpus(), options), ConfigError);
}

}  // namespace
}  // namespace recbench::llm
