// Precision policies: names and checks, autocast scopes, fp16 loss scaling, a bf16-mixed step
// against the fp32 step, small updates kept by float32 master weights, dtypes through save/load.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/autocast_mode.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/model.h"
#include "recbench/llm/safetensors.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/llm/training.h"
#include "recbench/precision.h"
#include "recbench/schedule.h"
#include "unit/error_of.h"
#include "unit/llm/temp_dir.h"

namespace recbench::llm {
namespace {

CausalLm tiny_model(uint64_t seed = 11) {
  torch::manual_seed(seed);
  return CausalLm(ModelConfig::tiny(64));
}

//! A fixed batch of the tiny vocabulary with a loss on the second half of each row.
struct Batch {
  torch::Tensor ids, mask;
};
Batch fixed_batch() {
  torch::manual_seed(3);
  Batch b{torch::randint(0, 64, {4, 12}, torch::kLong), torch::zeros({4, 12})};
  b.mask.slice(1, 6).fill_(1.0);
  return b;
}

//! One AdamW step of `model` under `p` (autocast forward, supervised loss); returns the loss.
double adamw_step(CausalLm& model, Precision p, double lr) {
  const Batch b = fixed_batch();
  auto opt = make_adamw(model, {lr, 0.0, 0.9, 0.95, 1e-8});
  LrSchedule schedule = LrSchedule::warmup_cosine(lr, 10, 0, 1.0);
  GradientAccumulator acc(*opt, schedule, 1, 0.0, nullptr, p);
  model->train();
  torch::Tensor loss;
  {
    AutocastScope autocast(p, torch::kCPU);
    ForwardOptions fwd;
    fwd.compute_logits = false;
    loss = supervised_lm_loss(model, model->forward(b.ids, fwd).hidden, b.ids, b.mask);
  }
  acc.backward(loss);
  return loss.item<double>();
}

TEST(Precision, NamesRoundTripAndEveryMistakeIsNamed) {
  for (const std::string& name : precision_names()) {
    EXPECT_EQ(precision_name(parse_precision(name, "x")), name);
  }
  EXPECT_EQ(default_precision(torch::kCPU), Precision::fp32);
  EXPECT_EQ(default_precision(torch::Device(torch::kCUDA)), Precision::bf16_mixed);
  const std::string bad =
      error_of([] { parse_precision("bf17", "exp.toml: experiment.precision"); });
  EXPECT_NE(bad.find("exp.toml: experiment.precision: unknown precision 'bf17'"), std::string::npos)
      << bad;
  EXPECT_NE(bad.find("bf16-mixed"), std::string::npos) << bad;
  const std::string cpu = error_of([] {
    check_precision(Precision::fp16_mixed, torch::kCPU, "exp.toml: experiment.precision");
  });
  EXPECT_NE(cpu.find("fp16-mixed needs device = \"cuda\""), std::string::npos) << cpu;
  EXPECT_NO_THROW(check_precision(Precision::bf16_mixed, torch::kCPU, "x"));
  EXPECT_EQ(master_dtype(Precision::bf16_mixed), torch::kFloat);
  EXPECT_EQ(master_dtype(Precision::bf16), torch::kBFloat16);
  EXPECT_EQ(frozen_dtype(Precision::bf16_mixed), torch::kBFloat16);
  EXPECT_EQ(frozen_dtype(Precision::fp16_mixed), torch::kHalf);
  EXPECT_EQ(frozen_dtype(Precision::fp32), torch::kFloat);
}

TEST(Precision, AutocastScopesLowerProductsAndRestoreWhatTheyFound) {
  const torch::Tensor a = torch::randn({4, 8}), b = torch::randn({8, 3});
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  {
    AutocastScope fp32(Precision::fp32, torch::kCPU);
    EXPECT_EQ(torch::matmul(a, b).scalar_type(), torch::kFloat);
  }
  {
    AutocastScope mixed(Precision::bf16_mixed, torch::kCPU);
    EXPECT_EQ(torch::matmul(a, b).scalar_type(), torch::kBFloat16);
    EXPECT_EQ(torch::linear(a, b.t()).scalar_type(), torch::kBFloat16);
    EXPECT_EQ((a + 1).scalar_type(), torch::kFloat);  // elementwise ops keep float32
    {
      AutocastScope nested(Precision::bf16_mixed, torch::kCPU);
      EXPECT_TRUE(at::autocast::is_cpu_enabled());
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled()) << "a nested scope switched its parent off";
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::matmul(a, b).scalar_type(), torch::kFloat);
}

TEST(Precision, Bf16MixedStepTracksTheFp32Step) {
  CausalLm fp32 = tiny_model(), mixed = tiny_model();
  cast_for_training(mixed, Precision::bf16_mixed);
  for (const auto& p : mixed->parameters()) ASSERT_EQ(p.scalar_type(), torch::kFloat);
  std::vector<torch::Tensor> before;
  for (const auto& p : fp32->parameters()) before.push_back(p.detach().clone());
  const double loss32 = adamw_step(fp32, Precision::fp32, 1e-3);
  const double loss16 = adamw_step(mixed, Precision::bf16_mixed, 1e-3);
  EXPECT_NEAR(loss16, loss32, 0.02 * loss32);
  // Adam's first update is lr * g / |g| per weight: the two steps agree wherever the gradients'
  // signs do, so the update vectors must point the same way.
  std::vector<torch::Tensor> d32, d16;
  const auto p32 = fp32->parameters(), p16 = mixed->parameters();
  for (size_t i = 0; i < before.size(); ++i) {
    d32.push_back((p32[i].detach() - before[i]).flatten());
    d16.push_back((p16[i].detach() - before[i]).flatten());
  }
  const torch::Tensor u = torch::cat(d32), v = torch::cat(d16);
  const double cosine = (u * v).sum().item<double>() / (u.norm() * v.norm()).item<double>();
  EXPECT_GT(cosine, 0.9) << "the bf16-mixed update points elsewhere than the fp32 one";
  EXPECT_GT(u.abs().max().item<double>(), 5e-4);  // a real step was taken
}

TEST(Precision, MasterWeightsKeepUpdatesThatPureBf16RoundsAway) {
  auto changed = [](Precision p) {
    CausalLm model = tiny_model();
    cast_for_training(model, p);
    std::vector<torch::Tensor> before;
    for (const auto& w : model->parameters()) before.push_back(w.detach().clone());
    adamw_step(model, p, 1e-5);
    int64_t count = 0;
    const auto after = model->parameters();
    for (size_t i = 0; i < before.size(); ++i) {
      count += after[i].detach().ne(before[i]).sum().item<int64_t>();
    }
    return static_cast<double>(count);
  };
  // Weights without a gradient (embedding rows of absent tokens) stay in every policy: the
  // float32 run's count of changed weights is the reference.
  const double fp32 = changed(Precision::fp32);
  ASSERT_GT(fp32, 1000);
  EXPECT_GT(changed(Precision::bf16_mixed), 0.98 * fp32) << "an lr 1e-5 update was lost";
  // bfloat16 has 8 significant bits: 1e-5 on a weight of size 0.02 is below half a step.
  EXPECT_LT(changed(Precision::bf16), 0.5 * fp32) << "pure bf16 unexpectedly kept the update";
}

TEST(Precision, SavingAndLoadingKeepEveryTensorsDtype) {
  CausalLm model = tiny_model();
  model->add_lora({4, 8.0, 0.0}, {"q_proj", "v_proj"});
  cast_for_training(model, Precision::bf16_mixed);
  for (const auto& [name, t] : model->hf_state())
    EXPECT_EQ(t.scalar_type(), torch::kBFloat16) << name;
  for (const auto& [name, t] : model->lora_state())
    EXPECT_EQ(t.scalar_type(), torch::kFloat) << name;
  {
    torch::NoGradGuard no_grad;  // a non-zero adapter, so the round trip is not trivially equal
    for (auto& [name, t] : model->lora_state()) t.normal_(0, 0.1);
  }
  const auto dir = temp_dir("precision_dtypes");
  save_model(model, dir / "base");
  save_lora_adapter(model, dir / "adapter");
  SafetensorsFile base(dir / "base" / "model.safetensors");
  for (const auto& name : base.names()) EXPECT_EQ(base.entry(name).dtype, "BF16") << name;
  SafetensorsFile adapter(dir / "adapter" / "adapter_model.safetensors");
  for (const auto& name : adapter.names()) EXPECT_EQ(adapter.entry(name).dtype, "F32") << name;
  const auto config = nlohmann::json::parse(read_text_file(dir / "base" / "config.json"));
  EXPECT_EQ(config["torch_dtype"], "bfloat16");

  CausalLm loaded = load_model(dir / "base", torch::kCPU, torch::kBFloat16);
  load_lora_adapter(loaded, dir / "adapter");
  const auto want = model->named_parameters(), got = loaded->named_parameters();
  ASSERT_EQ(want.size(), got.size());
  for (const auto& item : want) {
    const torch::Tensor& other = got[item.key()];
    EXPECT_EQ(other.scalar_type(), item.value().scalar_type()) << item.key();
    EXPECT_TRUE(torch::equal(other, item.value())) << item.key();
  }
}

TEST(LossScaler, ScalesUnscalesAndSkipsOverflowingSteps) {
  LossScaler off(false);
  const torch::Tensor loss = torch::tensor(2.0);
  EXPECT_TRUE(torch::equal(off.scale(loss), loss));
  LossScaler scaler(true, 1024.0, 2);
  EXPECT_DOUBLE_EQ(scaler.scale(loss).item<double>(), 2048.0);
  torch::Tensor w = torch::ones({3}, torch::requires_grad());
  (w * 1024.0 * 0.5).sum().backward();  // a scaled gradient of 0.5 per weight
  EXPECT_TRUE(scaler.unscale({w}));
  EXPECT_TRUE(torch::allclose(w.grad(), torch::full({3}, 0.5)));
  scaler.update(true);
  scaler.update(true);  // growth_interval finite steps double the scale
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 2048.0);
  w.mutable_grad().fill_(std::numeric_limits<float>::infinity());
  EXPECT_FALSE(scaler.unscale({w}));
  scaler.update(false);
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 1024.0);
  EXPECT_EQ(scaler.skipped_steps(), 1);
}

