// Metric formulas on hand-computed cases: rank metrics under each tie policy, list metrics,
// name parsing and lookup errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "recbench/core/eval/evaluator.h"
#include "recbench/error.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

double metric(const std::vector<std::pair<std::string, double>>& values, const std::string& name) {
  for (const auto& [k, v] : values) {
    if (k == name) return v;
  }
  ADD_FAILURE() << "no metric " << name;
  return NAN;
}

// Three examples: rank 1 (no ties), rank 3 (no ties), and one with 1 item above and 2 tied.
const std::vector<int64_t> kGreater{0, 2, 1}, kTies{0, 0, 2};
const std::vector<std::string> kRankMetrics{"HR", "NDCG", "MRR", "Recall", "Precision", "MAP"};

double inv_log2(double r) { return 1.0 / std::log2(r + 1.0); }

TEST(RankMetrics, PessimisticPutsTheTargetAfterAllTies) {
  auto m = rank_metrics(kGreater, kTies, kRankMetrics, {1, 3}, TiePolicy::pessimistic);
  // Ranks 1, 3, 4.
  EXPECT_DOUBLE_EQ(metric(m, "HR@1"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(metric(m, "HR@3"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(metric(m, "Recall@3"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(metric(m, "NDCG@3"), (1.0 + 0.5) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "MRR@3"), (1.0 + 1.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "MAP@3"), (1.0 + 1.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "Precision@3"), (2.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "Precision@1"), 1.0 / 3);
}

TEST(RankMetrics, OptimisticPutsTheTargetBeforeAllTies) {
  auto m = rank_metrics(kGreater, kTies, kRankMetrics, {1, 3}, TiePolicy::optimistic);
  // Ranks 1, 3, 2.
  EXPECT_DOUBLE_EQ(metric(m, "HR@3"), 1.0);
  EXPECT_DOUBLE_EQ(metric(m, "NDCG@3"), (1.0 + 0.5 + inv_log2(2)) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "MRR@3"), (1.0 + 1.0 / 3 + 0.5) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "Precision@3"), 1.0 / 3);
}

TEST(RankMetrics, ExpectedAveragesOverTheTiedPositions) {
  auto m = rank_metrics(kGreater, kTies, kRankMetrics, {1, 3}, TiePolicy::expected);
  // Third example: positions 2, 3, 4 equally likely; 4 falls outside K = 3.
  EXPECT_DOUBLE_EQ(metric(m, "HR@3"), (1.0 + 1.0 + 2.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "HR@1"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(metric(m, "NDCG@3"), (1.0 + 0.5 + (inv_log2(2) + inv_log2(3)) / 3) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "MRR@3"), (1.0 + 1.0 / 3 + (0.5 + 1.0 / 3) / 3) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "Precision@3"), ((1.0 + 1.0 + 2.0 / 3) / 3) / 3);
}

TEST(RankMetrics, AllTiedIsExactlyChanceUnderExpectedAndWorstUnderPessimistic) {
  // One example whose target ties with all 99 other items.
  auto expected = rank_metrics({0}, {99}, {"HR", "NDCG"}, {10}, TiePolicy::expected);
  EXPECT_DOUBLE_EQ(metric(expected, "HR@10"), 10.0 / 100);
  double ndcg = 0.0;
  for (int r = 1; r <= 10; ++r) ndcg += inv_log2(r);
  EXPECT_DOUBLE_EQ(metric(expected, "NDCG@10"), ndcg / 100);
  auto worst = rank_metrics({0}, {99}, {"HR", "NDCG"}, {10}, TiePolicy::pessimistic);
  EXPECT_EQ(metric(worst, "HR@10"), 0.0);
  EXPECT_EQ(metric(worst, "NDCG@10"), 0.0);
}

TEST(RankMetrics, NamesAreMetricTimesTopkInOrderAndAliasesAreCanonical) {
  auto m = rank_metrics({0}, {0}, {"ndcg", "Hit"}, {10, 5}, TiePolicy::pessimistic);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].first, "NDCG@10");
  EXPECT_EQ(m[1].first, "NDCG@5");
  EXPECT_EQ(m[2].first, "HR@10");
  EXPECT_EQ(m[3].first, "HR@5");
}

TEST(RankMetrics, UnknownMetricListsTheKnownOnes) {
  auto msg =
      error_of<ConfigError>([] { rank_metrics({0}, {0}, {"AUC"}, {10}, TiePolicy::pessimistic); });
  EXPECT_NE(msg.find("'AUC'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HR, NDCG, MRR, Recall, Precision, MAP, Coverage, Gini, TailShare"),
            std::string::npos)
      << msg;
  EXPECT_THROW(rank_metrics({0}, {0}, {"HR"}, {0}, TiePolicy::pessimistic), ConfigError);
  EXPECT_THROW(rank_metrics({0}, {0}, {"Coverage"}, {1}, TiePolicy::pessimistic), Error);
}

// rank_metric_values: the per-example terms whose mean rank_metrics reports (the report's
// per-user standard errors are computed from them).
TEST(RankMetricValues, MeanIsTheRankMetricForEveryMetricAndPolicy) {
  // Ten examples: hits, misses, ties around K and a target tied with everything.
  const std::vector<int64_t> greater{0, 2, 1, 0, 4, 9, 0, 3, 1, 20};
  const std::vector<int64_t> ties{0, 0, 2, 5, 0, 1, 0, 3, 0, 40};
  for (TiePolicy policy : {TiePolicy::pessimistic, TiePolicy::optimistic, TiePolicy::expected}) {
    for (const std::string& name : kRankMetrics) {
      for (int64_t k : {1, 3, 5, 10}) {
        const auto values = rank_metric_values(name, k, greater, ties, policy);
        ASSERT_EQ(values.size(), greater.size());
        double sum = 0.0;
        for (double v : values) sum += v;
        const auto expected = rank_metrics(greater, ties, {name}, {k}, policy);
        EXPECT_NEAR(sum / static_cast<double>(values.size()), expected.at(0).second, 1e-12)
            << name << "@" << k << " policy " << static_cast<int>(policy);
      }
    }
  }
}

TEST(RankMetricValues, ValuesAreEachExamplesTerm) {
  // Ranks 1, 3 and 2..4 (one above, two tied) as in the cases above.
  EXPECT_EQ(rank_metric_values("HR", 3, kGreater, kTies, TiePolicy::pessimistic),
            (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_EQ(rank_metric_values("hit", 3, kGreater, kTies, TiePolicy::optimistic),
            (std::vector<double>{1.0, 1.0, 1.0}));
  const auto ndcg = rank_metric_values("NDCG", 3, kGreater, kTies, TiePolicy::expected);
  ASSERT_EQ(ndcg.size(), 3u);
  EXPECT_DOUBLE_EQ(ndcg[1], 0.5);
  EXPECT_DOUBLE_EQ(ndcg[2], (inv_log2(2) + inv_log2(3)) / 3);
  EXPECT_TRUE(rank_metric_values("MRR", 10, {}, {}, TiePolicy::expected).empty());
}

TEST(RankMetricValues, RejectsListMetricsBadCutOffsAndMismatchedCounts) {
  EXPECT_THROW(rank_metric_values("Coverage", 10, kGreater, kTies, TiePolicy::pessimistic), Error);
  EXPECT_THROW(rank_metric_values("HR", 0, kGreater, kTies, TiePolicy::pessimistic), ConfigError);
  EXPECT_THROW(rank_metric_values("AUC", 10, kGreater, kTies, TiePolicy::pessimistic), ConfigError);
  const auto msg = error_of<Error>([] {
    rank_metric_values("HR", 10, {0, 1, 2}, {0}, TiePolicy::pessimistic);
  });
  EXPECT_NE(msg.find("3 'greater' counts but 1 'ties' counts"), std::string::npos) << msg;
}

// Items 1..5 (num_items 6 with padding); three users' top-2 lists.
TopKLists hand_lists() {
  TopKLists l;
  l.items = {1, 2, 1, 3, 1, 2};
  l.offsets = {0, 2, 4, 6};
  return l;
}

TEST(ListMetrics, CoverageCountsDistinctRecommendedItemsOverRealItems) {
  auto m = list_metrics(hand_lists(), {"Coverage"}, {1, 2}, {0, 1, 1, 1, 1, 1}, 6, 0.2);
  EXPECT_DOUBLE_EQ(metric(m, "Coverage@1"), 1.0 / 5);
  EXPECT_DOUBLE_EQ(metric(m, "Coverage@2"), 3.0 / 5);
}

TEST(ListMetrics, GiniFollowsRecBolesFormula) {
  auto m = list_metrics(hand_lists(), {"Gini"}, {1, 2}, {0, 1, 1, 1, 1, 1}, 6, 0.2);
  // K=2: frequencies sorted 0,0,1,2,3 with weights 2i-6 = -4,-2,0,2,4 -> 16 / (5 * 6).
  EXPECT_DOUBLE_EQ(metric(m, "Gini@2"), 16.0 / 30);
  // K=1: item 1 three times -> (2*5-6)*3 / (5*3).
  EXPECT_DOUBLE_EQ(metric(m, "Gini@1"), 12.0 / 15);
}

TEST(ListMetrics, TailShareUsesTheLeastPopularShareWithTiesByLowerId) {
  // Counts: item 2 -> 1, item 4 -> 2: the 40% tail (2 of 5 items) is {2, 4}.
  auto m = list_metrics(hand_lists(), {"TailShare"}, {1, 2}, {0, 10, 1, 5, 2, 7}, 6, 0.4);
  EXPECT_DOUBLE_EQ(metric(m, "TailShare@2"), (0.5 + 0.0 + 0.5) / 3);
  EXPECT_DOUBLE_EQ(metric(m, "TailShare@1"), 0.0);
  // Items 2, 3, 4 tie at count 1: the tail of two is {2, 3}.
  TopKLists l;
  l.items = {3, 4};
  l.offsets = {0, 2};
  auto tied = list_metrics(l, {"TailShare"}, {2}, {0, 3, 1, 1, 1, 9}, 6, 0.4);
  EXPECT_DOUBLE_EQ(metric(tied, "TailShare@2"), 0.5);
  // A tiny ratio still names one tail item (RecBole's max(int(n * ratio), 1)).
  auto one = list_metrics(l, {"TailShare"}, {2}, {0, 3, 9, 1, 9, 9}, 6, 0.01);
  EXPECT_DOUBLE_EQ(metric(one, "TailShare@2"), 0.5);
}

TEST(ListMetrics, RejectsBadInputs) {
  EXPECT_THROW(list_metrics(hand_lists(), {"HR"}, {1}, {0, 1, 1, 1, 1, 1}, 6, 0.2), Error);
  EXPECT_THROW(list_metrics(hand_lists(), {"Gini"}, {1}, {0, 1, 1}, 6, 0.2), Error);
  EXPECT_THROW(list_metrics(hand_lists(), {"TailShare"}, {1}, {0, 1, 1, 1, 1, 1}, 6, 1.5),
               ConfigError);
  EXPECT_THROW(list_metrics(hand_lists(), {"Coverage"}, {1}, {0, 1, 1}, 3, 0.2), Error);  // item 3
}

TEST(EvalNames, ParsersListTheKnownNames) {
  EXPECT_EQ(parse_tie_policy("expected"), TiePolicy::expected);
  EXPECT_EQ(parse_tie_policy("optimistic"), TiePolicy::optimistic);
  EXPECT_EQ(parse_eval_mode("candidates"), EvalMode::candidates);
  EXPECT_EQ(parse_eval_mode("sampled"), EvalMode::sampled);
  auto msg = error_of<ConfigError>([] { parse_tie_policy("random"); });
  EXPECT_NE(msg.find("pessimistic, optimistic, expected"), std::string::npos) << msg;
  msg = error_of<ConfigError>([] { parse_eval_mode("all"); });
  EXPECT_NE(msg.find("full, sampled, candidates"), std::string::npos) << msg;
}

TEST(EvalNames, ValueNamesTheMetricsOfTheResult) {
  EvalResult r;
  r.metrics = {{"HR@10", 0.25}, {"NDCG@10", 0.125}};
  EXPECT_EQ(r.value("NDCG@10"), 0.125);
  auto msg = error_of<Error>([&] { r.value("MRR@10"); });
  EXPECT_NE(msg.find("'MRR@10'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HR@10, NDCG@10"), std::string::npos) << msg;
}

}  // namespace
}  // namespace recbench
