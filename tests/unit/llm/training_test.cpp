// LLM training utilities: LR schedules (WSA boundaries, resume), masked loss, packing,
// accumulation with clipping, a tiny model that learns.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <numbers>

#include "recbench/error.h"
#include "recbench/llm/training.h"
#include "recbench/schedule.h"

namespace recbench::llm {
namespace {

TEST(LrSchedule, WsaValuesAtPhaseBoundaries) {
  WsaOptions o;
  o.warmup_fraction = 0.1;
  o.stable_fraction = 0.6;
  o.anneal_fraction = 0.3;
  o.floor_ratio = 0.1;
  for (AnnealShape shape :
       {AnnealShape::kCosine, AnnealShape::kLinear, AnnealShape::kExponential}) {
    o.shape = shape;
    LrSchedule s = LrSchedule::wsa(1.0, 100, o);
    EXPECT_EQ(s.warmup_steps(), 10);
    EXPECT_EQ(s.anneal_start(), 70);
    EXPECT_DOUBLE_EQ(s.lr_at(0), 0.1);  // first warmup step
    EXPECT_DOUBLE_EQ(s.lr_at(4), 0.5);
    EXPECT_DOUBLE_EQ(s.lr_at(9), 1.0);   // last warmup step reaches the peak
    EXPECT_DOUBLE_EQ(s.lr_at(10), 1.0);  // stable
    EXPECT_DOUBLE_EQ(s.lr_at(69), 1.0);  // last stable step
    EXPECT_LT(s.lr_at(70), 1.0);         // decay starts
    EXPECT_GT(s.lr_at(70), 0.9);
    EXPECT_NEAR(s.lr_at(99), 0.1, 1e-12);  // ends at the floor
    EXPECT_NEAR(s.lr_at(500), 0.1, 1e-12);
    for (int64_t i = 70; i < 99; ++i) EXPECT_GT(s.lr_at(i), s.lr_at(i + 1));
  }
  o.shape = AnnealShape::kLinear;
  EXPECT_NEAR(LrSchedule::wsa(1.0, 100, o).lr_at(84), 1.0 - 0.9 * 15.0 / 30.0, 1e-12);
  o.shape = AnnealShape::kCosine;
  EXPECT_NEAR(LrSchedule::wsa(1.0, 100, o).lr_at(84), 0.1 + 0.9 * 0.5, 1e-12);  // half way
  o.shape = AnnealShape::kExponential;
  EXPECT_NEAR(LrSchedule::wsa(1.0, 100, o).lr_at(84), std::pow(0.1, 0.5), 1e-12);
  o.stable_fraction = 0.5;  // fractions no longer sum to 1
  EXPECT_THROW(LrSchedule::wsa(1.0, 100, o), ConfigError);
  EXPECT_THROW(parse_anneal_shape("step"), ConfigError);
}

TEST(LrSchedule, WarmupCosineAndResumeFromState) {
  LrSchedule s = LrSchedule::warmup_cosine(2.0, 50, 5, 0.0);
  EXPECT_DOUBLE_EQ(s.lr_at(4), 2.0);
  EXPECT_NEAR(s.lr_at(49), 0.0, 1e-12);
  EXPECT_NEAR(s.lr_at(27), 1.0 + std::cos(std::numbers::pi * 23.0 / 45.0), 1e-12);
  for (int i = 0; i < 17; ++i) s.advance();
  LrSchedule resumed = LrSchedule::from_state(s.state());
  EXPECT_EQ(resumed.step(), 17);
  for (int64_t i = 0; i < 60; ++i) EXPECT_DOUBLE_EQ(resumed.lr_at(i), s.lr_at(i));
  EXPECT_THROW(LrSchedule::from_state("{}"), ConfigError);
}

TEST(LlmTraining, LossCountsOnlyMaskedTargets) {
  torch::manual_seed(0);
  torch::Tensor logits = torch::randn({2, 5, 11});
  torch::Tensor ids = torch::randint(0, 11, {2, 5});
  torch::Tensor mask = torch::zeros({2, 5});
  mask[0][3] = 1;
  mask[1][1] = 1;
  mask[1][4] = 1;
  torch::Tensor lp = torch::log_softmax(logits, -1);
  double expected = -(lp[0][2][ids[0][3].item<int64_t>()] + lp[1][0][ids[1][1].item<int64_t>()] +
                      lp[1][3][ids[1][4].item<int64_t>()])
                         .item<double>() /
                    3.0;
  EXPECT_NEAR(causal_lm_loss(logits, ids, mask).item<double>(), expected, 1e-5);
  EXPECT_EQ(causal_lm_loss(logits, ids, torch::zeros({2, 5})).item<double>(), 0.0);
  EXPECT_THROW(causal_lm_loss(logits, ids, torch::zeros({2, 4})), DataError);
}

TEST(LlmTraining, PackingFillsRowsWithoutSplittingExamples) {
  std::vector<LmExample> examples = {{{1, 2, 3}, {0, 1, 1}},
                                     {{4, 5}, {1, 1}},
                                     {{6, 7, 8, 9}, {0, 0, 0, 1}},
                                     {{10, 11, 12, 13, 14, 15, 16}, {1, 1, 1, 1, 1, 1, 1}}};
  LmBatch b = pack_examples(examples, 6, 0);
  ASSERT_EQ(b.input_ids.sizes(), (std::vector<int64_t>{3, 6}));
  EXPECT_TRUE(torch::equal(b.input_ids[0], torch::tensor({1, 2, 3, 4, 5, 0}, torch::kLong)));
  EXPECT_TRUE(torch::equal(b.input_ids[1], torch::tensor({6, 7, 8, 9, 0, 0}, torch::kLong)));
  EXPECT_TRUE(
      torch::equal(b.input_ids[2], torch::tensor({10, 11, 12, 13, 14, 15}, torch::kLong)));  // cut
  EXPECT_TRUE(torch::equal(b.loss_mask[0], torch::tensor({0.f, 1.f, 1.f, 1.f, 1.f, 0.f})));
  EXPECT_TRUE(torch::equal(b.attention_mask[1], torch::tensor({1, 1, 1, 1, 0, 0}, torch::kLong)));
}

TEST(LlmTraining, AccumulatedStepEqualsOneBigBatchAndTinyModelLearns) {
  auto run = [](int64_t accumulation) {
    torch::manual_seed(3);
    CausalLm model(ModelConfig::tiny(32));
    auto optimizer = make_adamw(model, {});
    LrSchedule schedule = LrSchedule::warmup_cosine(1e-2, 40, 4, 0.1);
    GradientAccumulator acc(*optimizer, schedule, accumulation, 1.0);
    torch::Tensor ids = torch::arange(16).remainder(8).repeat({4, 1});  // a learnable cycle
    torch::Tensor mask = torch::ones({4, 16});
    double first = 0, last = 0;
    for (int step = 0; step < 40; ++step) {
      for (int64_t m = 0; m < accumulation; ++m) {
        int64_t rows = 4 / accumulation;
        torch::Tensor part = ids.slice(0, m * rows, (m + 1) * rows);
        torch::Tensor loss = causal_lm_loss(model->forward(part).logits, part,
                                            mask.slice(0, m * rows, (m + 1) * rows));
        bool stepped = acc.backward(loss);
        EXPECT_EQ(stepped, m == accumulation - 1);
        if (step == 0 && m == 0) first = loss.item<double>();
        last = loss.item<double>();
      }
    }
    EXPECT_EQ(schedule.step(), 40);
    EXPECT_GT(acc.last_grad_norm(), 0.0);
    return std::make_pair(first, last);
  };
  auto [first1, last1] = run(1);
  auto [first2, last2] = run(2);
  EXPECT_LT(last1, 0.25 * first1);  // it learns the cycle
  EXPECT_NEAR(last1, last2, 2e-3);  // two half batches == one full batch (equal-size rows)
}

TEST(LlmTraining, TrainingStateRoundTrips) {
  torch::manual_seed(1);
  CausalLm model(ModelConfig::tiny(32));
  auto optimizer = make_adamw(model, {});
  LrSchedule schedule = LrSchedule::wsa(1e-3, 20, {});
  GradientAccumulator acc(*optimizer, schedule, 1, 0.0);
  torch::Tensor ids = torch::randint(0, 32, {2, 6});
  acc.backward(causal_lm_loss(model->forward(ids).logits, ids, torch::ones({2, 6})));
  auto dir = std::filesystem::temp_directory_path() /
             ("recbench_llm_trainstate_" + std::to_string(::getpid()));
  save_training_state(dir, *optimizer, schedule);
  auto other = make_adamw(model, {});
  LrSchedule restored = load_training_state(dir, *other);
  EXPECT_EQ(restored.step(), 1);
  EXPECT_EQ(restored.state(), schedule.state());
  // The moments come back too (so a resumed run continues the same trajectory).
  ASSERT_EQ(other->state().size(), optimizer->state().size());
  ASSERT_FALSE(optimizer->state().empty());
  for (const auto& [key, state] : optimizer->state()) {
    const auto& want = static_cast<const torch::optim::AdamWParamState&>(*state);
    const auto& got = static_cast<const torch::optim::AdamWParamState&>(*other->state().at(key));
    EXPECT_EQ(got.step(), want.step());
    EXPECT_TRUE(torch::equal(got.exp_avg(), want.exp_avg()));
    EXPECT_TRUE(torch::equal(got.exp_avg_sq(), want.exp_avg_sq()));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace recbench::llm
