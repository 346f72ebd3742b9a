// The metric registry: every fact about a metric (name, aliases, kind, direction, what it needs)
// in one place, asked by experiment loading, the evaluator, early stopping and reports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace recbench {

enum class MetricKind {
  rank,  //!< from the target's rank alone, at each K (HR, NDCG, ...)
  list,  //!< from every user's top-K list at each K (Coverage, Gini, TailShare)
  run,   //!< one value per evaluation, without K (ValidRatio, candidates mode)
};

struct MetricInfo {
  std::string_view name;                  //!< canonical spelling, e.g. "NDCG"
  std::vector<std::string_view> aliases;  //!< other accepted spellings (RecBole's), any case
  MetricKind kind;
  bool higher_is_better;         //!< false: smaller is better (early stopping, bold in reports)
  std::string_view needs;        //!< what it is computed from, for docs and messages
  bool candidates_only = false;  //!< computed in candidates mode only (needs invalid answers)
};

//! Every metric, in canonical order.
const std::vector<MetricInfo>& metric_registry();

//! The metric named `name` (case-insensitive, aliases accepted); nullptr when unknown.
const MetricInfo* find_metric(std::string_view name);
//! Like find_metric, but throws ConfigError naming the unknown name and the known ones.
const MetricInfo& require_metric(std::string_view name);
//! The names users can list in evaluation.metrics (rank and list metrics), canonical spelling.
std::vector<std::string> listable_metrics();

//! A metric at a cut-off as stored in results: "NDCG@10", or "ValidRatio" (k = 0).
struct MetricKey {
  const MetricInfo* info = nullptr;
  int64_t k = 0;
  std::string text() const;               //!< canonical, e.g. "NDCG@10"
  bool better(double a, double b) const;  //!< a strictly better than b in this metric's direction
};

//! Parses "ndcg@10" / "HR@5" / "ValidRatio" (any case, aliases accepted); ConfigError otherwise,
//! naming what was wrong (unknown metric, missing or bad K, K on a metric without one).
MetricKey parse_metric_key(std::string_view text);

}  // namespace recbench
