// --shard: its spelling, the default output name, and which cells each shard runs (cells that
// depend on each other stay together; every cell in exactly one shard; work spread round-robin).
#include <gtest/gtest.h>

#include <map>

#include "../error_of.h"
#include "recbench/core/run/shard.h"

namespace recbench {
namespace {

TEST(Shard, ParsesIndexAndCount) {
  const ShardSpec s = parse_shard("3/4");
  EXPECT_EQ(s.index, 3);
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.str(), "3/4");
  EXPECT_EQ(parse_shard("0/1").str(), "0/1");
}

TEST(Shard, RefusesBadSpecsNamingTheFlag) {
  for (const char* bad :
       {"3/2", "2/2", "-1/2", "a/b", "0/0", "1", "", "1/", "/2", "1/2/3", " 1/2", "1/2x", "+1/2"}) {
    const std::string m = error_of<ConfigError>([&] { parse_shard(bad); });
    EXPECT_NE(m.find("--shard: expected i/N with whole numbers 0 <= i < N"), std::string::npos)
        << bad << ": " << m;
    EXPECT_NE(m.find("got '" + std::string(bad) + "'"), std::string::npos) << m;
  }
}

TEST(Shard, DefaultOutputNamesTheShard) {
  EXPECT_EQ(shard_output("results/x.h5", {0, 4}),
            std::filesystem::path("results/x.shard-0-of-4.h5"));
  EXPECT_EQ(shard_output("x.h5", {12, 13}), std::filesystem::path("x.shard-12-of-13.h5"));
  EXPECT_EQ(shard_output("/a/b.c/run", {1, 2}), std::filesystem::path("/a/b.c/run.shard-1-of-2"));
}

std::vector<ModelEntry> entries(std::initializer_list<const char*> labels) {
  std::vector<ModelEntry> models;
  for (const char* l : labels) {
    ModelEntry m;
    m.label = l;
    m.plugin = l;
    models.push_back(m);
  }
  return models;
}

TEST(Shard, GroupsKeepDependentModelsTogetherInAFixedOrder) {
  // rsllm reads sasrec; rs2 reads rsllm; pop and bert stand alone.
  const auto models = entries({"pop", "rsllm", "bert", "sasrec", "rs2"});
  const ModelDependencies deps = {{"rsllm", {{"sasrec", "id_model"}}},
                                  {"rs2", {{"rsllm", "id_model"}}}};
  const auto groups = cell_groups({"ml", "beauty"}, models, deps, {7, 3});
  // 2 datasets x 3 components (pop; rsllm+sasrec+rs2; bert) x 2 seeds.
  ASSERT_EQ(groups.size(), 12u);
  EXPECT_EQ(groups[0], (std::vector<CellId>{{"ml", "pop", 7}}));
  EXPECT_EQ(groups[1], (std::vector<CellId>{{"ml", "pop", 3}}));
  EXPECT_EQ(groups[2],
            (std::vector<CellId>{{"ml", "rsllm", 7}, {"ml", "sasrec", 7}, {"ml", "rs2", 7}}));
  EXPECT_EQ(groups[4], (std::vector<CellId>{{"ml", "bert", 7}}));
  EXPECT_EQ(groups[6], (std::vector<CellId>{{"beauty", "pop", 7}}));
  EXPECT_EQ(groups[11], (std::vector<CellId>{{"beauty", "bert", 3}}));
}

TEST(Shard, EveryCellInExactlyOneShardWithItsGroup) {
  const auto models = entries({"pop", "rsllm", "sasrec", "gru"});
  const ModelDependencies deps = {{"rsllm", {{"sasrec", "id_model"}}}};
  const auto groups = cell_groups({"a", "b"}, models, deps, {1, 2, 3});
  for (int64_t n : {1, 2, 3, 5, 18, 40}) {
    std::map<CellId, int64_t> owner;
    std::vector<size_t> sizes;
    for (int64_t i = 0; i < n; ++i) {
      const auto cells = shard_cells(groups, {i, n});
      sizes.push_back(cells.size());
      for (const CellId& c : cells) {
        EXPECT_TRUE(owner.emplace(c, i).second) << c.dataset << "/" << c.model << " twice";
      }
    }
    EXPECT_EQ(owner.size(), 2u * 4u * 3u) << n << " shards";
    for (const auto& group : groups) {
      for (const CellId& c : group) EXPECT_EQ(owner.at(c), owner.at(group.front()));
    }
    // Round-robin over 18 groups of one or two cells: the work is spread evenly.
    const auto [lo, hi] = std::minmax_element(sizes.begin(), sizes.end());
    EXPECT_LE(*hi - *lo, 2u) << n << " shards";
  }
  // The rule, spelled out: group g goes to shard g mod N.
  const auto first = shard_cells(groups, {0, 4});
  EXPECT_TRUE(first.count({"a", "pop", 1}));     // group 0
  EXPECT_TRUE(first.count({"a", "rsllm", 2}));   // group 4
  EXPECT_TRUE(first.count({"a", "sasrec", 2}));  // group 4
  EXPECT_FALSE(first.count({"a", "pop", 2}));    // group 1
}

TEST(CellSelection, NamesCellsAndBringsWhatTheyRead) {
  // rs2 reads rsllm, which reads sasrec.
  const auto models = entries({"pop", "rsllm", "sasrec", "rs2"});
  const ModelDependencies deps = {{"rsllm", {{"sasrec", "id_model"}}},
                                  {"rs2", {{"rsllm", "id_model"}}}};
  const std::vector<std::string> datasets{"ml", "beauty"};
  const std::vector<int64_t> seeds{1, 2, 3};
  EXPECT_EQ(selected_cells(datasets, models, deps, seeds, {}).size(), 2u * 4u * 3u);

  CellSelection one;
  one.models = {"pop"};
  one.seeds = {2};
  EXPECT_EQ(selected_cells(datasets, models, deps, seeds, one),
            (std::set<CellId>{{"ml", "pop", 2}, {"beauty", "pop", 2}}));
  EXPECT_EQ(one.str(), "--model pop --seed 2");

  CellSelection chain;
  chain.datasets = {"beauty"};
  chain.models = {"rs2"};
  chain.seeds = {3, 1};
  EXPECT_EQ(selected_cells(datasets, models, deps, seeds, chain),
            (std::set<CellId>{{"beauty", "rs2", 1},
                              {"beauty", "rs2", 3},
                              {"beauty", "rsllm", 1},
                              {"beauty", "rsllm", 3},
                              {"beauty", "sasrec", 1},
                              {"beauty", "sasrec", 3}}));
}

TEST(CellSelection, RefusesWhatTheExperimentDoesNotHave) {
  const auto models = entries({"pop", "sasrec"});
  auto refusal = [&](CellSelection s) {
    return error_of<ConfigError>([&] { selected_cells({"ml"}, models, {}, {1, 2}, s); });
  };
  CellSelection model;
  model.models = {"sasrec", "narm"};
  EXPECT_EQ(refusal(model), "--model narm: not in the experiment (it has pop, sasrec)");
  CellSelection seed;
  seed.seeds = {3};
  EXPECT_EQ(refusal(seed), "--seed 3: not in the experiment (it has 1, 2)");
  CellSelection dataset;
  dataset.datasets = {"beauty"};
  EXPECT_EQ(refusal(dataset), "--dataset beauty: not in the experiment (it has ml)");
}

}  // namespace
}  // namespace recbench
