// The contract every registered plugin honours (XGBoost-style registry test): construct with
// defaults, fit on tiny data, score shapes, save/load, determinism, unknown keys rejected.
#include <gtest/gtest.h>

#include "recbench/embedding_artifact.h"
#include "unit/baselines/fake_context.h"

namespace recbench::testing {
namespace {

//! 40 users x 4-10 items over 30 items, with a weak sequential rule.
const FakeDataset& tiny() {
  static const FakeDataset data(
      rule_sequences(31, 40, 4, 10, 0.5, 3, [](ItemId i) { return i % 30 + 1; }), 31);
  return data;
}

std::vector<std::string> plugin_names() {
  std::vector<std::string> names;
  for (const auto& p : static_plugins()) names.emplace_back(p.info->name);
  return names;
}

//! Default parameters, except one epoch for plugins that declare an `epochs` key.
std::string quick_params(const std::string& name, const TrainContext& ctx) {
  Params probe("probe", "", "");
  PluginContext context;
  context.data = &ctx.data();
  find_plugin(name).factory(probe, context);
  for (const auto& spec : probe.specs()) {
    if (spec.key == "epochs") return "epochs = 1\n";
  }
  return "";
}

//! Plugins whose score_candidates has its own rule (an LLM scoring the candidates named in its
//! prompt) instead of gathering score_all; the contract checks its shape and determinism.
bool own_candidate_rule(const std::string& name) { return name == "rsllm"; }

//! A context whose "sasrec" entry has an item embedding table, for plugins that read one.
struct Context {
  FakeContext ctx;
  explicit Context(uint64_t seed = 7) : ctx(tiny(), seed) {
    const auto path = ctx.work_dir() / "sasrec_item_embeddings.safetensors";
    torch::manual_seed(5);
    write_embedding_artifact(path, torch::randn({31, 8}), {"fake", "fake", "sasrec", "sasrec"});
    ctx.embeddings["sasrec"] = path;
  }
};

class Contract : public ::testing::TestWithParam<std::string> {};

TEST_P(Contract, InfoIsComplete) {
  const auto& info = *find_plugin(GetParam()).info;
  EXPECT_EQ(info.abi_version, RECBENCH_PLUGIN_ABI_VERSION);
  EXPECT_GT(std::string(info.description).size(), 10u);
  EXPECT_FALSE(std::string(info.version).empty());
}

TEST_P(Contract, FitScoreSaveLoadDeterminism) {
  Context holder;
  FakeContext& ctx = holder.ctx;
  const std::string params = quick_params(GetParam(), ctx);
  auto model = make_model(GetParam(), params, ctx);
  model->fit(ctx);
  auto scores = valid_scores(*model, ctx.data(), 7);
  ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{7, 31}));
  EXPECT_TRUE(torch::isfinite(scores.slice(1, 1)).all().item<bool>());
  auto cand = torch::randint(1, 31, {7, 4}, torch::kInt64);
  const auto batch = make_history_batch(tiny().valid.histories,
                                        std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}, 50, torch::kCPU);
  const auto cand_scores = model->score_candidates(batch, cand);
  ASSERT_EQ(cand_scores.sizes(), (std::vector<int64_t>{7, 4}));
  if (!own_candidate_rule(GetParam())) {
    EXPECT_TRUE(torch::equal(cand_scores, scores.gather(1, cand)));
  }

  const auto dir = ctx.work_dir() / "model";
  std::filesystem::create_directories(dir);
  model->save(dir);
  Context other(1234);
  auto loaded = make_model(GetParam(), params, other.ctx);
  loaded->load(dir);
  EXPECT_TRUE(torch::equal(valid_scores(*loaded, ctx.data(), 7), scores));
  EXPECT_TRUE(torch::equal(loaded->score_candidates(batch, cand), cand_scores));

  Context again;
  auto twin = make_model(GetParam(), params, again.ctx);
  twin->fit(again.ctx);
  EXPECT_TRUE(torch::equal(valid_scores(*twin, ctx.data(), 7), scores));
}

