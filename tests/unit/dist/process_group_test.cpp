// Data parallelism's host side: the worker environment, row shares, and the c10d Gloo group's
// collectives (bucketed gradient all-reduce, broadcast, scalar sum, a dead peer) between two
// threads of this process over a FileStore.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include "recbench/core/dist/process_group.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

using Vars = std::map<std::string, std::string>;

std::optional<dist::WorkerEnv> env_of(const Vars& vars) {
  return dist::worker_env_from([&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

TEST(WorkerEnv, LauncherVariables) {
  EXPECT_FALSE(env_of({}));
  EXPECT_FALSE(env_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}}));  // one process: no group
  const auto w = env_of({{"RANK", "1"},
                         {"WORLD_SIZE", "4"},
                         {"LOCAL_RANK", "1"},
                         {"MASTER_ADDR", "10.0.0.7"},
                         {"MASTER_PORT", "29511"}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->rank, 1);
  EXPECT_EQ(w->world_size, 4);
  EXPECT_EQ(w->local_rank, 1);
  EXPECT_EQ(w->master_addr, "10.0.0.7");
  EXPECT_EQ(w->master_port, 29511);
}

TEST(WorkerEnv, SlurmVariables) {
  // A batch script's own shell has SLURM_NTASKS but is one process.
  EXPECT_FALSE(env_of({{"SLURM_NTASKS", "4"}, {"SLURM_PROCID", "0"}}));
  const auto w = env_of({{"SLURM_PROCID", "3"},
                         {"SLURM_STEP_NUM_TASKS", "4"},
                         {"SLURM_LOCALID", "1"},
                         {"MASTER_ADDR", "node1"},
                         {"MASTER_PORT", "29500"}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->rank, 3);
  EXPECT_EQ(w->world_size, 4);
  EXPECT_EQ(w->local_rank, 1);
  const auto msg = error_of<ConfigError>([] {
    env_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}});
  });
  EXPECT_NE(msg.find("MASTER_ADDR is not set"), std::string::npos) << msg;
  EXPECT_NE(msg.find("SLURM_STEP_NUM_TASKS"), std::string::npos) << msg;
  EXPECT_NE(msg.find("scontrol show hostnames"), std::string::npos) << msg;
}

