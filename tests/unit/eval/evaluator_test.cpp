// evaluate() in full mode: tie policies on real models, padding, history masking, top-K lists,
// invariance to batch size and thread count, and errors on bad model output.
#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "recbench/core/eval/evaluator.h"
#include "recbench/error.h"
#include "test_models.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

using test::FnModel;

constexpr int32_t kItems = 51;  // 50 real items
const torch::Device kCpu(torch::kCPU);

EvalResult run(Recommender& model, const EvalSet& set, EvalProtocol p, int32_t items = kItems,
               const std::vector<int64_t>& counts = {}) {
  auto c = counts.empty() ? std::vector<int64_t>(items, 1) : counts;
  return evaluate(model, {set, c, items, 50}, p, kCpu);
}

TEST(EvaluateFull, ConstantModelIsWorstUnderPessimisticAndChanceUnderExpected) {
  auto set = test::make_set(40, kItems);
  FnModel constant(kItems, [](int64_t, int64_t) { return 0.5; });
  EvalProtocol p;
  p.topk = {1, 10};
  auto worst = run(constant, set, p);
  EXPECT_EQ(worst.value("HR@10"), 0.0);
  EXPECT_EQ(worst.value("NDCG@10"), 0.0);
  for (size_t i = 0; i < set.size(); ++i) {
    EXPECT_EQ(worst.greater[i], 0);
    EXPECT_EQ(worst.ties[i], kItems - 2);  // every real item but the target; never padding
    EXPECT_EQ(worst.ranks[i], kItems - 1.0);
  }
  p.ties = TiePolicy::expected;
  auto chance = run(constant, set, p);
  EXPECT_DOUBLE_EQ(chance.value("HR@10"), 10.0 / (kItems - 1));
  EXPECT_DOUBLE_EQ(chance.value("HR@1"), 1.0 / (kItems - 1));
  EXPECT_DOUBLE_EQ(chance.ranks[0], (kItems - 2) / 2.0 + 1.0);
  p.ties = TiePolicy::optimistic;  // why optimistic is not the default
  EXPECT_EQ(run(constant, set, p).value("HR@1"), 1.0);
}

TEST(EvaluateFull, RandomModelIsNearChance) {
  constexpr int32_t items = 101;
  auto set = test::make_set(1000, items);
  FnModel random(items, test::hash_unit);
  EvalProtocol p;
  p.metrics = {"HR", "MRR"};
  p.topk = {10};
  auto r = run(random, set, p, items);
  EXPECT_NEAR(r.value("HR@10"), 0.1, 0.03);
  // Chance MRR@10 = H(10) / 100.
  double harmonic = 0.0;
  for (int k = 1; k <= 10; ++k) harmonic += 1.0 / k;
  EXPECT_NEAR(r.value("MRR@10"), harmonic / 100, 0.01);
}

TEST(EvaluateFull, OracleIsPerfectUnderEveryPolicy) {
  auto set = test::make_set(30, kItems);
  auto model = test::oracle(set, kItems);
  for (auto policy : {TiePolicy::pessimistic, TiePolicy::optimistic, TiePolicy::expected}) {
    EvalProtocol p;
    p.metrics = {"HR", "NDCG", "MRR", "MAP", "Recall", "Precision"};
    p.topk = {1, 5};
    p.ties = policy;
    auto r = run(model, set, p);
    EXPECT_EQ(r.value("HR@1"), 1.0);
    EXPECT_EQ(r.value("NDCG@5"), 1.0);
    EXPECT_EQ(r.value("MRR@5"), 1.0);
    EXPECT_EQ(r.value("MAP@5"), 1.0);
    EXPECT_EQ(r.value("Recall@5"), 1.0);
    EXPECT_DOUBLE_EQ(r.value("Precision@5"), 0.2);
  }
}

TEST(EvaluateFull, HalfAndIntegerScoresKeepTheirTies) {
  auto set = test::make_set(10, kItems);
  EvalProtocol p;
  p.metrics = {"HR"};
  p.topk = {1};
  FnModel half(
      kItems, [&](int64_t u, int64_t i) { return i == set.targets[u] ? 1.0 : 0.5; }, torch::kHalf);
  EXPECT_EQ(run(half, set, p).value("HR@1"), 1.0);
  FnModel ints(
      kItems, [](int64_t, int64_t) { return 3.0; }, torch::kInt64);
  auto r = run(ints, set, p);
  EXPECT_EQ(r.ties[0], kItems - 2);
  EXPECT_EQ(r.value("HR@1"), 0.0);
}

