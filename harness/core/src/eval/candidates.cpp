// Candidate lists for sampled and candidates modes: negatives drawn once per dataset and split.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

#include "eval_detail.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/error.h"
#include "recbench/random.h"

namespace recbench {
namespace {

//! What one row's draw needs to know about the item distribution.
struct Sampler {
  int32_t num_items = 0;  //!< including padding
  bool popularity = false;
  const std::vector<int64_t>* counts = nullptr;
  std::vector<int64_t> cumulative;  //!< popularity: cumulative[i] = counts of items 1..i+1
  int64_t total = 0;                //!< popularity: sum of counts of real items

  int64_t weight(int32_t item) const { return popularity ? (*counts)[item] : 1; }
};

//! One row being drawn: the items it must avoid and those it already holds.
struct RowDraw {
  std::vector<int32_t> excluded;  //!< sorted
  std::unordered_set<int32_t> taken;
  std::vector<int32_t> drawn;

  bool allowed(int32_t item) const {
    return !std::binary_search(excluded.begin(), excluded.end(), item) && !taken.count(item);
  }
  void take(int32_t item) {
    taken.insert(item);
    drawn.push_back(item);
  }
};

//! The target and, when at least `needed` other items remain, the history items.
std::vector<int32_t> excluded_items(const EvalSet& set, size_t row, int32_t num_items,
                                    int64_t needed) {
  const int32_t target = set.targets[row];
  std::vector<int32_t> out{target};
  for (ItemId h : set.histories.sequence(row)) {
    if (h >= 1 && h < num_items) out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  const int64_t remaining = num_items - 1 - static_cast<int64_t>(out.size());
  return remaining >= needed ? out : std::vector<int32_t>{target};
}

//! Fast path: draw from the unconstrained distribution and reject excluded or repeated items
//! (the same law as drawing from what remains). Gives up after a bounded number of tries.
void draw_by_rejection(const Sampler& s, int64_t needed, RowDraw& row, std::mt19937_64& rng) {
  int64_t budget = 64 * needed + 256;
  while (static_cast<int64_t>(row.drawn.size()) < needed && budget-- > 0) {
    int32_t item = 0;
    if (s.popularity) {
      const auto r = static_cast<int64_t>(uniform_below(rng, s.total));
      const auto it = std::upper_bound(s.cumulative.begin(), s.cumulative.end(), r);
      item = static_cast<int32_t>(it - s.cumulative.begin()) + 1;
    } else {
      item = static_cast<int32_t>(uniform_below(rng, s.num_items - 1)) + 1;
    }
    if (row.allowed(item)) row.take(item);
  }
}

//! Exact path over the explicit pool of allowed items: weighted sampling without replacement by
//! Efraimidis-Spirakis keys log(u)/w; zero-weight items follow in uniformly random order.
void draw_from_pool(const Sampler& s, int64_t needed, RowDraw& row, std::mt19937_64& rng) {
  struct Keyed {
    bool weighted;
    double key;
    int32_t item;
  };
  std::vector<Keyed> pool;
  for (int32_t item = 1; item < s.num_items; ++item) {
    if (!row.allowed(item)) continue;
    const int64_t w = s.weight(item);
    const double u = uniform_unit(rng);
    pool.push_back({w > 0, w > 0 ? std::log1p(-u) / static_cast<double>(w) : u, item});
  }
  const auto want = std::min<int64_t>(needed - static_cast<int64_t>(row.drawn.size()), pool.size());
  std::partial_sort(pool.begin(), pool.begin() + want, pool.end(),
                    [](const Keyed& a, const Keyed& b) {
                      if (a.weighted != b.weighted) return a.weighted;
                      if (a.key != b.key) return a.key > b.key;
                      return a.item < b.item;
                    });
  for (int64_t i = 0; i < want; ++i) row.take(pool[i].item);
}

Sampler make_sampler(const std::vector<int64_t>& item_counts, const std::string& sampling) {
  Sampler s;
  s.num_items = static_cast<int32_t>(item_counts.size());
  s.counts = &item_counts;
  if (sampling != "uniform" && sampling != "popularity") {
    throw ConfigError("unknown sampling '" + sampling + "' (known: uniform, popularity)");
  }
  s.popularity = sampling == "popularity";
  if (s.popularity) {
    for (int32_t i = 1; i < s.num_items; ++i) {
      if (item_counts[i] < 0) {
        throw DataError("item_counts[" + std::to_string(i) + "] is negative");
      }
      s.total += item_counts[i];
      s.cumulative.push_back(s.total);
    }
  }
  return s;
}

void check_draw_inputs(const EvalSet& set, int32_t num_items, int64_t num_negatives) {
  if (set.histories.size() != set.targets.size()) {
    throw DataError("evaluation set has " + std::to_string(set.histories.size()) +
                    " histories but " + std::to_string(set.targets.size()) + " targets");
  }
  if (num_negatives < 1 || num_negatives > static_cast<int64_t>(num_items) - 2) {
    throw ConfigError("number of negatives must be in [1, " + std::to_string(num_items - 2) +
                      "] (items other than the target; got " + std::to_string(num_negatives) + ")");
  }
  for (size_t i = 0; i < set.size(); ++i) {
    if (set.targets[i] < 1 || set.targets[i] >= num_items) {
      throw DataError("evaluation example " + std::to_string(i) + " has target item " +
                      std::to_string(set.targets[i]) + " outside [1, " + std::to_string(num_items) +
                      ")");
    }
  }
}

}  // namespace

CandidateLists draw_candidates(const EvalSet& set, const std::vector<int64_t>& item_counts,
                               int64_t num_negatives, const std::string& sampling, uint64_t seed) {
  const Sampler sampler = make_sampler(item_counts, sampling);
  check_draw_inputs(set, sampler.num_items, num_negatives);
  CandidateLists out;
  out.rows = static_cast<int64_t>(set.size());
  out.width = num_negatives + 1;
  out.items.reserve(out.rows * out.width);
  for (size_t i = 0; i < set.size(); ++i) {
    auto rng = indexed_rng(seed, i);
    RowDraw row;
    row.excluded = excluded_items(set, i, sampler.num_items, num_negatives);
    const int64_t allowed = sampler.num_items - 1 - static_cast<int64_t>(row.excluded.size());
    const bool sparse = sampler.popularity ? sampler.total > 0 : 2 * num_negatives <= allowed;
    if (sparse) draw_by_rejection(sampler, num_negatives, row, rng);
    if (static_cast<int64_t>(row.drawn.size()) < num_negatives) {
      draw_from_pool(sampler, num_negatives, row, rng);
    }
    out.items.push_back(set.targets[i]);
    out.items.insert(out.items.end(), row.drawn.begin(), row.drawn.end());
  }
  return out;
}

}  // namespace recbench
