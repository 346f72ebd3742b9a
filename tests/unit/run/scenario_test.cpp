// Runs every experiment in tests/scenarios/ end to end (in-process, static plugins) and checks
// the expectations in its .expect.toml: [[chance]] (a model scores at chance level), [[better]]
// (one model beats another on a metric), [[at_least]] (a metric reaches a floor).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "recbench/core/config/experiment.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/runner.h"

namespace recbench {
namespace {

const std::filesystem::path kScenarios =
    std::filesystem::path(RECBENCH_TEST_DATA_DIR) / ".." / "scenarios";

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(kScenarios)) {
    const auto name = e.path().filename().string();
    if (e.path().extension() == ".toml" && name.find(".expect.") == std::string::npos) {
      names.push_back(e.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

//! Mean of a metric over the seeds of one dataset/model.
double mean_metric(const std::vector<CellRecord>& cells, const std::string& model,
                   const std::string& metric) {
  double sum = 0;
  int n = 0;
  for (const auto& c : cells) {
    if (c.model != model) continue;
    EXPECT_EQ(c.status, "complete") << model << ": " << c.error;
    for (const auto& [name, value] : c.metrics) {
      if (name == metric) {
        sum += value;
        ++n;
      }
    }
  }
  EXPECT_GT(n, 0) << "no " << metric << " for " << model;
  return n > 0 ? sum / n : std::nan("");
}

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, RunsAndMeetsExpectations) {
  const auto file = kScenarios / (GetParam() + ".toml");
  const auto work = std::filesystem::temp_directory_path() /
                    ("recbench_scenario_" + GetParam() + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(work);
  ExperimentConfig cfg =
      load_experiment(file, {"experiment.cache_dir=\"" + (work / "cache").string() + "\""});
  RunOptions options;
  options.output = work / "results.h5";
  options.plugin_dirs = {work / "no-plugins"};  // static plugins only
  RunSummary summary = run_experiment(cfg, options);
  EXPECT_EQ(summary.failed, 0);
  EXPECT_EQ(summary.complete,
            static_cast<int>(cfg.datasets.size() * cfg.models.size() * cfg.seeds.size()));

  ResultsFile results = ResultsFile::open_existing(*options.output);
  const auto cells = results.read_cells();
  const auto expect = toml::parse_file((kScenarios / (GetParam() + ".expect.toml")).string());
  const auto dataset = results.read_dataset(cfg.datasets.at(0).name);
  ASSERT_TRUE(dataset.has_value());
  const double items = dataset->stats.at("items");

  if (auto* chance = expect["chance"].as_array()) {
    for (auto& node : *chance) {
      auto& t = *node.as_table();
      const std::string model = *t["model"].value<std::string>();
      const std::string metric = *t["metric"].value<std::string>();
      const int64_t k = std::stoll(metric.substr(metric.find('@') + 1));
      ASSERT_EQ(metric.rfind("HR@", 0), 0u) << "chance checks are defined for HR@K";
      const double expected = static_cast<double>(k) / (items - 1);  // target vs items-1 others
      const double observed = mean_metric(cells, model, metric);
      EXPECT_LE(std::abs(observed / expected - 1), *t["tolerance"].value<double>())
          << model << " " << metric << " observed " << observed << ", chance " << expected;
    }
  }
  if (auto* better = expect["better"].as_array()) {
    for (auto& node : *better) {
      auto& t = *node.as_table();
      const std::string metric = *t["metric"].value<std::string>();
      const std::string a = *t["model"].value<std::string>(), b = *t["than"].value<std::string>();
      const double margin = t["margin"].value_or(0.0);
      EXPECT_GT(mean_metric(cells, a, metric), mean_metric(cells, b, metric) + margin)
          << a << " should beat " << b << " on " << metric;
    }
  }
  if (auto* floors = expect["at_least"].as_array()) {
    for (auto& node : *floors) {
      auto& t = *node.as_table();
      const std::string model = *t["model"].value<std::string>();
      const std::string metric = *t["metric"].value<std::string>();
      EXPECT_GE(mean_metric(cells, model, metric), *t["value"].value<double>())
          << model << " " << metric;
    }
  }
  std::filesystem::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(All, Scenario, ::testing::ValuesIn(scenario_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace recbench
