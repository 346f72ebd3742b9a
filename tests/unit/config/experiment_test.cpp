// Experiment files: strict keys with positions, overrides, entries, and the protocol.
#include <fstream>

#include <gtest/gtest.h>

#include "recbench/core/config/experiment.h"
#include "recbench/error.h"

namespace recbench {
namespace {

class ExperimentTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    auto dir =
        std::filesystem::temp_directory_path() / ("recbench_exp_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "exp.toml";
    std::ofstream(file) << text;
    return file;
  }
  std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
    try {
      load_experiment(write(text), sets);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  static constexpr const char* kValid = R"(
[experiment]
name = "t"
seeds = [1, 2]

[evaluation]
topk = [5, 10]

[[datasets]]
name = "syn"
format = "synthetic"

[[models]]
plugin = "pop"

[[models]]
label = "sas"
plugin = "sasrec"
[models.params]
hidden = 16
)";
};

TEST_F(ExperimentTest, ReadsAValidFile) {
  ExperimentConfig cfg = load_experiment(write(kValid));
  EXPECT_EQ(cfg.name, "t");
  EXPECT_EQ(cfg.seeds, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(cfg.models.size(), 2u);
  EXPECT_EQ(cfg.models[0].label, "pop");  // label defaults to the plugin name
  EXPECT_EQ(cfg.models[1].params["hidden"].value<int64_t>(), 16);
  EXPECT_EQ(cfg.protocol.topk, (std::vector<int64_t>{5, 10}));
  EXPECT_EQ(cfg.datasets.at(0).name, "syn");
  EXPECT_EQ(cfg.output, "results/t.h5");
}

TEST_F(ExperimentTest, UnknownKeyNamesPositionAndKnownKeys) {
  std::string text = kValid;
  text.replace(text.find("seeds"), 5, "sedes");
  auto msg = error_of(text);
  EXPECT_NE(msg.find("exp.toml:4:9: experiment.sedes: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("seeds"), std::string::npos) << msg;
}

TEST_F(ExperimentTest, UnknownTopLevelTable) {
  std::string text = kValid;  // appended, not `string + literal`: GCC 12 warns on that falsely
  text += "\n[trainer]\nx = 1\n";
  auto msg = error_of(text);
  EXPECT_NE(
      msg.find(
          "trainer: unknown key; known keys: corpora, datasets, evaluation, experiment, models"),
      std::string::npos)
      << msg;
}

TEST_F(ExperimentTest, SetOverridesLayerOverTheFile) {
  ExperimentConfig cfg = load_experiment(
      write(kValid), {"models.sas.params.hidden=32", "experiment.seeds=[7]",
                      "evaluation.tie_policy=expected", "models.pop.params.log_counts=true"});
  EXPECT_EQ(cfg.models[1].params["hidden"].value<int64_t>(), 32);
  EXPECT_EQ(cfg.models[0].params["log_counts"].value<bool>(), true);
  EXPECT_EQ(cfg.seeds, (std::vector<int64_t>{7}));
  EXPECT_EQ(cfg.protocol.ties, TiePolicy::expected);
  EXPECT_NE(cfg.text.find("# --set experiment.seeds=[7]"), std::string::npos);
}

TEST_F(ExperimentTest, SetToUnknownEntryIsAnError) {
  auto msg = error_of(kValid, {"models.nope.params.hidden=3"});
  EXPECT_NE(msg.find("no models entry with label 'nope'"), std::string::npos) << msg;
}

TEST_F(ExperimentTest, WrongTypesAndRanges) {
  std::string text = kValid;
  text.replace(text.find("seeds = [1, 2]"), 14, "seeds = 3");
  EXPECT_NE(error_of(text).find("experiment.seeds: expected an array of integers"),
            std::string::npos);
  EXPECT_NE(error_of(kValid, {"evaluation.batch_size=0"}).find("evaluation.batch_size"),
            std::string::npos);
  EXPECT_NE(error_of(kValid, {"experiment.device=tpu"}).find("expected one of cpu, cuda"),
            std::string::npos);
  EXPECT_NE(error_of(kValid, {"evaluation.valid_metric=NDCG@20"}).find("not among"),
            std::string::npos);
}

TEST_F(ExperimentTest, MetricNamesAreCheckedWhenTheExperimentLoads) {
  // A typo among the metrics used to pass loading and fail every cell.
  auto msg = error_of(
      kValid, {R"(evaluation.metrics=["HR","NDGC"])", R"(evaluation.valid_metric="HR@10")"});
  EXPECT_NE(msg.find("exp.toml: evaluation.metrics: unknown metric 'NDGC' (known: HR, NDCG"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("ValidRatio"), std::string::npos) << msg;  // not listable
  msg = error_of(kValid, {R"(evaluation.metrics=["HR","hit"])"});
  EXPECT_NE(msg.find("metric 'hit' is listed twice"), std::string::npos) << msg;
  msg = error_of(kValid, {R"(evaluation.valid_metric="NDCG")"});
  EXPECT_NE(msg.find("evaluation.valid_metric: metric 'NDCG': expected NDCG@K"), std::string::npos)
      << msg;
  msg = error_of(kValid, {R"(evaluation.valid_metric="ValidRatio")"});
  EXPECT_NE(msg.find("not among the computed metrics"), std::string::npos) << msg;
  msg = error_of(kValid, {"evaluation.topk=[5,5]"});
  EXPECT_NE(msg.find("evaluation.topk: cut-offs must be distinct"), std::string::npos) << msg;
}

TEST_F(ExperimentTest, MetricNamesAreStoredInTheRegistrysSpelling) {
  const ExperimentConfig cfg = load_experiment(
      write(kValid),
      {R"(evaluation.metrics=["hit","ndcg","GiniIndex"])", R"(evaluation.valid_metric="gini@5")"});
  EXPECT_EQ(cfg.protocol.metrics, (std::vector<std::string>{"HR", "NDCG", "Gini"}));
  EXPECT_EQ(cfg.valid_metric, "Gini@5");
  const ExperimentConfig llara = load_experiment(
      write(kValid),
      {R"(evaluation.mode="candidates")", R"(evaluation.valid_metric="validratio")"});
  EXPECT_EQ(llara.valid_metric, "ValidRatio");
}

TEST_F(ExperimentTest, DuplicateLabelsAndMissingEntries) {
  std::string text = kValid;
  text.replace(text.find("label = \"sas\""), 13, "label = \"pop\"");
  EXPECT_NE(error_of(text).find("duplicate label 'pop'"), std::string::npos);
  EXPECT_NE(error_of("[experiment]\nname='x'\n").find("at least one [[datasets]]"),
            std::string::npos);
}

TEST_F(ExperimentTest, TomlSyntaxErrorHasFileLineColumn) {
  auto msg = error_of("[experiment\n");
  EXPECT_NE(msg.find("exp.toml:1:"), std::string::npos) << msg;
}

TEST_F(ExperimentTest, MissingRecipeFileNamesIt) {
  std::string text = kValid;
  text.replace(text.find("format = \"synthetic\""), 20, "recipe = \"nope.toml\"");
  auto msg = error_of(text);
  EXPECT_NE(msg.find("datasets.recipe: no such file"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nope.toml"), std::string::npos) << msg;
}

}  // namespace
}  // namespace recbench
