// The RSLLM plugin on a fake dataset: dependencies, ID-table checks, training of each variant,
// every inference rule, save/load, and bad keys.
#include <gtest/gtest.h>

#include "rsllm/rsllm.h"
#include "unit/rsllm/rsllm_test_util.h"

namespace recbench::rsllm {
namespace {

using recbench::testing::FakeContext;
using recbench::testing::FakeDataset;

const FakeDataset& data() {
  static const FakeDataset d(
      recbench::testing::rule_sequences(25, 30, 5, 8, 0.8, 4, [](ItemId i) { return i % 24 + 1; }),
      25);
  return d;
}

constexpr const char* kQuick =
    "stage1_epochs = 1\nstage2_epochs = 1\nbatch_size = 8\ntiny_vocab = 300\n"
    "train_candidates = 4\n";

//! One epoch in each stage the variant has.
std::string quick(const std::string& variant) {
  std::string s = "batch_size = 8\ntiny_vocab = 300\ntrain_candidates = 4\n";
  s += "variant = \"" + variant + "\"\n";
  if (variant != "text-only") s += "stage2_epochs = 1\n";
  return s;
}

//! Writes a random table for `fingerprint` as label "sasrec" of `ctx`.
void give_ids(FakeContext& ctx, const std::string& fingerprint = "fake") {
  const auto path = ctx.work_dir() / "sasrec.safetensors";
  torch::manual_seed(11);
  write_embedding_artifact(path, torch::randn({25, 8}), {"fake", fingerprint, "sasrec", "sasrec"});
  ctx.embeddings["sasrec"] = path;
}

HistoryBatch valid_batch(int64_t rows) {
  std::vector<int64_t> r(rows);
  for (int64_t i = 0; i < rows; ++i) r[i] = i;
  return make_history_batch(data().valid.histories, r, 50, torch::kCPU);
}

torch::Tensor candidates(int64_t rows) {
  std::vector<int64_t> c;
  for (int64_t i = 0; i < rows; ++i) {
    c.push_back(data().valid.targets[i]);
    for (int64_t j = 1; j < 4; ++j) c.push_back((data().valid.targets[i] + 5 * j) % 24 + 1);
  }
  return torch::tensor(c).view({rows, 4});
}

TEST(RsllmPlugin, DeclaresItsIdModelAsADependency) {
  FakeContext ctx(data());
  auto deps = [&](const std::string& toml) {
    std::vector<ModelDependency> found;
    Params params("models.x.params", toml, "test.toml");
    PluginContext context;
    context.data = &ctx.data();
    context.dependencies = &found;
    Rsllm model(params, context);
    return found;
  };
  const auto d = deps("");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].label, "sasrec");
  EXPECT_EQ(d[0].key, "id_model");
  EXPECT_EQ(deps("id_model = \"gru\"")[0].label, "gru");
  EXPECT_TRUE(deps("variant = \"text-only\"").empty());
  EXPECT_TRUE(deps("id_file = \"x.safetensors\"").empty());
}

TEST(RsllmPlugin, RefusesMissingOrForeignIdTables) {
  FakeContext ctx(data());
  auto model = recbench::testing::make_model("rsllm", kQuick, ctx);
  try {
    model->fit(ctx);
    FAIL() << "trained without an ID table";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("id_model: no item embedding table of 'sasrec'"),
              std::string::npos)
        << e.what();
  }
  give_ids(ctx, "another-dataset");
  try {
    model->fit(ctx);
    FAIL() << "trained on another dataset's IDs";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("fingerprint another-dataset"), std::string::npos)
        << e.what();
  }
}

TEST(RsllmPlugin, TrainsScoresAndRoundTripsEveryVariant) {
  for (const std::string variant : {"rsllm", "llara", "text-only"}) {
    SCOPED_TRACE(variant);
    FakeContext ctx(data());
    give_ids(ctx);
    const std::string params = quick(variant);
    auto model = recbench::testing::make_model("rsllm", params, ctx);
    model->fit(ctx);
    EXPECT_EQ(ctx.ndcg.size(), 1u);  // the last stage validates once per epoch
    const auto all = model->score_all(valid_batch(6));
    ASSERT_EQ(all.sizes(), (std::vector<int64_t>{6, 25}));
    EXPECT_TRUE(torch::isfinite(all).all().item<bool>());
    const auto cand = candidates(6);
    const auto scores = model->score_candidates(valid_batch(6), cand);
    ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{6, 4}));
    EXPECT_TRUE((scores <= 0).all().item<bool>());  // mean log-probabilities

    const auto dir = ctx.work_dir() / "saved";
    std::filesystem::create_directories(dir);
    model->save(dir);
    FakeContext other(data(), 99);
    auto loaded = recbench::testing::make_model("rsllm", params, other);
    loaded->load(dir);
    EXPECT_TRUE(torch::allclose(loaded->score_all(valid_batch(6)), all));
    EXPECT_TRUE(torch::allclose(loaded->score_candidates(valid_batch(6), cand), scores));
  }
}

TEST(RsllmPlugin, GenerationRulesAnswerOneCandidateOrNone) {
  FakeContext ctx(data());
  give_ids(ctx);
  auto model = recbench::testing::make_model("rsllm", kQuick, ctx);
  model->fit(ctx);
  const auto dir = ctx.work_dir() / "saved";
  std::filesystem::create_directories(dir);
  model->save(dir);
  for (const std::string rule : {"constrained", "generate", "embedding"}) {
    SCOPED_TRACE(rule);
    FakeContext other(data());
    auto m = recbench::testing::make_model(
        "rsllm", std::string(kQuick) + "inference = \"" + rule + "\"\n", other);
    m->load(dir);
    const auto s = m->score_candidates(valid_batch(8), candidates(8));
    ASSERT_EQ(s.sizes(), (std::vector<int64_t>{8, 4}));
    for (int64_t b = 0; b < 8; ++b) {
      const auto row = s[b];
      if (rule == "embedding") {
        EXPECT_TRUE(torch::isfinite(row).all().item<bool>());
      } else if (torch::isnan(row).all().item<bool>()) {
        EXPECT_EQ(rule, "generate");  // only free generation can name no candidate
      } else {
        EXPECT_EQ(row.sum().item<double>(), 1.0);
        EXPECT_EQ(row.max().item<double>(), 1.0);
      }
    }
  }
}

TEST(RsllmPlugin, RejectsBadKeysAndContradictions) {
  FakeContext ctx(data());
  EXPECT_THROW(recbench::testing::make_model("rsllm", "lamda_user = 1.0\n", ctx), ConfigError);
  EXPECT_THROW(recbench::testing::make_model("rsllm", "variant = \"rs\"\n", ctx), ConfigError);
  EXPECT_THROW(
      recbench::testing::make_model("rsllm", "variant = \"text-only\"\nlambda_user = 0.5\n", ctx),
      ConfigError);
  EXPECT_THROW(recbench::testing::make_model("rsllm", "backbone = \"/no/such/model\"\n", ctx),
               ConfigError);
  EXPECT_THROW(recbench::testing::make_model("rsllm", "inference = \"beam\"\n", ctx), ConfigError);
}

}  // namespace
}  // namespace recbench::rsllm
