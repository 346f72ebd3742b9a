// prepare_dataset: k-core fixpoint, min_length, dedup, stable time sort, dense ids, LOO split.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "data_test_util.h"

namespace recbench {
namespace {

using test::atomic_recipe;
using test::prepare_uncached;
using test::TempDir;
using test::tokens;
using Tokens = std::vector<std::string>;

//! Rows "user item time" separated by ';' as atomic lines.
std::string rows(const std::string& spec) {
  std::string out;
  std::istringstream in(spec);
  std::string row;
  while (std::getline(in, row, ';')) {
    std::istringstream f(row);
    std::string u, i, t;
    f >> u >> i >> t;
    out.append(u).append("\t").append(i).append("\t").append(t).append("\n");
  }
  return out;
}

TEST(Prepare, KCoreIteratesToAFixpoint) {
  // Pass 1 drops item x (1 user); then u4 has 2 < 3 items, then d and e fall below 2 users,
  // then u3 keeps only c: four passes until only u1 and u2 remain.
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("u1 a 1;u1 b 2;u1 c 3;u2 a 1;u2 b 2;u2 c 3;"
                                     "u3 c 1;u3 d 2;u3 e 3;u4 d 1;u4 e 2;u4 x 3"));
  r.filter.item_core = 2;
  const PreparedDataset d = prepare_uncached(r);
  EXPECT_EQ(d.user_tokens, (Tokens{"u1", "u2"}));
  EXPECT_EQ(d.items.tokens, (Tokens{"[PAD]", "a", "b", "c"}));
  EXPECT_EQ(d.stats.raw_interactions, 12);
  EXPECT_EQ(d.stats.interactions, 6);
  EXPECT_EQ(d.stats.dropped_filter, 6);
  r.filter.item_core = 1;  // without the item core everybody has 3 items
  EXPECT_EQ(prepare_uncached(r).stats.users, 4);
}

TEST(Prepare, UserCoreAndMinLength) {
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("a 1 1;a 2 2;a 3 3;a 4 4;b 1 1;b 2 2;b 3 3;c 1 1;c 2 2"));
  EXPECT_EQ(prepare_uncached(r).user_tokens, (Tokens{"a", "b"}));  // min_length 3 drops c
  r.filter.min_length = 4;
  EXPECT_EQ(prepare_uncached(r).user_tokens, (Tokens{"a"}));
  r.filter.min_length = 3;
  r.filter.user_core = 4;
  EXPECT_EQ(prepare_uncached(r).user_tokens, (Tokens{"a"}));
  r.filter.user_core = 5;
  auto msg = test::error_of<DataError>([&] { prepare_uncached(r); });
  EXPECT_NE(msg.find("no interactions left after filtering (9 read"), std::string::npos) << msg;
}

TEST(Prepare, StableTimeSortKeepsFileOrderOnTies) {
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("u p 5;u q 3;u r 5;u s 3;u t 1;u v 5"));
  const PreparedDataset d = prepare_uncached(r);
  EXPECT_EQ(tokens(d, d.sequences, 0), (Tokens{"t", "q", "s", "p", "r", "v"}));
  EXPECT_EQ(std::vector<int64_t>(d.sequences.times(0).begin(), d.sequences.times(0).end()),
            (std::vector<int64_t>{1, 3, 3, 5, 5, 5}));
}

TEST(Prepare, DedupKeepsTheEarliestPair) {
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("u a 5;u b 1;u a 2;u c 3;u b 9;u d 4"));
  EXPECT_EQ(prepare_uncached(r).stats.interactions, 6);
  r.filter.dedup = true;
  const PreparedDataset d = prepare_uncached(r);
  EXPECT_EQ(tokens(d, d.sequences, 0), (Tokens{"b", "a", "c", "d"}));
  EXPECT_EQ(d.stats.dropped_filter, 2);
}

TEST(Prepare, DenseIdsFollowFirstAppearanceInTheFile) {
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("v y 9;u x 1;u y 2;u z 3;v x 1;v z 2;v w 3"));
  const PreparedDataset d = prepare_uncached(r);
  EXPECT_EQ(d.user_tokens, (Tokens{"v", "u"}));
  EXPECT_EQ(d.items.tokens, (Tokens{"[PAD]", "y", "x", "z", "w"}));
  EXPECT_EQ(d.sequences.users, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(tokens(d, d.sequences, 0), (Tokens{"x", "z", "w", "y"}));
}

