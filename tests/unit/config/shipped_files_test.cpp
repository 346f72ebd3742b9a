// Every experiment and recipe the project ships loads: recipes resolve, keys are known, and each
// model names a plugin this build has. (A renamed key or a moved recipe breaks a test, not a user.)
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "recbench/core/config/experiment.h"
#include "recbench/core/data/dataset.h"
#include "recbench/core/plugins/plugin_loader.h"

namespace recbench {
namespace {

std::vector<std::filesystem::path> tomls_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const std::filesystem::path kProject = RECBENCH_PROJECT_DIR;

TEST(ShippedFiles, EveryExperimentLoadsAndNamesBuiltPlugins) {
  PluginRegistry registry({kProject / "no-plugins"});  // the statically linked ones
  const auto files = tomls_in(kProject / "experiments");
  ASSERT_GE(files.size(), 4U);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    ExperimentConfig cfg;
    ASSERT_NO_THROW(cfg = load_experiment(file));
    EXPECT_FALSE(cfg.datasets.empty());
    for (const auto& model : cfg.models) {
      EXPECT_NO_THROW(registry.require(model.plugin)) << model.label << ": " << model.plugin;
    }
  }
}

TEST(ShippedFiles, EveryRecipeLoads) {
  size_t count = 0;
  for (const auto& dir : {kProject / "datasets", kProject / "datasets" / "standin"}) {
    for (const auto& file : tomls_in(dir)) {
      SCOPED_TRACE(file.string());
      EXPECT_NO_THROW(load_recipe(file));
      ++count;
    }
  }
  EXPECT_GE(count, 12U);  // six benchmark/pre-training recipes and their six stand-ins at least
}

}  // namespace
}  // namespace recbench
