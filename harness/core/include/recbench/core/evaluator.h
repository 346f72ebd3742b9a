// The harness's evaluator: ranks targets under one protocol and computes RecBole's metrics.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

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
};

//! Candidate lists drawn once per dataset and split, stored, and reused by every model and seed.
//! Row i belongs to example i; column 0 is the target, the rest are negatives.
struct CandidateLists {
  std::vector<int32_t> items;  //!< [rows * width], row-major
  int64_t rows = 0, width = 0;
};

//! Draws negatives without replacement, never the target or (when possible) a history item.
CandidateLists draw_candidates(const EvalSet& set, const std::vector<int64_t>& item_counts,
                               int64_t num_negatives, const std::string& sampling, uint64_t seed);

struct EvalResult {
  std::vector<std::pair<std::string, double>> metrics;  //!< "NDCG@10" -> mean over users
  std::vector<int64_t> greater;  //!< per example: items scored strictly above the target
  std::vector<int64_t> ties;     //!< per example: other items scored equal to the target
  std::vector<double> ranks;     //!< per example: 1-based rank under the tie policy
  double seconds = 0.0;
  double value(const std::string& name) const;  //!< throws naming the known metrics
};

//! Evaluates `model` on `set` with `protocol`. `item_counts` (training popularity) drives
//! TailShare; `candidates` is required for sampled and candidates modes.
EvalResult evaluate(Recommender& model, const EvalSet& set, const EvalProtocol& protocol,
                    const std::vector<int64_t>& item_counts, int32_t num_items, int64_t max_history,
                    const torch::Device& device, const CandidateLists* candidates = nullptr);

//! Metrics from per-example (greater, ties) counts alone: HR, NDCG, MRR, Recall, Precision, MAP
//! at each K, under `policy` (expected = the mean over random orders of the tied items).
std::vector<std::pair<std::string, double>> rank_metrics(const std::vector<int64_t>& greater,
                                                         const std::vector<int64_t>& ties,
                                                         const std::vector<std::string>& metrics,
                                                         const std::vector<int64_t>& topk,
                                                         TiePolicy policy);

TiePolicy parse_tie_policy(const std::string& name);
EvalMode parse_eval_mode(const std::string& name);

}  // namespace recbench
