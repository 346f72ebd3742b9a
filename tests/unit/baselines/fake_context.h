// Test doubles for training plugins without the harness runner: a hand-built leave-one-out
// dataset, a TrainContext whose validate() computes HR/NDCG@10 by full ranking (never stops
// early), and helpers to construct statically linked plugins and evaluate them.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "recbench/core/run/early_stopping.h"
#include "recbench/error.h"
#include "recbench/params.h"
#include "recbench/plugin.h"
#include "recbench/random.h"
#include "recbench/train_context.h"
#include "recbench/train_views.h"

namespace recbench::testing {

//! A dataset split leave-one-out from full sequences: train = all but the last two items,
//! valid = (train, second to last), test = (train + valid item, last).
struct FakeDataset {
  ItemCatalog items;
  SequenceSet train;
  EvalSet valid, test;
  std::vector<int64_t> item_counts;
  int64_t num_users = 0;

  FakeDataset(const std::vector<std::vector<ItemId>>& sequences, int32_t num_items) {
    items.tokens.resize(num_items);
    for (int32_t i = 0; i < num_items; ++i) items.tokens[i] = std::to_string(i);
    item_counts.assign(num_items, 0);
    num_users = static_cast<int64_t>(sequences.size());
    for (size_t u = 0; u < sequences.size(); ++u) {
      const auto& s = sequences[u];
      const auto n = s.size();
      const auto user = static_cast<int64_t>(u);
      add(train, user, {s.begin(), s.end() - 2});
      add(valid.histories, user, {s.begin(), s.end() - 2});
      valid.targets.push_back(s[n - 2]);
      add(test.histories, user, {s.begin(), s.end() - 1});
      test.targets.push_back(s[n - 1]);
      for (size_t i = 0; i + 2 < n; ++i) ++item_counts[s[i]];
    }
  }
  FakeDataset(const FakeDataset&) = delete;  // views point into it

  DatasetView view() const {
    DatasetView v;
    v.name = "fake";
    v.fingerprint = "fake";
    v.num_users = num_users;
    v.items = &items;
    v.train = &train;
    v.valid = &valid;
    v.item_counts = item_counts;
    return v;
  }

 private:
  static void add(SequenceSet& set, int64_t user, const std::vector<ItemId>& seq) {
    std::vector<int64_t> ts(seq.size());
    for (size_t i = 0; i < ts.size(); ++i) ts[i] = static_cast<int64_t>(i);
    std::vector<int16_t> doms(seq.size(), 0);
    set.append(user, seq, ts, doms);
  }
};

//! Sequences of uniform length in [min_length, max_length] following item -> rule(item) with
//! probability `p_rule` and a uniformly random item otherwise; items are 1..num_items-1; starts
//! are uniform. (Lengths vary so that every position a model sees at evaluation was trained.)
template <typename Rule>
std::vector<std::vector<ItemId>> rule_sequences(int32_t num_items, int users, int min_length,
                                                int max_length, double p_rule, uint64_t seed,
                                                Rule rule) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> length_of(min_length, max_length);
  std::uniform_int_distribution<ItemId> item(1, num_items - 1);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<std::vector<ItemId>> out(users);
  for (auto& s : out) {
    const int length = length_of(rng);
    s.push_back(item(rng));
    while (static_cast<int>(s.size()) < length) {
      s.push_back(coin(rng) < p_rule ? rule(s.back()) : item(rng));
    }
  }
  return out;
}

//! HR@1, HR@10 and NDCG@10 of the target, full ranking over items 1..n-1, ties pessimistic.
struct Metrics {
  double hr1 = 0, hr10 = 0, ndcg10 = 0;
};

inline Metrics evaluate(Recommender& model, const EvalSet& set, int64_t max_len = 50,
                        int64_t batch_size = 128) {
  Metrics m;
  for (size_t start = 0; start < set.size(); start += batch_size) {
    std::vector<int64_t> rows;
    for (size_t r = start; r < std::min(set.size(), start + batch_size); ++r) rows.push_back(r);
    auto batch = make_history_batch(set.histories, rows, max_len, torch::kCPU);
    auto scores = model.score_all(batch).to(torch::kCPU, torch::kFloat64).clone();
    scores.select(1, 0).fill_(-std::numeric_limits<double>::infinity());
    std::vector<int64_t> targets;
    for (int64_t r : rows) targets.push_back(set.targets[r]);
    auto t = torch::tensor(targets, torch::kInt64).unsqueeze(1);
    auto target_score = scores.gather(1, t);
    auto rank = (scores > target_score).sum(1) + (scores == target_score).sum(1) - 1;  // 0-based
    for (int64_t i = 0; i < rank.size(0); ++i) {
      const auto r = rank[i].item<int64_t>();
      m.hr1 += r < 1;
      m.hr10 += r < 10;
      m.ndcg10 += r < 10 ? 1.0 / std::log2(r + 2.0) : 0.0;
    }
  }
  const auto n = static_cast<double>(set.size());
  m.hr1 /= n;
  m.hr10 /= n;
  m.ndcg10 /= n;
  return m;
}

