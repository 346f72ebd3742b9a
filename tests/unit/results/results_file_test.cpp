// ResultsFile: round trips of root info, datasets and cells; replacement, resume checks, errors.
#include <gtest/gtest.h>

#include <fstream>

#include "recbench/core/results/results_file.h"
#include "recbench/error.h"
#include "results_test_util.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

using testing_results::expect_same_cell;
using testing_results::sample_cell;
using testing_results::sample_info;
using testing_results::ScratchDir;

TEST(ResultsFile, CreatesFileWithRootInfoAndKeepsItOnReopen) {
  ScratchDir dir;
  auto path = dir / "sub/exp.h5";
  ResultsFile file(path, sample_info());
  ASSERT_TRUE(std::filesystem::exists(path));
  RunInfo info = file.info();
  EXPECT_EQ(info.recbench_version, "0.1.0");
  EXPECT_EQ(info.git_revision, "abc123");
  EXPECT_EQ(info.torch_version, "1.13.0");
  EXPECT_EQ(info.device, "cpu");
  EXPECT_EQ(info.start_time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(info.end_time, "");
  EXPECT_EQ(info.experiment_name, "quickstart");
  EXPECT_EQ(info.experiment_toml, sample_info().experiment_toml);  // verbatim, UTF-8
  file.set_end_time("2024-05-01T11:00:00Z");

  RunInfo other = sample_info();
  other.start_time = "later";
  ResultsFile reopened(path, other);  // --resume: the original root attributes stay
  EXPECT_EQ(reopened.info().start_time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(reopened.info().end_time, "2024-05-01T11:00:00Z");
  EXPECT_FALSE(std::filesystem::exists(dir / "sub/exp.h5.tmp"));
}

TEST(ResultsFile, CellRoundTripsEveryField) {
  ScratchDir dir;
  ResultsFile file(dir / "r.h5", sample_info());
  std::vector<CellRecord> written = {sample_cell("sasrec", 3, 10000), sample_cell("sasrec", 1, 7),
                                     sample_cell("pop", 2, 0)};
  for (const CellRecord& cell : written) {
    file.write_cell(cell);
  }
  std::vector<CellRecord> read = ResultsFile::open_existing(dir / "r.h5").read_cells();
  ASSERT_EQ(read.size(), 3u);
  expect_same_cell(read[0], written[1]);  // within a model: seed order
  expect_same_cell(read[1], written[0]);
  expect_same_cell(read[2], written[2]);  // models: order of first write

  std::vector<CellRecord> summary = file.read_cells(CellDetail::summary);
  ASSERT_EQ(summary.size(), 3u);
  EXPECT_TRUE(summary[1].ranks.empty());
  EXPECT_TRUE(summary[1].users.empty());
  EXPECT_EQ(summary[1].metrics, written[0].metrics);
  EXPECT_EQ(summary[1].curve.size(), 3u);
}

TEST(ResultsFile, ModelsAndDatasetsKeepTheOrderOfFirstWrite) {
  ScratchDir dir;
  ResultsFile file(dir / "r.h5", sample_info());
  for (const char* model : {"zeta", "alpha", "mid"}) {
    file.write_cell(sample_cell(model, 0, 1));
  }
  CellRecord other = sample_cell("alpha", 0, 1);
  other.dataset = "amazon_beauty";
  file.write_cell(other);
  std::vector<std::string> order;
  for (const CellRecord& cell : file.read_cells()) {
    order.push_back(cell.dataset + "/" + cell.model);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"ml_100k/zeta", "ml_100k/alpha", "ml_100k/mid",
                                             "amazon_beauty/alpha"}));
}

TEST(ResultsFile, FailedCellStoresErrorAndIsReplacedOnResume) {
  ScratchDir dir;
  ResultsFile file(dir / "r.h5", sample_info());
  EXPECT_FALSE(file.cell_complete("ml_100k", "sasrec", 1));
  CellRecord failed;
  failed.dataset = "ml_100k";
  failed.model = "sasrec";
  failed.plugin = "sasrec";
  failed.seed = 1;
  failed.status = "failed";
  failed.error = "CUDA out of memory at epoch 3";
  file.write_cell(failed);
  EXPECT_FALSE(file.cell_complete("ml_100k", "sasrec", 1));
  auto cells = file.read_cells();
  ASSERT_EQ(cells.size(), 1u);
  expect_same_cell(cells[0], failed);

  CellRecord done = sample_cell("sasrec", 1, 50);
  file.write_cell(done);
  EXPECT_TRUE(file.cell_complete("ml_100k", "sasrec", 1));
  EXPECT_FALSE(file.cell_complete("ml_100k", "sasrec", 2));
  EXPECT_FALSE(file.cell_complete("other", "sasrec", 1));
  cells = file.read_cells();
  ASSERT_EQ(cells.size(), 1u);  // replaced, not added
  expect_same_cell(cells[0], done);
}

