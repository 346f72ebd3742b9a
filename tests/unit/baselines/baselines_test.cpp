// The neural baselines learn: a planted next-item rule (SASRec, GRU4Rec reach HR@1 > 0.9), a
// noisy sequential signal and the built-in synthetic corpus (every baseline beats Pop on
// NDCG@10); plus persistence, determinism, embeddings and configuration errors; last-item
// training (train_mode = "last") and Caser without its user embedding.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <random>

#include "recbench/core/data/dataset.h"
#include "unit/baselines/fake_context.h"
#include "unit/error_of.h"

namespace recbench::testing {
namespace {

//! Small, fast settings per baseline (the defaults are RecBole's, sized for real data).
const std::map<std::string, std::string>& small_configs() {
  static const std::map<std::string, std::string> configs{
      {"sasrec",
       "hidden_size = 32\ninner_size = 64\ndropout = 0.1\nattn_dropout = 0.1\nlr = 0.005\n"
       "batch_size = 32\n"},
      {"gru4rec",
       "embedding_size = 32\nhidden_size = 64\ndropout = 0.1\nlr = 0.005\n"
       "batch_size = 32\ntrain_mode = 'every_position'\n"},
      {"bert4rec",
       "hidden_size = 32\ninner_size = 64\ndropout = 0.1\nattn_dropout = 0.1\nlr = 0.01\n"
       "batch_size = 256\n"},
      {"caser", "embedding_size = 32\nlr = 0.005\nbatch_size = 128\ndropout = 0.1\n"},
      {"narm",
       "embedding_size = 32\nhidden_size = 64\nlr = 0.01\nbatch_size = 256\n"
       "dropout = 0.1\ncontext_dropout = 0.1\n"},
  };
  return configs;
}

std::string config(const std::string& name, int epochs) {
  return small_configs().at(name) + "epochs = " + std::to_string(epochs) + "\n";
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

//! item i -> (7i + 3) mod 200 + 1 on items 1..200, 300 users x 15-25 items.
const FakeDataset& planted_rule() {
  static const FakeDataset data(
      rule_sequences(201, 300, 15, 25, 1.0, 11, [](ItemId i) { return (i * 7 + 3) % 200 + 1; }),
      201);
  return data;
}

//! The rule i -> (13i + 5) mod 100 + 1 followed 70% of the time, 200 users x 10-30 items.
const FakeDataset& noisy_rule() {
  static const FakeDataset data(
      rule_sequences(101, 200, 10, 30, 0.7, 5, [](ItemId i) { return (i * 13 + 5) % 100 + 1; }),
      101);
  return data;
}

//! 60 users x 6-12 items: enough to train one or two epochs quickly.
const FakeDataset& small_rule() {
  static const FakeDataset data(
      rule_sequences(51, 60, 6, 12, 0.7, 8, [](ItemId i) { return (i * 3 + 1) % 50 + 1; }), 51);
  return data;
}

class PlantedRule : public ::testing::TestWithParam<std::string> {};

TEST_P(PlantedRule, ReachesHitRatioAtOneAboveNinetyPercent) {
  FakeContext ctx(planted_rule());
  const int epochs = GetParam() == "sasrec" ? 15 : 25;
  auto model = make_model(GetParam(), config(GetParam(), epochs), ctx);
  const auto start = std::chrono::steady_clock::now();
  model->fit(ctx);
  const Metrics m = evaluate(*model, planted_rule().test);
  std::cout << GetParam() << ": test HR@1 " << m.hr1 << " NDCG@10 " << m.ndcg10 << " after "
            << ctx.ndcg.size() << " epochs in " << seconds_since(start) << " s\n";
  EXPECT_GT(m.hr1, 0.9);
  EXPECT_LT(ctx.losses.back(), ctx.losses.front());
}

INSTANTIATE_TEST_SUITE_P(Baselines, PlantedRule, ::testing::Values("sasrec", "gru4rec"));

class Baseline : public ::testing::TestWithParam<std::string> {};

TEST_P(Baseline, BeatsPopularityOnSequentialData) {
  FakeContext pop_ctx(noisy_rule());
  auto pop = make_model("pop", "", pop_ctx);
  pop->fit(pop_ctx);
  const double pop_ndcg = evaluate(*pop, noisy_rule().test).ndcg10;

  FakeContext ctx(noisy_rule());
  auto model = make_model(GetParam(), config(GetParam(), 10), ctx);
  const auto start = std::chrono::steady_clock::now();
  model->fit(ctx);
  const Metrics m = evaluate(*model, noisy_rule().test);
  std::cout << GetParam() << ": test NDCG@10 " << m.ndcg10 << " (Pop " << pop_ndcg << ") in "
            << seconds_since(start) << " s\n";
  EXPECT_GT(m.ndcg10, pop_ndcg + 0.25);
}

//! datasets/synthetic.toml as the harness prepares it (generated, filtered, split; no cache).
const PreparedDataset& synthetic_corpus() {
  static const PreparedDataset data = [] {
    PrepareOptions options;
    options.use_cache = false;
    return prepare_dataset(load_recipe(std::filesystem::path(RECBENCH_TEST_DATA_DIR) /
                                       "../../datasets/synthetic.toml"),
                           options);
  }();
  return data;
}

TEST_P(Baseline, BeatsPopularityOnTheSyntheticCorpus) {
  const PreparedDataset& data = synthetic_corpus();
  FakeContext pop_ctx(data.view());
  auto pop = make_model("pop", "", pop_ctx);
  pop->fit(pop_ctx);
  const double pop_ndcg = evaluate(*pop, data.test).ndcg10;

  FakeContext ctx(data.view());
  const int epochs = GetParam() == "bert4rec" ? 3 : 2;  // the cloze task learns more slowly
  auto model = make_model(GetParam(), config(GetParam(), epochs), ctx);
  const auto start = std::chrono::steady_clock::now();
  model->fit(ctx);
  const Metrics m = evaluate(*model, data.test);
  std::cout << GetParam() << ": synthetic test NDCG@10 " << m.ndcg10 << " (Pop " << pop_ndcg
            << ") in " << seconds_since(start) << " s\n";
  EXPECT_GT(m.ndcg10, pop_ndcg + 0.1);
}

TEST_P(Baseline, SaveLoadRoundTripAndEmbeddingFile) {
  FakeContext ctx(noisy_rule());
  auto model = make_model(GetParam(), config(GetParam(), 1), ctx);
  model->fit(ctx);
  const auto dir = ctx.work_dir() / "saved";
  std::filesystem::create_directories(dir);
  model->save(dir);

  FakeContext other(noisy_rule(), /*seed=*/99);  // another initialisation, then load
  auto loaded = make_model(GetParam(), config(GetParam(), 1), other);
  EXPECT_FALSE(
      torch::equal(valid_scores(*model, ctx.data(), 16), valid_scores(*loaded, ctx.data(), 16)));
  loaded->load(dir);
  EXPECT_TRUE(
      torch::equal(valid_scores(*model, ctx.data(), 64), valid_scores(*loaded, ctx.data(), 64)));

  auto* source = dynamic_cast<EmbeddingSource*>(model.get());
  ASSERT_NE(source, nullptr);
  torch::Tensor table;
  torch::load(table, (dir / "item_embeddings.pt").string());
  EXPECT_TRUE(torch::equal(table, source->item_embeddings()));
  EXPECT_EQ(table.size(0), noisy_rule().items.num_items());
  std::vector<int64_t> rows{0, 1, 2, 3};
  auto batch = make_history_batch(noisy_rule().valid.histories, rows, 50, torch::kCPU);
  auto scores = source->user_representation(batch).matmul(table.t());
  EXPECT_TRUE(torch::allclose(scores, model->score_all(batch), 1e-4, 1e-5));
}

TEST_P(Baseline, SameSeedsGiveIdenticalScores) {
  torch::Tensor scores[2];
  for (auto& s : scores) {
    FakeContext ctx(small_rule());
    auto model = make_model(GetParam(), config(GetParam(), 2), ctx);
    model->fit(ctx);
    s = valid_scores(*model, ctx.data(), 32);
  }
  EXPECT_TRUE(torch::equal(scores[0], scores[1]));
  FakeContext other(small_rule(), /*seed=*/8);  // and another seed gives other scores
  auto model = make_model(GetParam(), config(GetParam(), 2), other);
  model->fit(other);
  EXPECT_FALSE(torch::equal(scores[0], valid_scores(*model, other.data(), 32)));
}

TEST_P(Baseline, ScoreShapes) {
  FakeContext ctx(noisy_rule());
  auto model = make_model(GetParam(), config(GetParam(), 1), ctx);
  for (int64_t rows : {1, 5}) {
    auto scores = valid_scores(*model, ctx.data(), rows);
    EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{rows, 101}));
    EXPECT_EQ(scores.scalar_type(), torch::kFloat32);
  }
  // Histories longer than max_len and a one-item history.
  SequenceSet set;
  std::vector<ItemId> long_seq(80, 3), short_seq{4};
  set.append(0, long_seq, std::vector<int64_t>(80, 0), std::vector<int16_t>(80, 0));
  set.append(1, short_seq, std::vector<int64_t>{0}, std::vector<int16_t>{0});
  std::vector<int64_t> rows{0, 1};
  auto batch = make_history_batch(set, rows, 80, torch::kCPU);
  auto cand = torch::tensor({1, 2, 3, 7, 8, 9}, torch::kInt64).view({2, 3});
  auto all = model->score_all(batch);
  EXPECT_EQ(all.sizes(), (std::vector<int64_t>{2, 101}));
  EXPECT_TRUE(torch::equal(model->score_candidates(batch, cand), all.gather(1, cand)));
}

TEST_P(Baseline, BadConfigurationIsRejected) {
  FakeContext ctx(noisy_rule());
  try {
    make_model(GetParam(), "hiden_size = 3\n", ctx);
    FAIL() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("hiden_size: unknown key"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_model(GetParam(), "loss = 'mse'\n", ctx), ConfigError);
  EXPECT_THROW(make_model(GetParam(), "dropout = 1.5\n", ctx), ConfigError);
  EXPECT_THROW(make_model(GetParam(), "epochs = 'many'\n", ctx), ConfigError);
}

INSTANTIATE_TEST_SUITE_P(Baselines, Baseline,
                         ::testing::Values("sasrec", "gru4rec", "bert4rec", "caser", "narm"));

TEST(Pop, IsAnEmbeddingSource) {
  FakeContext ctx(noisy_rule());
  auto pop = make_model("pop", "", ctx);
  pop->fit(ctx);
  auto* source = dynamic_cast<EmbeddingSource*>(pop.get());
  ASSERT_NE(source, nullptr);
  std::vector<int64_t> rows{0, 1, 2};
  auto batch = make_history_batch(noisy_rule().valid.histories, rows, 50, torch::kCPU);
  auto table = source->item_embeddings();
  EXPECT_EQ(table.sizes(), (std::vector<int64_t>{101, 1}));
  EXPECT_EQ(table[5][0].item<float>(), static_cast<float>(noisy_rule().item_counts[5]));
  EXPECT_TRUE(
      torch::equal(source->user_representation(batch).matmul(table.t()), pop->score_all(batch)));
  const auto dir = ctx.work_dir() / "pop";
  std::filesystem::create_directories(dir);
  pop->save(dir);
  torch::Tensor saved;
  torch::load(saved, (dir / "item_embeddings.pt").string());
  EXPECT_TRUE(torch::equal(saved, table));
  EXPECT_THROW(pop->load(ctx.work_dir() / "missing"), DataError);
}

TEST(SASRec, EveryLossAndTrainModeLearns) {
  FakeContext pop_ctx(noisy_rule());
  for (const char* extra : {"loss = 'bce'\n", "loss = 'bce'\nposition_anchor = 'latest'\n",
                            "loss = 'sampled_softmax'\nnum_negatives = 20\n",
                            "train_mode = 'prefix'\nbatch_size = 512\n"}) {
    FakeContext ctx(noisy_rule());
    std::string toml = config("sasrec", 6);
    if (std::string(extra).find("batch_size") != std::string::npos) {
      toml.replace(toml.find("batch_size = 32\n"), 16, "");
    }
    auto model = make_model("sasrec", toml + extra, ctx);
    model->fit(ctx);
    const Metrics m = evaluate(*model, noisy_rule().test);
    std::cout << "sasrec " << extra << " -> NDCG@10 " << m.ndcg10 << "\n";
    EXPECT_GT(m.ndcg10, 0.3) << extra;
  }
}

// Training a batch as length groups changes no loss: without dropout (and with CE, which draws
// no negatives), a model trained on groups ends where the one trained on whole batches ends.
// BERT4Rec groups its rows itself: its cloze mask is drawn over the whole batch either way.
TEST(GroupByLength, GroupedTrainingEqualsWholeBatchesForSASRecAndBERT4Rec) {
  for (const std::string name : {"sasrec", "bert4rec"}) {
    torch::Tensor scores[2];
    for (bool grouped : {false, true}) {
      FakeContext ctx(noisy_rule());  // 10-30 items a user: groups (8, 16] and (16, 32]
      std::string toml = config(name, 2) + "group_by_length = " + (grouped ? "true" : "false");
      for (auto at = toml.find("dropout = 0.1"); at != std::string::npos;
           at = toml.find("dropout = 0.1", at)) {
        toml.replace(at, 13, "dropout = 0.0");  // dropout and attn_dropout
      }
      torch::manual_seed(5);
      auto model = make_model(name, toml, ctx);
      model->fit(ctx);
      scores[grouped ? 1 : 0] = valid_scores(*model, ctx.data(), 50);
    }
    EXPECT_TRUE(torch::allclose(scores[0], scores[1], 1e-4, 1e-4))
        << name << ": max |difference| " << (scores[0] - scores[1]).abs().max().item<double>();
    EXPECT_GT(scores[0].std().item<double>(), 0.01) << name;  // it learned something
  }
}

// train_mode = "last": one sample per training sequence, its last item (LLaRA's rows).

//! `small_configs()` of `name` without its train_mode (gru4rec's sets one).
std::string without_train_mode(const std::string& name, int epochs) {
  std::string toml = config(name, epochs);
  const auto at = toml.find("train_mode");
  if (at != std::string::npos) toml.erase(at, toml.find('\n', at) + 1 - at);
  return toml;
}

TEST(TrainModeLast, EveryBaselineWithPrefixTrainingOffersIt) {
  for (const std::string name : {"sasrec", "gru4rec", "bert4rec", "caser", "narm"}) {
    FakeContext ctx(small_rule());
    auto model = make_model(name, without_train_mode(name, 1) + "train_mode = 'last'\n", ctx);
    model->fit(ctx);
    ASSERT_EQ(ctx.losses.size(), 1u) << name;
    EXPECT_TRUE(std::isfinite(ctx.losses[0])) << name;
    EXPECT_TRUE(torch::isfinite(valid_scores(*model, ctx.data(), 8)).all().item<bool>()) << name;
  }
  // Modes a model does not train with are still refused, naming the ones it offers.
  FakeContext ctx(small_rule());
  const auto msg = error_of<ConfigError>(
      [&] { make_model("narm", without_train_mode("narm", 1) + "train_mode = 'windows'\n", ctx); });
  EXPECT_NE(msg.find("train_mode"), std::string::npos) << msg;
  EXPECT_NE(msg.find("last"), std::string::npos) << msg;
  EXPECT_THROW(
      make_model("narm", without_train_mode("narm", 1) + "train_mode = 'every_position'\n", ctx),
      ConfigError);
}

//! 300 training sequences over items 1..50 whose inner transitions follow x -> x % 50 + 1 and
//! whose last transition follows x -> (7x + 3) % 50 + 1 (two held-out items follow, as the
//! FakeDataset splits leave-one-out).
const FakeDataset& last_rule_differs() {
  static const FakeDataset data = [] {
    std::mt19937_64 rng(21);
    std::uniform_int_distribution<int> length(4, 8), item(1, 50);
    std::vector<std::vector<ItemId>> sequences(300);
    for (auto& s : sequences) {
      s.push_back(item(rng));
      const int n = length(rng);
      while (static_cast<int>(s.size()) < n - 1) s.push_back(s.back() % 50 + 1);
      s.push_back((7 * s.back() + 3) % 50 + 1);
      s.push_back(item(rng));
      s.push_back(item(rng));
    }
    return FakeDataset(sequences, 51);
  }();
  return data;
}

//! Histories "x-2, x-1, x" (inner rule) with target `rule(x)`, for every x where the rules differ.
template <typename Rule>
EvalSet rule_examples(Rule rule) {
  EvalSet set;
  for (ItemId x = 3; x <= 50; ++x) {
    if ((7 * x + 3) % 50 + 1 == x % 50 + 1) continue;
    const std::vector<ItemId> history{x - 2, x - 1, x};
    set.histories.append(x, history, std::vector<int64_t>{0, 1, 2}, std::vector<int16_t>(3, 0));
    set.targets.push_back(rule(x));
  }
  return set;
}

TEST(TrainModeLast, LearnsTheLastTransitionWherePrefixesLearnTheInnerOnes) {
  const EvalSet last_rule = rule_examples([](ItemId x) { return (7 * x + 3) % 50 + 1; });
  const EvalSet inner_rule = rule_examples([](ItemId x) { return x % 50 + 1; });
  std::map<std::string, Metrics> on_last, on_inner;
  for (const std::string mode : {"last", "prefix"}) {
    FakeContext ctx(last_rule_differs());
    auto model = make_model("gru4rec",
                            "embedding_size = 32\nhidden_size = 64\ndropout = 0.0\nlr = 0.01\n"
                            "batch_size = 32\nepochs = 30\ntrain_mode = '" +
                                mode + "'\n",
                            ctx);
    model->fit(ctx);
    on_last[mode] = evaluate(*model, last_rule);
    on_inner[mode] = evaluate(*model, inner_rule);
    std::cout << "gru4rec train_mode " << mode << ": HR@1 last rule " << on_last[mode].hr1
              << ", inner rule " << on_inner[mode].hr1 << "\n";
  }
  // Last-item samples teach only the last transition; prefixes see the inner rule far more often.
  EXPECT_GT(on_last["last"].hr1, 0.8);
  EXPECT_LT(on_inner["last"].hr1, 0.2);
  EXPECT_GT(on_inner["prefix"].hr1, 0.6);
  EXPECT_LT(on_last["prefix"].hr1, on_last["last"].hr1 - 0.5);
}

// Caser's user_embedding = false: for pre-split rows, whose evaluation users were never trained.

std::string caser_config(bool users) {
  return config("caser", 1) + "user_embedding = " + (users ? "true" : "false") + "\n";
}

TEST(Caser, WithoutUserEmbeddingScoresIgnoreTheUser) {
  for (bool users : {false, true}) {
    FakeContext ctx(small_rule());
    auto model = make_model("caser", caser_config(users), ctx);
    model->fit(ctx);
    EXPECT_TRUE(std::isfinite(ctx.losses.at(0)));
    std::vector<int64_t> rows{0, 1, 2, 3};
    auto batch = make_history_batch(small_rule().valid.histories, rows, 50, torch::kCPU);
    const auto scores = model->score_all(batch);
    HistoryBatch others = batch;
    others.users = (batch.users + 7) % small_rule().num_users;
    EXPECT_EQ(torch::equal(scores, model->score_all(others)), !users) << users;
    if (!users) {  // no table to index: rows of any number score
      others.users = torch::full_like(batch.users, 1000000);
      EXPECT_TRUE(torch::equal(scores, model->score_all(others)));
    }
  }
}

TEST(Caser, WithoutUserEmbeddingHasNoUsersParameter) {
  for (bool users : {false, true}) {
    FakeContext ctx(small_rule());
    auto model = make_model("caser", caser_config(users), ctx);
    model->fit(ctx);
    const auto dir = ctx.work_dir() / "saved";
    std::filesystem::create_directories(dir);
    model->save(dir);
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "model.pt").string());
    torch::serialize::InputArchive part;
    EXPECT_TRUE(archive.try_read("items", part));
    EXPECT_EQ(archive.try_read("users", part), users) << users;
    // A model saved without users loads into one without users, and scores the same.
    FakeContext other(small_rule(), /*seed=*/99);
    auto loaded = make_model("caser", caser_config(users), other);
    loaded->load(dir);
    EXPECT_TRUE(
        torch::equal(valid_scores(*model, ctx.data(), 16), valid_scores(*loaded, ctx.data(), 16)));
  }
}

}  // namespace
}  // namespace recbench::testing
