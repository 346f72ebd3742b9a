// Training a batch as groups of rows of similar length: the grouping itself, and that a model
// trained on the groups ends where the same model trained on whole batches ends.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "recbench/nn/common.h"
#include "recbench/nn/gru.h"
#include "recbench/nn/sequential_model.h"
#include "recbench/train_views.h"
#include "unit/baselines/fake_context.h"

namespace recbench {
namespace {

//! Rows of the given lengths over `width` columns: row r holds 100 r + 1, 100 r + 2, ...; in
//! every_position form the targets are the inputs + 1000.
TrainBatch batch_of(const std::vector<int64_t>& lengths, int64_t width, bool every_position) {
  const auto rows = static_cast<int64_t>(lengths.size());
  auto items = torch::zeros({rows, width}, torch::kInt64);
  for (int64_t r = 0; r < rows; ++r) {
    items[r].narrow(0, 0, lengths[r]).copy_(torch::arange(1, lengths[r] + 1) + 100 * r);
  }
  auto targets = every_position ? torch::where(items > 0, items + 1000, items)
                                : torch::arange(rows, torch::kInt64) + 7;
  return {items, torch::tensor(lengths), torch::arange(rows, torch::kInt64), targets};
}

TEST(GroupByLength, PartitionsTheRowsAndTrimsEachGroupToItsLongest) {
  const std::vector<int64_t> lengths{3, 9, 1, 20, 8, 17, 40};
  for (bool every : {false, true}) {
    const TrainBatch batch = batch_of(lengths, 40, every);
    const auto groups = group_by_length(batch);
    // (0, 8]: rows 0, 2, 4; (8, 16]: row 1; (16, 32]: rows 3, 5; (32, 64]: row 6.
    const std::vector<std::vector<int64_t>> want_rows{{0, 2, 4}, {1}, {3, 5}, {6}};
    const std::vector<int64_t> want_width{8, 9, 20, 40};
    ASSERT_EQ(groups.size(), want_rows.size());
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto index = torch::tensor(want_rows[g], torch::kInt64);
      EXPECT_TRUE(torch::equal(groups[g].users, index)) << "group " << g;
      EXPECT_EQ(groups[g].items.size(1), want_width[g]) << "group " << g;
      EXPECT_TRUE(torch::equal(groups[g].items,
                               batch.items.index_select(0, index).narrow(1, 0, want_width[g])));
      EXPECT_TRUE(torch::equal(groups[g].lengths, batch.lengths.index_select(0, index)));
      auto targets = batch.targets.index_select(0, index);
      if (every) targets = targets.narrow(1, 0, want_width[g]);
      EXPECT_TRUE(torch::equal(groups[g].targets, targets)) << "group " << g;
      // Nothing was cut but padding: every row keeps all its items and targets.
      EXPECT_EQ(groups[g].items.gt(0).sum().item<int64_t>(),
                groups[g].lengths.sum().item<int64_t>());
    }
  }
}

TEST(GroupByLength, ABatchOfOneGroupIsItself) {
  const TrainBatch batch = batch_of({3, 8, 5}, 8, false);
  const auto groups = group_by_length(batch);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_TRUE(groups[0].items.is_same(batch.items));
  // Narrower than the batch: one group, trimmed.
  const auto trimmed = group_by_length(batch_of({3, 5}, 50, false));
  ASSERT_EQ(trimmed.size(), 1u);
  EXPECT_EQ(trimmed[0].items.size(1), 5);
}

TEST(GroupByLength, TakeCopiesSomeRowsAndPassesEveryRowThrough) {
  const auto items = torch::arange(12, torch::kInt64).reshape({3, 4});
  const auto lengths = torch::tensor({2, 1, 2}, torch::kInt64);
  const LengthGroup some{torch::tensor({0, 2}, torch::kInt64), 2};
  EXPECT_TRUE(some.take(items).equal(torch::tensor({0, 1, 8, 9}, torch::kInt64).reshape({2, 2})));
  EXPECT_TRUE(some.take(lengths).equal(torch::tensor({2, 2}, torch::kInt64)));
  const LengthGroup every{torch::arange(3, torch::kInt64), 4};
  EXPECT_TRUE(every.take(items).is_same(items));
  EXPECT_TRUE(every.take(lengths).is_same(lengths));
  const LengthGroup narrower{torch::arange(3, torch::kInt64), 2};  // every row, trimmed: a view
  EXPECT_EQ(narrower.take(items).data_ptr(), items.data_ptr());
  EXPECT_EQ(narrower.take(items).size(1), 2);
}

//! Embedding -> GRU -> state per position; the length grouping switched on or off.
class TinyGru final : public nn::SequentialModel {
 public:
  TinyGru(const PluginContext& context, TrainMode mode, bool grouped)
      : SequentialModel(common(mode, grouped), context) {
    nn::GruOptions o;
    o.embedding = 16;
    o.hidden = 24;
    o.dropout = 0.0;  // no random draws: both trainings see the same arithmetic
    items_ = torch::nn::Embedding(torch::nn::EmbeddingOptions(context.data->num_items(), 16));
    gru_ = nn::make_gru(o);
    net_ = std::make_shared<torch::nn::Module>();
    net_->register_module("items", items_);
    net_->register_module("gru", gru_);
    attach(net_);
  }

 protected:
  torch::Tensor encode(const HistoryBatch& batch) override {
    HistoryBatch h = keep_recent(batch, options().max_len);
    return nn::gather_last(states(h.items), h.lengths);
  }
  torch::Tensor batch_loss(const TrainBatch& batch) override {
    return nn::target_loss(loss_, states(batch.items), batch, output_table());
  }
  torch::Tensor output_table() const override { return items_->weight; }

 private:
  static nn::CommonOptions common(TrainMode mode, bool grouped) {
    nn::CommonOptions o;
    o.epochs = 2;
    o.batch_size = 32;
    o.max_len = 40;
    o.mode = mode;
    o.group_by_length = grouped;
    return o;
  }
  torch::Tensor states(const torch::Tensor& items) {
    auto out = std::get<0>(gru_(items_(items)));
    return out.narrow(2, 0, 16);  // the first 16 state units meet the item table
  }
  nn::ItemLoss loss_;
  std::shared_ptr<torch::nn::Module> net_;
  torch::nn::Embedding items_{nullptr};
  torch::nn::GRU gru_{nullptr};
};

TEST(GroupByLength, TrainingOnTheGroupsEqualsTrainingOnWholeBatches) {
  // Lengths 3..40, so most batches span several groups.
  const testing::FakeDataset data(
      testing::rule_sequences(60, 80, 3, 42, 0.7, 5, [](ItemId i) { return i % 59 + 1; }), 60);
  for (TrainMode mode : {TrainMode::prefix, TrainMode::every_position}) {
    torch::Tensor scores[2];
    for (bool grouped : {false, true}) {
      testing::FakeContext ctx(data);
      PluginContext context;
      context.data = &ctx.data();
      torch::manual_seed(3);
      TinyGru model(context, mode, grouped);
      model.fit(ctx);
      scores[grouped ? 1 : 0] = testing::valid_scores(model, ctx.data(), 80);
    }
    EXPECT_TRUE(torch::allclose(scores[0], scores[1], 1e-4, 1e-4))
        << nn::train_mode_name(mode) << ": max |difference| "
        << (scores[0] - scores[1]).abs().max().item<double>();
    EXPECT_GT(scores[0].std().item<double>(), 0.01);  // it learned something to compare
  }
}

}  // namespace
}  // namespace recbench