// fp16-mixed's accumulator: the scaled step equals the unscaled one, and an overflowing step
// leaves the weights as they were (the schedule still advances).
TEST(LossScaler, AccumulatorStepsLikeFp32AndSkipsOverflows) {
  auto step = [](Precision p, double loss_factor) {
    torch::manual_seed(1);
    torch::Tensor w = torch::randn({5}, torch::requires_grad());
    torch::optim::AdamW opt({w}, torch::optim::AdamWOptions(0.1));
    LrSchedule schedule = LrSchedule::warmup_cosine(0.1, 4, 0, 1.0);
    GradientAccumulator acc(opt, schedule, 1, 0.0, nullptr, p);
    acc.backward((w * w).sum() * loss_factor);
    EXPECT_EQ(schedule.step(), 1);
    return std::make_pair(w.detach().clone(), acc.scaler().skipped_steps());
  };
  const auto [fp32, none] = step(Precision::fp32, 1.0);
  const auto [scaled, skipped] = step(Precision::fp16_mixed, 1.0);
  EXPECT_TRUE(torch::allclose(scaled, fp32, 1e-6, 1e-7));
  EXPECT_EQ(skipped, 0);
  const auto [overflowed, skips] = step(Precision::fp16_mixed, 1e36);  // x 65536 overflows
  torch::manual_seed(1);
  EXPECT_TRUE(torch::equal(overflowed, torch::randn({5})));
  EXPECT_EQ(skips, 1);
}