TEST(WorkerEnv, BadValuesNameTheVariable) {
  const Vars master{{"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}};
  auto with = [&](Vars v) {
    v.insert(master.begin(), master.end());
    return error_of<ConfigError>([&] { env_of(v); });
  };
  EXPECT_NE(with({{"RANK", "0"}}).find("WORLD_SIZE is not set"), std::string::npos);
  EXPECT_NE(with({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).find("RANK='x'"), std::string::npos);
  EXPECT_NE(
      with({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).find("RANK='2': expected an integer in [0, 1]"),
      std::string::npos);
  EXPECT_NE(with({{"RANK", "0"}, {"WORLD_SIZE", "0"}}).find("WORLD_SIZE='0'"), std::string::npos);
  EXPECT_NE(error_of<ConfigError>([] {
              env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}});
            }).find("MASTER_PORT is not set"),
            std::string::npos);
}

TEST(RowsOfRank, BlocksCoverTheBatchOnce) {
  for (int64_t global : {0, 1, 5, 7, 64}) {
    for (int world : {1, 2, 3}) {
      int64_t next = 0;
      for (int r = 0; r < world; ++r) {
        const RowRange rows = rows_of_rank(global, r, world);
        EXPECT_EQ(rows.begin, next);
        EXPECT_LE(rows.size(), global / world + 1);
        EXPECT_GE(rows.size(), global / world);
        next = rows.end;
      }
      EXPECT_EQ(next, global);
    }
  }
  EXPECT_EQ(rows_of_rank(5, 0, 2).size(), 2);
  EXPECT_EQ(rows_of_rank(5, 1, 2).size(), 3);
  EXPECT_EQ(rows_of_rank(1, 0, 2).size(), 0);  // a rank may have no rows
}

//! Runs body(rank, group) on two threads joined in one Gloo group over a fresh FileStore.
void on_two_ranks(const std::function<void(int, dist::ProcessGroup&)>& body,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto store = std::filesystem::temp_directory_path() /
                     ("recbench_dist_test_" + std::to_string(::getpid()) + "_" +
                      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::exception_ptr errors[2];
  auto run = [&](int rank) {
    try {
      auto group = dist::join_file_store(store, rank, 2, timeout);
      body(rank, *group);
    } catch (...) {
      errors[rank] = std::current_exception();
    }
  };
  std::thread other(run, 1);
  run(0);
  other.join();
  std::filesystem::remove(store);
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

TEST(GlooGroup, BucketedGradientSumIsWeightedAndEqualOnEveryRank) {
  if (!dist::available()) GTEST_SKIP() << "built without c10d Gloo";
  std::vector<torch::Tensor> got[2];
  on_two_ranks([&](int rank, dist::ProcessGroup& group) {
    EXPECT_EQ(group.rank(), rank);
    EXPECT_EQ(group.world_size(), 2);
    group.set_bucket_bytes(64);  // several buckets: 16 floats each
    // Values do not matter (gradients are set below), only shapes and dtypes: the global
    // generator shared by both threads may interleave.
    std::vector<torch::Tensor> params{torch::randn({5, 7}),
                                      torch::randn({3}),
                                      torch::randn({40}),
                                      torch::randn({2, 2}),
                                      torch::randn({4}, torch::kDouble),
                                      torch::randn({6})};
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].requires_grad_(true);
      const bool undefined_here = (i == 3 && rank == 0) || i == 5;  // 5: undefined everywhere
      if (undefined_here) continue;
      params[i].mutable_grad() =
          torch::full_like(params[i], static_cast<double>(rank + 1) * static_cast<double>(i + 1));
    }
    group.reduce_gradients(params, rank == 0 ? 0.25 : 0.75);
    for (const auto& p : params) got[rank].push_back(p.grad());
  });
  for (int rank = 0; rank < 2; ++rank) {
    ASSERT_EQ(got[rank].size(), 6U);
    for (size_t i = 0; i < 5; ++i) {
      ASSERT_TRUE(got[rank][i].defined()) << "parameter " << i << " on rank " << rank;
      // 0.25 x 1 x (i+1) + 0.75 x 2 x (i+1); parameter 3 only has rank 1's term.
      const double want = i == 3 ? 1.5 * 4 : 1.75 * static_cast<double>(i + 1);
      EXPECT_TRUE(torch::allclose(got[rank][i], torch::full_like(got[rank][i], want)))
          << "parameter " << i << " on rank " << rank << ": " << got[rank][i];
      EXPECT_TRUE(torch::equal(got[0][i], got[1][i]));
    }
    EXPECT_EQ(got[rank][4].scalar_type(), torch::kDouble);
    EXPECT_FALSE(got[rank][5].defined());  // no rank had one: the optimiser skips it
  }
}

TEST(GlooGroup, BroadcastSumAndShareFromRoot) {
  if (!dist::available()) GTEST_SKIP() << "built without c10d Gloo";
  torch::Tensor after[2];
  double sums[2] = {0, 0};
  std::vector<double> shared[2];
  on_two_ranks([&](int rank, dist::ProcessGroup& group) {
    // Ranks start different. No RNG: the global generator is shared by both threads.
    const double offset = 100.0 * rank;
    auto weight = (torch::arange(12, torch::kFloat).reshape({3, 4}) + offset).requires_grad_(true);
    auto buffer = torch::arange(5, torch::kFloat) * 0.5 - offset;
    group.broadcast({weight, buffer});
    after[rank] = torch::cat({weight.detach().reshape(-1), buffer});
    sums[rank] = group.sum(rank == 0 ? 1.5 : 2.25);
    shared[rank] = {rank == 0 ? 0.125 : -1.0, rank == 0 ? 1.0 : 0.0};
    group.share_from_root(shared[rank], std::chrono::seconds(5));
    group.barrier();
  });
  const auto root =
      torch::cat({torch::arange(12, torch::kFloat), torch::arange(5, torch::kFloat) * 0.5});
  EXPECT_TRUE(torch::equal(after[0], root));
  EXPECT_TRUE(torch::equal(after[0], after[1]));
  EXPECT_DOUBLE_EQ(sums[0], 3.75);
  EXPECT_DOUBLE_EQ(sums[1], 3.75);
  EXPECT_EQ(shared[1], (std::vector<double>{0.125, 1.0}));
}

TEST(GlooGroup, ADeadPeerIsACollectiveErrorNotAHang) {
  if (!dist::available()) GTEST_SKIP() << "built without c10d Gloo";
  std::string message;
  const auto start = std::chrono::steady_clock::now();
  on_two_ranks(
      [&](int rank, dist::ProcessGroup& group) {
        if (rank == 1) return;  // leaves without taking part; its group closes
        message = error_of<CollectiveError>([&] { group.sum(1.0); });
      },
      std::chrono::seconds(3));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(message.find("data-parallel all-reduce of a scalar failed on rank 0 of 2"),
            std::string::npos)
      << message;
  EXPECT_LT(seconds, 10.0);  // the timeout (3 s) at worst, never a hang
}

}  // namespace
}  // namespace recbench
