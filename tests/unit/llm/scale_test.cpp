// What a real-scale run relies on: the loss at supervised positions only, lean checkpoint
// loading, activation checkpointing, fused attention, and config fields refused by name.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/config.h"
#include "recbench/llm/model.h"
#include "recbench/llm/training.h"
#include "unit/error_of.h"
#include "unit/llm/temp_dir.h"

namespace recbench::llm {
namespace {

CausalLm tiny_model(uint64_t seed = 21) {
  torch::manual_seed(seed);
  return CausalLm(ModelConfig::tiny(64));
}

//! Left-padded rows with a loss mask on a few positions of each.
struct Batch {
  torch::Tensor ids, attention, mask;
};
Batch batch() {
  torch::manual_seed(4);
  Batch b{torch::randint(0, 64, {3, 10}, torch::kLong), torch::ones({3, 10}, torch::kLong),
          torch::zeros({3, 10})};
  b.attention[1].slice(0, 0, 3).fill_(0);  // left padding
  b.mask[0].slice(0, 5).fill_(1.0);
  b.mask[1].slice(0, 8).fill_(1.0);
  b.mask[2][9] = 1.0;
  return b;
}

std::map<std::string, torch::Tensor> gradients(CausalLm& model) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model->named_parameters()) {
    if (item.value().grad().defined()) out[item.key()] = item.value().grad().clone();
  }
  return out;
}

void expect_same_gradients(const std::map<std::string, torch::Tensor>& a,
                           const std::map<std::string, torch::Tensor>& b, double tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, g] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(torch::allclose(g, b.at(name), tolerance, tolerance))
        << name << ": max |diff| " << (g - b.at(name)).abs().max().item<double>();
  }
}

TEST(LlmScale, SupervisedLossEqualsTheFullLossAndItsGradients) {
  const Batch b = batch();
  CausalLm full = tiny_model(), lean = tiny_model();
  ForwardOptions fwd;
  fwd.attention_mask = b.attention;
  const torch::Tensor want = causal_lm_loss(full->forward(b.ids, fwd).logits, b.ids, b.mask);
  want.backward();
  fwd.compute_logits = false;
  const LmOutput out = lean->forward(b.ids, fwd);
  EXPECT_FALSE(out.logits.defined());
  const torch::Tensor got = supervised_lm_loss(lean, out.hidden, b.ids, b.mask);
  got.backward();
  EXPECT_NEAR(got.item<double>(), want.item<double>(), 1e-5);
  expect_same_gradients(gradients(full), gradients(lean), 1e-5);
  // No supervised token: zero, and still differentiable.
  const torch::Tensor none = supervised_lm_loss(lean, out.hidden, b.ids, torch::zeros({3, 10}));
  EXPECT_EQ(none.item<double>(), 0.0);
  EXPECT_TRUE(none.requires_grad());
  EXPECT_THROW(supervised_lm_loss(lean, out.hidden, b.ids, torch::zeros({3, 9})), DataError);
}

TEST(LlmScale, LoadingBuildsNoRandomModelFirstAndKeepsTheStoredValues) {
  CausalLm model = tiny_model();
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.set_data(p.to(torch::kBFloat16));
  }
  const auto dir = temp_dir("scale_lean");
  save_model(model, dir);
  torch::manual_seed(5);
  const torch::Tensor untouched = torch::randn({8});
  torch::manual_seed(5);
  CausalLm loaded = load_model(dir, torch::kCPU, torch::kBFloat16);
  // A random model built first would have drawn from the generator.
  EXPECT_TRUE(torch::equal(torch::randn({8}), untouched)) << "loading drew random weights";
  const auto want = model->named_parameters();
  for (const auto& item : loaded->named_parameters()) {
    EXPECT_EQ(item.value().scalar_type(), torch::kBFloat16) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), want[item.key()])) << item.key();
  }
  // Converted on the way in: a float32 load of the bfloat16 file holds the same values.
  CausalLm wide = load_model(dir, torch::kCPU, torch::kFloat);
  for (const auto& item : wide->named_parameters()) {
    EXPECT_EQ(item.value().scalar_type(), torch::kFloat) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), want[item.key()].to(torch::kFloat))) << item.key();
  }
}

