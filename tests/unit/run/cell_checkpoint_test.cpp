// Cell checkpoints on disk: exact round trip of the harness state, the configuration check,
// the best model restored, and a kill between the two renames.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "harness/core/src/run/cell_checkpoint.h"
#include "unit/results/results_test_util.h"

namespace recbench::run_detail {
namespace {

using testing_results::ScratchDir;
namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

HarnessState sample_state() {
  HarnessState s;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.curve = {{0, 5.123456789012345, 0.1 / 3.0, 1.25}, {1, 4.0, nan, 2.5}};
  s.stopping = {0.1 / 3.0, 0, 1};
  s.train_seconds = 2.75;
  return s;
}

TEST(CellCheckpoint, RoundTripsTheHarnessStateExactly) {
  ScratchDir dir;
  const fs::path work = dir / "cell";
  fs::create_directories(work / "model");
  write(work / "model" / "model.pt", "best weights");
  write_checkpoint(work, "cfg", sample_state(),
                   [](const fs::path& d) { write(d / "training.pt", "state"); });
  // A later improvement replaces the saved model (the harness removes the folder and saves anew).
  fs::remove_all(work / "model");
  fs::create_directories(work / "model");
  write(work / "model" / "model.pt", "a later best");

  std::string why_not;
  auto found = find_checkpoint(work, "cfg", &why_not);
  ASSERT_TRUE(found) << why_not;
  EXPECT_EQ(read(found->dir / "training.pt"), "state");
  const HarnessState want = sample_state();
  ASSERT_EQ(found->state.curve.size(), 2u);
  EXPECT_EQ(found->state.curve[0].train_loss, want.curve[0].train_loss);
  EXPECT_EQ(found->state.curve[0].valid_metric, want.curve[0].valid_metric);
  EXPECT_TRUE(std::isnan(found->state.curve[1].valid_metric));
  EXPECT_EQ(found->state.stopping.best, want.stopping.best);
  EXPECT_EQ(found->state.stopping.best_epoch, 0);
  EXPECT_EQ(found->state.stopping.bad_epochs, 1);
  EXPECT_EQ(found->state.train_seconds, 2.75);
  // The best model is restored to the one of the checkpoint's moment.
  EXPECT_EQ(read(work / "model" / "model.pt"), "best weights");
}

std::string cell_config(const std::string& params, int threads = 1) {
  return "[cell]\nseed = 1\nthreads = " + std::to_string(threads) + "\n[params]\n" + params +
         "\n[defaults]\nepochs = 10\ngroup_by_length = true\n";
}

TEST(CellCheckpoint, AnotherConfigurationIsNotResumed) {
  ScratchDir dir;
  const fs::path work = dir / "cell";
  fs::create_directories(work);
  write_checkpoint(work, cell_config("epochs = 3"), sample_state(), [](const fs::path&) {});
  std::string why_not;
  EXPECT_FALSE(find_checkpoint(work, cell_config("epochs = 4"), &why_not));
  EXPECT_NE(why_not.find("another configuration of this cell (params.epochs: 3 there, 4 now)"),
            std::string::npos)
      << why_not;
  EXPECT_FALSE(find_checkpoint(work, cell_config("epochs = 3", 2), &why_not));
  EXPECT_NE(why_not.find("thread count"), std::string::npos) << why_not;
}

TEST(CellCheckpoint, AKeyDeclaredAfterItWasWrittenResumesAtItsDefault) {
  ScratchDir dir;
  const fs::path work = dir / "cell";
  fs::create_directories(work);
  // Written before the plugin declared group_by_length (no [defaults] table then either).
  write_checkpoint(work, "[cell]\nseed = 1\nthreads = 1\n[params]\nepochs = 3\n", sample_state(),
                   [](const fs::path&) {});
  std::string why_not;
  EXPECT_TRUE(find_checkpoint(work, cell_config("epochs = 3\ngroup_by_length = true"), &why_not))
      << why_not;
  EXPECT_FALSE(find_checkpoint(work, cell_config("epochs = 3\ngroup_by_length = false"), &why_not));
  EXPECT_NE(why_not.find("params.group_by_length: absent there, false now"), std::string::npos)
      << why_not;
}

TEST(CellCheckpoint, AKillBetweenTheRenamesLeavesTheOldCheckpoint) {
  ScratchDir dir;
  const fs::path work = dir / "cell";
  fs::create_directories(work);
  write_checkpoint(work, "cfg", sample_state(),
                   [](const fs::path& d) { write(d / "training.pt", "first"); });
  fs::rename(work / "checkpoint", work / "checkpoint.old");  // as if killed after the first rename
  fs::create_directories(work / "checkpoint.new");           // and a half-written new one
  std::string why_not;
  auto found = find_checkpoint(work, "cfg", &why_not);
  ASSERT_TRUE(found) << why_not;
  EXPECT_EQ(read(found->dir / "training.pt"), "first");
  remove_checkpoint(work);
  EXPECT_FALSE(find_checkpoint(work, "cfg", &why_not));
  EXPECT_FALSE(fs::exists(work / "checkpoint.new"));
}

TEST(CellCheckpoint, UnreadableStateIsNotResumedAndSaysWhy) {
  ScratchDir dir;
  const fs::path work = dir / "cell";
  fs::create_directories(work / "checkpoint");
  write(work / "checkpoint" / "harness.json", "{ not json");
  std::string why_not;
  EXPECT_FALSE(find_checkpoint(work, "cfg", &why_not));
  EXPECT_NE(why_not.find("harness.json is unreadable"), std::string::npos) << why_not;
}

}  // namespace
}  // namespace recbench::run_detail
