// recbench merge on hand-made part files: the merged file's order and root info, and one clear
// refusal per kind of part that does not belong (naming the files).
#include "recbench/core/results/merge.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../error_of.h"
#include "results_test_util.h"

namespace recbench {
namespace {

using testing_results::sample_cell;
using testing_results::sample_info;
using testing_results::ScratchDir;

DatasetRecord dataset(const std::string& name) {
  DatasetRecord d;
  d.name = name;
  d.fingerprint = "fp-" + name;
  d.recipe_toml = "name = \"" + name + "\"\n";
  d.stats = {{"users", 3.0}};
  d.candidates["test"] = {{1, 2, 3, 4}, {2, 2}};
  return d;
}

CellRecord cell(const std::string& dataset, const std::string& model, int64_t seed) {
  CellRecord c = sample_cell(model, seed, 4);
  c.dataset = dataset;
  return c;
}

//! A part file: shard `shard`, both datasets, `cells`.
std::filesystem::path part(const ScratchDir& dir, const std::string& file, const std::string& shard,
                           const std::vector<CellRecord>& cells, RunInfo info = sample_info()) {
  info.shard = shard;
  info.model_order = {"sasrec", "pop", "rsllm"};
  const auto path = dir / file;
  ResultsFile::write_whole(path, info, {dataset("ml"), dataset("beauty")}, cells);
  return path;
}

TEST(Merge, OrdersCellsAsOneProcessAndSpansTheTimes) {
  ScratchDir dir;
  RunInfo late = sample_info();
  late.start_time = "2024-05-01T11:00:00Z";
  late.end_time = "2024-05-01T12:00:00Z";
  RunInfo early = sample_info();
  early.end_time = "2024-05-01T10:30:00Z";
  CellRecord failed = cell("ml", "rsllm", 2);
  failed.status = "failed";
  failed.error = "out of memory";
  const auto a =
      part(dir, "a.h5", "1/2",
           {cell("beauty", "pop", 1), cell("ml", "rsllm", 1), cell("ml", "pop", 2)}, late);
  const auto b = part(dir, "b.h5", "0/2", {failed, cell("ml", "sasrec", 1)}, early);
  const MergeSummary s = merge_results({a, b}, dir / "out" / "m.h5");
  EXPECT_EQ(s.cells, 5u);
  EXPECT_EQ(s.failed, 1u);
  const ResultsFile merged = ResultsFile::open_existing(dir / "out" / "m.h5");
  std::vector<std::string> order;
  for (const CellRecord& c : merged.read_cells()) {
    order.push_back(c.dataset + "/" + c.model + "/" + std::to_string(c.seed));
    if (c.status == "failed") {
      EXPECT_EQ(c.error, "out of memory");
    }
  }
  // Datasets in the parts' order, models in the runner's order, seeds ascending.
  EXPECT_EQ(order, (std::vector<std::string>{"ml/sasrec/1", "ml/pop/2", "ml/rsllm/1", "ml/rsllm/2",
                                             "beauty/pop/1"}));
  testing_results::expect_same_cell(merged.read_cells()[0], cell("ml", "sasrec", 1));
  const RunInfo info = merged.info();
  EXPECT_EQ(info.start_time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(info.end_time, "2024-05-01T12:00:00Z");
  EXPECT_EQ(info.shard, "");
  EXPECT_EQ(info.merged_from, (std::vector<std::string>{a.string(), b.string()}));
  EXPECT_EQ(info.experiment_toml, sample_info().experiment_toml);
  EXPECT_EQ(merged.read_datasets().size(), 2u);
  EXPECT_EQ(merged.read_datasets()[0].candidates, dataset("ml").candidates);
}

TEST(Merge, ReportsShardsThatAreMissing) {
  ScratchDir dir;
  const auto a = part(dir, "a.h5", "0/4", {cell("ml", "pop", 1)});
  const auto c = part(dir, "c.h5", "2/4", {cell("ml", "pop", 2)});
  EXPECT_EQ(merge_results({a, c}, dir / "m.h5").missing_shards,
            (std::vector<std::string>{"1/4", "3/4"}));
}

TEST(Merge, RefusesPartsThatDoNotBelongTogether) {
  ScratchDir dir;
  const auto a = part(dir, "a.h5", "0/2", {cell("ml", "pop", 1)});
  auto refusal = [&](const std::filesystem::path& b) {
    return error_of([&] { merge_results({a, b}, dir / "m.h5"); });
  };
  RunInfo other = sample_info();
  other.experiment_toml += "# --set experiment.seeds=[1,2]\n";
  EXPECT_EQ(refusal(part(dir, "b1.h5", "1/2", {cell("ml", "pop", 2)}, other)),
            "parts of different experiments: " + a.string() + " and " + (dir / "b1.h5").string() +
                " store different experiment files (first difference at line 4; shards of one "
                "run need equal files and --set options)");
  other = sample_info();
  other.git_revision = "def456";
  EXPECT_NE(refusal(part(dir, "b2.h5", "1/2", {}, other))
                .find("were written by different builds (git revision abc123 vs def456; pass "
                      "--allow-mixed-builds to merge them)"),
            std::string::npos);

  const auto b3 = dir / "b3.h5";
  DatasetRecord changed = dataset("beauty");
  changed.fingerprint = "fp-new";
  ResultsFile::write_whole(b3, sample_info(), {changed}, {});
  EXPECT_EQ(refusal(b3), a.string() + " and " + b3.string() +
                             " prepared dataset 'beauty' differently (fingerprint fp-beauty vs "
                             "fp-new)");
  const auto b4 = dir / "b4.h5";
  changed = dataset("ml");
  changed.candidates["test"].first[3] = 9;
  ResultsFile::write_whole(b4, sample_info(), {changed}, {});
  EXPECT_EQ(refusal(b4), a.string() + " and " + b4.string() +
                             " store different candidate lists for dataset 'ml'");

  EXPECT_EQ(refusal(part(dir, "b5.h5", "1/2", {cell("ml", "pop", 2), cell("ml", "pop", 1)})),
            "cell ml/pop/seed_1 is in both " + a.string() + " and " + (dir / "b5.h5").string());
  EXPECT_EQ(refusal(part(dir, "b6.h5", "0/2", {})),
            a.string() + " and " + (dir / "b6.h5").string() + " are both shard 0/2");
  EXPECT_EQ(refusal(a), a.string() + " and " + a.string() + " are the same file");
  EXPECT_FALSE(std::filesystem::exists(dir / "m.h5"));  // nothing written on refusal
}

TEST(Merge, RefusesPartsOfAnotherDeviceClassUnlessAllowed) {
  ScratchDir dir;
  const auto a = part(dir, "a.h5", "0/2", {cell("ml", "pop", 1)});  // sample: cuda H100, bf16-mixed
  CellRecord on_cpu = cell("ml", "pop", 2);
  on_cpu.device = {"cpu", "AMD EPYC", "1.13.1", "", "fp32", 1, 0.0};
  const auto b = part(dir, "b.h5", "1/2", {on_cpu});
  EXPECT_EQ(error_of([&] {
              merge_results({a, b}, dir / "m.h5");
            }),
            "merge of " + a.string() + ", " + b.string() +
                ": cells ran on 2 device classes or precisions: cpu, fp32 (1 cell(s), e.g. "
                "ml/pop/seed_2); cuda NVIDIA H100 80GB HBM3, bf16-mixed (1 cell(s), e.g. "
                "ml/pop/seed_1); one table would compare them as alike (pass "
                "--allow-mixed-devices to do so)");
  EXPECT_FALSE(std::filesystem::exists(dir / "m.h5"));
  EXPECT_EQ(merge_results({a, b}, dir / "m.h5", false, {.mixed_devices = true}).cells, 2u);
}

TEST(Merge, PartsOfAnotherBuildMergeWhenAllowedAndSayWhichBuildWroteWhat) {
  ScratchDir dir;
  const auto a = part(dir, "a.h5", "", {cell("ml", "pop", 1)});  // sample: git abc123
  RunInfo newer = sample_info();
  newer.git_revision = "def456";
  const auto b = part(dir, "b.h5", "", {cell("ml", "pop", 2)}, newer);
  EXPECT_NE(error_of([&] {
              merge_results({a, b}, dir / "m.h5");
            }).find("different builds (git revision abc123 vs def456; pass --allow-mixed-builds"),
            std::string::npos);
  EXPECT_EQ(merge_results({a, b}, dir / "m.h5", false, {.mixed_builds = true}).cells, 2u);
  const RunInfo merged = ResultsFile::open_existing(dir / "m.h5").info();
  EXPECT_EQ(merged.git_revision, "abc123, def456");
  EXPECT_EQ(merged.recbench_version, sample_info().recbench_version);  // equal: listed once
  ASSERT_EQ(merged.merged_from.size(), 2u);
  EXPECT_NE(merged.merged_from[1].find("b.h5 (recbench "), std::string::npos);
  EXPECT_NE(merged.merged_from[1].find(", git def456, LibTorch "), std::string::npos);
  // The experiment must still be the same one.
  RunInfo other = newer;
  other.experiment_toml += "# --set experiment.seeds=[1,2]\n";
  const auto c = part(dir, "c.h5", "", {cell("ml", "pop", 3)}, other);
  EXPECT_NE(error_of([&] {
              merge_results({a, c}, dir / "m2.h5", false, {.mixed_builds = true});
            }).find("parts of different experiments"),
            std::string::npos);
  // One build: the root attributes and part lines are as before.
  merge_results({a}, dir / "m3.h5", false, {.mixed_builds = true});
  EXPECT_EQ(ResultsFile::open_existing(dir / "m3.h5").info().merged_from,
            std::vector<std::string>{a.string()});
}

TEST(Merge, RefusesMissingFilesNonResultsAndAnExistingOutput) {
  ScratchDir dir;
  const auto a = part(dir, "a.h5", "0/2", {cell("ml", "pop", 1)});
  EXPECT_EQ(error_of([&] {
              merge_results({a, dir / "nope.h5"}, dir / "m.h5");
            }),
            (dir / "nope.h5").string() + ": results file not found");
  std::ofstream(dir / "text.h5") << "not hdf5\n";
  EXPECT_EQ(error_of([&] {
              merge_results({a, dir / "text.h5"}, dir / "m.h5");
            }),
            (dir / "text.h5").string() + ": not an HDF5 file");
  std::ofstream(dir / "m.h5") << "old\n";
  EXPECT_EQ(error_of([&] { merge_results({a}, dir / "m.h5"); }),
            (dir / "m.h5").string() + ": file exists; pass --force to replace it");
  EXPECT_EQ(error_of([&] { merge_results({a}, a, true); }),
            "--out " + a.string() + " is one of the parts");
  merge_results({a}, dir / "m.h5", true);
  EXPECT_EQ(ResultsFile::open_existing(dir / "m.h5").read_cells().size(), 1u);
}

}  // namespace
}  // namespace recbench