TEST(Prepare, LeaveOneOutSplitAndTrainCounts) {
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("u a 1;u b 2;u c 3;u d 4;u e 5;w b 1;w a 2;w e 3"));
  const PreparedDataset d = prepare_uncached(r);
  ASSERT_EQ(d.train.size(), 2u);
  EXPECT_EQ(tokens(d, d.train, 0), (Tokens{"a", "b", "c"}));
  EXPECT_EQ(tokens(d, d.valid.histories, 0), (Tokens{"a", "b", "c"}));
  EXPECT_EQ(d.items.tokens[static_cast<size_t>(d.valid.targets[0])], "d");
  EXPECT_EQ(tokens(d, d.test.histories, 0), (Tokens{"a", "b", "c", "d"}));
  EXPECT_EQ(d.items.tokens[static_cast<size_t>(d.test.targets[0])], "e");
  EXPECT_EQ(tokens(d, d.train, 1), (Tokens{"b"}));
  EXPECT_EQ(d.items.tokens[static_cast<size_t>(d.test.targets[1])], "e");
  // counts come from the training split only: e is in no training sequence
  const auto id = [&](const std::string& t) {
    return static_cast<size_t>(std::find(d.items.tokens.begin(), d.items.tokens.end(), t) -
                               d.items.tokens.begin());
  };
  EXPECT_EQ(d.item_counts[id("b")], 2);
  EXPECT_EQ(d.item_counts[id("d")], 0);
  EXPECT_EQ(d.item_counts[id("e")], 0);
  EXPECT_EQ(d.item_counts[0], 0);
  const DatasetView v = d.view();
  EXPECT_EQ(v.num_users, 2);
  EXPECT_EQ(v.num_items(), 6);
  EXPECT_EQ(v.train, &d.train);
  EXPECT_EQ(v.item_counts, d.item_counts);
}

TEST(Prepare, DomainsAndItemTextFromTheItemFile) {
  TempDir dir;
  Recipe r = atomic_recipe(dir,
                           "user_id:token\titem_id:token\ttimestamp:float\tdomain:token\n"
                           "u\ta\t1\tbooks\nu\tb\t2\t\nu\tc\t3\tmovies\n");
  dir.write("data.item", "item_id:token\ttitle:token_seq\tdomain:token\nb\tThe B\tgames\n");
  r.files["item"] = "data.item";
  const PreparedDataset d = prepare_uncached(r);
  EXPECT_EQ(d.items.domain_names, (Tokens{"books", "games", "movies"}));
  EXPECT_EQ(d.items.titles, (Tokens{"", "", "The B", ""}));
  EXPECT_EQ(d.sequences.domains, (std::vector<int16_t>{0, 1, 2}));
  EXPECT_EQ(d.items.domain, (std::vector<int16_t>{0, 0, 1, 2}));
  r = atomic_recipe(dir, rows("u a 1;u b 2;u c 3"));  // no domain anywhere: the recipe's name
  EXPECT_EQ(prepare_uncached(r).items.domain_names, (Tokens{"t"}));
}

TEST(Prepare, SkippedLinesAreCountedAndLogged) {
  TempDir dir;
  Recipe r = atomic_recipe(dir, rows("u a 1;u b 2;u c x;u d 4;u e"));
  r.on_error = "skip";
  std::ostringstream log_text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
  spdlog::logger logger("data-test", sink);
  PrepareOptions o;
  o.use_cache = false;
  o.log = &logger;
  const PreparedDataset d = prepare_dataset(r, o);
  logger.flush();
  EXPECT_EQ(d.stats.skipped_lines, 2);
  EXPECT_EQ(d.stats.interactions, 3);
  const std::string text = log_text.str();
  EXPECT_NE(text.find("data.inter:4: field \"timestamp\""), std::string::npos) << text;
  EXPECT_NE(text.find("data.inter:6: empty timestamp"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped 2 malformed line(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 users, 3 items, 3 interactions"), std::string::npos) << text;
}

}  // namespace
}  // namespace recbench