// Recomputed layers give the same loss and gradients, for full fine-tuning and for LoRA with
// dropout (the recomputation must draw the forward's dropout masks again).
TEST(LlmScale, ActivationCheckpointingGivesTheSameGradients) {
  const Batch b = batch();
  for (const bool lora : {false, true}) {
    std::map<std::string, torch::Tensor> grads[2];
    double losses[2];
    for (int checkpointed = 0; checkpointed < 2; ++checkpointed) {
      CausalLm model = tiny_model();
      if (lora) model->add_lora({4, 8.0, 0.3}, {"q_proj", "v_proj", "down_proj"});
      model->set_activation_checkpointing(checkpointed == 1);
      model->train();
      torch::manual_seed(99);
      ForwardOptions fwd;
      fwd.attention_mask = b.attention;
      fwd.compute_logits = false;
      const torch::Tensor loss =
          supervised_lm_loss(model, model->forward(b.ids, fwd).hidden, b.ids, b.mask);
      loss.backward();
      losses[checkpointed] = loss.item<double>();
      grads[checkpointed] = gradients(model);
    }
    SCOPED_TRACE(lora ? "LoRA with dropout" : "full fine-tuning");
    EXPECT_EQ(losses[0], losses[1]);
    expect_same_gradients(grads[0], grads[1], 1e-6);
    if (lora) {
      EXPECT_EQ(grads[0].size(), 12u);  // A and B of 3 adapted linears in 2 layers
    }
  }
}

TEST(LlmScale, FusedAttentionEqualsTheExplicitPath) {
  if (!CausalLmImpl::kHasSdpa) {
    GTEST_SKIP() << "LibTorch " << TORCH_VERSION
                 << " has no scaled_dot_product_attention with grouped-query support (2.5+); "
                    "bench/gpu/check.sh runs this test against the GPU machine's LibTorch";
  }
  const Batch b = batch();
  CausalLm model = tiny_model();
  model->eval();
  torch::NoGradGuard no_grad;
  ForwardOptions fwd;
  fwd.attention_mask = b.attention;
  model->set_fused_attention(true);
  const torch::Tensor fused = model->forward(b.ids, fwd).logits;
  const torch::Tensor fused_causal = model->forward(b.ids).logits;
  model->set_fused_attention(false);
  const torch::Tensor plain = model->forward(b.ids, fwd).logits;
  const torch::Tensor plain_causal = model->forward(b.ids).logits;
  // Padding rows' outputs differ by design (never read); compare the real positions.
  const torch::Tensor real = b.attention.to(torch::kBool).unsqueeze(-1).expand_as(plain);
  EXPECT_TRUE(torch::allclose(fused.masked_select(real), plain.masked_select(real), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(fused_causal, plain_causal, 1e-4, 1e-5));
}

nlohmann::json tiny_config() { return nlohmann::json::parse(ModelConfig::tiny(64).to_json()); }

TEST(LlmConfig, UnsupportedFieldsAreRefusedByName) {
  auto error = [](const nlohmann::json& j) {
    return error_of([&] { ModelConfig::from_json(j.dump(), "m/config.json"); });
  };
  auto act = tiny_config();
  act["hidden_act"] = "gelu";
  EXPECT_NE(error(act).find("m/config.json: hidden_act: unsupported 'gelu'"), std::string::npos);
  auto moe = tiny_config();
  moe["num_local_experts"] = 8;
  EXPECT_NE(error(moe).find("m/config.json: num_local_experts: mixture-of-experts"),
            std::string::npos);
  auto yarn = tiny_config();
  yarn["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  EXPECT_NE(error(yarn).find("rope_scaling.type: unsupported 'yarn'"), std::string::npos);
  auto window = tiny_config();
  window["sliding_window"] = 0;
  window["use_sliding_window"] = true;
  EXPECT_NE(error(window).find("sliding_window: expected a positive window"), std::string::npos);
}

TEST(LlmConfig, SlidingWindowsHoldWithinTheWindowAndLongerInputsAreRefused) {
  auto qwen = tiny_config();  // Qwen2 carries sliding_window but uses it only when asked
  qwen["sliding_window"] = 4;
  qwen["use_sliding_window"] = false;
  EXPECT_FALSE(ModelConfig::from_json(qwen.dump(), "q").sliding_window.has_value());
  auto mistral = tiny_config();
  mistral["model_type"] = "mistral";
  mistral["sliding_window"] = 8;
  const ModelConfig c = ModelConfig::from_json(mistral.dump(), "m/config.json");
  ASSERT_EQ(c.sliding_window, 8);
  EXPECT_EQ(ModelConfig::from_json(c.to_json(), "again").sliding_window, 8);
  torch::manual_seed(1);
  CausalLm model(c);
  torch::NoGradGuard no_grad;
  EXPECT_NO_THROW(model->forward(torch::randint(0, 64, {1, 8}, torch::kLong)));
  const std::string e = error_of([&] {
    model->forward(torch::randint(0, 64, {1, 9}, torch::kLong));
  });
  EXPECT_NE(e.find("9 tokens exceed the model's sliding_window of 8"), std::string::npos) << e;
}

}  // namespace
}  // namespace recbench::llm
