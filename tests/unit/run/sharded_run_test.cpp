// A sharded run merged back equals a one-process run: every cell (metrics, per-user ranks,
// curve, config; not timings or artefact paths) and the report; shards resume on their own, and
// --resume of a merged file retrains a failed cell that reads another shard's artefacts.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <fstream>

#include "../error_of.h"
#include "recbench/core/config/experiment.h"
#include "recbench/core/results/merge.h"
#include "recbench/core/results/report.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/runner.h"

namespace recbench {
namespace {

namespace fs = std::filesystem;

// Two datasets x three entries (rsllm, listed first, reads sasrec) x two seeds.
constexpr const char* kExperiment = R"(
[experiment]
name = "tiny_sharded"
seeds = [1, 2]
threads = 1
log_level = "warn"

[evaluation]
mode = "candidates"
candidates = 5
metrics = ["HR", "NDCG"]
topk = [1, 5]
valid_metric = "HR@1"

[[datasets]]
name = "tiny_a"
format = "synthetic"
seed = 3
max_history = 10
[datasets.options]
users = 40
items = 30
seq_len = 8

[[datasets]]
name = "tiny_b"
format = "synthetic"
seed = 4
max_history = 10
[datasets.options]
users = 30
items = 25
seq_len = 8

[[models]]
label = "rsllm"
plugin = "rsllm"
[models.params]
stage1_epochs = 0
stage2_epochs = 1
tiny_vocab = 300
train_candidates = 5
samples_per_user = 1

[[models]]
plugin = "pop"

[[models]]
label = "sasrec"
plugin = "sasrec"
[models.params]
epochs = 2
max_len = 10
hidden_size = 16
)";

class ShardedRun : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("recbench_sharded_" + std::to_string(::getpid()));
  fs::path experiment = dir / "exp.toml";

  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(experiment) << kExperiment;
  }
  void TearDown() override { fs::remove_all(dir); }

  ExperimentConfig config() const {
    return load_experiment(experiment,
                           {"experiment.cache_dir=\"" + (dir / "cache").string() + "\"",
                            "experiment.output=\"" + (dir / "sharded.h5").string() + "\""});
  }
  RunSummary run(std::optional<fs::path> out, std::optional<ShardSpec> shard,
                 bool resume = false) const {
    RunOptions o;
    o.output = std::move(out);
    o.shard = shard;
    o.resume = resume;
    o.plugin_dirs = {dir / "no-plugins"};  // static plugins only
    return run_experiment(config(), o);
  }
};

//! Every field but timings and artefact paths (each shard has its own artefact folder).
void expect_same_content(const CellRecord& a, const CellRecord& b) {
  const std::string cell = a.dataset + "/" + a.model + "/seed_" + std::to_string(a.seed);
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.model, b.model) << cell;
  EXPECT_EQ(a.seed, b.seed) << cell;
  EXPECT_EQ(a.plugin, b.plugin) << cell;
  EXPECT_EQ(a.status, b.status) << cell << ": " << a.error << " | " << b.error;
  EXPECT_EQ(a.error, b.error) << cell;
  EXPECT_EQ(a.config_toml, b.config_toml) << cell;
  EXPECT_EQ(a.metrics, b.metrics) << cell;
  EXPECT_EQ(a.users, b.users) << cell;
  EXPECT_EQ(a.rank_greater, b.rank_greater) << cell;
  EXPECT_EQ(a.rank_ties, b.rank_ties) << cell;
  EXPECT_EQ(a.ranks, b.ranks) << cell;
  EXPECT_EQ(a.valid_metric_name, b.valid_metric_name) << cell;
  ASSERT_EQ(a.curve.size(), b.curve.size()) << cell;
  for (size_t i = 0; i < a.curve.size(); ++i) {
    EXPECT_EQ(a.curve[i].epoch, b.curve[i].epoch) << cell;
    EXPECT_EQ(a.curve[i].train_loss, b.curve[i].train_loss) << cell;
    const double va = a.curve[i].valid_metric, vb = b.curve[i].valid_metric;
    EXPECT_TRUE(va == vb || (std::isnan(va) && std::isnan(vb))) << cell << ": " << va << " " << vb;
  }
  std::vector<std::string> names_a, names_b;
  for (const auto& [name, path] : a.artifacts) names_a.push_back(name);
  for (const auto& [name, path] : b.artifacts) names_b.push_back(name);
  EXPECT_EQ(names_a, names_b) << cell;
}

