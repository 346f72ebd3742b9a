// LLM inference: shared-prompt scoring == token-by-token sums, constrained beam search over a
// title trie, batched prompts == one prompt at a time, cached == uncached greedy decoding,
// pooled embeddings.
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

TEST(LlmInference, BatchedScoresEqualOnePromptAtATime) {
  CausalLm model = tiny_model();
  // Different lengths, so the batch is left-padded; pairs of several prompts share a batch.
  const std::vector<std::vector<int64_t>> prompts = {
      {3, 14, 15, 9, 2, 6}, {7, 1}, {2, 7, 1, 8, 2, 8, 1, 8, 2}};
  const std::vector<std::vector<int64_t>> candidates = {{5}, {7, 8, 9, 10}, {}, {30, 31, 32}};
  ScoreOptions options;
  options.batch_size = 3;
  const auto shared = score_continuations_batch(model, prompts, candidates, options);
  std::vector<std::vector<std::vector<int64_t>>> own = {candidates, {{1, 2}, {5}}, {}};
  const auto per_prompt = score_continuations_batch(model, prompts, own, options);
  ASSERT_EQ(shared.size(), 3u);
  ASSERT_EQ(per_prompt.size(), 3u);
  for (size_t r = 0; r < prompts.size(); ++r) {
    const auto alone = score_continuations(model, prompts[r], candidates);
    ASSERT_EQ(shared[r].size(), candidates.size());
    for (size_t j = 0; j < candidates.size(); ++j) {
      EXPECT_NEAR(shared[r][j], alone[j], 1e-5) << r << ' ' << j;
    }
    const auto own_alone = score_continuations(model, prompts[r], own[r]);
    ASSERT_EQ(per_prompt[r].size(), own[r].size());
    for (size_t j = 0; j < own[r].size(); ++j) {
      EXPECT_NEAR(per_prompt[r][j], own_alone[j], 1e-5) << r << ' ' << j;
    }
  }
  EXPECT_EQ(shared[1][2], 0.0);  // the empty candidate
  EXPECT_THROW(score_continuations_batch(model, {{1}, {}}, candidates), DataError);
  own.pop_back();
  EXPECT_THROW(score_continuations_batch(model, prompts, own), DataError);
}

TEST(LlmInference, BatchedBeamSearchEqualsOnePromptAtATime) {
  CausalLm model = tiny_model();
  TitleTrie trie(0);
  const std::vector<std::vector<int64_t>> titles = {{5, 6},  {5, 6, 7},  {8}, {9, 10, 11},
                                                    {12, 5}, {12, 9, 4}, {13}};
  for (size_t i = 0; i < titles.size(); ++i) trie.add(titles[i], static_cast<int64_t>(i) + 100);
  const std::vector<std::vector<int64_t>> prompts = {{3, 1, 4, 1, 5}, {9}, {2, 6, 5, 3, 5, 8, 9}};
  for (int64_t beams : {1, 3, 7}) {
    const auto batched = constrained_beam_search_batch(model, prompts, trie, beams);
    ASSERT_EQ(batched.size(), prompts.size());
    for (size_t r = 0; r < prompts.size(); ++r) {
      const auto alone = constrained_beam_search(model, prompts[r], trie, beams);
      ASSERT_EQ(batched[r].size(), alone.size()) << beams << ' ' << r;
      for (size_t i = 0; i < alone.size(); ++i) {
        EXPECT_EQ(batched[r][i].item, alone[i].item) << beams << ' ' << r << ' ' << i;
        EXPECT_EQ(batched[r][i].ids, alone[i].ids);
        EXPECT_NEAR(batched[r][i].log_prob, alone[i].log_prob, 1e-5);
      }
    }
  }
  EXPECT_TRUE(constrained_beam_search_batch(model, {}, trie, 3).empty());
  EXPECT_THROW(constrained_beam_search_batch(model, {{1}, {}}, trie, 3), DataError);
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
