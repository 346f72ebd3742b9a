// [[corpora]]: parsing, the overlap check (domains, raw files) and the up-front refusals of the
// runner (an overlapping corpus, a plugin naming an unknown corpus), before any training.
#include <fstream>

#include <gtest/gtest.h>

#include "recbench/core/config/experiment.h"
#include "recbench/core/data/corpus_overlap.h"
#include "recbench/core/run/runner.h"
#include "recbench/error.h"

namespace recbench {
namespace {

PreparedDataset with_domains(const std::vector<std::string>& names) {
  PreparedDataset d;
  d.items.domain_names = names;
  std::vector<int16_t> used;
  for (size_t i = 0; i < names.size(); ++i) used.push_back(static_cast<int16_t>(i));
  std::vector<ItemId> items(used.size(), 1);
  std::vector<int64_t> times(used.size(), 0);
  d.sequences.append(0, items, times, used);
  return d;
}

Recipe recipe(const std::string& name, std::map<std::string, std::string> files) {
  Recipe r;
  r.name = name;
  r.base_dir = "/data/sets";
  r.files = std::move(files);
  return r;
}

std::string overlap_error(const Recipe& t, const PreparedDataset& td, const Recipe& c,
                          const PreparedDataset& cd) {
  try {
    check_corpus_overlap(t, td, c, cd);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(CorpusOverlap, SharedDomainOrRawFileIsRefused) {
  const auto office = with_domains({"office"});
  const auto pre = with_domains({"toys", "pets", "office"});
  const auto toys = with_domains({"toys", "pets"});
  const Recipe t = recipe("amazon-office", {{"reviews", "raw/office.json"}});
  const Recipe c = recipe("amazon-pretrain", {{"reviews_toys", "raw/toys.json"}});
  EXPECT_NE(overlap_error(t, office, c, pre)
                .find("dataset 'amazon-office' overlaps pre-training corpus 'amazon-pretrain': "
                      "shared domain(s) 'office'"),
            std::string::npos);
  EXPECT_EQ(overlap_error(t, office, c, toys), "");
  const Recipe same_file = recipe("corpus", {{"inter", "/data/sets/raw/../raw/office.json"}});
  EXPECT_NE(
      overlap_error(t, office, same_file, toys).find("both read '/data/sets/raw/office.json'"),
      std::string::npos);
  EXPECT_EQ(used_domains(pre), (std::set<std::string>{"office", "pets", "toys"}));
}

class CorpusExperiment : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("recbench_corpora_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  ExperimentConfig load(const std::string& text, const std::vector<std::string>& sets = {}) {
    std::ofstream(dir_ / "exp.toml") << text;
    auto all = sets;
    all.push_back("experiment.cache_dir=\"" + (dir_ / "cache").string() + "\"");
    return load_experiment(dir_ / "exp.toml", all);
  }
  std::string run_error(const ExperimentConfig& cfg) {
    RunOptions options;
    options.output = dir_ / "out.h5";
    options.plugin_dirs = {dir_ / "no-plugins"};
    try {
      run_experiment(cfg, options);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path dir_;
  static constexpr const char* kBase = R"(
[experiment]
log_level = "off"
[[datasets]]
name = "target"
format = "synthetic"
[datasets.options]
users = 40
items = 30
domains = 2
[[corpora]]
name = "pre"
format = "synthetic"
[corpora.options]
users = 40
items = 30
domains = 3
[[models]]
plugin = "pop"
)";
};

TEST_F(CorpusExperiment, CorporaAreParsedAndAddressableBySet) {
  const auto cfg = load(kBase, {"corpora.pre.seed=5"});
  ASSERT_EQ(cfg.corpora.size(), 1u);
  EXPECT_EQ(cfg.corpora[0].name, "pre");
  EXPECT_EQ(cfg.corpora[0].seed, 5u);
  EXPECT_EQ(cfg.datasets.size(), 1u);
  try {
    std::string text = kBase;
    text += "[[corpora]]\nname = \"target\"\nformat = \"synthetic\"\n";
    load(text);
    FAIL() << "a corpus named like a dataset was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("corpora: duplicate name 'target'"), std::string::npos)
        << e.what();
  }
}

TEST_F(CorpusExperiment, OverlappingCorpusIsRefusedBeforeTraining) {
  // Both synthetic recipes name their domains books, movies, ...: the target is in the corpus.
  EXPECT_NE(run_error(load(kBase))
                .find("dataset 'target' overlaps pre-training corpus 'pre': "
                      "shared domain(s) 'books', 'movies'"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.h5"));
}

TEST_F(CorpusExperiment, UnknownCorpusNameFailsAtValidation) {
  std::string text = kBase;
  text.replace(text.find("[[corpora]]"), text.find("[[models]]") - text.find("[[corpora]]"), "");
  text += "[[models]]\nplugin = \"cprec\"\n[models.params]\npretrain_corpus = \"typo\"\n";
  EXPECT_NE(run_error(load(text))
                .find("pretrain_corpus: no [[corpora]] entry named 'typo' "
                      "(known corpora: none)"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.h5"));
}

}  // namespace
}  // namespace recbench