void expect_same_cells(const fs::path& a, const fs::path& b) {
  const auto cells_a = ResultsFile::open_existing(a).read_cells();
  const auto cells_b = ResultsFile::open_existing(b).read_cells();
  ASSERT_EQ(cells_a.size(), cells_b.size());
  for (size_t i = 0; i < cells_a.size(); ++i) expect_same_content(cells_a[i], cells_b[i]);
  EXPECT_EQ(render_report(cells_a, {}), render_report(cells_b, {}));
}

TEST_F(ShardedRun, MergedShardsEqualOneProcess) {
  const RunSummary whole = run(dir / "whole.h5", std::nullopt);
  ASSERT_EQ(whole.complete, 12);
  ASSERT_EQ(whole.failed, 0);

  // 8 groups: {rsllm, sasrec} and {pop} per dataset and seed, dealt round-robin to 3 shards.
  std::vector<fs::path> parts;
  int owned = 0;
  for (int64_t i = 0; i < 3; ++i) {
    const RunSummary s = run(std::nullopt, ShardSpec{i, 3});  // default: sharded.shard-i-of-3.h5
    EXPECT_EQ(s.output, dir / ("sharded.shard-" + std::to_string(i) + "-of-3.h5"));
    EXPECT_EQ(s.failed, 0);
    EXPECT_EQ(s.complete, s.owned);
    EXPECT_GE(s.owned, 2);  // 8 groups over 3 shards: 3, 3, 2 groups of 1 or 2 cells
    owned += s.owned;
    EXPECT_EQ(ResultsFile::open_existing(s.output).info().shard, std::to_string(i) + "/3");
    parts.push_back(s.output);
  }
  EXPECT_EQ(owned, 12);

  // A shard resumes on its own (nothing left to do), and only as the same shard.
  const RunSummary again = run(std::nullopt, ShardSpec{1, 3}, true);
  EXPECT_EQ(again.complete, 0);
  EXPECT_EQ(again.skipped, again.owned);
  EXPECT_NE(error_of<ConfigError>([&] {
              run(parts[1], ShardSpec{2, 3}, true);
            }).find("holds shard 1/3, but --shard 2/3 was given"),
            std::string::npos);

  const fs::path merged = dir / "merged.h5";
  const MergeSummary m = merge_results({parts[2], parts[0], parts[1]}, merged);
  EXPECT_EQ(m.cells, 12u);
  EXPECT_EQ(m.failed, 0u);
  EXPECT_TRUE(m.missing_shards.empty());
  expect_same_cells(dir / "whole.h5", merged);

  const RunInfo info = ResultsFile::open_existing(merged).info();
  const RunInfo one = ResultsFile::open_existing(dir / "whole.h5").info();
  EXPECT_EQ(info.experiment_toml, one.experiment_toml);
  EXPECT_EQ(info.model_order, (std::vector<std::string>{"sasrec", "rsllm", "pop"}));
  EXPECT_EQ(info.model_order, one.model_order);
  EXPECT_TRUE(info.shard.empty());
  EXPECT_EQ(info.merged_from,
            (std::vector<std::string>{parts[2].string(), parts[0].string(), parts[1].string()}));
  for (const fs::path& p : parts) {
    const RunInfo part = ResultsFile::open_existing(p).info();
    EXPECT_LE(info.start_time, part.start_time);
    EXPECT_GE(info.end_time, part.end_time);
  }
  const auto datasets = ResultsFile::open_existing(merged).read_datasets();
  ASSERT_EQ(datasets.size(), 2u);
  EXPECT_EQ(datasets[0].name, "tiny_a");
  EXPECT_EQ(datasets[1].candidates,
            ResultsFile::open_existing(dir / "whole.h5").read_dataset("tiny_b")->candidates);

  // A failed cell is carried over as failed; --resume of the merged file retrains it, reading
  // the SASRec table that a shard wrote into its own artefact folder.
  ResultsFile file = ResultsFile::open_existing(merged);
  CellRecord broken;
  for (const CellRecord& c : file.read_cells()) {
    if (c.dataset == "tiny_b" && c.model == "rsllm" && c.seed == 2) broken = c;
  }
  ASSERT_EQ(broken.model, "rsllm");
  broken.status = "failed";
  broken.error = "killed";
  broken.metrics.clear();
  broken.users.clear();
  broken.rank_greater.clear();
  broken.rank_ties.clear();
  broken.ranks.clear();
  file.write_cell(broken);
  const fs::path remerged = dir / "remerged.h5";
  EXPECT_EQ(merge_results({merged}, remerged).failed, 1u);
  const RunSummary resumed = run(remerged, std::nullopt, true);
  EXPECT_EQ(resumed.complete, 1);
  EXPECT_EQ(resumed.skipped, 11);
  EXPECT_EQ(resumed.failed, 0);
  expect_same_cells(dir / "whole.h5", remerged);
}

}  // namespace
}  // namespace recbench
