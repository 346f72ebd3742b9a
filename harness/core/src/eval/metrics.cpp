// RecBole's top-K metrics for one target per user: rank metrics under a tie policy, and the
// list metrics (coverage, Gini, tail share) computed from each user's top-K list.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "eval_detail.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/error.h"

namespace recbench {
namespace {

using eval_detail::canonical_metric;
using eval_detail::is_list_metric;

//! Gain of the target at rank r <= K; HR and Recall, MRR and MAP coincide for one target.
enum class Gain { hit, ndcg, reciprocal, precision };

Gain gain_of(const std::string& canonical) {
  if (canonical == "NDCG") return Gain::ndcg;
  if (canonical == "MRR" || canonical == "MAP") return Gain::reciprocal;
  if (canonical == "Precision") return Gain::precision;
  return Gain::hit;  // HR, Recall
}

double gain(Gain g, int64_t rank, int64_t k) {
  switch (g) {
    case Gain::hit:
      return 1.0;
    case Gain::ndcg:
      return 1.0 / std::log2(static_cast<double>(rank) + 1.0);
    case Gain::reciprocal:
      return 1.0 / static_cast<double>(rank);
    case Gain::precision:
      return 1.0 / static_cast<double>(k);
  }
  return 0.0;
}

//! The metric of one example at K: the gain at its rank, or for `expected` the exact mean gain
//! over the positions greater+1 .. greater+ties+1 that the tied items may take (O(K)).
double example_value(Gain g, int64_t greater, int64_t ties, int64_t k, TiePolicy policy) {
  if (policy == TiePolicy::optimistic) return greater + 1 <= k ? gain(g, greater + 1, k) : 0.0;
  if (policy == TiePolicy::pessimistic) {
    const int64_t rank = greater + ties + 1;
    return rank <= k ? gain(g, rank, k) : 0.0;
  }
  const int64_t last = std::min(greater + ties + 1, k);
  double sum = 0.0;
  for (int64_t r = greater + 1; r <= last; ++r) sum += gain(g, r, k);
  return sum / static_cast<double>(ties + 1);
}

void check_topk(const std::vector<int64_t>& topk) {
  for (int64_t k : topk) {
    if (k < 1) throw ConfigError("metric cut-off K must be >= 1 (got " + std::to_string(k) + ")");
  }
}

std::string metric_key(const std::string& name, int64_t k) {
  return name + "@" + std::to_string(k);
}

}  // namespace

std::vector<std::pair<std::string, double>> rank_metrics(const std::vector<int64_t>& greater,
                                                         const std::vector<int64_t>& ties,
                                                         const std::vector<std::string>& metrics,
                                                         const std::vector<int64_t>& topk,
                                                         TiePolicy policy) {
  if (greater.size() != ties.size()) {
    throw Error("rank_metrics: " + std::to_string(greater.size()) + " 'greater' counts but " +
                std::to_string(ties.size()) + " 'ties' counts");
  }
  check_topk(topk);
  const double n = static_cast<double>(greater.size());
  std::vector<std::pair<std::string, double>> out;
  for (const auto& name : metrics) {
    const std::string metric = canonical_metric(name);
    if (is_list_metric(metric)) {
      throw Error("rank_metrics: '" + metric + "' needs top-K lists (use list_metrics)");
    }
    const Gain g = gain_of(metric);
    for (int64_t k : topk) {
      double sum = 0.0;  // example order: independent of batch size and threads
      for (size_t i = 0; i < greater.size(); ++i)
        sum += example_value(g, greater[i], ties[i], k, policy);
      out.emplace_back(metric_key(metric, k),
                       n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN());
    }
  }
  return out;
}

std::vector<double> rank_metric_values(const std::string& metric, int64_t k,
                                       const std::vector<int64_t>& greater,
                                       const std::vector<int64_t>& ties, TiePolicy policy) {
  if (greater.size() != ties.size()) {
    throw Error("rank_metric_values: " + std::to_string(greater.size()) + " 'greater' counts but " +
                std::to_string(ties.size()) + " 'ties' counts");
  }
  const std::string name = canonical_metric(metric);
  if (is_list_metric(name)) {
    throw Error("rank_metric_values: '" + name + "' needs top-K lists");
  }
  check_topk({k});
  const Gain g = gain_of(name);
  std::vector<double> out(greater.size());
  for (size_t i = 0; i < greater.size(); ++i) {
    out[i] = example_value(g, greater[i], ties[i], k, policy);
  }
  return out;
}

namespace {

//! Items 1..M whose training count is among the `tail_ratio` share of least popular ones
//! (ties by lower id, at least one item), as a membership vector indexed by item id.
std::vector<char> tail_items(const std::vector<int64_t>& counts, int32_t num_items, double ratio) {
  std::vector<int32_t> order(num_items - 1);
  for (int32_t i = 1; i < num_items; ++i) order[i - 1] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return counts[a] < counts[b]; });
  const auto cut =
      std::max<int64_t>(static_cast<int64_t>(static_cast<double>(order.size()) * ratio), 1);
  std::vector<char> tail(num_items, 0);
  for (int64_t i = 0; i < cut; ++i) tail[order[i]] = 1;
  return tail;
}

