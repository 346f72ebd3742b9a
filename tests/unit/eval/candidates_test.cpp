// Sampled and candidates modes: drawing negatives, evaluating on stored lists, presentation order.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "recbench/core/eval/evaluator.h"
#include "recbench/error.h"
#include "test_models.h"

namespace recbench {
namespace {

using test::FnModel;

const torch::Device kCpu(torch::kCPU);

std::vector<int32_t> row_of(const CandidateLists& c, int64_t i) {
  return {c.items.begin() + i * c.width, c.items.begin() + (i + 1) * c.width};
}

TEST(DrawCandidates, TargetFirstDistinctNegativesAvoidingHistory) {
  constexpr int32_t items = 200;
  auto set = test::make_set(300, items);
  std::vector<int64_t> counts(items, 3);
  for (const std::string sampling : {"uniform", "popularity"}) {
    auto c = draw_candidates(set, counts, 20, sampling, 42);
    ASSERT_EQ(c.rows, 300);
    ASSERT_EQ(c.width, 21);
    for (int64_t i = 0; i < c.rows; ++i) {
      auto row = row_of(c, i);
      EXPECT_EQ(row[0], set.targets[i]);
      std::set<int32_t> distinct(row.begin(), row.end());
      EXPECT_EQ(distinct.size(), row.size()) << sampling << " row " << i;
      const auto hist = set.histories.sequence(i);
      for (size_t j = 1; j < row.size(); ++j) {
        EXPECT_GE(row[j], 1);
        EXPECT_LT(row[j], items);
        EXPECT_EQ(std::count(hist.begin(), hist.end(), row[j]), 0) << sampling << " row " << i;
      }
    }
  }
}

TEST(DrawCandidates, DeterministicPerSeedAndPerRow) {
  auto set = test::make_set(50, 100);
  std::vector<int64_t> counts(100, 1);
  auto a = draw_candidates(set, counts, 10, "uniform", 7);
  EXPECT_EQ(a.items, draw_candidates(set, counts, 10, "uniform", 7).items);
  EXPECT_NE(a.items, draw_candidates(set, counts, 10, "uniform", 8).items);
  // A row depends only on its own example: the first 20 rows of a smaller set are identical.
  auto head = test::make_set(20, 100);
  auto b = draw_candidates(head, counts, 10, "uniform", 7);
  EXPECT_TRUE(std::equal(b.items.begin(), b.items.end(), a.items.begin()));
}

TEST(DrawCandidates, PopularityFollowsTrainingCounts) {
  constexpr int32_t items = 41;
  auto set = test::make_set(400, items, 1);
  std::vector<int64_t> counts(items, 1);
  counts[7] = 200;                                     // one very popular item
  for (int32_t i = 30; i < items; ++i) counts[i] = 0;  // never drawn while others remain
  auto c = draw_candidates(set, counts, 5, "popularity", 1);
  int64_t popular = 0, rare = 0, zero = 0;
  for (int64_t i = 0; i < c.rows; ++i) {
    auto row = row_of(c, i);
    for (size_t j = 1; j < row.size(); ++j) {
      popular += row[j] == 7;
      rare += row[j] == 8;
      zero += row[j] >= 30;
    }
  }
  EXPECT_EQ(zero, 0);
  EXPECT_GT(popular, 3 * rare);
  EXPECT_GT(popular, 300);  // P(7 drawn) is about 0.9 per row unless it is the target/history
}

TEST(DrawCandidates, DenseDrawsAndHistoryFallback) {
  // 10 real items; a history covering 8 of them leaves too few, so history items are allowed,
  // but never the target.
  EvalSet set;
  std::vector<ItemId> hist{1, 2, 3, 4, 5, 6, 7, 8};
  set.histories.append(0, hist, std::vector<int64_t>(8, 0), std::vector<int16_t>(8, 0));
  set.targets.push_back(9);
  std::vector<int64_t> counts(11, 2);
  for (const std::string sampling : {"uniform", "popularity"}) {
    auto c = draw_candidates(set, counts, 9, sampling, 3);
    auto row = row_of(c, 0);
    EXPECT_EQ(row[0], 9);
    std::sort(row.begin(), row.end());
    EXPECT_EQ(row, (std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})) << sampling;
  }
  EXPECT_THROW(draw_candidates(set, counts, 10, "uniform", 3), ConfigError);
  try {
    draw_candidates(set, counts, 3, "zipf", 3);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("uniform, popularity"), std::string::npos) << e.what();
  }
}

//! Scores lower item ids higher, and records the candidates it was shown.
class RecordingModel : public FnModel {
 public:
  explicit RecordingModel(int32_t items)
      : FnModel(items, [](int64_t, int64_t i) { return -static_cast<double>(i); }) {}
  torch::Tensor score_candidates(const HistoryBatch& batch, const torch::Tensor& cand) override {
    seen.push_back(cand.clone());
    seen_users.push_back(batch.users.clone());
    return FnModel::score_candidates(batch, cand);
  }
  std::vector<torch::Tensor> seen;        //!< the candidates of each call
  std::vector<torch::Tensor> seen_users;  //!< its rows' users (user u = example u here)
};