TEST(EvaluateFull, PaddingColumnNeverCompetes) {
  auto set = test::make_set(20, kItems);
  const double inf = std::numeric_limits<double>::infinity();
  // Padding scored +inf (or NaN): the oracle is still perfect and padding is never listed.
  for (double pad : {inf, std::numeric_limits<double>::quiet_NaN()}) {
    FnModel model(kItems, [&](int64_t u, int64_t i) {
      return i == 0 ? pad : (i == set.targets[u] ? 1.0 : 0.0);
    });
    EvalProtocol p;
    p.metrics = {"HR", "Coverage"};
    p.topk = {1, 3};
    auto r = run(model, set, p);
    EXPECT_EQ(r.value("HR@1"), 1.0);
    for (int32_t item : r.lists.items) EXPECT_GE(item, 1);
    EXPECT_EQ(r.lists.size(), set.size());
  }
}

TEST(EvaluateFull, MaskHistoryRemovesHistoryItemsButNeverTheTarget) {
  EvalSet set;
  std::vector<int64_t> ts(3, 0);
  std::vector<int16_t> doms(3, 0);
  set.histories.append(0, std::vector<ItemId>{4, 7, 4}, ts, doms);  // target not in history
  set.targets.push_back(9);
  set.histories.append(1, std::vector<ItemId>{5, 9, 2}, ts, doms);  // target 9 also in history
  set.targets.push_back(9);
  // History items score 2, the target 1 (2 when it is in the history), the rest 0.
  FnModel model(12, [&](int64_t u, int64_t i) {
    const auto seq = set.histories.sequence(u);
    if (std::find(seq.begin(), seq.end(), i) != seq.end()) return 2.0;
    return i == set.targets[u] ? 1.0 : 0.0;
  });
  EvalProtocol p;
  p.metrics = {"HR", "Coverage"};
  p.topk = {1, 3};
  auto plain = run(model, set, p, 12);
  EXPECT_EQ(plain.greater, (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(plain.ties, (std::vector<int64_t>{0, 2}));
  p.mask_history = true;
  auto masked = run(model, set, p, 12);
  EXPECT_EQ(masked.greater, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(masked.ties, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(masked.value("HR@1"), 1.0);
  // Top-3 lists skip masked items: target first, then the lowest ids scoring 0.
  EXPECT_EQ(masked.lists.items, (std::vector<int32_t>{9, 1, 2, 9, 1, 3}));
}

TEST(EvaluateFull, TopKListsBreakTiesByLowerItemId) {
  EvalSet set = test::make_set(3, 12);
  // User 0: item 5 best, items 2, 3, 7, 9 tied second (ties cross the K-th place);
  // user 1: everything tied; user 2: items 8 and 3 tied inside the list, the rest distinct.
  FnModel model(12, [](int64_t u, int64_t i) {
    if (u == 1) return 0.0;
    if (u == 2) return i == 5 ? 2.0 : (i == 3 || i == 8) ? 1.5 : 1.0 / (i + 1.0);
    if (i == 5) return 2.0;
    return (i == 2 || i == 3 || i == 7 || i == 9) ? 1.0 : 0.0;
  });
  EvalProtocol p;
  p.metrics = {"Coverage"};
  p.topk = {3, 6};
  auto r = run(model, set, p, 12);
  EXPECT_EQ(r.lists.offsets, (std::vector<int64_t>{0, 6, 12, 18}));
  EXPECT_EQ(r.lists.items, (std::vector<int32_t>{5, 2, 3, 7, 9, 1,  //
                                                 1, 2, 3, 4, 5, 6,  //
                                                 5, 3, 8, 1, 2, 4}));
  EXPECT_DOUBLE_EQ(r.value("Coverage@3"), 5.0 / 11);  // {5, 2, 3}, {1, 2, 3}, {5, 3, 8}
}

TEST(EvaluateFull, CountsAndTopKListsMatchAFullSortReference) {
  constexpr int32_t items = 200;
  auto set = test::make_set(50, items, 30);
  for (double levels : {3.0, 1e9}) {  // heavy ties, and (almost surely) none
    FnModel model(items,
                  [&](int64_t u, int64_t i) { return std::floor(test::hash_unit(u, i) * levels); });
    for (bool mask : {false, true}) {
      EvalProtocol p;
      p.metrics = {"Coverage"};
      p.topk = {1, 5, 20};
      p.mask_history = mask;
      auto r = run(model, set, p, items);
      for (size_t u = 0; u < set.size(); ++u) {
        const auto hist = set.histories.sequence(u);
        std::vector<int32_t> ref;
        for (int32_t i = 1; i < items; ++i) {
          const bool in_hist = std::find(hist.begin(), hist.end(), i) != hist.end();
          if (!mask || !in_hist || i == set.targets[u]) ref.push_back(i);
        }
        std::vector<double> score(items);
        for (int32_t i = 1; i < items; ++i) score[i] = model.score_all_of(u, i);
        // Examples are scored in order of history length; each count is back in its place.
        const auto above = std::count_if(
            ref.begin(), ref.end(), [&](int32_t i) { return score[i] > score[set.targets[u]]; });
        EXPECT_EQ(r.greater[u], above) << "user " << u;
        std::stable_sort(ref.begin(), ref.end(),
                         [&](int32_t a, int32_t b) { return score[a] > score[b]; });
        ref.resize(20);
        std::vector<int32_t> got(r.lists.items.begin() + r.lists.offsets[u],
                                 r.lists.items.begin() + r.lists.offsets[u + 1]);
        EXPECT_EQ(got, ref) << "user " << u << ", levels " << levels << ", mask " << mask;
      }
    }
  }
}

TEST(EvaluateFull, ResultsDoNotDependOnBatchSizeOrThreads) {
  constexpr int32_t items = 300;
  auto set = test::make_set(200, items, 20);
  // Scores on 8 levels: many ties, so expected ranks and tie-broken top-K lists are exercised.
  FnModel model(items, [](int64_t u, int64_t i) { return std::floor(test::hash_unit(u, i) * 8); });
  std::vector<int64_t> counts(items);
  for (int32_t i = 0; i < items; ++i) counts[i] = static_cast<int64_t>(test::hash_unit(-7, i) * 50);
  EvalProtocol p;
  p.metrics = {"HR", "NDCG", "MRR", "Recall", "Precision", "MAP", "Coverage", "Gini", "TailShare"};
  p.topk = {1, 5, 10, 50};
  p.mask_history = true;
  const int threads = torch::get_num_threads();
  for (auto policy : {TiePolicy::expected, TiePolicy::pessimistic}) {
    p.ties = policy;
    std::optional<EvalResult> first;
    for (int t : {1, 2}) {
      torch::set_num_threads(t);
      for (int64_t batch : {1, 7, 256}) {
        p.batch_size = batch;
        auto r = run(model, set, p, items, counts);
        if (!first) {
          first = r;
          continue;
        }
        EXPECT_EQ(r.metrics, first->metrics) << "batch " << batch << ", threads " << t;
        EXPECT_EQ(r.greater, first->greater);
        EXPECT_EQ(r.ties, first->ties);
        EXPECT_EQ(r.lists.items, first->lists.items);
      }
    }
  }
  torch::set_num_threads(threads);
}

TEST(EvaluateFull, WrongShapeNamesExpectedAndActual) {
  auto set = test::make_set(4, 11);
  FnModel narrow(10, [](int64_t, int64_t) { return 0.0; });  // one column short
  EvalProtocol p;
  auto msg = error_of([&] { run(narrow, set, p, 11); });
  EXPECT_NE(msg.find("[4, 10]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected [4, 11]"), std::string::npos) << msg;
}

TEST(EvaluateFull, NanScoreNamesTheExample) {
  auto set = test::make_set(6, 11);
  FnModel model(11, [](int64_t u, int64_t i) {
    return u == 3 && i == 2 ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  });
  EvalProtocol p;
  p.batch_size = 2;
  auto msg = error_of([&] { run(model, set, p, 11); });
  EXPECT_NE(msg.find("example 3"), std::string::npos) << msg;
}

TEST(EvaluateFull, RejectsBadProtocolsAndData) {
  auto set = test::make_set(4, 11);
  FnModel model(11, [](int64_t, int64_t) { return 0.0; });
  EvalProtocol p;
  p.metrics = {"HR", "hr"};
  EXPECT_THROW(run(model, set, p, 11), ConfigError);
  p.metrics = {"HR"};
  p.batch_size = 0;
  EXPECT_THROW(run(model, set, p, 11), ConfigError);
  p.batch_size = 4;
  p.metrics = {"TailShare"};
  p.tail_ratio = 0.0;
  EXPECT_THROW(run(model, set, p, 11), ConfigError);
  p.metrics = {"HR"};
  set.targets[2] = 11;  // outside [1, 11)
  EXPECT_THROW(run(model, set, p, 11), DataError);
  EXPECT_THROW(run(model, EvalSet{}, p, 11), DataError);
}

}  // namespace
}  // namespace recbench
