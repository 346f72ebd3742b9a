// The harness's evaluator: ranks targets under one protocol and computes RecBole's metrics.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "recbench/core/common/enum_names.h"
#include "recbench/data.h"

namespace recbench {

class Recommender;

enum class EvalMode { full, sampled, candidates };
enum class TiePolicy { pessimistic, optimistic, expected };

struct EvalProtocol {
  EvalMode mode = EvalMode::full;
  std::vector<std::string> metrics{"HR", "NDCG", "MRR"};  //!< also Recall, Precision, MAP,
                                                          //!< Coverage, Gini, TailShare
  std::vector<int64_t> topk{5, 10, 20};
  TiePolicy ties = TiePolicy::pessimistic;
  bool mask_history = false;  //!< full mode: history items get -inf (never the target)
  int64_t batch_size = 256;
  int64_t negatives = 100;           //!< sampled mode
  std::string sampling = "uniform";  //!< sampled mode: "uniform" or "popularity"
  int64_t candidates = 20;           //!< candidates mode: target + candidates-1 negatives
  double tail_ratio = 0.2;           //!< TailShare: share of least popular items called tail
  bool shuffle_candidates = true;    //!< present each list in a fixed per-example random order
                                     //!< (false: stored order, target in column 0)
};

//! Candidate lists drawn once per dataset and split, stored, and reused by every model and seed.
//! Row i belongs to example i; column 0 is the target, the rest are negatives.
struct CandidateLists {
  std::vector<int32_t> items;  //!< [rows * width], row-major
  int64_t rows = 0, width = 0;
};

//! Draws negatives without replacement, never the target or (when possible) a history item.
//! `item_counts` has one entry per item id (index 0 = padding) and drives "popularity" sampling.
//! Row i depends only on (seed, i, example i), never on threads or on other rows.
CandidateLists draw_candidates(const EvalSet& set, const std::vector<int64_t>& item_counts,
                               int64_t num_negatives, const std::string& sampling, uint64_t seed);

//! One split as the evaluator sees it.
struct EvalSplit {
  const EvalSet& set;
  const std::vector<int64_t>& item_counts;  //!< training popularity, index = item id
  int32_t num_items;                        //!< including the padding id 0
  int64_t max_history;                      //!< histories are cut to their last max_history items
  const CandidateLists* candidates = nullptr;  //!< sampled and candidates modes: stored lists
};

//! Each example's top-K list (best first, ties broken by lower item id), K = max(topk) or fewer.
struct TopKLists {
  std::vector<int32_t> items;       //!< all lists, concatenated
  std::vector<int64_t> offsets{0};  //!< list i is items[offsets[i], offsets[i+1])
  size_t size() const { return offsets.size() - 1; }
};

//! Candidates mode's extra metric (in the metric registry): the share of examples whose row the
//! model did not mark invalid (all-NaN scores, e.g. a generated answer that names no candidate).
inline constexpr const char* kValidRatio = "ValidRatio";
//! Candidates mode's LLaRA HR@K (in the metric registry): hits among the valid rows only.
inline constexpr const char* kValidHR = "ValidHR";

struct EvalResult {
  std::vector<std::pair<std::string, double>> metrics;  //!< "NDCG@10" -> mean over users
  std::vector<int64_t> greater;  //!< per example: items scored strictly above the target
  std::vector<int64_t> ties;     //!< per example: other items scored equal to the target
  std::vector<double> ranks;     //!< per example: 1-based rank under the tie policy
                                 //!< (expected: the mean position greater + ties / 2 + 1)
  TopKLists lists;               //!< per example; filled only when a list metric is asked for
  double seconds = 0.0;
  double value(const std::string& name) const;  //!< throws naming the known metrics
};

//! Evaluates `model` on `split.set` with `protocol`. `split.item_counts` (training popularity)
//! drives TailShare; `split.candidates` is required for sampled and candidates modes. In candidates
//! mode a row of all-NaN scores marks an invalid answer: its target ranks below every candidate
//! (rank candidates + 1, a miss at every K <= candidates), its top-K list is empty, and the metric
//! ValidRatio (share of valid rows) is added; any other NaN is an error.
EvalResult evaluate(Recommender& model, const EvalSplit& split, const EvalProtocol& protocol,
                    const torch::Device& device);

//! Metrics from per-example (greater, ties) counts alone: HR, NDCG, MRR, Recall, Precision, MAP
//! at each K, under `policy` (expected = the mean over random orders of the tied items), in the
//! order metrics x topk; NaN when there are no examples. List metrics are an error here.
std::vector<std::pair<std::string, double>> rank_metrics(const std::vector<int64_t>& greater,
                                                         const std::vector<int64_t>& ties,
                                                         const std::vector<std::string>& metrics,
                                                         const std::vector<int64_t>& topk,
                                                         TiePolicy policy);

//! Each example's value of rank metric `metric` at `k` (the terms rank_metrics averages).
std::vector<double> rank_metric_values(const std::string& metric, int64_t k,
                                       const std::vector<int64_t>& greater,
                                       const std::vector<int64_t>& ties, TiePolicy policy);

//! Coverage, Gini and TailShare at each K from top-K lists; `num_items` includes padding and
//! `item_counts` (training popularity, index = item id) defines the tail items.
std::vector<std::pair<std::string, double>> list_metrics(const TopKLists& lists,
                                                         const std::vector<std::string>& metrics,
                                                         const std::vector<int64_t>& topk,
                                                         const std::vector<int64_t>& item_counts,
                                                         int32_t num_items, double tail_ratio);

//! The spellings of the modes and tie policies (experiment files, results, messages).
inline constexpr EnumNames<EvalMode, 3> kEvalModes{{"full", "sampled", "candidates"},
                                                   "evaluation mode"};
inline constexpr EnumNames<TiePolicy, 3> kTiePolicies{{"pessimistic", "optimistic", "expected"},
                                                      "tie policy"};
inline TiePolicy parse_tie_policy(const std::string& name) { return kTiePolicies.parse(name); }
inline EvalMode parse_eval_mode(const std::string& name) { return kEvalModes.parse(name); }

}  // namespace recbench
