// split.method = "given" with the llara reader: LLaRA's rows are used as shipped (training rows
// whole, validation and test rows as history + target in file order), short rows are dropped,
// the item file's unused items stay in the catalog, and the split survives the cache.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "data_test_util.h"
#include "recbench/core/data/dataset_cache.h"
#include "recbench/core/eval/evaluator.h"
#include "recbench/core/readers/readers.h"

namespace recbench {
namespace {

using test::error_of;
using test::TempDir;
using test::tokens;
using Tokens = std::vector<std::string>;

const std::filesystem::path kFixture = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llara";

//! tests/fixtures/llara/llara.toml: train rows "3 17 5 -> 42", "8 9 -> 10" (short),
//! "-> 7" (empty), "1 2 3 4 -> 5", "17 42 3 -> 8"; valid "17 5 42 -> 9", "2 3 -> 4" (short),
//! "5 8 1 2 -> 3"; test "42 9 17 -> 5", "1 2 3 4 5 -> 6"; id2name.txt names 1-10, 17, 42, 99.
Recipe fixture_recipe() { return load_recipe(kFixture / "llara.toml"); }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

//! A copy of the fixture in `dir` with `file` replaced by `text`.
Recipe modified_copy(const TempDir& dir, const std::string& file, const std::string& text) {
  for (const char* name : {"llara.toml", "train.tsv", "valid.tsv", "test.tsv", "id2name.txt"}) {
    dir.write(name, read_text(kFixture / name));
  }
  dir.write(file, text);
  return load_recipe(dir.path() / "llara.toml");
}

//! Item tokens of the target of example i of `set`.
std::string target(const PreparedDataset& d, const EvalSet& set, size_t i) {
  return d.items.tokens[static_cast<size_t>(set.targets.at(i))];
}

TEST(GivenSplit, RecipeReadsTheLlaraFormat) {
  const Recipe r = fixture_recipe();
  EXPECT_EQ(r.format, "llara");
  EXPECT_EQ(r.split.method, "given");
  EXPECT_EQ(r.max_history, 10);
}

TEST(GivenSplit, TrainingRowsAreSequencesAndEvaluationRowsKeepFileOrder) {
  const PreparedDataset d = test::prepare_uncached(fixture_recipe());
  EXPECT_EQ(d.split_method, "given");
  EXPECT_EQ(d.user_tokens,
            (Tokens{"train/0", "train/3", "train/4", "valid/0", "valid/2", "test/0", "test/1"}));
  // One training sequence per kept training row: its history, then its next item.
  ASSERT_EQ(d.train.size(), 3u);
  EXPECT_EQ(tokens(d, d.train, 0), (Tokens{"3", "17", "5", "42"}));
  EXPECT_EQ(tokens(d, d.train, 1), (Tokens{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(tokens(d, d.train, 2), (Tokens{"17", "42", "3", "8"}));
  // Validation and test rows: the history as given, the next item as the target.
  ASSERT_EQ(d.valid.size(), 2u);
  EXPECT_EQ(tokens(d, d.valid.histories, 0), (Tokens{"17", "5", "42"}));
  EXPECT_EQ(target(d, d.valid, 0), "9");
  EXPECT_EQ(tokens(d, d.valid.histories, 1), (Tokens{"5", "8", "1", "2"}));
  EXPECT_EQ(target(d, d.valid, 1), "3");
  ASSERT_EQ(d.test.size(), 2u);
  EXPECT_EQ(tokens(d, d.test.histories, 0), (Tokens{"42", "9", "17"}));
  EXPECT_EQ(target(d, d.test, 0), "5");
  EXPECT_EQ(tokens(d, d.test.histories, 1), (Tokens{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(target(d, d.test, 1), "6");
  // Each evaluation row is its own "user", named by its split and row.
  EXPECT_EQ(d.user_tokens[static_cast<size_t>(d.valid.histories.users[1])], "valid/2");
  EXPECT_EQ(d.user_tokens[static_cast<size_t>(d.test.histories.users[0])], "test/0");
  // Training counts come from the training rows only (item 3 is in all three, 9 in none).
  const auto id = [&](const std::string& token) {
    return static_cast<size_t>(std::find(d.items.tokens.begin(), d.items.tokens.end(), token) -
                               d.items.tokens.begin());
  };
  EXPECT_EQ(d.item_counts[id("3")], 3);
  EXPECT_EQ(d.item_counts[id("9")], 0);
  EXPECT_EQ(d.stats.users, 7);
  EXPECT_EQ(d.stats.interactions, 4 + 5 + 4 + 4 + 5 + 4 + 6);
  EXPECT_EQ(d.stats.dropped_filter, 0);  // no filter runs; short rows are never read in
}

TEST(GivenSplit, UnusedItemsOfTheItemFileStayInTheCatalog) {
  const PreparedDataset d = test::prepare_uncached(fixture_recipe());
  // Used items in order of first use, then the named ones no kept row uses (7 and 10 are only
  // in dropped rows, 99 in none), in file order: candidates can be drawn from all of them.
  EXPECT_EQ(d.items.tokens,
            (Tokens{"[PAD]", "3", "17", "5", "42", "1", "2", "4", "8", "9", "6", "7", "10", "99"}));
  EXPECT_EQ(d.stats.items, 13);
  EXPECT_EQ(d.items.titles[4], "Answer::Band");  // a name may contain "::"
  EXPECT_EQ(d.items.titles[13], "Never Played");
  EXPECT_EQ(d.items.domain[13], d.items.domain[1]);
  EXPECT_EQ(d.items.domain_names, (Tokens{"LastFM"}));
  EXPECT_EQ(d.item_counts.size(), 14u);
  EXPECT_EQ(d.item_counts[13], 0);
  // Candidate lists draw negatives from the unused items too: test row 0 ("42 9 17 -> 5")
  // leaves 13 - 4 items outside its history and target, so 9 negatives are all of them.
  const auto cand = draw_candidates(d.test, d.item_counts, 9, "uniform", 3);
  std::vector<int32_t> row0(cand.items.begin(), cand.items.begin() + cand.width);
  EXPECT_EQ(row0[0], 3);  // the target "5"
  std::sort(row0.begin() + 1, row0.end());
  EXPECT_EQ(row0, (std::vector<int32_t>{3, 1, 5, 6, 7, 8, 10, 11, 12, 13}));
}

TEST(GivenSplit, MinHistoryDropsShortRows) {
  TempDir dir;
  std::string text = read_text(kFixture / "llara.toml");
  text.replace(text.find("domain = "), 0, "min_history = 2\n");
  Recipe r = modified_copy(dir, "llara.toml", text);
  EXPECT_EQ(r.reader.at("min_history"), "2");
  const PreparedDataset d = test::prepare_uncached(r);
  EXPECT_EQ(d.user_tokens, (Tokens{"train/0", "train/1", "train/3", "train/4", "valid/0", "valid/1",
                                   "valid/2", "test/0", "test/1"}));
  EXPECT_EQ(tokens(d, d.valid.histories, 1), (Tokens{"2", "3"}));
  EXPECT_EQ(target(d, d.valid, 1), "4");
  // Even min_history = 1 drops the row with an empty history: it has no history to read.
  r.reader["min_history"] = "1";
  EXPECT_EQ(test::prepare_uncached(r).train.size(), 4u);
  r.reader["min_history"] = "0";
  const auto msg = error_of<ConfigError>([&] { test::prepare_uncached(r); });
  EXPECT_NE(msg.find("reader.min_history: expected an integer >= 1, got '0'"), std::string::npos)
      << msg;
}

TEST(GivenSplit, AFilterTableIsAConfigErrorNamingTheRecipe) {
  TempDir dir;
  const std::string text = read_text(kFixture / "llara.toml") + "\n[filter]\nmin_length = 3\n";
  const auto msg = error_of<ConfigError>([&] { load_recipe(dir.write("given.toml", text)); });
  EXPECT_NE(msg.find("given.toml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[filter] cannot be used with split.method = \"given\""), std::string::npos)
      << msg;
  // Without [filter] the same file loads; an unknown method lists both known ones.
  EXPECT_EQ(load_recipe(dir.write("ok.toml", read_text(kFixture / "llara.toml"))).split.method,
            "given");
  std::string other = read_text(kFixture / "llara.toml");
  other.replace(other.find("\"given\""), 7, "\"random\"");
  const auto unknown = error_of<ConfigError>([&] { load_recipe(dir.write("bad.toml", other)); });
  EXPECT_NE(unknown.find("split.method"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("given"), std::string::npos) << unknown;
}

TEST(GivenSplit, BadHeaderOrRowIsADataErrorWithFileAndLine) {
  TempDir dir;
  auto msg = error_of<DataError>(
      [&] { test::prepare_uncached(modified_copy(dir, "train.tsv", "seq\tnext\n3 17 5\t42\n")); });
  EXPECT_NE(msg.find("train.tsv:1: expected the header \"history<TAB>next\""), std::string::npos)
      << msg;
  msg = error_of<DataError>([&] {
    test::prepare_uncached(
        modified_copy(dir, "valid.tsv", "history\tnext\n17 5 42\t9\n1 2 3\t4\t5\n"));
  });
  EXPECT_NE(msg.find("valid.tsv:3: expected 2 tab-separated fields (history, next), found 3"),
            std::string::npos)
      << msg;
  msg = error_of<DataError>([&] {
    test::prepare_uncached(modified_copy(dir, "test.tsv", "history\tnext\n42 9 17\t5 6\n"));
  });
  EXPECT_NE(msg.find("test.tsv:2: expected one next item id in field 2"), std::string::npos) << msg;
  msg = error_of<DataError>(
      [&] { test::prepare_uncached(modified_copy(dir, "id2name.txt", "1::Alpha\nBeta\n")); });
  EXPECT_NE(msg.find("id2name.txt:2: expected \"id::name\""), std::string::npos) << msg;
  // Under on_error = "skip" the bad row is left out and the rest is read.
  Recipe skip = modified_copy(dir, "valid.tsv", "history\tnext\n17 5 42\t9\n1 2 3\t4\t5\n");
  skip.on_error = "skip";
  const PreparedDataset d = test::prepare_uncached(skip);
  EXPECT_EQ(d.valid.size(), 1u);
  EXPECT_EQ(d.stats.skipped_lines, 1);
}

TEST(GivenSplit, EverySplitNeedsARow) {
  TempDir dir;
  const auto msg = error_of<DataError>(
      [&] { test::prepare_uncached(modified_copy(dir, "valid.tsv", "history\tnext\n2 3\t4\n")); });
  EXPECT_NE(msg.find("llara-tiny: split.method = \"given\": the data has 3 training, 0 validation "
                     "and 2 test rows"),
            std::string::npos)
      << msg;
}

TEST(GivenSplit, AFormatThatNamesNoSplitIsADataError) {
  TempDir dir;
  Recipe r = test::atomic_recipe(dir, "u\ta\t1\nu\tb\t2\nu\tc\t3\n");
  r.split.method = "given";
  const auto msg = error_of<DataError>([&] { test::prepare_uncached(r); });
  EXPECT_NE(msg.find("row 'u' names no split"), std::string::npos) << msg;
}

TEST(GivenSplit, TheCacheRoundTripsTheGivenSplit) {
  TempDir dir;
  const Recipe r = fixture_recipe();
  PrepareOptions o;
  o.cache_dir = dir.path() / "cache";
  const PreparedDataset first = prepare_dataset(r, o);
  const auto file = cache_path(o.cache_dir, r.name, first.fingerprint);
  ASSERT_TRUE(std::filesystem::exists(file));
  // Mark the cache file so that the second preparation provably reads it.
  PreparedDataset marked = first;
  marked.items.titles[1] = "from-cache";
  save_prepared(marked, file);
  const PreparedDataset second = prepare_dataset(r, o);
  EXPECT_EQ(second.items.titles[1], "from-cache");
  EXPECT_EQ(second.split_method, "given");
  EXPECT_EQ(second.user_tokens, first.user_tokens);
  EXPECT_EQ(second.items.tokens, first.items.tokens);
  EXPECT_EQ(second.train.offsets, first.train.offsets);
  EXPECT_EQ(second.train.items, first.train.items);
  EXPECT_EQ(second.valid.histories.items, first.valid.histories.items);
  EXPECT_EQ(second.valid.histories.users, first.valid.histories.users);
  EXPECT_EQ(second.valid.targets, first.valid.targets);
  EXPECT_EQ(second.test.histories.offsets, first.test.histories.offsets);
  EXPECT_EQ(second.test.histories.items, first.test.histories.items);
  EXPECT_EQ(second.test.targets, first.test.targets);
  EXPECT_EQ(second.item_counts, first.item_counts);
  EXPECT_EQ(second.stats.items, 13);
  // The split method is part of the fingerprint: a loo recipe over the same files is another
  // cache entry, split leave-one-out.
  Recipe loo = r;
  loo.split.method = "loo";
  EXPECT_NE(dataset_fingerprint(loo), first.fingerprint);
  const PreparedDataset by_loo = prepare_dataset(loo, o);
  EXPECT_EQ(by_loo.split_method, "loo");
  EXPECT_EQ(by_loo.train.size(), 7u);
  EXPECT_EQ(tokens(by_loo, by_loo.train, 0), (Tokens{"3", "17"}));
  EXPECT_EQ(target(by_loo, by_loo.valid, 0), "5");
  EXPECT_EQ(target(by_loo, by_loo.test, 0), "42");
}

TEST(GivenSplit, LeaveOneOutRecipesAreUnchanged) {
  TempDir dir;
  Recipe r = test::atomic_recipe(dir,
                                 "u\ta\t1\nu\tb\t2\nu\tc\t3\nu\td\t4\nv\tc\t1\nv\ta\t2\n"
                                 "v\tb\t3\n");
  PrepareOptions o;
  o.cache_dir = dir.path() / "cache";
  const PreparedDataset d = prepare_dataset(r, o);
  EXPECT_EQ(d.split_method, "loo");
  EXPECT_EQ(d.user_tokens, (Tokens{"u", "v"}));
  EXPECT_EQ(tokens(d, d.train, 0), (Tokens{"a", "b"}));
  EXPECT_EQ(tokens(d, d.valid.histories, 0), (Tokens{"a", "b"}));
  EXPECT_EQ(target(d, d.valid, 0), "c");
  EXPECT_EQ(tokens(d, d.test.histories, 0), (Tokens{"a", "b", "c"}));
  EXPECT_EQ(target(d, d.test, 0), "d");
  EXPECT_EQ(tokens(d, d.train, 1), (Tokens{"c"}));
  EXPECT_EQ(target(d, d.test, 1), "b");
  EXPECT_EQ(d.items.tokens, (Tokens{"[PAD]", "a", "b", "c", "d"}));  // no extra items
  const PreparedDataset cached = prepare_dataset(r, o);
  EXPECT_EQ(cached.split_method, "loo");
  EXPECT_EQ(cached.test.targets, d.test.targets);
  EXPECT_EQ(cached.valid.targets, d.valid.targets);
}

}  // namespace
}  // namespace recbench
