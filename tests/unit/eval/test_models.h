// Small recommenders and evaluation sets for the evaluator's tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "recbench/data.h"
#include "recbench/random.h"
#include "recbench/recommender.h"

namespace recbench::test {

//! Scores from a function of (user, item); each row depends only on its user.
class FnModel : public Recommender {
 public:
  using Fn = std::function<double(int64_t user, int64_t item)>;
  FnModel(int32_t num_items, Fn fn, torch::Dtype dtype = torch::kFloat)
      : num_items_(num_items), fn_(std::move(fn)), dtype_(dtype) {}

  void fit(TrainContext&) override {}
  torch::Tensor score_all(const HistoryBatch& batch) override {
    const auto users = batch.users.to(torch::kCPU);
    const int64_t rows = batch.size();
    std::vector<double> s(rows * num_items_);
    for (int64_t b = 0; b < rows; ++b) {
      const int64_t user = users[b].item<int64_t>();
      for (int64_t i = 0; i < num_items_; ++i) s[b * num_items_ + i] = fn_(user, i);
    }
    return torch::tensor(s, torch::kDouble).view({rows, num_items_}).to(dtype_);
  }
  //! The score of one (user, item) pair, as score_all returns it (float or double).
  double score_all_of(int64_t user, int64_t item) const {
    const double v = fn_(user, item);
    return dtype_ == torch::kFloat ? static_cast<float>(v) : v;
  }
  void save(const std::filesystem::path&) const override {}
  void load(const std::filesystem::path&) override {}

 protected:
  int32_t num_items_;
  Fn fn_;
  torch::Dtype dtype_;
};

//! A deterministic pseudo-random number in [0, 1) for (user, item).
inline double hash_unit(int64_t user, int64_t item) {
  SplitMix64 gen(static_cast<uint64_t>(user - 1) * kGoldenGamma + static_cast<uint64_t>(item));
  return uniform_unit(gen);
}

//! `users` examples over items 1..num_items-1: user u = example u, 1..max_len history items and
//! one target, all pseudo-random.
inline EvalSet make_set(int64_t users, int32_t num_items, int64_t max_len = 8, int64_t salt = 0) {
  EvalSet set;
  for (int64_t u = 0; u < users; ++u) {
    const auto len = 1 + static_cast<int64_t>(hash_unit(u + salt, -1) * max_len);
    std::vector<ItemId> seq(len);
    for (int64_t j = 0; j < len; ++j) {
      seq[j] = 1 + static_cast<ItemId>(hash_unit(u + salt, 1000 + j) * (num_items - 1));
    }
    std::vector<int64_t> ts(len, 0);
    std::vector<int16_t> doms(len, 0);
    set.histories.append(u, seq, ts, doms);
    set.targets.push_back(1 + static_cast<ItemId>(hash_unit(u + salt, -2) * (num_items - 1)));
  }
  return set;
}

//! Scores the example's target 1 and every other item 0 (user u = example u).
inline FnModel oracle(const EvalSet& set, int32_t num_items) {
  return FnModel(num_items,
                 [&set](int64_t u, int64_t i) { return i == set.targets[u] ? 1.0 : 0.0; });
}

}  // namespace recbench::test
