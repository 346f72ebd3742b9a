// The HDF5 results file: one per experiment, written one cell at a time, atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace recbench {

struct RunInfo {  //!< root attributes
  std::string recbench_version, git_revision, torch_version, device, start_time, end_time;
  std::string experiment_toml;  //!< verbatim
  std::string experiment_name;
  std::string shard;  //!< "i/N" for one shard's file (recbench run --shard), empty otherwise
  //! Model labels in the order the runner trains them (its cells' order); `recbench merge`
  //! writes merged cells in this order. Empty in files written before it was recorded.
  std::vector<std::string> model_order;
  std::vector<std::string> merged_from;  //!< the part files of a `recbench merge` output
};

struct DatasetRecord {  //!< /datasets/<name>
  std::string name, fingerprint, recipe_toml;
  std::map<std::string, double> stats;
  //! Candidate lists stored once ("valid", "test"), [rows, width] row-major.
  std::map<std::string, std::pair<std::vector<int32_t>, std::pair<int64_t, int64_t>>> candidates;
};

struct CurvePoint {
  int64_t epoch = 0;
  double train_loss = 0.0, valid_metric = 0.0, seconds = 0.0;
};

//! Where and how a cell ran (attributes device, device_name, torch_version, cuda_version,
//! precision, world_size, peak_device_memory_mb). Files written before these existed read back
//! with empty strings, world size 1 and NaN memory.
struct DeviceRecord {
  std::string device;         //!< "cpu", "cuda:0"
  std::string name;           //!< the CPU's or GPU's model name
  std::string torch_version;  //!< LibTorch the cell ran on
  std::string cuda_version;   //!< CUDA runtime of that LibTorch; empty without CUDA
  std::string precision;      //!< the run's precision policy, e.g. "fp32"
  int64_t world_size = 1;     //!< data-parallel processes that trained the cell
  double peak_memory_mb = std::numeric_limits<double>::quiet_NaN();  //!< CUDA only

  //! What may share a table: "cpu" for every CPU (their float arithmetic is the same IEEE
  //! single precision), "cuda <GPU name>" for a GPU (kernels and TF32 differ across models);
  //! empty for a file written before device records.
  std::string device_class() const;
};

struct CellRecord {  //!< /runs/<dataset>/<model>/seed_<s>
  std::string dataset, model, plugin;
  int64_t seed = 0;
  std::string status = "complete";  //!< "complete" or "failed"
  std::string error;
  std::string config_toml;  //!< resolved config of the cell
  std::vector<std::pair<std::string, double>> metrics;
  std::vector<int64_t> users;  //!< per test example
  std::vector<int64_t> rank_greater, rank_ties;
  std::vector<double> ranks;
  std::vector<CurvePoint> curve;
  std::string valid_metric_name;
  double train_seconds = 0.0, eval_seconds = 0.0, peak_rss_mb = 0.0;
  //! The build that ran the cell, which a --resume of a newer build may make differ from the
  //! file's root attributes (which keep the first run's); empty in files written before 2026-12-08.
  std::string recbench_version, git_revision;
  DeviceRecord device;
  std::map<std::string, std::string> artifacts;  //!< name -> path
};

//! Cells by the device class and precision they ran on ("cpu, fp32"), each with its cells'
//! "dataset/model/seed_s" names; cells of files older than device records are left out.
std::map<std::string, std::vector<std::string>> device_groups(const std::vector<CellRecord>& cells);
//! Throws ConfigError when `cells` span more than one device class or precision, naming each with
//! a cell of it; `what` says where they come from (a file, "the parts").
void require_one_device(const std::vector<CellRecord>& cells, const std::string& what);

//! Where two cells' resolved configurations (CellRecord::config_toml) differ, one entry per
//! setting: "params.epochs: 20 there, 200 now" with the default names of `a` and `b`. Only the
//! plugin's parameters and the evaluation protocol count: device, threads and the evaluation
//! batch size do not change what a cell measures. A parameter one side lacks does not count when
//! the other side holds it at the plugin's default (a `[defaults]` table in either config): the
//! plugin declared the key after the older cell ran, with a default that keeps what it did.
std::vector<std::string> changed_settings(const std::string& a, const std::string& b,
                                          const std::string& a_name = "there",
                                          const std::string& b_name = "now");

//! How much of each cell read_cells() loads.
enum class CellDetail {
  full,     //!< everything
  summary,  //!< everything except the per-user arrays (users, rank_greater, rank_ties, ranks)
};

//! The file is never held open between calls: every write copies it to `<path>.tmp`, writes
//! there, fsyncs and renames over `<path>`. Errors throw recbench::Error naming the path.
class ResultsFile {
 public:
  //! Opens `path`, creating it (and its folder; with `info` at the root) when absent. An existing
  //! file keeps its root attributes; it must be a recbench results file.
  ResultsFile(std::filesystem::path path, const RunInfo& info);
  //! Opens an existing results file (report); throws Error when missing or not one.
  static ResultsFile open_existing(const std::filesystem::path& path);
  //! Writes a whole file in one atomic step (`recbench merge`): `info` at the root, `datasets`
  //! and `cells` in the given order (read_cells() reads datasets and models in write order).
  //! Replaces an existing `path`.
  static void write_whole(const std::filesystem::path& path, const RunInfo& info,
                          const std::vector<DatasetRecord>& datasets,
                          const std::vector<CellRecord>& cells);

  const std::filesystem::path& path() const { return path_; }
  RunInfo info() const;
  void set_end_time(const std::string& time);

  void write_dataset(const DatasetRecord& record);
  std::optional<DatasetRecord> read_dataset(const std::string& name) const;
  //! Every /datasets record, in order of first write.
  std::vector<DatasetRecord> read_datasets() const;

  //! Whether /runs/<dataset>/<model>/seed_<seed> exists with status "complete" (for --resume).
  bool cell_complete(const std::string& dataset, const std::string& model, int64_t seed) const;
  //! Replaces the cell; atomic: after a crash the file holds the old cell or the new, never half.
  void write_cell(const CellRecord& cell);
  //! Cells ordered by dataset and model (order of first write), then by seed.
  std::vector<CellRecord> read_cells(CellDetail detail = CellDetail::full) const;

 private:
  explicit ResultsFile(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace recbench
