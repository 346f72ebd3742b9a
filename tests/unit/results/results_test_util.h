// Helpers shared by the results-file tests: a scratch folder and fully populated sample cells.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "recbench/core/results/results_file.h"

namespace recbench::testing_results {

//! A fresh folder under the system temp dir, removed when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("recbench_results_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline RunInfo sample_info() {
  RunInfo info;
  info.recbench_version = "0.1.0";
  info.git_revision = "abc123";
  info.torch_version = "1.13.0";
  info.device = "cpu";
  info.start_time = "2024-05-01T10:00:00Z";
  info.experiment_name = "quickstart";
  info.experiment_toml = "name = \"quickstart\"\n[models.pop]\nplugin = \"pop\"  # π ünïcode\n";
  return info;
}

//! A complete cell whose every field is a function of (model, seed) and `users` test examples.
inline CellRecord sample_cell(const std::string& model, int64_t seed, size_t users) {
  std::mt19937_64 rng(static_cast<uint64_t>(seed) * 7919 + model.size());
  CellRecord cell;
  cell.dataset = "ml_100k";
  cell.model = model;
  cell.plugin = "pop";
  cell.seed = seed;
  cell.config_toml = "[params]\nhidden = " + std::to_string(seed) + "\n";
  cell.metrics = {{"NDCG@10", 1.0 / 3.0 + 0.001 * static_cast<double>(seed)},
                  {"HR@10", static_cast<double>(rng() % 1000) / 997.0},
                  {"MRR@10", 0.05}};
  for (size_t u = 0; u < users; ++u) {
    cell.users.push_back(static_cast<int64_t>(u));
    cell.rank_greater.push_back(static_cast<int64_t>(rng() % 5000));
    cell.rank_ties.push_back(static_cast<int64_t>(rng() % 3));
    cell.ranks.push_back(static_cast<double>(cell.rank_greater.back()) +
                         static_cast<double>(cell.rank_ties.back()) / 2.0 + 1.0);
  }
  for (int64_t e = 1; e <= 3; ++e)
    cell.curve.push_back({e, 1.0 / static_cast<double>(e + seed), 0.1 * static_cast<double>(e),
                          0.25 * static_cast<double>(e)});
  cell.valid_metric_name = "NDCG@10";
  cell.train_seconds = 12.5 + static_cast<double>(seed);
  cell.eval_seconds = 0.75;
  cell.peak_rss_mb = 812.25;
  cell.recbench_version = "0.1.0";
  cell.git_revision = "def456abc789-dirty";  // a later build than the file's root (abc123)
  cell.device = {"cuda:0", "NVIDIA H100 80GB HBM3", "2.11.0", "12.8", "bf16-mixed", 2, 1536.5};
  cell.artifacts = {{"checkpoint", "/tmp/ckpt_" + std::to_string(seed)}, {"embeddings", "e.pt"}};
  return cell;
}

//! Compares every field of two cells.
inline void expect_same_cell(const CellRecord& a, const CellRecord& b) {
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.plugin, b.plugin);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.config_toml, b.config_toml);
  EXPECT_EQ(a.metrics, b.metrics);  // exact: no rounding in storage
  EXPECT_EQ(a.users, b.users);
  EXPECT_EQ(a.rank_greater, b.rank_greater);
  EXPECT_EQ(a.rank_ties, b.rank_ties);
  EXPECT_EQ(a.ranks, b.ranks);
  ASSERT_EQ(a.curve.size(), b.curve.size());
  for (size_t i = 0; i < a.curve.size(); ++i) {
    EXPECT_EQ(a.curve[i].epoch, b.curve[i].epoch);
    EXPECT_EQ(a.curve[i].train_loss, b.curve[i].train_loss);
    EXPECT_EQ(a.curve[i].valid_metric, b.curve[i].valid_metric);
    EXPECT_EQ(a.curve[i].seconds, b.curve[i].seconds);
  }
  EXPECT_EQ(a.valid_metric_name, b.valid_metric_name);
  EXPECT_EQ(a.train_seconds, b.train_seconds);
  EXPECT_EQ(a.eval_seconds, b.eval_seconds);
  EXPECT_EQ(a.peak_rss_mb, b.peak_rss_mb);
  EXPECT_EQ(a.recbench_version, b.recbench_version);
  EXPECT_EQ(a.git_revision, b.git_revision);
  EXPECT_EQ(a.device.device, b.device.device);
  EXPECT_EQ(a.device.name, b.device.name);
  EXPECT_EQ(a.device.torch_version, b.device.torch_version);
  EXPECT_EQ(a.device.cuda_version, b.device.cuda_version);
  EXPECT_EQ(a.device.precision, b.device.precision);
  EXPECT_EQ(a.device.world_size, b.device.world_size);
  EXPECT_TRUE(a.device.peak_memory_mb == b.device.peak_memory_mb ||
              (std::isnan(a.device.peak_memory_mb) && std::isnan(b.device.peak_memory_mb)));
  EXPECT_EQ(a.artifacts, b.artifacts);
}

}  // namespace recbench::testing_results
