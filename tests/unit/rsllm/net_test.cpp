// RSLLM's network: placeholder rows become projector outputs; gradients reach the projector and
// (only when unfrozen) the ID table; prompt padding for training and inference.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "rsllm/prompt_batch.h"
#include "rsllm/rsllm_net.h"
#include "unit/rsllm/rsllm_test_util.h"

namespace recbench::rsllm {
namespace {

struct Fixture {
  ItemCatalog catalog = testing::titled_catalog(10);
  llm::Tokenizer tok = testing::small_tokenizer(catalog);
  PromptBuilder builder{tok, catalog, *tok.token_to_id(kItemToken),
                        *tok.token_to_id("<|endoftext|>")};
  std::vector<Prompt> prompts{
      builder.encode(std::vector<int64_t>{3, 7}, {}, PromptKind::unified),
      builder.encode(std::vector<int64_t>{1}, std::vector<int64_t>{4, 9}, PromptKind::unified)};
};

RsllmNet make_net(bool freeze, int64_t vocab) {
  torch::manual_seed(3);
  return RsllmNet(llm::CausalLm(llm::ModelConfig::tiny(vocab)), torch::randn({10, 6}), freeze, 12);
}

TEST(RsllmNet, PlaceholderRowsAreProjectedIds) {
  Fixture f;
  auto net = make_net(true, f.tok.vocab_size());
  const auto batch = pad_prompts(f.prompts, {}, 0, torch::kCPU);
  const auto embeds = net->input_embeds(batch);
  const auto tokens = net->lm->embed(batch.ids);
  ASSERT_EQ(batch.slot_items.numel(), 5);
  const auto rows = embeds.index({batch.slot_rows, batch.slot_cols});
  EXPECT_TRUE(torch::allclose(rows, net->project(batch.slot_items)));
  EXPECT_TRUE(torch::allclose(
      rows, net->projector->forward(net->id_table.index_select(0, batch.slot_items))));
  // Every other row is the token's own embedding.
  auto other = torch::ones(batch.ids.sizes(), torch::kBool);
  other.index_put_({batch.slot_rows, batch.slot_cols}, false);
  EXPECT_TRUE(torch::equal(embeds.index({other}), tokens.index({other})));
  EXPECT_FALSE(torch::allclose(rows, tokens.index({batch.slot_rows, batch.slot_cols})));
}

TEST(RsllmNet, GradientsReachTheProjectorNotTheFrozenTable) {
  Fixture f;
  for (bool freeze : {true, false}) {
    auto net = make_net(freeze, f.tok.vocab_size());
    const auto batch = pad_prompts(f.prompts, {}, 0, torch::kCPU);
    net->lm->forward_embeds(net->input_embeds(batch)).hidden.pow(2).sum().backward();
    for (auto& p : net->projector->parameters()) {
      ASSERT_TRUE(p.grad().defined());
      EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
    }
    EXPECT_EQ(net->id_table.requires_grad(), !freeze);
    if (freeze) {
      EXPECT_FALSE(net->id_table.grad().defined());
      continue;
    }
    const auto g = net->id_table.grad().abs().sum(1);
    for (int64_t item : {1, 3, 4, 7, 9}) EXPECT_GT(g[item].item<double>(), 0.0) << item;
    for (int64_t item : {0, 2, 5}) EXPECT_EQ(g[item].item<double>(), 0.0) << item;
  }
}

TEST(RsllmPromptBatch, PadsRightForTrainingAndLeftForInference) {
  Fixture f;
  const auto answers = std::vector<std::vector<int64_t>>{f.builder.answer(2), f.builder.answer(5)};
  const auto train = pad_prompts(f.prompts, answers, 0, torch::kCPU);
  for (int64_t b = 0; b < 2; ++b) {
    const auto n = static_cast<int64_t>(f.prompts[b].ids.size());
    EXPECT_EQ(train.last[b].item<int64_t>(), n - 1);
    EXPECT_EQ(train.loss_mask[b].sum().item<double>(), static_cast<double>(answers[b].size()));
    EXPECT_EQ(train.loss_mask[b][n].item<double>(), 1.0);
    EXPECT_EQ(train.ids[b][n].item<int64_t>(), answers[b][0]);
  }
  const auto infer = pad_prompts(f.prompts, {}, 0, torch::kCPU);
  const int64_t t = infer.ids.size(1);
  EXPECT_EQ(infer.last[0].item<int64_t>(), t - 1);
  EXPECT_EQ(infer.last[1].item<int64_t>(), t - 1);
  const auto shorter = std::min(f.prompts[0].ids.size(), f.prompts[1].ids.size());
  EXPECT_EQ(infer.attention.sum().item<int64_t>(),
            static_cast<int64_t>(f.prompts[0].ids.size() + f.prompts[1].ids.size()));
  EXPECT_LT(static_cast<int64_t>(shorter), t);
}

}  // namespace
}  // namespace recbench::rsllm
