// TrainView: prefix and every-position views cover the same transitions, never target held-out
// items, tile long sequences, and shuffle deterministically; the last-item view targets each
// sequence's last item only.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include <torch/torch.h>

#include "recbench/batch.h"
#include "recbench/error.h"
#include "recbench/train_views.h"

namespace recbench {
namespace {

//! Appends a sequence of `n` distinct items starting at `first` for `user`.
void add(SequenceSet& set, int64_t user, ItemId first, int n) {
  std::vector<ItemId> items(n);
  std::vector<int64_t> ts(n);
  for (int i = 0; i < n; ++i) items[i] = first + i, ts[i] = i;
  set.append(user, items, ts, std::vector<int16_t>(n, 0));
}

//! (user, last input item, target item) of every target in the view, sorted.
using Transition = std::tuple<int64_t, int64_t, int64_t>;
std::vector<Transition> transitions(const TrainView& view, int64_t batch_size) {
  std::vector<Transition> out;
  for (int64_t b = 0; b < view.num_batches(batch_size); ++b) {
    TrainBatch batch = view.batch(b, batch_size, torch::kCPU);
    auto items = batch.items.accessor<int64_t, 2>();
    for (int64_t i = 0; i < batch.size(); ++i) {
      const int64_t user = batch.users[i].item<int64_t>();
      if (view.mode() != TrainMode::every_position) {  // prefix and last: one target
        const int64_t len = batch.lengths[i].item<int64_t>();
        out.emplace_back(user, items[i][len - 1], batch.targets[i].item<int64_t>());
        continue;
      }
      auto targets = batch.targets.accessor<int64_t, 2>();
      for (int64_t p = 0; p < batch.items.size(1); ++p) {
        if (targets[i][p] != 0) out.emplace_back(user, items[i][p], targets[i][p]);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

SequenceSet example_set() {
  SequenceSet set;
  add(set, 0, 1, 1);      // no transition at all
  add(set, 1, 10, 2);     // one
  add(set, 2, 100, 6);    // exactly max_len + 1 with max_len 5
  add(set, 3, 1000, 23);  // several windows, the oldest one partial
  add(set, 4, 5000, 11);  // exactly two full windows
  return set;
}

TEST(TrainViews, BothViewsSeeEveryTransitionExactlyOnce) {
  const SequenceSet set = example_set();
  std::vector<Transition> expected;
  for (size_t r = 0; r < set.size(); ++r) {
    auto seq = set.sequence(r);
    for (size_t t = 1; t < seq.size(); ++t) expected.emplace_back(set.users[r], seq[t - 1], seq[t]);
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(expected.size(), 0u + 1 + 5 + 22 + 10);
  for (int64_t batch_size : {1, 3, 100}) {
    auto prefix = TrainView::prefix(set, 5);
    auto windows = TrainView::every_position(set, 5);
    EXPECT_EQ(transitions(prefix, batch_size), expected);
    EXPECT_EQ(transitions(windows, batch_size), expected);
    EXPECT_EQ(prefix.num_targets(), static_cast<int64_t>(expected.size()));
    EXPECT_EQ(windows.num_targets(), static_cast<int64_t>(expected.size()));
  }
  // ceil((n - 1) / 5) windows per sequence: 0 + 1 + 1 + 5 + 2.
  EXPECT_EQ(TrainView::every_position(set, 5).size(), 9);
  EXPECT_EQ(TrainView::prefix(set, 5).size(), 38);
}

TEST(TrainViews, PrefixInputsAreTheItemsBeforeTheTarget) {
  SequenceSet set;
  add(set, 0, 1, 9);
  auto view = TrainView::prefix(set, 3);
  TrainBatch batch = view.batch(0, 100, torch::kCPU);
  ASSERT_EQ(batch.size(), 8);
  for (int64_t i = 0; i < batch.size(); ++i) {
    const int64_t target = batch.targets[i].item<int64_t>();
    const int64_t len = batch.lengths[i].item<int64_t>();
    EXPECT_EQ(len, std::min<int64_t>(3, target - 1));
    for (int64_t p = 0; p < batch.items.size(1); ++p) {
      const int64_t expected = p < len ? target - len + p : 0;  // left-aligned, zero-padded
      EXPECT_EQ(batch.items[i][p].item<int64_t>(), expected);
    }
  }
}

TEST(TrainViews, WindowsTileFromTheEndAndShareOneItem) {
  SequenceSet set;
  add(set, 0, 1, 12);  // items 1..12, max_len 4: windows 8..12, 4..8, 1..4
  auto view = TrainView::every_position(set, 4);
  ASSERT_EQ(view.size(), 3);  // ceil(11 / 4)
  TrainBatch b = view.batch(0, 3, torch::kCPU);
  std::map<int64_t, std::vector<int64_t>> by_first;  // first input item -> inputs
  for (int64_t i = 0; i < 3; ++i) {
    std::vector<int64_t> in;
    for (int64_t p = 0; p < b.lengths[i].item<int64_t>(); ++p)
      in.push_back(b.items[i][p].item<int64_t>());
    by_first[in[0]] = in;
  }
  EXPECT_EQ(by_first[8], (std::vector<int64_t>{8, 9, 10, 11}));  // targets 9..12
  EXPECT_EQ(by_first[4], (std::vector<int64_t>{4, 5, 6, 7}));    // targets 5..8
  EXPECT_EQ(by_first[1], (std::vector<int64_t>{1, 2, 3}));       // targets 2..4, padded
}

TEST(TrainViews, HeldOutItemsAreNeverTargets) {
  // Full sequences use distinct items; the last two of each are validation and test.
  SequenceSet train;
  std::vector<ItemId> held_out;
  for (int u = 0; u < 20; ++u) {
    const int n = 3 + u % 17;
    const ItemId first = static_cast<ItemId>(1 + 100 * u);
    add(train, u, first, n - 2);
    held_out.push_back(first + n - 2);
    held_out.push_back(first + n - 1);
  }
  for (auto mode : {TrainMode::prefix, TrainMode::every_position, TrainMode::last}) {
    auto view = TrainView::make(mode, train, 4);
    EXPECT_EQ(view.mode(), mode);
    for (const auto& [user, last, target] : transitions(view, 7)) {
      EXPECT_EQ(std::count(held_out.begin(), held_out.end(), target), 0) << target;
      EXPECT_EQ(target, last + 1);  // a real transition of the training sequence
      EXPECT_NE((target - 1) % 100, 0) << "the first item of a sequence is never a target";
    }
  }
}

TEST(TrainViews, ShuffleDependsOnlyOnTheSeed) {
  const SequenceSet set = example_set();
  auto a = TrainView::prefix(set, 5), b = TrainView::prefix(set, 5);
  auto first_targets = [](const TrainView& v) { return v.batch(0, v.size(), torch::kCPU).targets; };
  a.shuffle(1);
  b.shuffle(2);
  b.shuffle(1);  // earlier calls do not matter
  EXPECT_TRUE(torch::equal(first_targets(a), first_targets(b)));
  b.shuffle(3);
  EXPECT_FALSE(torch::equal(first_targets(a), first_targets(b)));
  EXPECT_EQ(transitions(a, 4), transitions(b, 4));  // same samples, another order
  EXPECT_NE(mix_seed(1, 0), mix_seed(1, 1));
}

TEST(TrainViews, LastViewTargetsTheLastItemOfEachSequence) {
  const SequenceSet set = example_set();  // lengths 1, 2, 6, 23, 11
  const std::vector<Transition> expected{
      {1, 10, 11}, {2, 104, 105}, {3, 1021, 1022}, {4, 5009, 5010}};
  for (int64_t batch_size : {1, 3, 100}) {
    auto view = TrainView::last(set, 5);
    EXPECT_EQ(transitions(view, batch_size), expected);
  }
  auto view = TrainView::make(TrainMode::last, set, 5);
  EXPECT_EQ(view.mode(), TrainMode::last);
  EXPECT_EQ(view.size(), 4);  // the one-item sequence has no target
  EXPECT_EQ(view.num_targets(), 4);
  // Inputs: the (up to) max_len items before the last, left-aligned and zero-padded.
  TrainBatch batch = view.batch(0, 4, torch::kCPU);  // unshuffled: sequence order
  EXPECT_EQ(batch.targets.dim(), 1);
  EXPECT_TRUE(torch::equal(batch.targets, torch::tensor({11, 105, 1022, 5010}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(batch.lengths, torch::tensor({1, 5, 5, 5}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(batch.users, torch::tensor({1, 2, 3, 4}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(batch.items, torch::tensor({10,   0,    0,    0,    0,      //
                                                       100,  101,  102,  103,  104,    //
                                                       1017, 1018, 1019, 1020, 1021,   //
                                                       5005, 5006, 5007, 5008, 5009},  //
                                                      torch::kInt64)
                                            .view({4, 5})));
  // A long max_len reads the whole history before the last item.
  EXPECT_EQ(TrainView::last(set, 50).batch(0, 4, torch::kCPU).lengths[2].item<int64_t>(), 22);
  EXPECT_THROW(TrainView::last(set, 0), ConfigError);
}

TEST(KeepRecent, KeepsTheLastItemsLeftAligned) {
  SequenceSet set;
  add(set, 0, 1, 6);
  add(set, 1, 10, 2);
  std::vector<int64_t> rows{0, 1};
  auto batch = make_history_batch(set, rows, 50, torch::kCPU);
  auto cut = keep_recent(batch, 3);
  EXPECT_TRUE(
      torch::equal(cut.items, torch::tensor({4, 5, 6, 10, 11, 0}, torch::kInt64).view({2, 3})));
  EXPECT_TRUE(torch::equal(cut.lengths, torch::tensor({3, 2}, torch::kInt64)));
  auto padded = keep_recent(keep_recent(batch, 1), 3, /*pad_to=*/true);
  EXPECT_TRUE(
      torch::equal(padded.items, torch::tensor({6, 0, 0, 11, 0, 0}, torch::kInt64).view({2, 3})));
  EXPECT_TRUE(torch::equal(keep_recent(batch, 10).items, batch.items));
}

}  // namespace
}  // namespace recbench
