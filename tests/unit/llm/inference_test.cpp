// LLM inference: shared-prompt scoring == token-by-token sums, constrained beam search over a
// title trie, cached == uncached greedy decoding, pooled embeddings.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "recbench/error.h"
#include "recbench/llm/inference.h"

namespace recbench::llm {
namespace {

CausalLm tiny_model() {
  torch::manual_seed(11);
  CausalLm model(ModelConfig::tiny(40));
  model->eval();
  return model;
}

//! log P(continuation | prompt) from one full uncached forward pass.
double full_sequence_log_prob(CausalLm& model, const std::vector<int64_t>& prompt,
                              const std::vector<int64_t>& continuation) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> all = prompt;
  all.insert(all.end(), continuation.begin(), continuation.end());
  torch::Tensor lp =
      torch::log_softmax(model->forward(torch::tensor(all).unsqueeze(0)).logits[0], -1);
  double sum = 0;
  for (size_t i = 0; i < continuation.size(); ++i) {
    sum += lp[static_cast<int64_t>(prompt.size() + i - 1)][continuation[i]].item<double>();
  }
  return sum;
}

TEST(LlmInference, SharedPromptScoresEqualTokenByTokenSums) {
  CausalLm model = tiny_model();
  std::vector<int64_t> prompt = {3, 14, 15, 9, 2, 6};
  std::vector<std::vector<int64_t>> candidates = {{5}, {7, 8, 9, 10}, {1, 2}, {}, {30, 31, 32}};
  ScoreOptions options;
  options.batch_size = 2;  // several batches, each with right padding
  std::vector<double> scores = score_continuations(model, prompt, candidates, options);
  ASSERT_EQ(scores.size(), candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    EXPECT_NEAR(scores[i], full_sequence_log_prob(model, prompt, candidates[i]), 1e-4) << i;
  }
  EXPECT_EQ(scores[3], 0.0);
  options.length_normalize = true;
  std::vector<double> normalised = score_continuations(model, prompt, candidates, options);
  EXPECT_NEAR(normalised[1], scores[1] / 4.0, 1e-5);
  EXPECT_THROW(score_continuations(model, {}, candidates), DataError);
}

TEST(LlmInference, CachedGreedyEqualsUncached) {
  CausalLm model = tiny_model();
  Hypothesis cached = greedy_generate(model, {1, 2, 3}, 12, std::nullopt, true);
  Hypothesis uncached = greedy_generate(model, {1, 2, 3}, 12, std::nullopt, false);
  EXPECT_EQ(cached.ids.size(), 12u);
  EXPECT_EQ(cached.ids, uncached.ids);
  EXPECT_NEAR(cached.log_prob, uncached.log_prob, 1e-4);
  Hypothesis stopped = greedy_generate(model, {1, 2, 3}, 12, cached.ids[2]);
  EXPECT_LE(stopped.ids.size(), 3u);
}

TEST(LlmInference, ConstrainedBeamSearchNamesOnlyRealItems) {
  CausalLm model = tiny_model();
  const int64_t end = 0;
  TitleTrie trie(end);
  std::vector<std::vector<int64_t>> titles = {{5, 6}, {5, 6, 7}, {8}, {9, 10, 11}, {12, 5}};
  for (size_t i = 0; i < titles.size(); ++i) trie.add(titles[i], static_cast<int64_t>(i) + 100);
  EXPECT_EQ(trie.size(), 5u);
  EXPECT_EQ(trie.find({5, 6}), 100);
  EXPECT_EQ(trie.find({5, 6, 7, end}), 101);
  EXPECT_FALSE(trie.find({5}).has_value());
  EXPECT_EQ(trie.allowed({5, 6}), (std::vector<int64_t>{end, 7}));

  std::vector<int64_t> prompt = {3, 1, 4, 1, 5};
  std::vector<Hypothesis> beams = constrained_beam_search(model, prompt, trie, 5);
  ASSERT_EQ(beams.size(), 5u);  // beam = number of titles: every title is found
  std::vector<double> exact;
  for (const auto& t : titles) {
    std::vector<int64_t> with_end = t;
    with_end.push_back(end);
    exact.push_back(full_sequence_log_prob(model, prompt, with_end));
  }
  for (size_t i = 0; i < beams.size(); ++i) {
    ASSERT_GE(beams[i].item, 100);
    EXPECT_NEAR(beams[i].log_prob, exact[beams[i].item - 100], 1e-4);
    if (i > 0) {
      EXPECT_GE(beams[i - 1].log_prob, beams[i].log_prob);
    }
  }
  // Greedy constrained decoding (one beam) still yields a valid title.
  std::vector<Hypothesis> greedy = constrained_beam_search(model, prompt, trie, 1);
  ASSERT_EQ(greedy.size(), 1u);
  EXPECT_TRUE(trie.find(greedy[0].ids).has_value());
}

TEST(LlmInference, PooledEmbeddingsIgnorePadding) {
  CausalLm model = tiny_model();
  std::vector<std::vector<int64_t>> texts = {{1, 2, 3, 4, 5}, {6, 7}, {8}};
  torch::Tensor batched = pooled_embeddings(model, texts, Pooling::kMean, 3);
  ASSERT_EQ(batched.sizes(), (std::vector<int64_t>{3, 64}));
  for (size_t i = 0; i < texts.size(); ++i) {
    torch::Tensor alone = pooled_embeddings(model, {texts[i]}, Pooling::kMean, 1);
    EXPECT_TRUE(torch::allclose(batched[static_cast<int64_t>(i)], alone[0], 1e-5, 1e-5));
  }
  torch::Tensor last = pooled_embeddings(model, texts, Pooling::kLast, 3);
  torch::NoGradGuard no_grad;
  ForwardOptions options;
  options.compute_logits = false;
  torch::Tensor hidden =
      model->forward(torch::tensor({6, 7}, torch::kLong).unsqueeze(0), options).hidden;
  EXPECT_TRUE(torch::allclose(last[1], hidden[0][1], 1e-5, 1e-5));
}

}  // namespace
}  // namespace recbench::llm