TEST(EvaluateSampled, RanksAgainstStoredNegativesOnly) {
  constexpr int32_t items = 300;
  auto set = test::make_set(60, items);
  auto cand = draw_candidates(set, std::vector<int64_t>(items, 1), 30, "uniform", 5);
  RecordingModel model(items);
  EvalProtocol p;
  p.mode = EvalMode::sampled;
  p.negatives = 30;
  p.batch_size = 16;
  p.metrics = {"HR", "NDCG"};
  p.topk = {1, 10};
  auto r = evaluate(model, {set, std::vector<int64_t>(items, 1), items, 50, &cand}, p, kCpu);
  double hits = 0;
  for (int64_t i = 0; i < cand.rows; ++i) {
    auto row = row_of(cand, i);
    const auto lower =
        std::count_if(row.begin() + 1, row.end(), [&](int32_t x) { return x < row[0]; });
    EXPECT_EQ(r.greater[i], lower);
    EXPECT_EQ(r.ties[i], 0);
    hits += lower < 10;
  }
  EXPECT_DOUBLE_EQ(r.value("HR@10"), hits / cand.rows);
  // The model saw each stored row as a permutation, the target not always in column 0.
  int64_t target_first = 0, rows = 0;
  for (size_t call = 0; call < model.seen.size(); ++call) {
    const auto& t = model.seen[call];
    for (int64_t b = 0; b < t.size(0); ++b, ++rows) {
      const auto row = model.seen_users[call][b].item<int64_t>();
      std::vector<int32_t> shown(t.size(1));
      for (int64_t j = 0; j < t.size(1); ++j)
        shown[j] = static_cast<int32_t>(t[b][j].item<int64_t>());
      target_first += shown[0] == set.targets[row];
      auto stored = row_of(cand, row);
      std::sort(shown.begin(), shown.end());
      std::sort(stored.begin(), stored.end());
      EXPECT_EQ(shown, stored);
    }
  }
  EXPECT_EQ(rows, 60);
  EXPECT_LT(target_first, 10);
  // Stored order gives the same ranks.
  p.shuffle_candidates = false;
  RecordingModel plain(items);
  auto r2 = evaluate(plain, {set, std::vector<int64_t>(items, 1), items, 50, &cand}, p, kCpu);
  EXPECT_EQ(r2.metrics, r.metrics);
  EXPECT_EQ(plain.seen[0][0][0].item<int64_t>(),
            set.targets[plain.seen_users[0][0].item<int64_t>()]);
}

TEST(EvaluateCandidates, LlaraStyleTwentyCandidates) {
  constexpr int32_t items = 120;
  auto set = test::make_set(40, items);
  std::vector<int64_t> counts(items, 1);
  auto cand = draw_candidates(set, counts, 19, "uniform", 9);
  EvalProtocol p;
  p.mode = EvalMode::candidates;
  p.metrics = {"HR", "Coverage"};
  p.topk = {1, 3};
  auto oracle = test::oracle(set, items);
  auto r = evaluate(oracle, {set, counts, items, 10, &cand}, p, kCpu);
  EXPECT_EQ(r.value("HR@1"), 1.0);
  // Constant scores: expected HR@1 is exactly 1/20; the top-3 lists are the 3 lowest ids.
  FnModel constant(items, [](int64_t, int64_t) { return 1.0; });
  p.ties = TiePolicy::expected;
  auto c = evaluate(constant, {set, counts, items, 10, &cand}, p, kCpu);
  EXPECT_DOUBLE_EQ(c.value("HR@1"), 1.0 / 20);
  for (int64_t i = 0; i < cand.rows; ++i) {
    auto row = row_of(cand, i);
    std::sort(row.begin(), row.end());
    std::vector<int32_t> listed(c.lists.items.begin() + c.lists.offsets[i],
                                c.lists.items.begin() + c.lists.offsets[i + 1]);
    EXPECT_EQ(listed, std::vector<int32_t>(row.begin(), row.begin() + 3));
  }
}

TEST(EvaluateCandidates, RejectsMissingOrMismatchedLists) {
  constexpr int32_t items = 60;
  auto set = test::make_set(10, items);
  std::vector<int64_t> counts(items, 1);
  auto model = test::oracle(set, items);
  EvalProtocol p;
  p.mode = EvalMode::candidates;
  EXPECT_THROW(evaluate(model, {set, counts, items, 10}, p, kCpu), Error);
  auto ten = draw_candidates(set, counts, 9, "uniform", 1);
  EXPECT_THROW(evaluate(model, {set, counts, items, 10, &ten}, p, kCpu),
               Error);  // width 10, not 20
  auto other = draw_candidates(test::make_set(10, items, 8, 99), counts, 19, "uniform", 1);
  EXPECT_THROW(evaluate(model, {set, counts, items, 10, &other}, p, kCpu), Error);  // other targets
  // A model answering with the wrong number of columns.
  class Narrow : public FnModel {
   public:
    using FnModel::FnModel;
    torch::Tensor score_candidates(const HistoryBatch& b, const torch::Tensor& c) override {
      return FnModel::score_candidates(b, c).narrow(1, 0, 5);
    }
  } narrow(items, [](int64_t, int64_t) { return 0.0; });
  auto good = draw_candidates(set, counts, 19, "uniform", 1);
  try {
    evaluate(narrow, {set, counts, items, 10, &good}, p, kCpu);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[10, 5], expected [10, 20]"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace recbench
