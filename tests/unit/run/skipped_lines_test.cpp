// on_error = "skip" end to end: the skipped count reaches the log and the results file's
// /datasets/<name> statistics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "recbench/core/config/experiment.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/runner.h"

namespace recbench {
namespace {

TEST(SkippedLines, CountedInTheResultsFile) {
  const auto work =
      std::filesystem::temp_directory_path() / ("recbench_skipped_" + std::to_string(::getpid()));
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  {
    std::ofstream data(work / "u.data");
    for (int u = 1; u <= 20; ++u) {
      for (int i = 1; i <= 6; ++i)
        data << u << '\t' << (u + i) % 15 + 1 << "\t4\t" << 1000 + i << '\n';
    }
    data << "21\t3\t4\n";           // wrong column count
    data << "22\t3\tfive\t1000\n";  // a rating that is not a number
  }
  std::ofstream(work / "exp.toml") << R"(
[experiment]
name = "skipped"
seeds = [1]
threads = 1
log_level = "warn"
[evaluation]
metrics = ["HR"]
topk = [10]
valid_metric = "HR@10"
[[datasets]]
name = "bad-ml"
format = "movielens"
on_error = "skip"
[datasets.files]
ratings = "u.data"
[[models]]
plugin = "pop"
)";
  ExperimentConfig cfg = load_experiment(
      work / "exp.toml", {"experiment.cache_dir=\"" + (work / "cache").string() + "\""});
  RunOptions options;
  options.output = work / "results.h5";
  options.plugin_dirs = {work / "no-plugins"};
  const RunSummary summary = run_experiment(cfg, options);
  EXPECT_EQ(summary.failed, 0);
  const auto dataset = ResultsFile::open_existing(*options.output).read_dataset("bad-ml");
  ASSERT_TRUE(dataset.has_value());
  EXPECT_EQ(dataset->stats.at("skipped_lines"), 2.0);
  EXPECT_EQ(dataset->stats.at("interactions"), 120.0);
  std::filesystem::remove_all(work);
}

}  // namespace
}  // namespace recbench
