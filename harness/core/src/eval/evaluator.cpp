// The evaluator: scores examples in batches, counts items above and tied with each target on the
// model's device, builds top-K lists, and turns the counts into metrics.
#include "recbench/core/eval/evaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "eval_detail.h"
#include "recbench/detail/key_check.h"
#include "recbench/error.h"
#include "recbench/random.h"
#include "recbench/recommender.h"
#include "target_counts.h"

namespace recbench {
namespace {

using eval_detail::canonical_metric;
using eval_detail::is_list_metric;

//! Seed of the fixed order in which candidate lists are shown to models (same for every model).
constexpr uint64_t kPresentationSeed = 0x5eed0fca9d1da7e5ULL;

//! What scoring all batches produced, per example in example order (the lists are appended as
//! scored and put back in example order at the end).
struct Scored {
  std::vector<int64_t> greater, ties;
  TopKLists lists;
  int64_t invalid = 0;  //!< candidates mode: rows the model marked invalid (all NaN)
};

std::string shape_text(c10::IntArrayRef sizes) {
  std::string out = "[";
  for (size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "]";
}

std::vector<int64_t> to_vector(const torch::Tensor& t) {
  auto cpu = t.to(torch::kCPU, torch::kInt64).contiguous();
  return {cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + cpu.numel()};
}

//! Checks the model's output and returns it in a type whose comparisons are exact.
torch::Tensor checked_scores(const torch::Tensor& scores, int64_t rows, int64_t cols,
                             const char* call, const char* cols_name) {
  if (!scores.defined() || scores.dim() != 2 || scores.size(0) != rows || scores.size(1) != cols) {
    throw Error(std::string("evaluate: model.") + call + " returned shape " +
                (scores.defined() ? shape_text(scores.sizes()) : "(undefined)") + ", expected [" +
                std::to_string(rows) + ", " + std::to_string(cols) + "] (batch size, " + cols_name +
                ")");
  }
  if (scores.scalar_type() == torch::kHalf || scores.scalar_type() == torch::kBFloat16) {
    return scores.to(torch::kFloat);  // exact: keeps every order and every tie
  }
  return scores.is_floating_point() ? scores : scores.to(torch::kDouble);
}

//! Throws naming the first example of the chunk `examples` with a NaN among its competing scores.
void check_nan(const torch::Tensor& nan_counts, const std::vector<int64_t>& examples,
               const EvalSet& set) {
  const auto rows = nan_counts.nonzero();
  if (rows.numel() == 0) return;
  const auto row = examples[rows[0][0].item<int64_t>()];
  throw Error("evaluate: the model scored NaN for example " + std::to_string(row) + " (user " +
              std::to_string(set.histories.users[row]) + ")");
}

//! Items that stop competing under mask_history: (row in chunk, column = item - 1) pairs, each
//! distinct, for the history items of each example other than its target.
struct MaskedItems {
  std::vector<int64_t> rows, cols;
  torch::Tensor row_t, col_t;  //!< the same on the scores' device
  bool empty() const { return rows.empty(); }
};

MaskedItems history_items(const EvalSet& set, const std::vector<int64_t>& examples,
                          int32_t num_items, const torch::Device& device) {
  MaskedItems m;
  std::vector<int64_t> items;
  for (size_t b = 0; b < examples.size(); ++b) {
    const ItemId target = set.targets[examples[b]];
    items.clear();
    for (ItemId h : set.histories.sequence(examples[b])) {
      if (h >= 1 && h < num_items && h != target) items.push_back(h - 1);
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    m.rows.insert(m.rows.end(), items.size(), static_cast<int64_t>(b));
    m.cols.insert(m.cols.end(), items.begin(), items.end());
  }
  m.row_t = torch::tensor(m.rows, torch::kInt64).to(device);
  m.col_t = torch::tensor(m.cols, torch::kInt64).to(device);
  return m;
}

//! Appends per-row lists given (row, column) pairs already ordered by row, then rank.
void append_lists(const torch::Tensor& rows, const torch::Tensor& items, int64_t batch,
                  TopKLists& out) {
  const auto r = to_vector(rows), it = to_vector(items);
  std::vector<int64_t> per_row(batch, 0);
  for (int64_t x : r) ++per_row[x];
  for (int64_t x : it) out.items.push_back(static_cast<int32_t>(x));
  for (int64_t b = 0; b < batch; ++b) out.offsets.push_back(out.offsets.back() + per_row[b]);
}

//! Buffers reused by every chunk: the large temporaries are allocated once per evaluation.
struct Workspace {
  torch::Tensor flags;   //!< bool, one per score
  torch::Tensor ranked;  //!< scores with masked items at -inf

  //! A [B, N] view of `buffer`, reallocated only when `like` does not fit.
  static torch::Tensor fit(torch::Tensor& buffer, const torch::Tensor& like, torch::Dtype dtype) {
    if (!buffer.defined() || buffer.size(0) < like.size(0) || buffer.size(1) != like.size(1) ||
        buffer.scalar_type() != dtype || buffer.device() != like.device()) {
      buffer = torch::empty(like.sizes(), torch::TensorOptions(dtype).device(like.device()));
    }
    return buffer.narrow(0, 0, like.size(0));
  }
  //! Items of `scores` per row that are strictly above (`above`) or equal to `value` [B, 1].
  torch::Tensor count(const torch::Tensor& scores, const torch::Tensor& value, bool above) {
    auto out = fit(flags, scores, torch::kBool);
    above ? torch::gt_out(out, scores, value) : torch::eq_out(out, scores, value);
    return out.sum(1, false, torch::kInt32);
  }
};

//! Exact top-kmax lists of some rows of `ranked` (column j = item j+1; masked items -inf and
//! false in `competes`): every item above the kth value, then the lowest-id items equal to it.
TopKLists exact_topk(const torch::Tensor& ranked, const torch::Tensor& competes, int64_t kmax) {
  const auto kth = std::get<0>(ranked.topk(kmax, 1, true, false)).amin(1, true);
  const auto above = ranked > kth;
  auto at_kth = ranked == kth;
  if (competes.defined()) at_kth.logical_and_(competes);
  const auto room = kmax - above.sum(1, true, torch::kInt32);
  at_kth.logical_and_(at_kth.to(torch::kInt32).cumsum(1, torch::kInt32) <= room);
  const auto chosen = above.logical_or(at_kth).nonzero();  // row-major: ids ascending
  auto rows = chosen.select(1, 0), cols = chosen.select(1, 1);
  const auto by_score = std::get<1>(ranked.index({rows, cols}).sort(true, 0, true));
  rows = rows.index_select(0, by_score);
  cols = cols.index_select(0, by_score);
  const auto by_row = std::get<1>(rows.sort(true, 0, false));
  TopKLists out;
  append_lists(rows.index_select(0, by_row), cols.index_select(0, by_row) + 1, ranked.size(0), out);
  return out;
}

//! [rows.size(), n] true where an item of the chunk rows `rows` (ascending) competes.
torch::Tensor competing(const MaskedItems& masked, const std::vector<int64_t>& rows, int64_t n,
                        const torch::Device& device) {
  std::vector<int64_t> r, c;
  for (size_t j = 0, s = 0; j < masked.rows.size() && s < rows.size();) {
    if (masked.rows[j] < rows[s]) {
      ++j;
    } else if (masked.rows[j] > rows[s]) {
      ++s;
    } else {
      r.push_back(static_cast<int64_t>(s));
      c.push_back(masked.cols[j++]);
    }
  }
  auto mask = torch::ones({static_cast<int64_t>(rows.size()), n},
                          torch::TensorOptions(torch::kBool).device(device));
  if (!r.empty()) {
    mask.index_put_(
        {torch::tensor(r, torch::kInt64).to(device), torch::tensor(c, torch::kInt64).to(device)},
        false);
  }
  return mask;
}

//! Top-kmax items of each row, best first, ties by lower id, in O(N) per row. topk's values
//! are exact, so its kth value and the count of items equal to it decide each row: when every
//! item equal to the kth value is among the kmax, the list is topk's items reordered by
//! (score desc, id asc); rows with more such items (or, under masking, a kth value of -inf)
//! are redone exactly. The kernel's choice among ties is never used.
void full_topk(const torch::Tensor& ranked, const MaskedItems& masked, int64_t kmax, Workspace& ws,
               TopKLists& out) {
  kmax = std::min<int64_t>(kmax, ranked.size(1));
  const auto [values, index] = ranked.topk(kmax, 1, true, false);
  const auto kth = values.amin(1, true);
  auto redo = ws.count(ranked, kth, false) > (values == kth).sum(1, false, torch::kInt32);
  if (!masked.empty()) redo.logical_or_(torch::isneginf(kth).squeeze(1));
  const auto [ids, by_id] = index.sort(1);
  const auto order = std::get<1>(values.gather(1, by_id).sort(true, 1, true));
  const auto fast = to_vector(ids.gather(1, order) + 1);
  const auto redo_rows = to_vector(redo.nonzero().squeeze(1));
  TopKLists exact;
  if (!redo_rows.empty()) {
    const auto sel = torch::tensor(redo_rows, torch::kInt64).to(ranked.device());
    torch::Tensor competes;
    if (!masked.empty())
      competes = competing(masked, redo_rows, ranked.sizes()[1], ranked.device());
    exact = exact_topk(ranked.index_select(0, sel), competes, kmax);
  }
  for (int64_t b = 0, s = 0; b < ranked.size(0); ++b) {
    if (s < static_cast<int64_t>(redo_rows.size()) && redo_rows[s] == b) {
      out.items.insert(out.items.end(), exact.items.begin() + exact.offsets[s],
                       exact.items.begin() + exact.offsets[s + 1]);
      ++s;
    } else {
      for (int64_t j = 0; j < kmax; ++j)
        out.items.push_back(static_cast<int32_t>(fast[b * kmax + j]));
    }
    out.offsets.push_back(static_cast<int64_t>(out.items.size()));
  }
}

void store_counts(const torch::Tensor& greater, const torch::Tensor& equal,
                  const std::vector<int64_t>& examples, Scored& out) {
  const auto g = to_vector(greater), e = to_vector(equal);
  for (size_t b = 0; b < examples.size(); ++b) {
    out.greater[examples[b]] = g[b];
    out.ties[examples[b]] = e[b] - 1;  // the target equals itself
  }
}

//! Lists scored in `order` (the i-th list belongs to example order[i]), in example order.
TopKLists in_example_order(const TopKLists& scored, const std::vector<int64_t>& order) {
  std::vector<size_t> position(order.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  TopKLists out;
  for (size_t i : position) {
    out.items.insert(out.items.end(), scored.items.begin() + scored.offsets[i],
                     scored.items.begin() + scored.offsets[i + 1]);
    out.offsets.push_back(static_cast<int64_t>(out.items.size()));
  }
  return out;
}

//! Everything one chunk of examples needs.
struct Chunk {
  Recommender& model;
  const EvalSet& set;
  const EvalProtocol& protocol;
  int32_t num_items;
  const std::vector<int64_t>& examples;  //!< the chunk's rows, as indices into `set`
  int64_t rows, kmax;
  HistoryBatch batch;
  Workspace& workspace;
};

void score_full(Chunk& c, Scored& out) {
  const auto scores =
      checked_scores(c.model.score_all(c.batch), c.rows, c.num_items, "score_all", "num_items");
  const auto device = scores.device();
  const auto body = scores.narrow(1, 1, c.num_items - 1);  // the padding column never competes
  MaskedItems masked;
  if (c.protocol.mask_history) masked = history_items(c.set, c.examples, c.num_items, device);
  std::vector<int64_t> targets(c.rows);
  for (int64_t b = 0; b < c.rows; ++b) targets[b] = c.set.targets[c.examples[b]] - 1;
  const auto target_score =
      body.gather(1, torch::tensor(targets, torch::kInt64).to(device).unsqueeze(1));
  auto counts = eval_detail::count_against_target(body, target_score);
  if (!masked.empty()) {  // take the masked items back out of every count
    const auto item = body.index({masked.row_t, masked.col_t});
    const auto target = target_score.squeeze(1).index_select(0, masked.row_t);
    const auto take_out = [&](torch::Tensor& count, const torch::Tensor& flags) {
      count.index_add_(0, masked.row_t, flags.to(torch::kInt32).neg());
    };
    take_out(counts.greater, item > target);
    take_out(counts.equal, item == target);
    take_out(counts.nan, torch::isnan(item));
  }
  check_nan(counts.nan, c.examples, c.set);
  store_counts(counts.greater, counts.equal, c.examples, out);
  if (c.kmax == 0) return;
  auto ranked = body;  // masked items at -inf
  if (!masked.empty()) {
    ranked = Workspace::fit(c.workspace.ranked, body, body.scalar_type()).copy_(body);
    ranked.index_put_({masked.row_t, masked.col_t}, -INFINITY);
  }
  full_topk(ranked, masked, c.kmax, c.workspace, out.lists);
}

//! Stored rows of this chunk, each shown in its fixed presentation order; `target_col` receives
//! the column where each row's target ended up.
torch::Tensor presented_candidates(const Chunk& c, const CandidateLists& cand,
                                   std::vector<int64_t>& target_col) {
  const int64_t width = cand.width;
  std::vector<int64_t> items(c.rows * width);
  target_col.assign(c.rows, 0);
  for (int64_t b = 0; b < c.rows; ++b) {
    const int64_t row = c.examples[b];
    std::vector<int64_t> order(width);
    for (int64_t j = 0; j < width; ++j) order[j] = j;
    if (c.protocol.shuffle_candidates) {  // Fisher-Yates with portable draws
      auto rng = indexed_rng(kPresentationSeed, row);
      for (int64_t j = width - 1; j > 0; --j) {
        std::swap(order[j], order[uniform_below(rng, j + 1)]);
      }
    }
    for (int64_t j = 0; j < width; ++j) {
      items[b * width + j] = cand.items[row * width + order[j]];
      if (order[j] == 0) target_col[b] = j;
    }
  }
  return torch::tensor(items, torch::kInt64).view({c.rows, width});
}

void score_candidates(Chunk& c, const CandidateLists& cand, const torch::Device& device,
                      Scored& out) {
  std::vector<int64_t> target_col;
  const auto items = presented_candidates(c, cand, target_col).to(device);
  auto scores = checked_scores(c.model.score_candidates(c.batch, items), c.rows, cand.width,
                               "score_candidates", "candidates");
  const bool generative = c.protocol.mode == EvalMode::candidates;
  const auto invalid = generative ? torch::isnan(scores).all(1) : torch::Tensor();
  const bool any_invalid = generative && invalid.any().item<bool>();
  if (any_invalid) scores = scores.masked_fill(invalid.unsqueeze(1), 0.0);
  const auto on = scores.device();
  const auto index = torch::tensor(target_col, torch::kInt64).to(on).unsqueeze(1);
  const auto target_score = scores.gather(1, index);
  auto [greater, equal, nan] = eval_detail::count_against_target(scores, target_score);
  check_nan(nan, c.examples, c.set);
  if (any_invalid) {  // below every candidate: a miss at every K <= candidates
    greater.masked_fill_(invalid, static_cast<int32_t>(cand.width));
    equal.masked_fill_(invalid, 1);
    out.invalid += invalid.sum().item<int64_t>();
  }
  store_counts(greater, equal, c.examples, out);
  if (c.kmax == 0) return;
  const auto ids = items.to(on);  // best first, ties by lower item id
  const auto by_id = std::get<1>(ids.sort(true, 1, false));
  const auto sorted_ids = ids.gather(1, by_id);
  const auto by_score = std::get<1>(scores.gather(1, by_id).sort(true, 1, true));
  const auto top = sorted_ids.gather(1, by_score).narrow(1, 0, std::min(c.kmax, cand.width));
  const auto rows = torch::arange(c.rows, torch::kInt64).to(on).unsqueeze(1).expand_as(top);
  if (!any_invalid) {
    append_lists(rows.reshape(-1), top.reshape(-1), c.rows, out.lists);
    return;
  }
  const auto keep = invalid.logical_not().unsqueeze(1).expand_as(top);  // invalid: empty list
  append_lists(rows.masked_select(keep), top.masked_select(keep), c.rows, out.lists);
}

//! The protocol's metrics in canonical spelling; throws on unknown names, duplicates, bad K.
std::vector<std::string> checked_metrics(const EvalProtocol& p) {
  if (p.metrics.empty()) throw ConfigError("evaluation protocol: 'metrics' is empty");
  if (p.topk.empty()) throw ConfigError("evaluation protocol: 'topk' is empty");
  std::vector<std::string> names;
  for (const auto& m : p.metrics) {
    names.push_back(canonical_metric(m));
    if (std::count(names.begin(), names.end(), names.back()) > 1) {
      throw ConfigError("evaluation protocol: metric '" + m + "' is listed twice");
    }
  }
  for (int64_t k : p.topk) {
    if (k < 1 || std::count(p.topk.begin(), p.topk.end(), k) > 1) {
      throw ConfigError("evaluation protocol: topk values must be distinct and >= 1 (got " +
                        std::to_string(k) + ")");
    }
  }
  const bool tail = std::find(names.begin(), names.end(), "TailShare") != names.end();
  if (tail && !(p.tail_ratio > 0.0 && p.tail_ratio <= 1.0)) {
    throw ConfigError("evaluation protocol: tail_ratio must be in (0, 1] (got " +
                      std::to_string(p.tail_ratio) + ")");
  }
  if (p.batch_size < 1) {
    throw ConfigError("evaluation protocol: batch_size must be >= 1 (got " +
                      std::to_string(p.batch_size) + ")");
  }
  return names;
}

void check_set(const EvalSet& set, int32_t num_items, int64_t max_history) {
  if (set.size() == 0) throw DataError("evaluate: the evaluation set is empty");
  if (set.histories.size() != set.targets.size()) {
    throw DataError("evaluate: " + std::to_string(set.histories.size()) + " histories but " +
                    std::to_string(set.targets.size()) + " targets");
  }
  if (num_items < 2) throw Error("evaluate: num_items must count at least one real item");
  if (max_history < 1) throw ConfigError("evaluate: max_history must be >= 1");
  for (size_t i = 0; i < set.size(); ++i) {
    if (set.targets[i] < 1 || set.targets[i] >= num_items) {
      throw DataError("evaluate: example " + std::to_string(i) + " has target item " +
                      std::to_string(set.targets[i]) + " outside [1, " + std::to_string(num_items) +
                      ")");
    }
  }
}

//! Stored lists must belong to this split and mode: one row per example, the target in column
//! 0, distinct valid items, and the width the protocol asks for.
void check_candidates(const CandidateLists* cand, const EvalSet& set, const EvalProtocol& p,
                      int32_t num_items) {
  const bool sampled = p.mode == EvalMode::sampled;
  if (cand == nullptr) {
    throw Error(std::string("evaluate: ") + (sampled ? "sampled" : "candidates") +
                " mode needs stored candidate lists (draw_candidates)");
  }
  const int64_t width = sampled ? p.negatives + 1 : p.candidates;
  if (cand->width != width || cand->rows != static_cast<int64_t>(set.size()) ||
      static_cast<int64_t>(cand->items.size()) != cand->rows * cand->width) {
    throw Error("evaluate: candidate lists are " + std::to_string(cand->rows) + " x " +
                std::to_string(cand->width) + ", expected " + std::to_string(set.size()) + " x " +
                std::to_string(width) +
                (sampled ? " (examples x negatives + 1)" : " (examples x candidates)"));
  }
  std::vector<int32_t> row;
  for (int64_t i = 0; i < cand->rows; ++i) {
    row.assign(cand->items.begin() + i * width, cand->items.begin() + (i + 1) * width);
    if (row[0] != set.targets[i]) {
      throw Error("evaluate: candidate row " + std::to_string(i) + " starts with item " +
                  std::to_string(row[0]) + ", not the example's target " +
                  std::to_string(set.targets[i]) + " (lists drawn for another split?)");
    }
    std::sort(row.begin(), row.end());
    if (row.front() < 1 || row.back() >= num_items ||
        std::adjacent_find(row.begin(), row.end()) != row.end()) {
      throw Error("evaluate: candidate row " + std::to_string(i) +
                  " has a repeated item or one outside [1, " + std::to_string(num_items) + ")");
    }
  }
}

double rank_under(TiePolicy policy, int64_t greater, int64_t ties) {
  switch (policy) {
    case TiePolicy::optimistic:
      return static_cast<double>(greater + 1);
    case TiePolicy::expected:
      return static_cast<double>(greater) + static_cast<double>(ties) / 2.0 + 1.0;
    case TiePolicy::pessimistic:
      break;
  }
  return static_cast<double>(greater + ties + 1);
}

Scored score_all_examples(Recommender& model, const EvalSet& set, const EvalProtocol& protocol,
                          int32_t num_items, int64_t max_history, const torch::Device& device,
                          const CandidateLists* candidates, int64_t kmax) {
  torch::NoGradGuard no_grad;
  const auto n = static_cast<int64_t>(set.size());
  Scored scored;
  scored.greater.resize(n);
  scored.ties.resize(n);
  Workspace workspace;
  // Examples by history length, so that each chunk's histories are alike and the model's passes
  // trim to their longest (S3-Rec Beauty: 9 items on average, but 153 of 22,363 test histories
  // reach 50, so most batches of 256 consecutive users held one). Every number is per example: the
  // order changes none of them.
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return set.histories.sequence(a).size() < set.histories.sequence(b).size();
  });
  std::vector<int64_t> examples;
  for (int64_t first = 0; first < n; first += protocol.batch_size) {
    const int64_t count = std::min(protocol.batch_size, n - first);
    examples.assign(order.begin() + first, order.begin() + first + count);
    Chunk chunk{
        model,    set,   protocol, num_items,
        examples, count, kmax,     make_history_batch(set.histories, examples, max_history, device),
        workspace};
    if (protocol.mode == EvalMode::full) {
      score_full(chunk, scored);
    } else {
      score_candidates(chunk, *candidates, device, scored);
    }
  }
  if (scored.lists.size() > 0) scored.lists = in_example_order(scored.lists, order);
  return scored;
}

}  // namespace

namespace {

//! LLaRA's HR (model_interface.py, calculate_hr1): hits among the valid answers only, 0 when no
//! answer is valid. An invalid row is stored with greater = candidates (below every candidate),
//! which no valid row can have.
std::vector<std::pair<std::string, double>> valid_hit_ratio(const Scored& scored,
                                                            const EvalProtocol& protocol) {
  std::vector<int64_t> greater, ties;
  for (size_t i = 0; i < scored.greater.size(); ++i) {
    if (scored.greater[i] < protocol.candidates) {
      greater.push_back(scored.greater[i]);
      ties.push_back(scored.ties[i]);
    }
  }
  std::vector<std::pair<std::string, double>> out;
  for (int64_t k : protocol.topk) {
    double hr = 0.0;
    if (!greater.empty()) hr = rank_metrics(greater, ties, {"HR"}, {k}, protocol.ties).at(0).second;
    out.emplace_back(std::string(kValidHR) + "@" + std::to_string(k), hr);
  }
  return out;
}

}  // namespace

EvalResult evaluate(Recommender& model, const EvalSplit& split, const EvalProtocol& protocol,
                    const torch::Device& device) {
  const EvalSet& set = split.set;
  const std::vector<int64_t>& item_counts = split.item_counts;
  const int32_t num_items = split.num_items;
  const int64_t max_history = split.max_history;
  const CandidateLists* candidates = split.candidates;
  const auto start = std::chrono::steady_clock::now();
  const auto names = checked_metrics(protocol);
  check_set(set, num_items, max_history);
  if (protocol.mode != EvalMode::full) check_candidates(candidates, set, protocol, num_items);
  std::vector<std::string> by_rank, by_list, by_valid;
  for (const auto& m : names) {
    if (m == kValidHR) {
      if (protocol.mode != EvalMode::candidates) {
        throw ConfigError("evaluation protocol: ValidHR is computed in candidates mode only");
      }
      by_valid.push_back(m);
    } else {
      (is_list_metric(m) ? by_list : by_rank).push_back(m);
    }
  }
  const int64_t kmax =
      by_list.empty() ? 0 : *std::max_element(protocol.topk.begin(), protocol.topk.end());
  if (!by_list.empty() && static_cast<int64_t>(item_counts.size()) != num_items) {
    throw Error("evaluate: item_counts has " + std::to_string(item_counts.size()) +
                " entries, expected num_items = " + std::to_string(num_items));
  }

  Scored scored =
      score_all_examples(model, set, protocol, num_items, max_history, device, candidates, kmax);
  EvalResult result;
  std::map<std::string, double> values;
  for (auto& [k, v] :
       rank_metrics(scored.greater, scored.ties, by_rank, protocol.topk, protocol.ties))
    values[k] = v;
  if (!by_valid.empty()) {
    for (auto& [k, v] : valid_hit_ratio(scored, protocol)) values[k] = v;
  }
  if (!by_list.empty()) {
    for (auto& [k, v] : list_metrics(scored.lists, by_list, protocol.topk, item_counts, num_items,
                                     protocol.tail_ratio)) {
      values[k] = v;
    }
  }
  for (const auto& m : names) {
    for (int64_t k : protocol.topk) {
      const auto key = m + "@" + std::to_string(k);
      result.metrics.emplace_back(key, values.at(key));
    }
  }
  if (protocol.mode == EvalMode::candidates) {
    const auto n = static_cast<double>(scored.greater.size());
    result.metrics.emplace_back(kValidRatio, (n - static_cast<double>(scored.invalid)) / n);
  }
  for (size_t i = 0; i < scored.greater.size(); ++i) {
    result.ranks.push_back(rank_under(protocol.ties, scored.greater[i], scored.ties[i]));
  }
  result.greater = std::move(scored.greater);
  result.ties = std::move(scored.ties);
  result.lists = std::move(scored.lists);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

double EvalResult::value(const std::string& name) const {
  for (const auto& [key, v] : metrics) {
    if (key == name) return v;
  }
  std::vector<std::string> known;
  for (const auto& kv : metrics) known.push_back(kv.first);
  throw Error("unknown metric '" + name +
              "' in this result (known: " + detail::join_keys(known, "", "") + ")");
}

}  // namespace recbench
