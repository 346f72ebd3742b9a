// RSLLM prompts: golden text with and without placeholders, tokens equal to encoding the text.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "recbench/error.h"
#include "rsllm/prompt.h"
#include "unit/rsllm/rsllm_test_util.h"

namespace recbench::rsllm {
namespace {

TEST(RsllmPrompt, RendersGoldenText) {
  const auto catalog = testing::titled_catalog(10);
  const auto tok = testing::small_tokenizer(catalog);
  PromptBuilder b(tok, catalog, *tok.token_to_id(kItemToken), *tok.token_to_id("<|endoftext|>"));
  const std::vector<int64_t> history{3, 7}, cand{5, 2};
  EXPECT_EQ(b.render(history, {}, PromptKind::unified),
            "This user has watched Movie 3 [ITEM] , Movie 7 [ITEM] . Please predict the next item "
            "this user will watch. Answer:");
  EXPECT_EQ(b.render(history, cand, PromptKind::unified),
            "This user has watched Movie 3 [ITEM] , Movie 7 [ITEM] . Please predict the next item "
            "this user will watch. Choose from: Movie 5 [ITEM] , Movie 2 [ITEM] . Answer:");
  EXPECT_EQ(b.render(history, cand, PromptKind::text),
            "This user has watched Movie 3 , Movie 7 . Please predict the next item this user "
            "will watch. Choose from: Movie 5 , Movie 2 . Answer:");
}

TEST(RsllmPrompt, TokensMatchTheRenderedTextAndSlotsNameTheItems) {
  const auto catalog = testing::titled_catalog(10);
  const auto tok = testing::small_tokenizer(catalog);
  const int64_t item = *tok.token_to_id(kItemToken);
  PromptBuilder b(tok, catalog, item, *tok.token_to_id("<|endoftext|>"));
  const std::vector<int64_t> history{3, 7, 1}, cand{5, 2};
  for (auto kind : {PromptKind::text, PromptKind::unified}) {
    const Prompt p = b.encode(history, cand, kind);
    EXPECT_EQ(p.ids, tok.encode(b.render(history, cand, kind)));
  }
  const Prompt p = b.encode(history, cand, PromptKind::unified);
  EXPECT_EQ(p.slot_items, (std::vector<int64_t>{3, 7, 1, 5, 2}));
  ASSERT_EQ(p.slots.size(), 5u);
  int64_t placeholders = 0;
  for (int64_t id : p.ids) placeholders += id == item;
  EXPECT_EQ(placeholders, 5);
  for (int64_t s : p.slots) EXPECT_EQ(p.ids[s], item);
  EXPECT_TRUE(b.encode(history, cand, PromptKind::text).slots.empty());
  // The answer is the title after a space, then end of text.
  auto answer = b.answer(7);
  EXPECT_EQ(answer.back(), *tok.token_to_id("<|endoftext|>"));
  answer.pop_back();
  EXPECT_EQ(tok.decode(answer), " Movie 7");
}

TEST(RsllmPrompt, AWholePromptIsTokenisedAsTheBackbonesTokenizerWould) {
  // SentencePiece backbones have no [ITEM] token: the builder splits the placeholder out as a
  // special token, so the prompt's ids are the tokenizer's ids of the whole text, one token per
  // placeholder. Three tokenizers of the committed tiny model: the .model through the module,
  // HF's legacy tokenizer.json of it, and its Metaspace form (prepend_scheme "first").
  const auto catalog = testing::titled_catalog(6);
  const auto fixtures = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llm";
  auto metaspace =
      nlohmann::json::parse(llm::read_text_file(fixtures / "tiny_sentencepiece_tokenizer.json"));
  metaspace["normalizer"] = nullptr;
  metaspace["pre_tokenizer"] = {{"type", "Metaspace"},
                                {"replacement", "\xE2\x96\x81"},
                                {"prepend_scheme", "first"},
                                {"split", false}};
  const std::vector<llm::Tokenizer> tokenizers = {
      llm::Tokenizer::from_file(fixtures / "tiny_sentencepiece.model"),
      llm::Tokenizer::from_file(fixtures / "tiny_sentencepiece_tokenizer.json"),
      llm::Tokenizer::from_json(metaspace.dump(), "metaspace")};
  const int64_t eos = 2, placeholder = 2;  // </s>: any id works, its input row is replaced
  for (size_t k = 0; k < tokenizers.size(); ++k) {
    const llm::Tokenizer& tok = tokenizers[k];
    ASSERT_FALSE(tok.token_to_id(kItemToken)) << k;
    PromptBuilder b(tok, catalog, placeholder, eos);
    const std::vector<int64_t> history{3, 1, 4}, cand{5, 2};
    const Prompt p = b.encode(history, cand, PromptKind::unified);
    const std::string text = b.render(history, cand, PromptKind::unified);
    EXPECT_EQ(p.ids, tok.with_special_token(kItemToken, placeholder).encode(text)) << k;
    EXPECT_EQ(p.slot_items, (std::vector<int64_t>{3, 1, 4, 5, 2})) << k;
    ASSERT_EQ(p.slots.size(), 5u) << k;
    for (int64_t s : p.slots) EXPECT_EQ(p.ids[static_cast<size_t>(s)], placeholder) << k;
    // Text prompts have no placeholder: exactly the tokenizer's ids of the text.
    const std::string plain = b.render(history, cand, PromptKind::text);
    EXPECT_EQ(b.encode(history, cand, PromptKind::text).ids, tok.encode(plain)) << k;
    // The old piecewise ids (each part between placeholders encoded alone) are the same here:
    // the placeholders are the only cut points, and every tokenizer encodes the parts between
    // special tokens on their own (SentencePiece and HF's Prepend give each a '\u2581'; the parts
    // after a placeholder start with a space, which Metaspace does not double).
    std::vector<int64_t> piecewise;
    size_t from = 0;
    for (size_t at = text.find(kItemToken); at != std::string::npos;
         from = at + std::string(kItemToken).size(), at = text.find(kItemToken, from)) {
      const auto ids = tok.encode(text.substr(from, at - from));
      piecewise.insert(piecewise.end(), ids.begin(), ids.end());
      piecewise.push_back(placeholder);
    }
    const auto rest = tok.encode(text.substr(from));
    piecewise.insert(piecewise.end(), rest.begin(), rest.end());
    EXPECT_EQ(p.ids, piecewise) << k;
  }
}

TEST(RsllmPrompt, ATitleHoldingThePlaceholderIsADataError) {
  auto catalog = testing::titled_catalog(4);
  catalog.titles[2] = "Movie [ITEM] 2";
  const auto tok = testing::small_tokenizer(catalog);
  PromptBuilder b(tok, catalog, *tok.token_to_id(kItemToken), *tok.token_to_id("<|endoftext|>"));
  const std::vector<int64_t> history{1, 2};
  EXPECT_THROW(b.encode(history, {}, PromptKind::unified), DataError);
}

TEST(RsllmPrompt, FallsBackToTheRawIdWithoutATitle) {
  auto catalog = testing::titled_catalog(4);
  catalog.titles[2].clear();
  const auto tok = testing::small_tokenizer(catalog);
  PromptBuilder b(tok, catalog, *tok.token_to_id(kItemToken), 0);
  EXPECT_EQ(b.title(2), "i2");
  EXPECT_EQ(b.title(3), "Movie 3");
}

}  // namespace
}  // namespace recbench::rsllm
