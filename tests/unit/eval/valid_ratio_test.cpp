// Candidates mode: a row of all-NaN scores is an invalid (generated) answer: a miss at every K,
// an empty top-K list, and counted by ValidRatio (and left out of ValidHR's denominator); any
// other NaN is still an error.
#include <gtest/gtest.h>

#include <cmath>

#include "recbench/core/eval/evaluator.h"
#include "recbench/error.h"
#include "unit/eval/test_models.h"

namespace recbench {
namespace {

//! The oracle's scores, except that users whose index is divisible by 3 answer nothing valid.
class SometimesInvalid : public test::FnModel {
 public:
  using FnModel::FnModel;
  bool partial = false;  //!< one NaN only instead of a whole row
  torch::Tensor score_candidates(const HistoryBatch& b, const torch::Tensor& c) override {
    auto s = FnModel::score_candidates(b, c).clone();
    const auto users = b.users.to(torch::kCPU);
    for (int64_t i = 0; i < b.size(); ++i) {
      if (users[i].item<int64_t>() % 3 != 0) continue;
      if (partial) {
        s[i][0] = NAN;
      } else {
        s[i].fill_(NAN);
      }
    }
    return s;
  }
};

TEST(EvaluateCandidates, AllNanRowsAreInvalidAnswers) {
  constexpr int32_t items = 80;
  const auto set = test::make_set(30, items);
  std::vector<int64_t> counts(items, 1);
  const auto cand = draw_candidates(set, counts, 19, "uniform", 4);
  auto oracle = test::oracle(set, items);
  SometimesInvalid model(items, [&](int64_t u, int64_t i) { return oracle.score_all_of(u, i); });
  EvalProtocol p;
  p.mode = EvalMode::candidates;
  p.metrics = {"HR", "MRR", "Coverage"};
  p.topk = {1, 20};
  p.batch_size = 7;  // invalid rows in several chunks
  const auto r = evaluate(model, {set, counts, items, 10, &cand}, p, torch::kCPU);
  int64_t invalid = 0;
  for (size_t u = 0; u < set.size(); ++u) invalid += set.histories.users[u] % 3 == 0;
  const double valid = static_cast<double>(set.size() - invalid) / set.size();
  EXPECT_DOUBLE_EQ(r.value(kValidRatio), valid);
  EXPECT_DOUBLE_EQ(r.value("HR@1"), valid);   // the oracle is right on every valid row
  EXPECT_DOUBLE_EQ(r.value("HR@20"), valid);  // an invalid row misses even at K = candidates
  for (size_t u = 0; u < set.size(); ++u) {
    const bool bad = set.histories.users[u] % 3 == 0;
    EXPECT_EQ(r.ranks[u], bad ? 21.0 : 1.0) << u;
    EXPECT_EQ(r.lists.offsets[u + 1] - r.lists.offsets[u], bad ? 0 : 20) << u;
  }
  // Valid models report ValidRatio 1; other modes have no ValidRatio.
  const auto clean = evaluate(oracle, {set, counts, items, 10, &cand}, p, torch::kCPU);
  EXPECT_EQ(clean.value(kValidRatio), 1.0);
  p.mode = EvalMode::full;
  EXPECT_THROW(evaluate(oracle, {set, counts, items, 10}, p, torch::kCPU).value(kValidRatio),
               Error);
}

TEST(EvaluateCandidates, APartialNanIsStillAnError) {
  constexpr int32_t items = 60;
  const auto set = test::make_set(12, items);
  std::vector<int64_t> counts(items, 1);
  const auto cand = draw_candidates(set, counts, 19, "uniform", 4);
  SometimesInvalid model(items, [](int64_t u, int64_t i) { return double(u + i); });
  model.partial = true;
  EvalProtocol p;
  p.mode = EvalMode::candidates;
  EXPECT_THROW(evaluate(model, {set, counts, items, 10, &cand}, p, torch::kCPU), Error);
  p.mode = EvalMode::sampled;  // sampled mode has no notion of an invalid answer
  p.negatives = 19;
  model.partial = false;
  EXPECT_THROW(evaluate(model, {set, counts, items, 10, &cand}, p, torch::kCPU), Error);
}

// ValidHR (LLaRA's HR): hits among the valid rows only.

//! Row 0 answers nothing valid (all NaN); rows 1 and 2 score their target above every other
//! candidate; row 3 scores it below all of them; other rows as row 1.
class FixedAnswers : public test::FnModel {
 public:
  FixedAnswers(int32_t num_items, const EvalSet& set, bool all_invalid = false)
      : FnModel(num_items,
                [&set](int64_t u, int64_t i) {
                  if (i != set.targets[static_cast<size_t>(u)]) return 0.0;
                  return u == 3 ? -1.0 : 1.0;
                }),
        all_invalid_(all_invalid) {}
  torch::Tensor score_candidates(const HistoryBatch& b, const torch::Tensor& c) override {
    auto s = FnModel::score_candidates(b, c).clone();
    const auto users = b.users.to(torch::kCPU);
    for (int64_t i = 0; i < b.size(); ++i) {
      if (all_invalid_ || users[i].item<int64_t>() == 0) s[i].fill_(NAN);
    }
    return s;
  }