// The same policies on a GPU (bench/gpu/check.sh runs these; skipped without CUDA).
TEST(PrecisionCuda, MixedStepsOnTheGpuTrackTheFp32Step) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Device gpu(torch::kCUDA);
  const Batch b = fixed_batch();
  auto loss_after_step = [&](Precision p) {
    CausalLm model = tiny_model();
    model->to(gpu);
    cast_for_training(model, p);
    auto opt = make_adamw(model, {1e-3, 0.0, 0.9, 0.95, 1e-8});
    LrSchedule schedule = LrSchedule::warmup_cosine(1e-3, 10, 0, 1.0);
    GradientAccumulator acc(*opt, schedule, 1, 0.0, nullptr, p);
    model->train();
    const torch::Tensor ids = b.ids.to(gpu), mask = b.mask.to(gpu);
    auto loss = [&] {
      AutocastScope autocast(p, gpu);
      ForwardOptions fwd;
      fwd.compute_logits = false;
      return supervised_lm_loss(model, model->forward(ids, fwd).hidden, ids, mask);
    };
    const double first = loss().item<double>();
    acc.backward(loss());
    return std::make_pair(first, loss().item<double>());
  };
  const auto [fp32_before, fp32_after] = loss_after_step(Precision::fp32);
  for (Precision p : {Precision::bf16_mixed, Precision::fp16_mixed}) {
    SCOPED_TRACE(precision_name(p));
    const auto [before, after] = loss_after_step(p);
    EXPECT_NEAR(before, fp32_before, 0.02 * fp32_before);
    EXPECT_NEAR(after, fp32_after, 0.02 * fp32_after);
    EXPECT_LT(after, before);  // the step was taken (fp16: not skipped at the first scale)
  }
}

}  // namespace
}  // namespace recbench::llm