TEST(ResultsFile, DatasetRoundTripsStatisticsAndCandidates) {
  ScratchDir dir;
  ResultsFile file(dir / "r.h5", sample_info());
  DatasetRecord record;
  record.name = "ml_100k";
  record.fingerprint = "sha256:0f3a";
  record.recipe_toml = "format = \"movielens\"\n[filter]\nk_core = 5\n";
  record.stats = {{"users", 943}, {"items", 1682}, {"density", 0.0630466936422453}};
  std::vector<int32_t> valid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<int32_t> test(size_t{5000} * 20);  // large enough to be chunked and compressed
  for (size_t i = 0; i < test.size(); ++i) {
    test[i] = static_cast<int32_t>((i * 7919) % 1682);
  }
  record.candidates["valid"] = {valid, {3, 4}};
  record.candidates["test"] = {test, {5000, 20}};
  file.write_dataset(record);
  EXPECT_FALSE(file.read_dataset("missing").has_value());

  auto read = ResultsFile::open_existing(dir / "r.h5").read_dataset("ml_100k");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->name, record.name);
  EXPECT_EQ(read->fingerprint, record.fingerprint);
  EXPECT_EQ(read->recipe_toml, record.recipe_toml);
  EXPECT_EQ(read->stats, record.stats);
  EXPECT_EQ(read->candidates, record.candidates);

  record.fingerprint = "sha256:beef";  // replacing a dataset keeps one copy
  record.candidates.erase("test");
  file.write_dataset(record);
  read = file.read_dataset("ml_100k");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->fingerprint, "sha256:beef");
  EXPECT_EQ(read->candidates.size(), 1u);
}

TEST(ResultsFile, MissingOrForeignFilesAreErrorsNamingThePath) {
  ScratchDir dir;
  auto missing = dir / "nope.h5";
  std::string msg = error_of([&] { ResultsFile::open_existing(missing); });
  EXPECT_NE(msg.find(missing.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("not found"), std::string::npos) << msg;

  auto text = dir / "notes.h5";
  std::ofstream(text) << "this is not HDF5\n";
  msg = error_of([&] { ResultsFile::open_existing(text); });
  EXPECT_NE(msg.find(text.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("not an HDF5 file"), std::string::npos) << msg;
  msg = error_of([&] { ResultsFile opened(text, sample_info()); });
  EXPECT_NE(msg.find("not an HDF5 file"), std::string::npos) << msg;

  auto truncated = dir / "truncated.h5";  // an HDF5 signature but no valid file behind it
  {
    ResultsFile full(dir / "full.h5", sample_info());
    full.write_cell(sample_cell("pop", 1, 100));
  }
  std::filesystem::copy_file(dir / "full.h5", truncated);
  std::filesystem::resize_file(truncated, 300);
  msg = error_of([&] { ResultsFile::open_existing(truncated).read_cells(); });
  EXPECT_NE(msg.find(truncated.string()), std::string::npos) << msg;
}

TEST(ResultsFile, RejectsBadNamesAndInconsistentCellsWithoutTouchingTheFile) {
  ScratchDir dir;
  ResultsFile file(dir / "r.h5", sample_info());
  file.write_cell(sample_cell("pop", 1, 4));
  CellRecord slash = sample_cell("a/b", 1, 4);
  EXPECT_NE(error_of([&] { file.write_cell(slash); }).find("invalid model name 'a/b'"),
            std::string::npos);
  CellRecord ragged = sample_cell("pop", 2, 4);
  ragged.ranks.pop_back();
  EXPECT_NE(error_of([&] { file.write_cell(ragged); }).find("expected equal lengths"),
            std::string::npos);
  CellRecord status = sample_cell("pop", 3, 4);
  status.status = "running";
  EXPECT_NE(error_of([&] { file.write_cell(status); }).find("expected complete or failed"),
            std::string::npos);
  EXPECT_EQ(file.read_cells().size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir / "r.h5.tmp"));
}

TEST(ResultsFile, StaleTemporaryFromACrashIsIgnored) {
  ScratchDir dir;
  ResultsFile file(dir / "r.h5", sample_info());
  std::ofstream(dir / "r.h5.tmp") << "half-written garbage";
  file.write_cell(sample_cell("pop", 1, 4));
  EXPECT_TRUE(file.cell_complete("ml_100k", "pop", 1));
  EXPECT_FALSE(std::filesystem::exists(dir / "r.h5.tmp"));
}

}  // namespace
}  // namespace recbench
