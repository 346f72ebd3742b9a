// RSLLM prompts: golden text with and without placeholders, tokens equal to encoding the text.
#include <gtest/gtest.h>

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
