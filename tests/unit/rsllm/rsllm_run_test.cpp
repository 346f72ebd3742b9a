// RSLLM through the runner: its SASRec dependency trains first (listed after it), the embedding
// table is an artefact, ValidRatio is stored; unknown labels, cycles and failed dependencies are
// reported; and the real `recbench run` binary runs the same experiment with loaded plugins.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string_view>

#include "recbench/core/config/experiment.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/runner.h"
#include "recbench/embedding_artifact.h"
#include "recbench/error.h"

namespace recbench {
namespace {

constexpr const char* kHead = R"(
[experiment]
name = "tiny_rsllm"
seeds = [1]
threads = 1
log_level = "warn"

[evaluation]
mode = "candidates"
candidates = 5
metrics = ["HR"]
topk = [1, 5]
valid_metric = "HR@1"

[[datasets]]
name = "tiny"
format = "synthetic"
seed = 3
max_history = 10
[datasets.options]
users = 40
items = 30
seq_len = 8
)";

constexpr const char* kRsllm = R"(
[[models]]
label = "rsllm"
plugin = "rsllm"
[models.params]
stage1_epochs = 0
stage2_epochs = 1
tiny_vocab = 300
train_candidates = 5
samples_per_user = 1
)";

constexpr const char* kSasrec = R"(
[[models]]
label = "sasrec"
plugin = "sasrec"
[models.params]
epochs = 1
max_len = 10
hidden_size = 16
)";

//! The experiment text made of `parts` (appended, not operator+: GCC 12 warns on long chains).
std::string experiment(std::initializer_list<std::string_view> parts) {
  std::string out(kHead);
  for (auto part : parts) out.append(part);
  return out;
}

//! A second RSLLM entry, labelled "rs2".
std::string second_rsllm() {
  std::string second = kRsllm;
  second.replace(second.find("label = \"rsllm\""), 15, "label = \"rs2\"");
  return second;
}

struct Work {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("recbench_rsllm_run_" + std::to_string(::getpid()));
  Work() {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~Work() { std::filesystem::remove_all(dir); }

  std::filesystem::path write(const std::string& text) const {
    const auto file = dir / "exp.toml";
    std::ofstream(file) << text;
    return file;
  }
  RunSummary run(const std::string& text, bool resume = false) const {
    ExperimentConfig cfg =
        load_experiment(write(text), {"experiment.cache_dir=\"" + (dir / "cache").string() + "\""});
    RunOptions o;
    o.output = dir / "results.h5";
    o.resume = resume;
    o.plugin_dirs = {dir / "no-plugins"};  // static plugins only
    return run_experiment(cfg, o);
  }
};

const CellRecord& cell(const std::vector<CellRecord>& cells, const std::string& label) {
  for (const auto& c : cells) {
    if (c.model == label) return c;
  }
  throw Error("no cell " + label);
}

TEST(RsllmRun, DependencyTrainsFirstAndProvidesItsEmbeddings) {
  Work w;
  const auto summary = w.run(experiment({kRsllm, kSasrec}));  // rsllm listed first
  EXPECT_EQ(summary.complete, 2);
  EXPECT_EQ(summary.failed, 0);
  const auto cells = ResultsFile::open_existing(w.dir / "results.h5").read_cells();
  const auto& sas = cell(cells, "sasrec");
  ASSERT_EQ(sas.artifacts.count("item_embeddings"), 1u);
  EXPECT_TRUE(std::filesystem::exists(sas.artifacts.at("item_embeddings")));
  const auto& rs = cell(cells, "rsllm");
  EXPECT_EQ(rs.status, "complete") << rs.error;
  bool has_ratio = false;
  for (const auto& [name, value] : rs.metrics) {
    if (name == "ValidRatio") has_ratio = value == 1.0;  // likelihood ranking is always valid
  }
  EXPECT_TRUE(has_ratio);
  EXPECT_EQ(rs.artifacts.count("item_embeddings"), 0u);  // not an EmbeddingSource
  // Resuming skips both; a new entry reading SASRec still finds the skipped cell's table.
  const auto resumed = w.run(experiment({kRsllm, kSasrec, second_rsllm()}), true);
  EXPECT_EQ(resumed.skipped, 2);
  EXPECT_EQ(resumed.complete, 1);
  EXPECT_EQ(resumed.failed, 0);
}

TEST(RsllmRun, UnknownLabelAndCycleFailBeforeTraining) {
  Work w;
  try {
    w.run(experiment({kRsllm, "id_model = \"sasrec-h64\"\n", kSasrec}));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("models.rsllm.params.id_model: no model entry is labelled 'sasrec-h64' "
                     "(labels: rsllm, sasrec)"),
              std::string::npos)
        << m;
  }
  EXPECT_FALSE(std::filesystem::exists(w.dir / "results.h5"));
  EXPECT_THROW(w.run(experiment({kRsllm, "id_model = \"rsllm\"\n"})), ConfigError);
}

TEST(RsllmRun, DependentOfAFailedCellFailsWithTheReason) {
  Work w;
  // Random has no embedding table: the first RSLLM fails, the second depends on the failed first.
  const std::string random = "\n[[models]]\nplugin = \"random\"\n", rs2 = second_rsllm();
  const auto summary =
      w.run(experiment({kRsllm, "id_model = \"random\"\n", rs2, "id_model = \"rsllm\"\n", random}));
  EXPECT_EQ(summary.complete, 1);
  EXPECT_EQ(summary.failed, 2);
  const auto cells = ResultsFile::open_existing(w.dir / "results.h5").read_cells();
  EXPECT_NE(cell(cells, "rsllm").error.find("no item embedding table of 'random'"),
            std::string::npos)
      << cell(cells, "rsllm").error;
  EXPECT_NE(cell(cells, "rs2")
                .error.find("needs the trained 'rsllm' (models.rs2.params.id_model), "
                            "whose cell tiny/rsllm/seed_1 failed"),
            std::string::npos)
      << cell(cells, "rs2").error;
}

TEST(RsllmRun, RecbenchRunBinaryLoadsThePlugins) {
  Work w;
  const auto file = w.write(experiment({kRsllm, kSasrec}));
  std::string cmd = RECBENCH_BINARY;
  for (const std::string& part :
       {std::string(" run "), file.string(), std::string(" --out "), (w.dir / "cli.h5").string(),
        std::string(" --set 'experiment.cache_dir=\""), (w.dir / "cache").string(),
        std::string("\"' > "), (w.dir / "log").string(), std::string(" 2>&1")}) {
    cmd += part;
  }
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto cells = ResultsFile::open_existing(w.dir / "cli.h5").read_cells();
  ASSERT_EQ(cells.size(), 2u);
  for (const auto& c : cells) EXPECT_EQ(c.status, "complete") << c.model << ": " << c.error;
}

}  // namespace
}  // namespace recbench
