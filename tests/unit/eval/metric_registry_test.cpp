// The metric registry: lookups by name and alias, metric@K parsing, directions, early stopping.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "recbench/core/eval/evaluator.h"
#include "recbench/core/eval/metric_registry.h"
#include "recbench/core/run/early_stopping.h"
#include "recbench/error.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

TEST(MetricRegistry, FindsNamesAndAliasesInAnyCase) {
  EXPECT_EQ(require_metric("ndcg").name, "NDCG");
  EXPECT_EQ(require_metric("Hit").name, "HR");
  EXPECT_EQ(require_metric("giniindex").name, "Gini");
  EXPECT_EQ(require_metric("TAILPERCENTAGE").name, "TailShare");
  EXPECT_EQ(find_metric("NDGC"), nullptr);
  const auto msg = error_of<ConfigError>([] { require_metric("NDGC"); });
  EXPECT_NE(msg.find("unknown metric 'NDGC' (known: HR, NDCG, MRR"), std::string::npos) << msg;
}

TEST(MetricRegistry, KnowsEachMetricsKindAndDirection) {
  EXPECT_EQ(require_metric("MRR").kind, MetricKind::rank);
  EXPECT_EQ(require_metric("Coverage").kind, MetricKind::list);
  EXPECT_EQ(require_metric(kValidRatio).kind, MetricKind::run);
  for (const auto& m : metric_registry()) {
    EXPECT_EQ(m.higher_is_better, m.name != "Gini") << m.name;
    EXPECT_FALSE(m.needs.empty()) << m.name;
  }
  const auto listable = listable_metrics();
  EXPECT_EQ(std::count(listable.begin(), listable.end(), "ValidRatio"), 0);
  EXPECT_EQ(listable.size(), metric_registry().size() - 1);
}

TEST(MetricRegistry, ParsesMetricAtK) {
  const MetricKey ndcg = parse_metric_key("ndcg@10");
  EXPECT_EQ(ndcg.text(), "NDCG@10");
  EXPECT_EQ(ndcg.k, 10);
  EXPECT_TRUE(ndcg.better(0.5, 0.4));
  EXPECT_TRUE(parse_metric_key("gini@5").better(0.1, 0.2));  // smaller is better
  EXPECT_EQ(parse_metric_key("validratio").text(), "ValidRatio");
  EXPECT_NE(error_of<ConfigError>([] { parse_metric_key("NDCG"); }).find("expected NDCG@K"),
            std::string::npos);
  EXPECT_NE(error_of<ConfigError>([] { parse_metric_key("HR@0"); }).find("cut-off K >= 1"),
            std::string::npos);
  EXPECT_NE(error_of<ConfigError>([] { parse_metric_key("HR@1x"); }).find("expected HR@K"),
            std::string::npos);
  EXPECT_NE(
      error_of<ConfigError>([] { parse_metric_key("ValidRatio@1"); }).find("takes no cut-off"),
      std::string::npos);
  EXPECT_NE(
      error_of<ConfigError>([] { parse_metric_key("NDGC@10"); }).find("unknown metric 'NDGC'"),
      std::string::npos);
}

TEST(EarlyStopping, KeepsTheBestEpochInTheMetricsDirection) {
  EarlyStopping ndcg("NDCG@10", 2);
  EXPECT_TRUE(ndcg.update(1, 0.2).improved);
  EXPECT_TRUE(ndcg.update(2, 0.3).improved);
  EXPECT_FALSE(ndcg.update(3, 0.3).improved);  // equal is no improvement
  const auto step = ndcg.update(4, 0.1);
  EXPECT_FALSE(step.improved);
  EXPECT_TRUE(step.should_stop);  // two validations without improvement
  EXPECT_EQ(ndcg.best_epoch(), 2);
  EXPECT_DOUBLE_EQ(ndcg.best(), 0.3);

  // Stopping on Gini keeps the lowest value, not the highest (the bug it replaces).
  EarlyStopping gini("Gini@10", 5);
  for (const auto& [epoch, value] : {std::pair{1, 0.6}, {2, 0.4}, {3, 0.8}, {4, 0.5}}) {
    gini.update(epoch, value);
  }
  EXPECT_EQ(gini.best_epoch(), 2);
  EXPECT_DOUBLE_EQ(gini.best(), 0.4);
}

TEST(EarlyStopping, NaNNeverImprovesAndBadPatienceIsRefused) {
  EarlyStopping s("HR@5", 1);
  const auto first = s.update(1, std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(first.improved);
  EXPECT_TRUE(first.should_stop);
  EXPECT_EQ(s.best_epoch(), -1);
  EXPECT_TRUE(s.update(2, 0.0).improved);
  EXPECT_NE(error_of<ConfigError>([] { EarlyStopping("HR@5", 0); }).find("patience must be >= 1"),
            std::string::npos);
}

}  // namespace
}  // namespace recbench
