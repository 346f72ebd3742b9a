// The synthetic corpus: byte-identical per seed, options checked, a real sequential signal.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "recbench/core/synth/recbole_corpus.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

using test::TempDir;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Recipe synthetic_recipe(std::map<std::string, double> options, uint64_t seed = 1) {
  Recipe r;
  r.name = "synthetic";
  r.format = "synthetic";
  r.source = "synthetic.toml";
  r.seed = seed;
  r.options = std::move(options);
  return r;
}

TEST(Synthetic, SameSeedSameBytesOtherSeedOtherBytes) {
  TempDir dir;
  SyntheticOptions o;
  o.users = 50;
  o.items = 30;
  const auto a = write_synthetic_atomic(dir.path() / "a", o, 7);
  const auto b = write_synthetic_atomic(dir.path() / "b", o, 7);
  const auto c = write_synthetic_atomic(dir.path() / "c", o, 8);
  EXPECT_EQ(slurp(a.inter), slurp(b.inter));
  EXPECT_EQ(slurp(a.item), slurp(b.item));
  EXPECT_NE(slurp(a.inter), slurp(c.inter));
  EXPECT_EQ(slurp(a.item).rfind(
                "item_id:token\ttitle:token_seq\tcategories:token_seq\tdomain:token\n", 0),
            0u);
}

TEST(Synthetic, DefaultShapeThroughTheAtomicReader) {
  const PreparedDataset d = test::prepare_uncached(synthetic_recipe({}));
  EXPECT_EQ(d.stats.users, 1000);
  EXPECT_GT(d.stats.items, 450);  // a few unpopular items may never be drawn
  EXPECT_NEAR(d.stats.avg_length, 20.0, 1.0);
  auto domains = d.items.domain_names;  // numbered by first appearance in the file
  std::sort(domains.begin(), domains.end());
  EXPECT_EQ(domains, (std::vector<std::string>{"books", "movies"}));
  EXPECT_FALSE(d.items.titles[1].empty());
  EXPECT_FALSE(d.items.categories[1].empty());
}

TEST(Synthetic, ShippedRecipeLoadsAndPrepares) {
  const auto path = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "../../datasets/synthetic.toml";
  const Recipe r = load_recipe(path);
  EXPECT_EQ(r.name, "synthetic");
  EXPECT_EQ(r.options.size(), 8u);
  EXPECT_EQ(r.seed, 2024u);
  const PreparedDataset d = test::prepare_uncached(r);
  EXPECT_EQ(d.stats.users, 1000);
  EXPECT_EQ(d.stats.skipped_lines, 0);
}

TEST(Synthetic, OptionsAreChecked) {
  auto msg = test::error_of<ConfigError>([&] {
    test::prepare_uncached(synthetic_recipe({{"usres", 10}}));
  });
  EXPECT_NE(msg.find("synthetic.toml: options.usres: unknown option"), std::string::npos) << msg;
  EXPECT_NE(msg.find("options.users"), std::string::npos) << msg;
  msg = test::error_of<ConfigError>([&] {
    test::prepare_uncached(synthetic_recipe({{"transition", 1.5}}));
  });
  EXPECT_NE(msg.find("options.transition: expected a number in [0"), std::string::npos) << msg;
  msg = test::error_of<ConfigError>([&] {
    test::prepare_uncached(synthetic_recipe({{"users", 2.5}}));
  });
  EXPECT_NE(msg.find("options.users: expected an integer"), std::string::npos) << msg;
}

TEST(Synthetic, PlantedRuleIsAFunctionOfThePreviousItem) {
  const PreparedDataset d = test::prepare_uncached(
      synthetic_recipe({{"rule", 1}, {"users", 80}, {"items", 40}, {"seq_len", 10}}));
  std::map<ItemId, ItemId> next;
  int64_t pairs = 0;
  for (size_t u = 0; u < d.sequences.size(); ++u) {
    const auto seq = d.sequences.sequence(u);
    for (size_t k = 0; k + 1 < seq.size(); ++k, ++pairs) {
      auto [it, added] = next.emplace(seq[k], seq[k + 1]);
      ASSERT_EQ(it->second, seq[k + 1]) << "item " << seq[k] << " has two successors";
      ASSERT_NE(seq[k], seq[k + 1]);
    }
  }
  EXPECT_GT(pairs, 500);
  EXPECT_EQ(next.size(), 40u);  // every item occurs with its successor
}

//! HR@1 on the test split of "the most frequent training successor of the last item" and of
//! "the most popular training item".
std::pair<double, double> successor_and_popularity_hit_rates(const PreparedDataset& d) {
  std::map<std::pair<ItemId, ItemId>, int64_t> counts;
  for (size_t u = 0; u < d.train.size(); ++u) {
    const auto seq = d.train.sequence(u);
    for (size_t k = 0; k + 1 < seq.size(); ++k) {
      ++counts[{seq[k], seq[k + 1]}];
    }
  }
  std::map<ItemId, std::pair<int64_t, ItemId>> best;  // item -> (count, successor)
  for (const auto& [pair, n] : counts) {
    auto& b = best[pair.first];
    if (n > b.first) {
      b = {n, pair.second};
    }
  }
  const auto popular = static_cast<ItemId>(
      std::max_element(d.item_counts.begin(), d.item_counts.end()) - d.item_counts.begin());
  int64_t succ_hits = 0, pop_hits = 0;
  for (size_t u = 0; u < d.test.size(); ++u) {
    const ItemId last = d.test.histories.sequence(u).back();
    succ_hits += best.count(last) != 0 && best[last].second == d.test.targets[u];
    pop_hits += popular == d.test.targets[u];
  }
  const auto n = static_cast<double>(d.test.size());
  return {static_cast<double>(succ_hits) / n, static_cast<double>(pop_hits) / n};
}

TEST(Synthetic, SequentialSignalBeatsPopularity) {
  const PreparedDataset d = test::prepare_uncached(synthetic_recipe({}));
  const auto [successor, popularity] = successor_and_popularity_hit_rates(d);
  std::cout << "[ info     ] HR@1 successor " << successor << ", popularity " << popularity
            << ", successor without transitions "
            << successor_and_popularity_hit_rates(
                   test::prepare_uncached(synthetic_recipe({{"transition", 0}})))
                   .first
            << "\n";
  EXPECT_GT(successor, 0.4);
  EXPECT_GT(successor, 5 * popularity);
  const PreparedDataset flat = test::prepare_uncached(synthetic_recipe({{"transition", 0}}));
  EXPECT_LT(successor_and_popularity_hit_rates(flat).first, 0.5 * successor);
}

TEST(Synthetic, TrainNeverHoldsTheHeldOutPositions) {
  const PreparedDataset d = test::prepare_uncached(synthetic_recipe({{"users", 200}}));
  for (size_t u = 0; u < d.sequences.size(); ++u) {
    const auto all = d.sequences.sequence(u);
    const auto train = d.train.sequence(u);
    ASSERT_EQ(train.size() + 2, all.size());
    EXPECT_TRUE(std::equal(train.begin(), train.end(), all.begin()));
    EXPECT_EQ(d.valid.targets[u], all[all.size() - 2]);
    EXPECT_EQ(d.test.targets[u], all.back());
    EXPECT_TRUE(std::ranges::equal(d.valid.histories.sequence(u), train));
    EXPECT_EQ(d.test.histories.sequence(u).size(), all.size() - 1);
  }
}

}  // namespace
}  // namespace recbench
