// The prepared-dataset cache: fingerprints, bit-identical round trips, invalidation.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "data_test_util.h"
#include "recbench/core/data/dataset_cache.h"

namespace recbench {
namespace {

using test::TempDir;

void expect_same_sequences(const SequenceSet& a, const SequenceSet& b) {
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.timestamps, b.timestamps);
  EXPECT_EQ(a.domains, b.domains);
  EXPECT_EQ(a.users, b.users);
}

void expect_identical(const PreparedDataset& a, const PreparedDataset& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.recipe_toml, b.recipe_toml);
  EXPECT_EQ(a.max_history, b.max_history);
  EXPECT_EQ(a.items.tokens, b.items.tokens);
  EXPECT_EQ(a.items.titles, b.items.titles);
  EXPECT_EQ(a.items.categories, b.items.categories);
  EXPECT_EQ(a.items.domain, b.items.domain);
  EXPECT_EQ(a.items.domain_names, b.items.domain_names);
  EXPECT_EQ(a.user_tokens, b.user_tokens);
  expect_same_sequences(a.sequences, b.sequences);
  expect_same_sequences(a.train, b.train);
  expect_same_sequences(a.valid.histories, b.valid.histories);
  expect_same_sequences(a.test.histories, b.test.histories);
  EXPECT_EQ(a.valid.targets, b.valid.targets);
  EXPECT_EQ(a.test.targets, b.test.targets);
  EXPECT_EQ(a.item_counts, b.item_counts);
  EXPECT_EQ(a.stats.users, b.stats.users);
  EXPECT_EQ(a.stats.items, b.stats.items);
  EXPECT_EQ(a.stats.interactions, b.stats.interactions);
  EXPECT_EQ(0, std::memcmp(&a.stats.avg_length, &b.stats.avg_length, sizeof(double)));  // bits
  EXPECT_EQ(0, std::memcmp(&a.stats.density, &b.stats.density, sizeof(double)));
  EXPECT_EQ(a.stats.raw_interactions, b.stats.raw_interactions);
  EXPECT_EQ(a.stats.dropped_filter, b.stats.dropped_filter);
  EXPECT_EQ(a.stats.skipped_lines, b.stats.skipped_lines);
}

Recipe small_recipe(const TempDir& dir) {
  Recipe r = test::atomic_recipe(dir, "u\ta\t1\nu\tb\t2\nu\tc\t3\nv\tb\t1\nv\tc\t2\nv\ta\t3\n");
  dir.write("data.item", "item_id:token\ttitle:token_seq\na\tAlpha Beta\nc\tGamma\n");
  r.files["item"] = "data.item";
  return r;
}

TEST(DatasetCache, RoundTripIsBitIdenticalAndUsed) {
  TempDir dir;
  const Recipe r = small_recipe(dir);
  PrepareOptions o;
  o.cache_dir = dir.path() / "cache";
  const PreparedDataset first = prepare_dataset(r, o);
  EXPECT_EQ(first.fingerprint.size(), 64u);
  const auto file = cache_path(o.cache_dir, r.name, first.fingerprint);
  ASSERT_TRUE(std::filesystem::exists(file));
  auto loaded = load_prepared(file, first.fingerprint);
  ASSERT_TRUE(loaded);
  expect_identical(first, *loaded);
  EXPECT_FALSE(load_prepared(file, std::string(64, '0')));  // another fingerprint: a miss
  // The second call reads the cache: proven by a cache entry the raw data cannot produce.
  PreparedDataset marked = first;
  marked.user_tokens[0] = "from-cache";
  save_prepared(marked, file);
  EXPECT_EQ(prepare_dataset(r, o).user_tokens[0], "from-cache");
  o.use_cache = false;
  EXPECT_EQ(prepare_dataset(r, o).user_tokens[0], "u");
}

TEST(DatasetCache, TruncatedFileIsAMissAndIsRewritten) {
  TempDir dir;
  const Recipe r = small_recipe(dir);
  PrepareOptions o;
  o.cache_dir = dir.path() / "cache";
  const PreparedDataset first = prepare_dataset(r, o);
  const auto file = cache_path(o.cache_dir, r.name, first.fingerprint);
  std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
  EXPECT_FALSE(load_prepared(file, first.fingerprint));
  expect_identical(first, prepare_dataset(r, o));
  EXPECT_TRUE(load_prepared(file, first.fingerprint));
}

TEST(DatasetCache, FingerprintFollowsInputsAndRecipe) {
  TempDir dir;
  Recipe r = small_recipe(dir);
  const std::string base = dataset_fingerprint(r);
  EXPECT_EQ(dataset_fingerprint(r), base);  // deterministic
  Recipe other = r;
  other.toml_text = "# only a comment changed\n";
  EXPECT_EQ(dataset_fingerprint(other), base);
  other = r;
  other.filter.min_length = 4;
  EXPECT_NE(dataset_fingerprint(other), base);
  other = r;
  other.text_fields = {"title", "x"};
  EXPECT_NE(dataset_fingerprint(other), base);
  dir.write("data.item", "item_id:token\ttitle:token_seq\na\tAlpha Beta\nc\tGamma!\n");
  const std::string changed = dataset_fingerprint(r);
  EXPECT_NE(changed, base);
  PrepareOptions o;
  o.cache_dir = dir.path() / "cache";
  const PreparedDataset d = prepare_dataset(r, o);
  EXPECT_EQ(d.fingerprint, changed);
  EXPECT_EQ(d.items.titles[3], "Gamma!");
}

TEST(DatasetCache, SameInputsGiveIdenticalArraysWithoutTheCache) {
  TempDir dir;
  Recipe r;
  r.name = "syn";
  r.format = "synthetic";
  r.source = "syn.toml";
  r.seed = 3;
  r.options = {{"users", 60}, {"items", 40}, {"seq_len", 8}};
  const PreparedDataset a = test::prepare_uncached(r);
  const PreparedDataset b = test::prepare_uncached(r);
  expect_identical(a, b);
}

}  // namespace
}  // namespace recbench
