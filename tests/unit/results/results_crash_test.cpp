// ResultsFile atomicity: a writer SIGKILLed at random moments never leaves a broken or partial
// cell.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "recbench/core/results/results_file.h"
#include "results_test_util.h"

namespace recbench {
namespace {

using testing_results::expect_same_cell;
using testing_results::sample_cell;
using testing_results::sample_info;
using testing_results::ScratchDir;

constexpr size_t kUsers = 4000;  //!< per cell: big enough that a write takes a little while

std::string model_of(int64_t seed) { return seed % 2 == 0 ? "even" : "odd"; }

//! Child process: writes new cells from `first_seed` on, and rewrites an older one (same content)
//! after each, until it is killed. Never returns.
[[noreturn]] void write_forever(const std::filesystem::path& path, int64_t first_seed) {
  try {
    ResultsFile file = ResultsFile::open_existing(path);
    for (int64_t seed = first_seed;; ++seed) {
      file.write_cell(sample_cell(model_of(seed), seed, kUsers));
      file.write_cell(sample_cell(model_of(seed / 2), seed / 2, kUsers));
    }
  } catch (...) {
    _exit(3);
  }
}

TEST(ResultsCrash, SigkilledWriterLeavesOnlyWholeCellsAndTheCountOnlyGrows) {
  ScratchDir dir;
  auto path = dir / "crash.h5";
  ResultsFile created(path, sample_info());
  // Kill moments spread over a few write times, measured here (fsync speed varies by machine).
  auto start = std::chrono::steady_clock::now();
  ResultsFile(dir / "timing.h5", sample_info()).write_cell(sample_cell("timing", 0, kUsers));
  auto write_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::mt19937 rng(20240501);
  std::uniform_int_distribution<int64_t> delay_us(write_us / 5, write_us * 3);
  size_t count = 0;
  double stretch = 1.0;
  int killed_mid_write = 0;
  const int rounds = 10;
  for (int round = 0; round < rounds; ++round) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      write_forever(path, static_cast<int64_t>(count));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(
        static_cast<int64_t>(static_cast<double>(delay_us(rng)) * stretch)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer stopped by itself (status " << status << ")";
    killed_mid_write += std::filesystem::exists(dir / "crash.h5.tmp") ? 1 : 0;

    std::vector<CellRecord> cells = ResultsFile::open_existing(path).read_cells();
    ASSERT_GE(cells.size(), count) << "round " << round;
    for (const CellRecord& cell : cells) {
      SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(cell.seed));
      expect_same_cell(cell, sample_cell(model_of(cell.seed), cell.seed, kUsers));
    }
    std::vector<int64_t> seeds;
    seeds.reserve(cells.size());
    for (const CellRecord& cell : cells) {
      seeds.push_back(cell.seed);
    }
    std::sort(seeds.begin(), seeds.end());
    for (size_t i = 0; i < seeds.size(); ++i) {
      ASSERT_EQ(seeds[i], static_cast<int64_t>(i));
    }
    stretch *= cells.size() == count ? 1.5 : 1.0;  // a slow disk: give the next round longer
    count = cells.size();
    EXPECT_EQ(ResultsFile::open_existing(path).info().experiment_name, "quickstart");
  }
  EXPECT_GT(count, 0u) << "no cell was ever written: the kills came too early to test anything";
  std::cout << "[ results ] one write took " << write_us << " us; " << count << " cells after "
            << rounds << " kills, " << killed_mid_write << " kills left a half-written temporary\n";
}

}  // namespace
}  // namespace recbench