//! How often each item appears in the first K entries of every list.
std::vector<int64_t> item_frequency(const TopKLists& lists, int64_t k, int32_t num_items) {
  std::vector<int64_t> freq(num_items, 0);
  for (size_t u = 0; u < lists.size(); ++u) {
    const int64_t end = std::min(lists.offsets[u + 1], lists.offsets[u] + k);
    for (int64_t j = lists.offsets[u]; j < end; ++j) ++freq[lists.items[j]];
  }
  return freq;
}

//! RecBole's GiniIndex over the M real items, frequencies sorted ascending:
//! sum_i (2i - M - 1) f_(i) / (M sum_i f_(i)); exact integer numerator.
double gini(std::vector<int64_t> freq) {
  const auto m = static_cast<int64_t>(freq.size()) - 1;
  std::sort(freq.begin() + 1, freq.end());
  int64_t numerator = 0, total = 0;
  for (int64_t i = 1; i <= m; ++i) {
    numerator += (2 * i - m - 1) * freq[i];
    total += freq[i];
  }
  return total > 0 ? static_cast<double>(numerator) / (static_cast<double>(m) * total) : 0.0;
}

double tail_share(const TopKLists& lists, int64_t k, const std::vector<char>& tail) {
  double sum = 0.0;
  for (size_t u = 0; u < lists.size(); ++u) {
    const int64_t len = std::min(lists.offsets[u + 1] - lists.offsets[u], k);
    int64_t hits = 0;
    for (int64_t j = 0; j < len; ++j) hits += tail[lists.items[lists.offsets[u] + j]];
    if (len > 0) sum += static_cast<double>(hits) / static_cast<double>(len);
  }
  return lists.size() > 0 ? sum / static_cast<double>(lists.size())
                          : std::numeric_limits<double>::quiet_NaN();
}

void check_lists(const TopKLists& lists, const std::vector<int64_t>& item_counts, int32_t num_items,
                 double tail_ratio) {
  if (num_items < 2) throw Error("list_metrics: num_items must count at least one real item");
  if (static_cast<int64_t>(item_counts.size()) != num_items) {
    throw Error("list_metrics: item_counts has " + std::to_string(item_counts.size()) +
                " entries, expected num_items = " + std::to_string(num_items));
  }
  if (!(tail_ratio > 0.0 && tail_ratio <= 1.0)) {
    throw ConfigError("tail_ratio must be in (0, 1] (got " + std::to_string(tail_ratio) + ")");
  }
  for (int32_t item : lists.items) {
    if (item < 1 || item >= num_items) {
      throw Error("list_metrics: item " + std::to_string(item) + " outside [1, " +
                  std::to_string(num_items) + ")");
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, double>> list_metrics(const TopKLists& lists,
                                                         const std::vector<std::string>& metrics,
                                                         const std::vector<int64_t>& topk,
                                                         const std::vector<int64_t>& item_counts,
                                                         int32_t num_items, double tail_ratio) {
  check_topk(topk);
  check_lists(lists, item_counts, num_items, tail_ratio);
  const double real_items = num_items - 1;
  std::vector<std::pair<std::string, double>> out;
  for (const auto& name : metrics) {
    const std::string metric = canonical_metric(name);
    if (!is_list_metric(metric)) {
      throw Error("list_metrics: '" + metric + "' is a rank metric (use rank_metrics)");
    }
    const auto tail = metric == "TailShare" ? tail_items(item_counts, num_items, tail_ratio)
                                            : std::vector<char>{};
    for (int64_t k : topk) {
      double value = 0.0;
      if (metric == "TailShare") {
        value = tail_share(lists, k, tail);
      } else {
        auto freq = item_frequency(lists, k, num_items);
        value = metric == "Gini"
                    ? gini(std::move(freq))
                    : static_cast<double>(std::count_if(freq.begin() + 1, freq.end(),
                                                        [](int64_t f) { return f > 0; })) /
                          real_items;
      }
      out.emplace_back(metric_key(metric, k), value);
    }
  }
  return out;
}

}  // namespace recbench