//! A TrainContext over a FakeDataset: validate() evaluates NDCG@10 on the validation split.
class FakeContext final : public TrainContext {
 public:
  explicit FakeContext(const FakeDataset& data, uint64_t seed = 7)
      : FakeContext(data.view(), seed) {}
  //! Over any dataset view (e.g. a PreparedDataset's), which must outlive the context.
  explicit FakeContext(DatasetView view, uint64_t seed = 7)
      : data_(std::move(view)),
        seed_(seed),
        log_(std::make_shared<spdlog::logger>("test",
                                              std::make_shared<spdlog::sinks::null_sink_mt>())) {
    std::string dir = (std::filesystem::temp_directory_path() / "recbench_test_XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) throw Error("cannot create a temporary folder");
    dir_ = dir;
  }
  ~FakeContext() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  const DatasetView& data() const override { return data_; }
  torch::Device device() const override { return torch::kCPU; }
  uint64_t seed(Stream stream) const override {
    return stream_seed(seed_, static_cast<int>(stream));
  }
  spdlog::logger& log() override { return *log_; }
  ValidationOutcome validate(Recommender& model, int epoch, double train_loss) override {
    const Metrics m = evaluate(model, *data_.valid, data_.max_history);
    losses.push_back(train_loss);
    ndcg.push_back(m.ndcg10);
    ValidationOutcome out;
    out.value = m.ndcg10;
    out.improved = stopping_.update(epoch, m.ndcg10).improved;  // the runner's rule
    return out;
  }
  void record_epoch(int, double) override {}
  std::filesystem::path work_dir() const override { return dir_; }
  std::optional<std::filesystem::path> artifact(const std::string&) const override {
    return std::nullopt;
  }
  int64_t eval_batch_size() const override { return 128; }
  std::optional<std::filesystem::path> embedding_artifact(const std::string& label) const override {
    auto it = embeddings.find(label);
    if (it == embeddings.end()) return std::nullopt;
    return it->second;
  }

  std::vector<double> losses;                               //!< train loss per epoch
  std::vector<double> ndcg;                                 //!< validation NDCG@10 per epoch
  std::map<std::string, std::filesystem::path> embeddings;  //!< embedding_artifact() by label
  const DatasetView& corpus(const std::string& name) const override {
    auto it = corpora.find(name);
    if (it == corpora.end()) throw ConfigError("no pre-training corpus '" + name + "'");
    return it->second;
  }
  std::filesystem::path shared_dir(const std::string& key) const override {
    const auto dir = (shared_root.empty() ? dir_ / "shared" : shared_root) / key;
    std::filesystem::create_directories(dir);
    return dir;
  }

  std::map<std::string, DatasetView> corpora;  //!< what corpus() returns, by name

  // Stopping: stop_requested() counts its calls and turns true at call `stop_at` (0: never), or
  // throws at call `crash_at` (a process killed there: nothing more is written);
  // save_checkpoint() fills work_dir()/checkpoint; resume_checkpoint() returns `resume_from`.
  bool stop_requested() const override {
    if (++stop_checks == crash_at) throw Error("simulated kill");  // dies without saving
    return stop_checks == stop_at || stopped();
  }
  bool stopped() const { return stop_at > 0 && stop_checks >= stop_at; }
  void save_checkpoint(const std::function<void(const std::filesystem::path&)>& write) override {
    checkpoint = dir_ / "checkpoint";
    std::filesystem::remove_all(*checkpoint);
    std::filesystem::create_directories(*checkpoint);
    write(*checkpoint);
  }
  std::optional<std::filesystem::path> resume_checkpoint() const override { return resume_from; }
  int64_t stop_at = 0;
  int64_t crash_at = 0;
  mutable int64_t stop_checks = 0;
  std::optional<std::filesystem::path> checkpoint, resume_from;
  std::filesystem::path shared_root;  //!< parent of shared_dir() (default: work_dir()/shared)

 private:
  DatasetView data_;
  uint64_t seed_;
  //! The runner's early stopping on NDCG@10, with a patience that never stops training.
  EarlyStopping stopping_{"NDCG@10", std::numeric_limits<int64_t>::max()};
  std::shared_ptr<spdlog::logger> log_;
  std::filesystem::path dir_;
};

//! The statically linked plugin called `name`; throws if none.
inline const StaticPlugin& find_plugin(const std::string& name) {
  for (const auto& p : static_plugins()) {
    if (name == p.info->name) return p;
  }
  throw PluginError("no statically linked plugin '" + name + "'");
}

//! Constructs plugin `name` from TOML text as the host would: init seed, factory, finish().
inline std::unique_ptr<Recommender> make_model(const std::string& name, const std::string& toml,
                                               const TrainContext& ctx,
                                               Precision precision = Precision::fp32) {
  Params params("models." + name + ".params", toml, "test.toml");
  PluginContext context;
  context.precision = precision;
  context.seed = ctx.seed(Stream::init);
  context.data = &ctx.data();
  if (auto* fake = dynamic_cast<const FakeContext*>(&ctx)) {
    for (const auto& [name, view] : fake->corpora) context.corpora.push_back(name);
  }
  torch::manual_seed(ctx.seed(Stream::init));
  auto model = find_plugin(name).factory(params, context);
  params.finish();
  return model;
}

//! Scores of the first `rows` validation histories.
inline torch::Tensor valid_scores(Recommender& model, const DatasetView& data, int64_t rows) {
  std::vector<int64_t> r(std::min<int64_t>(rows, data.valid->size()));
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<int64_t>(i);
  return model.score_all(make_history_batch(data.valid->histories, r, 50, torch::kCPU));
}

}  // namespace recbench::testing