 private:
  bool all_invalid_;
};

TEST(EvaluateCandidates, ValidHitRatioCountsValidRowsOnly) {
  constexpr int32_t items = 40;
  const auto set = test::make_set(4, items);
  std::vector<int64_t> counts(items, 1);
  const auto cand = draw_candidates(set, counts, 19, "uniform", 5);
  FixedAnswers model(items, set);
  EvalProtocol p;
  p.mode = EvalMode::candidates;
  p.metrics = {"HR", "ValidHR"};
  p.topk = {1, 20};
  const auto r = evaluate(model, {set, counts, items, 10, &cand}, p, torch::kCPU);
  // Hand-computed: 4 rows, row 0 invalid, rows 1 and 2 hit at K = 1, row 3 ranks 20th.
  EXPECT_DOUBLE_EQ(r.value("HR@1"), 2.0 / 4);
  EXPECT_DOUBLE_EQ(r.value("ValidHR@1"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.value(kValidRatio), 3.0 / 4);
  EXPECT_DOUBLE_EQ(r.value("HR@20"), 3.0 / 4);  // the invalid row misses even at K = 20
  EXPECT_DOUBLE_EQ(r.value("ValidHR@20"), 1.0);
  std::vector<std::string> names;
  for (const auto& [name, value] : r.metrics) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"HR@1", "HR@20", "ValidHR@1", "ValidHR@20", "ValidRatio"}));
  // LLaRA's name is an alias.
  p.metrics = {"llara_hr"};
  p.topk = {1};
  EXPECT_DOUBLE_EQ(
      evaluate(model, {set, counts, items, 10, &cand}, p, torch::kCPU).value("ValidHR@1"), 2.0 / 3);
}

TEST(EvaluateCandidates, ValidHitRatioIsZeroWithoutValidRowsAndFollowsTies) {
  constexpr int32_t items = 40;
  const auto set = test::make_set(6, items);
  std::vector<int64_t> counts(items, 1);
  const auto cand = draw_candidates(set, counts, 19, "uniform", 5);
  EvalProtocol p;
  p.mode = EvalMode::candidates;
  p.metrics = {"ValidHR", "HR"};
  p.topk = {1};
  FixedAnswers none(items, set, /*all_invalid=*/true);
  const auto r = evaluate(none, {set, counts, items, 10, &cand}, p, torch::kCPU);
  EXPECT_EQ(r.value("ValidHR@1"), 0.0);  // 0, not NaN
  EXPECT_EQ(r.value(kValidRatio), 0.0);
  EXPECT_EQ(r.value("HR@1"), 0.0);
  // Constant scores tie all 20 candidates: the tie policy applies to ValidHR as to HR.
  test::FnModel constant(items, [](int64_t, int64_t) { return 0.5; });
  p.ties = TiePolicy::expected;
  const auto tied = evaluate(constant, {set, counts, items, 10, &cand}, p, torch::kCPU);
  EXPECT_DOUBLE_EQ(tied.value("ValidHR@1"), 1.0 / 20);
  EXPECT_DOUBLE_EQ(tied.value("HR@1"), 1.0 / 20);
  p.ties = TiePolicy::pessimistic;
  EXPECT_EQ(evaluate(constant, {set, counts, items, 10, &cand}, p, torch::kCPU).value("ValidHR@1"),
            0.0);
}

TEST(EvaluateCandidates, ValidHitRatioNeedsCandidatesMode) {
  constexpr int32_t items = 40;
  const auto set = test::make_set(5, items);
  std::vector<int64_t> counts(items, 1);
  auto oracle = test::oracle(set, items);
  EvalProtocol p;
  p.metrics = {"HR", "ValidHR"};
  p.topk = {1};
  std::string msg;
  try {
    evaluate(oracle, {set, counts, items, 10}, p, torch::kCPU);
  } catch (const ConfigError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("ValidHR is computed in candidates mode only"), std::string::npos) << msg;
  p.mode = EvalMode::sampled;
  p.negatives = 19;
  const auto cand = draw_candidates(set, counts, 19, "uniform", 5);
  EXPECT_THROW(evaluate(oracle, {set, counts, items, 10, &cand}, p, torch::kCPU), ConfigError);
}

}  // namespace
}  // namespace recbench
