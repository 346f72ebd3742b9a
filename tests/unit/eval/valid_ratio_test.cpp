// Candidates mode: a row of all-NaN scores is an invalid (generated) answer: a miss at every K,
// an empty top-K list, and counted by ValidRatio; any other NaN is still an error.
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

}  // namespace
}  // namespace recbench