// A history's scores are the same alone, without padding, as in a batch of other histories
// padded to 50 columns: scoring may group, reorder and trim the rows of a batch.
TEST_P(Contract, AHistoryScoresTheSameAloneAsInAPaddedBatch) {
  if (GetParam() == "random") GTEST_SKIP() << "random scores are drawn per call";
  Context holder;
  FakeContext& ctx = holder.ctx;
  auto model = make_model(GetParam(), quick_params(GetParam(), ctx), ctx);
  model->fit(ctx);
  const std::vector<int64_t> rows{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  HistoryBatch batch = make_history_batch(tiny().valid.histories, rows, 50, torch::kCPU);
  ASSERT_GT(batch.lengths.max().item<int64_t>(), batch.lengths.min().item<int64_t>());
  batch.items = torch::constant_pad_nd(batch.items, {0, 50 - batch.items.size(1)});
  const torch::Tensor together = model->score_all(batch);
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto alone = model->score_all(
        make_history_batch(tiny().valid.histories, std::vector<int64_t>{rows[r]}, 50, torch::kCPU));
    ASSERT_EQ(alone.sizes(), (std::vector<int64_t>{1, 31}));
    EXPECT_TRUE(torch::allclose(alone[0], together[static_cast<int64_t>(r)], 1e-5, 1e-5))
        << "row " << r << ": max |difference| "
        << (alone[0] - together[static_cast<int64_t>(r)]).abs().max().item<double>();
  }
}

// Every plugin trains and scores under bf16-mixed on the CPU (LibTorch's CPU autocast), with
// finite float32 scores; the policy changes the numbers a little, never the contract.
TEST_P(Contract, TrainsAndScoresUnderBf16Mixed) {
  Context holder;
  FakeContext& ctx = holder.ctx;
  auto model = make_model(GetParam(), quick_params(GetParam(), ctx), ctx, Precision::bf16_mixed);
  model->fit(ctx);
  const auto scores = valid_scores(*model, ctx.data(), 7);
  ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{7, 31}));
  EXPECT_EQ(scores.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::isfinite(scores.slice(1, 1)).all().item<bool>());
  const auto cand = torch::randint(1, 31, {7, 4}, torch::kInt64);
  const auto batch = make_history_batch(tiny().valid.histories,
                                        std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}, 50, torch::kCPU);
  const auto cand_scores = model->score_candidates(batch, cand);
  if (!own_candidate_rule(GetParam())) {
    EXPECT_TRUE(torch::equal(cand_scores, scores.gather(1, cand)));
  }
}

//! quick_params plus two epochs of several batches, for plugins that have those keys.
std::string several_batches(const std::string& name, const TrainContext& ctx) {
  Params probe("probe", "", "");
  PluginContext context;
  context.data = &ctx.data();
  find_plugin(name).factory(probe, context);
  std::string toml;
  for (const auto& spec : probe.specs()) {
    if (spec.key == "epochs") toml += "epochs = 2\n";
    if (spec.key == "batch_size") toml += "batch_size = 16\n";
  }
  return toml;
}

// A stop request in the middle of training (SIGTERM): fit() returns at the next batch; a model
// that wrote a checkpoint resumes from it to exactly the model of an uninterrupted fit.
TEST_P(Contract, StopsAtTheNextBatchAndResumesToTheSameModel) {
  Context whole;
  const std::string params = several_batches(GetParam(), whole.ctx);
  auto uninterrupted = make_model(GetParam(), params, whole.ctx);
  uninterrupted->fit(whole.ctx);
  const int64_t checks = whole.ctx.stop_checks;
  if (checks == 0) return;  // no training loop to stop (Pop, Random)
  const auto want = valid_scores(*uninterrupted, whole.ctx.data(), 7);

  Context stopped;
  stopped.ctx.stop_at = checks / 2 + 1;  // in the middle, after the first epoch for two epochs
  auto first = make_model(GetParam(), params, stopped.ctx);
  first->fit(stopped.ctx);
  // A model may look again on its way out (RSLLM: its batch loop, then fit), but a model that
  // trained on would ask once per further batch.
  EXPECT_LE(stopped.ctx.stop_checks, stopped.ctx.stop_at + 1) << "fit() went on after the stop";
  EXPECT_LT(stopped.ctx.ndcg.size(), whole.ctx.ndcg.size());
  if (!stopped.ctx.checkpoint) return;  // restarts its cell instead (CPRec, RSLLM)

  Context resumed;
  resumed.ctx.resume_from = stopped.ctx.checkpoint;
  auto second = make_model(GetParam(), params, resumed.ctx);
  second->fit(resumed.ctx);
  EXPECT_TRUE(torch::equal(valid_scores(*second, resumed.ctx.data(), 7), want));
  EXPECT_EQ(stopped.ctx.ndcg.size() + resumed.ctx.ndcg.size(), whole.ctx.ndcg.size());
}

TEST_P(Contract, UnknownKeyIsRejected) {
  FakeContext ctx(tiny());
  try {
    make_model(GetParam(), "surely_not_a_key = 1\n", ctx);
    FAIL() << GetParam() << " accepted an unknown key";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("surely_not_a_key"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(AllPlugins, Contract, ::testing::ValuesIn(plugin_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace recbench::testing
