// The HDF5 results file: layout of /datasets and /runs, atomic per-cell writes, and reading back.
#include "recbench/core/results/results_file.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "crash_safe_write.h"
#include "hdf5_io.h"
#include "recbench/error.h"

namespace recbench {
namespace {

namespace fs = std::filesystem;
using h5::Handle;

const char* const kRuns = "runs";
const char* const kDatasets = "datasets";
const char* const kVersionAttr = "recbench_version";

std::string at(const fs::path& file, const std::string& object) {
  return file.string() + ":" + object;
}

//! Names become HDF5 path components: non-empty, no '/', not "." or "..".
void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    throw Error("results file: invalid " + what + " name '" + name +
                "' (expected a non-empty name without '/')");
  }
}

std::string seed_group(int64_t seed) { return "seed_" + std::to_string(seed); }

std::optional<int64_t> parse_seed(const std::string& name) {
  const std::string prefix = "seed_";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) {
    return std::nullopt;
  }
  int64_t seed = 0;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data() + prefix.size(), end, seed);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return seed;
}

//! File access: HDF5's file locks where the filesystem has them, none where it has not (some
//! NFS and Lustre mounts); recbench's own safety comes from never writing the file in place.
Handle access_plist(const fs::path& path) {
  Handle fapl = h5::checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path.string(), "plist");
  h5::check(H5Pset_file_locking(fapl.get(), true, true), path.string(), "cannot set file locking");
  // Closing fails (rather than silently staying open, unflushed) if an object is still open.
  h5::check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), path.string(), "close degree");
  return fapl;
}

Handle open_file(const fs::path& path, unsigned flags) {
  Handle fapl = access_plist(path);
  return h5::checked(H5Fopen(path.c_str(), flags, fapl.get()), H5Fclose, path.string(),
                     "cannot open the results file");
}

//! Closes (and so flushes) a file opened for writing; throws when HDF5 reports a failure.
void close_written(Handle& file, const fs::path& path) {
  if (!file.close()) {
    h5::fail(path.string(), "cannot flush and close the results file");
  }
}

//! Throws Error naming `path` unless it is an existing HDF5 file written by recbench.
void check_results_file(const fs::path& path) {
  if (!fs::exists(path)) {
    throw Error(path.string() + ": results file not found");
  }
  if (!fs::is_regular_file(path)) {
    throw Error(path.string() + ": results file is not a file");
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw Error(path.string() + ": not an HDF5 file");
  }
  Handle file = open_file(path, H5F_ACC_RDONLY);
  if (H5Aexists(file.get(), kVersionAttr) <= 0) {
    throw Error(path.string() + ": not a recbench results file (no root attribute '" +
                kVersionAttr + "')");
  }
}

//! Lists of names as one attribute: one name a line.
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void write_info(hid_t root, const RunInfo& info, const std::string& ctx) {
  h5::write_attr(root, kVersionAttr, info.recbench_version, ctx);
  h5::write_attr(root, "git_revision", info.git_revision, ctx);
  h5::write_attr(root, "torch_version", info.torch_version, ctx);
  h5::write_attr(root, "device", info.device, ctx);
  h5::write_attr(root, "start_time", info.start_time, ctx);
  h5::write_attr(root, "end_time", info.end_time, ctx);
  h5::write_attr(root, "experiment_name", info.experiment_name, ctx);
  h5::write_attr(root, "experiment_toml", info.experiment_toml, ctx);
  h5::write_attr(root, "shard", info.shard, ctx);
  h5::write_attr(root, "model_order", join_lines(info.model_order), ctx);
  if (!info.merged_from.empty()) {
    h5::write_attr(root, "merged_from", join_lines(info.merged_from), ctx);
  }
}

RunInfo read_info(hid_t root, const std::string& ctx) {
  RunInfo info;
  info.recbench_version = h5::require_string_attr(root, kVersionAttr, ctx);
  info.git_revision = h5::require_string_attr(root, "git_revision", ctx);
  info.torch_version = h5::require_string_attr(root, "torch_version", ctx);
  info.device = h5::require_string_attr(root, "device", ctx);
  info.start_time = h5::require_string_attr(root, "start_time", ctx);
  info.end_time = h5::require_string_attr(root, "end_time", ctx);
  info.experiment_name = h5::require_string_attr(root, "experiment_name", ctx);
  info.experiment_toml = h5::require_string_attr(root, "experiment_toml", ctx);
  // Absent in files written before sharding existed.
  info.shard = h5::read_string_attr(root, "shard", ctx).value_or("");
  info.model_order = split_lines(h5::read_string_attr(root, "model_order", ctx).value_or(""));
  info.merged_from = split_lines(h5::read_string_attr(root, "merged_from", ctx).value_or(""));
  return info;
}

//! Writes a fresh file: root attributes and the empty /datasets and /runs groups.
void create_file(const fs::path& path, const RunInfo& info) {
  Handle fcpl = h5::checked(H5Pcreate(H5P_FILE_CREATE), H5Pclose, path.string(), "plist");
  h5::check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            path.string(), "cannot track creation order");
  Handle fapl = access_plist(path);
  Handle file = h5::checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                            H5Fclose, path.string(), "cannot create the results file");
  write_info(file.get(), info, at(path, "/"));
  h5::create_group(file.get(), kDatasets, at(path, "/"));
  h5::create_group(file.get(), kRuns, at(path, "/"));
  close_written(file, path);
}

void write_dataset_group(hid_t file, const DatasetRecord& record, const fs::path& path) {
  Handle datasets = h5::ensure_group(file, kDatasets, at(path, "/"));
  std::string ctx = at(path, std::string("/") + kDatasets + "/" + record.name);
  if (h5::has_link(datasets.get(), record.name)) {
    h5::delete_link(datasets.get(), record.name, ctx);
  }
  Handle group = h5::create_group(datasets.get(), record.name, ctx);
  h5::write_attr(group.get(), "fingerprint", record.fingerprint, ctx);
  h5::write_attr(group.get(), "recipe", record.recipe_toml, ctx);
  Handle stats = h5::create_group(group.get(), "statistics", ctx);
  for (const auto& [key, value] : record.stats) {
    h5::write_attr(stats.get(), key, value, ctx);
  }
  for (const auto& [split, list] : record.candidates) {
    check_name("candidate list", split);
    const auto& [ids, shape] = list;
    if (shape.first < 0 || shape.second < 0 ||
        static_cast<int64_t>(ids.size()) != shape.first * shape.second) {
      throw Error(ctx + ": candidates '" + split + "' hold " + std::to_string(ids.size()) +
                  " ids, expected rows x width = " + std::to_string(shape.first) + " x " +
                  std::to_string(shape.second));
    }
    h5::write_array(group.get(), "candidates_" + split, ids,
                    {static_cast<hsize_t>(shape.first), static_cast<hsize_t>(shape.second)}, ctx);
  }
}

DatasetRecord read_dataset_group(hid_t group, const std::string& name, const std::string& ctx) {
  DatasetRecord record;
  record.name = name;
  record.fingerprint = h5::require_string_attr(group, "fingerprint", ctx);
  record.recipe_toml = h5::require_string_attr(group, "recipe", ctx);
  Handle stats = h5::open_group(group, "statistics", ctx);
  for (const std::string& key : h5::attr_names(stats.get(), ctx)) {
    record.stats[key] = h5::read_double_attr(stats.get(), key, ctx).value_or(0.0);
  }
  const std::string prefix = "candidates_";
  for (const std::string& child : h5::child_names(group, ctx)) {
    if (child.rfind(prefix, 0) != 0) {
      continue;
    }
    std::vector<hsize_t> dims;
    auto ids = h5::read_array<int32_t>(group, child, dims, ctx);
    if (dims.size() != 2) {
      throw Error(ctx + ": '" + child + "' is not a 2-D dataset");
    }
    auto& entry = record.candidates[child.substr(prefix.size())];
    entry.first = std::move(ids);
    entry.second = {static_cast<int64_t>(dims[0]), static_cast<int64_t>(dims[1])};
  }
  return record;
}

void check_cell(const CellRecord& cell) {
  check_name("dataset", cell.dataset);
  check_name("model", cell.model);
  if (cell.status != "complete" && cell.status != "failed") {
    throw Error("results file: cell " + cell.dataset + "/" + cell.model + "/" +
                seed_group(cell.seed) + " has status '" + cell.status +
                "' (expected complete or failed)");
  }
  for (const auto& [metric, value] : cell.metrics) {
    check_name("metric", metric);
  }
  size_t n = cell.ranks.size();
  if (cell.users.size() != n || cell.rank_greater.size() != n || cell.rank_ties.size() != n) {
    throw Error("results file: cell " + cell.dataset + "/" + cell.model + "/" +
                seed_group(cell.seed) + " has " + std::to_string(cell.users.size()) + " users, " +
                std::to_string(cell.rank_greater.size()) + " rank_greater, " +
                std::to_string(cell.rank_ties.size()) + " rank_ties and " + std::to_string(n) +
                " ranks (expected equal lengths)");
  }
}

void write_cell_content(hid_t group, const CellRecord& cell, const std::string& ctx) {
  h5::write_attr(group, "plugin", cell.plugin, ctx);
  h5::write_attr(group, "seed", cell.seed, ctx);
  h5::write_attr(group, "status", cell.status, ctx);
  h5::write_attr(group, "error", cell.error, ctx);
  h5::write_attr(group, "config", cell.config_toml, ctx);
  h5::write_attr(group, "valid_metric", cell.valid_metric_name, ctx);
  h5::write_attr(group, "train_seconds", cell.train_seconds, ctx);
  h5::write_attr(group, "eval_seconds", cell.eval_seconds, ctx);
  h5::write_attr(group, "peak_rss_mb", cell.peak_rss_mb, ctx);
  h5::write_attr(group, "recbench_version", cell.recbench_version, ctx);
  h5::write_attr(group, "git_revision", cell.git_revision, ctx);
  h5::write_attr(group, "device", cell.device.device, ctx);
  h5::write_attr(group, "device_name", cell.device.name, ctx);
  h5::write_attr(group, "torch_version", cell.device.torch_version, ctx);
  h5::write_attr(group, "cuda_version", cell.device.cuda_version, ctx);
  h5::write_attr(group, "precision", cell.device.precision, ctx);
  h5::write_attr(group, "world_size", cell.device.world_size, ctx);
  h5::write_attr(group, "peak_device_memory_mb", cell.device.peak_memory_mb, ctx);
  Handle metrics = h5::create_group(group, "metrics", ctx);
  for (const auto& [metric, value] : cell.metrics) {
    h5::write_scalar(metrics.get(), metric, value, ctx);
  }
  h5::write_array(group, "users", cell.users, {}, ctx);
  h5::write_array(group, "rank_greater", cell.rank_greater, {}, ctx);
  h5::write_array(group, "rank_ties", cell.rank_ties, {}, ctx);
  h5::write_array(group, "ranks", cell.ranks, {}, ctx);
  std::vector<int64_t> epoch;
  std::vector<double> loss, valid, seconds;
  for (const CurvePoint& p : cell.curve) {
    epoch.push_back(p.epoch);
    loss.push_back(p.train_loss);
    valid.push_back(p.valid_metric);
    seconds.push_back(p.seconds);
  }
  h5::write_array(group, "curve_epoch", epoch, {}, ctx);
  h5::write_array(group, "curve_train_loss", loss, {}, ctx);
  h5::write_array(group, "curve_valid_metric", valid, {}, ctx);
  h5::write_array(group, "curve_seconds", seconds, {}, ctx);
  Handle artifacts = h5::create_group(group, "artifacts", ctx);
  for (const auto& [name, file] : cell.artifacts) {
    h5::write_attr(artifacts.get(), name, file, ctx);
  }
}

void write_cell_group(hid_t file, const CellRecord& cell, const fs::path& path) {
  std::string object = std::string("/") + kRuns + "/" + cell.dataset + "/" + cell.model;
  Handle runs = h5::ensure_group(file, kRuns, at(path, "/"));
  Handle dataset = h5::ensure_group(runs.get(), cell.dataset, at(path, object));
  Handle model = h5::ensure_group(dataset.get(), cell.model, at(path, object));
  std::string name = seed_group(cell.seed);
  std::string ctx = at(path, object + "/" + name);
  if (h5::has_link(model.get(), name)) {
    h5::delete_link(model.get(), name, ctx);
  }
  Handle group = h5::create_group(model.get(), name, ctx);
  write_cell_content(group.get(), cell, ctx);
}

std::vector<CurvePoint> read_curve(hid_t group, const std::string& ctx) {
  auto epoch = h5::read_array<int64_t>(group, "curve_epoch", ctx);
  auto loss = h5::read_array<double>(group, "curve_train_loss", ctx);
  auto valid = h5::read_array<double>(group, "curve_valid_metric", ctx);
  auto seconds = h5::read_array<double>(group, "curve_seconds", ctx);
  if (loss.size() != epoch.size() || valid.size() != epoch.size() ||
      seconds.size() != epoch.size()) {
    throw Error(ctx + ": the curve_* datasets differ in length");
  }
  std::vector<CurvePoint> curve(epoch.size());
  for (size_t i = 0; i < curve.size(); ++i) {
    curve[i] = {epoch[i], loss[i], valid[i], seconds[i]};
  }
  return curve;
}

CellRecord read_cell_group(hid_t group, CellRecord cell, CellDetail detail,
                           const std::string& ctx) {
  cell.plugin = h5::require_string_attr(group, "plugin", ctx);
  cell.status = h5::require_string_attr(group, "status", ctx);
  cell.error = h5::require_string_attr(group, "error", ctx);
  cell.config_toml = h5::require_string_attr(group, "config", ctx);
  cell.valid_metric_name = h5::require_string_attr(group, "valid_metric", ctx);
  cell.train_seconds = h5::read_double_attr(group, "train_seconds", ctx).value_or(0.0);
  cell.eval_seconds = h5::read_double_attr(group, "eval_seconds", ctx).value_or(0.0);
  cell.peak_rss_mb = h5::read_double_attr(group, "peak_rss_mb", ctx).value_or(0.0);
  cell.recbench_version = h5::read_string_attr(group, "recbench_version", ctx).value_or("");
  cell.git_revision = h5::read_string_attr(group, "git_revision", ctx).value_or("");
  cell.device.device = h5::read_string_attr(group, "device", ctx).value_or("");
  cell.device.name = h5::read_string_attr(group, "device_name", ctx).value_or("");
  cell.device.torch_version = h5::read_string_attr(group, "torch_version", ctx).value_or("");
  cell.device.cuda_version = h5::read_string_attr(group, "cuda_version", ctx).value_or("");
  cell.device.precision = h5::read_string_attr(group, "precision", ctx).value_or("");
  cell.device.world_size =
      static_cast<int64_t>(h5::read_double_attr(group, "world_size", ctx).value_or(1.0));
  cell.device.peak_memory_mb = h5::read_double_attr(group, "peak_device_memory_mb", ctx)
                                   .value_or(std::numeric_limits<double>::quiet_NaN());
  Handle metrics = h5::open_group(group, "metrics", ctx);
  for (const std::string& metric : h5::child_names(metrics.get(), ctx)) {
    cell.metrics.emplace_back(metric, h5::read_scalar(metrics.get(), metric, ctx));
  }
  if (detail == CellDetail::full) {
    cell.users = h5::read_array<int64_t>(group, "users", ctx);
    cell.rank_greater = h5::read_array<int64_t>(group, "rank_greater", ctx);
    cell.rank_ties = h5::read_array<int64_t>(group, "rank_ties", ctx);
    cell.ranks = h5::read_array<double>(group, "ranks", ctx);
  }
  cell.curve = read_curve(group, ctx);
  Handle artifacts = h5::open_group(group, "artifacts", ctx);
  for (const std::string& name : h5::attr_names(artifacts.get(), ctx)) {
    cell.artifacts[name] = h5::require_string_attr(artifacts.get(), name, ctx);
  }
  return cell;
}

//! Reads every seed_<s> cell of one /runs/<dataset>/<model> group, in seed order.
void read_model_cells(hid_t model, const CellRecord& key, CellDetail detail,
                      const std::string& object, const fs::path& path,
                      std::vector<CellRecord>& out) {
  std::vector<std::pair<int64_t, std::string>> seeds;
  for (const std::string& child : h5::child_names(model, at(path, object))) {
    if (auto seed = parse_seed(child)) {
      seeds.emplace_back(*seed, child);
    }
  }
  std::sort(seeds.begin(), seeds.end());
  for (const auto& [seed, name] : seeds) {
    std::string ctx = at(path, object + "/" + name);
    Handle group = h5::open_group(model, name, ctx);
    CellRecord cell = key;
    cell.seed = seed;
    out.push_back(read_cell_group(group.get(), std::move(cell), detail, ctx));
  }
}

//! Every leaf of `node` under `prefix` ("params.epochs" -> "20"); arrays are leaves.
void flatten(const toml::node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (const toml::table* t = node.as_table()) {
    for (const auto& [key, child] : *t) {
      flatten(child, prefix + "." + std::string(key.str()), out);
    }
    return;
  }
  std::ostringstream s;
  node.visit([&](const auto& value) { s << value; });
  out[prefix] = s.str();
}

}  // namespace

ResultsFile::ResultsFile(std::filesystem::path path, const RunInfo& info) : path_(std::move(path)) {
  h5::SilenceErrors silence;
  if (fs::exists(path_)) {
    check_results_file(path_);
    return;
  }
  if (path_.has_parent_path()) {
    fs::create_directories(path_.parent_path());
  }
  replace_atomically(path_, TempStart::empty, [&](const fs::path& tmp) { create_file(tmp, info); });
}

ResultsFile ResultsFile::open_existing(const std::filesystem::path& path) {
  h5::SilenceErrors silence;
  check_results_file(path);
  return ResultsFile(path);
}

void ResultsFile::write_whole(const std::filesystem::path& path, const RunInfo& info,
                              const std::vector<DatasetRecord>& datasets,
                              const std::vector<CellRecord>& cells) {
  h5::SilenceErrors silence;
  for (const DatasetRecord& record : datasets) check_name("dataset", record.name);
  for (const CellRecord& cell : cells) check_cell(cell);
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path());
  }
  replace_atomically(path, TempStart::empty, [&](const fs::path& tmp) {
    create_file(tmp, info);
    Handle file = open_file(tmp, H5F_ACC_RDWR);
    for (const DatasetRecord& record : datasets) write_dataset_group(file.get(), record, path);
    for (const CellRecord& cell : cells) write_cell_group(file.get(), cell, path);
    close_written(file, tmp);
  });
}

RunInfo ResultsFile::info() const {
  h5::SilenceErrors silence;
  Handle file = open_file(path_, H5F_ACC_RDONLY);
  return read_info(file.get(), at(path_, "/"));
}

void ResultsFile::set_end_time(const std::string& time) {
  h5::SilenceErrors silence;
  replace_atomically(path_, TempStart::copy_of_target, [&](const fs::path& tmp) {
    Handle file = open_file(tmp, H5F_ACC_RDWR);
    h5::write_attr(file.get(), "end_time", time, at(path_, "/"));
    close_written(file, tmp);
  });
}

void ResultsFile::write_dataset(const DatasetRecord& record) {
  h5::SilenceErrors silence;
  check_name("dataset", record.name);
  replace_atomically(path_, TempStart::copy_of_target, [&](const fs::path& tmp) {
    Handle file = open_file(tmp, H5F_ACC_RDWR);
    write_dataset_group(file.get(), record, path_);
    close_written(file, tmp);
  });
}

std::optional<DatasetRecord> ResultsFile::read_dataset(const std::string& name) const {
  h5::SilenceErrors silence;
  check_name("dataset", name);
  Handle file = open_file(path_, H5F_ACC_RDONLY);
  if (!h5::has_link(file.get(), kDatasets)) {
    return std::nullopt;
  }
  Handle datasets = h5::open_group(file.get(), kDatasets, at(path_, "/"));
  if (!h5::has_link(datasets.get(), name)) {
    return std::nullopt;
  }
  std::string ctx = at(path_, std::string("/") + kDatasets + "/" + name);
  Handle group = h5::open_group(datasets.get(), name, ctx);
  return read_dataset_group(group.get(), name, ctx);
}

std::vector<DatasetRecord> ResultsFile::read_datasets() const {
  h5::SilenceErrors silence;
  Handle file = open_file(path_, H5F_ACC_RDONLY);
  std::vector<DatasetRecord> records;
  if (!h5::has_link(file.get(), kDatasets)) {
    return records;
  }
  Handle datasets = h5::open_group(file.get(), kDatasets, at(path_, "/"));
  for (const std::string& name : h5::child_names(datasets.get(), at(path_, "/datasets"))) {
    std::string ctx = at(path_, std::string("/") + kDatasets + "/" + name);
    Handle group = h5::open_group(datasets.get(), name, ctx);
    records.push_back(read_dataset_group(group.get(), name, ctx));
  }
  return records;
}

bool ResultsFile::cell_complete(const std::string& dataset, const std::string& model,
                                int64_t seed) const {
  h5::SilenceErrors silence;
  Handle file = open_file(path_, H5F_ACC_RDONLY);
  std::vector<Handle> chain;
  hid_t loc = file.get();
  for (const std::string& part : {std::string(kRuns), dataset, model, seed_group(seed)}) {
    check_name("cell path", part);
    if (!h5::has_link(loc, part)) {
      return false;
    }
    chain.push_back(h5::open_group(loc, part, at(path_, part)));
    loc = chain.back().get();
  }
  return h5::read_string_attr(loc, "status", at(path_, dataset + "/" + model)) == "complete";
}

void ResultsFile::write_cell(const CellRecord& cell) {
  h5::SilenceErrors silence;
  check_cell(cell);
  replace_atomically(path_, TempStart::copy_of_target, [&](const fs::path& tmp) {
    Handle file = open_file(tmp, H5F_ACC_RDWR);
    write_cell_group(file.get(), cell, path_);
    close_written(file, tmp);
  });
}

std::vector<CellRecord> ResultsFile::read_cells(CellDetail detail) const {
  h5::SilenceErrors silence;
  Handle file = open_file(path_, H5F_ACC_RDONLY);
  std::vector<CellRecord> cells;
  if (!h5::has_link(file.get(), kRuns)) {
    return cells;
  }
  Handle runs = h5::open_group(file.get(), kRuns, at(path_, "/"));
  for (const std::string& dataset : h5::child_names(runs.get(), at(path_, "/runs"))) {
    std::string dataset_object = std::string("/") + kRuns + "/" + dataset;
    Handle dataset_group = h5::open_group(runs.get(), dataset, at(path_, dataset_object));
    for (const std::string& model :
         h5::child_names(dataset_group.get(), at(path_, dataset_object))) {
      std::string object = dataset_object + "/" + model;
      Handle model_group = h5::open_group(dataset_group.get(), model, at(path_, object));
      CellRecord key;
      key.dataset = dataset;
      key.model = model;
      read_model_cells(model_group.get(), key, detail, object, path_, cells);
    }
  }
  return cells;
}

std::string DeviceRecord::device_class() const {
  if (device.empty()) return "";
  if (device.rfind("cuda", 0) == 0) return "cuda " + name;
  return device;
}

std::map<std::string, std::vector<std::string>> device_groups(
    const std::vector<CellRecord>& cells) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const CellRecord& c : cells) {
    const std::string cls = c.device.device_class();
    if (cls.empty()) continue;
    groups[cls + ", " + c.device.precision].push_back(c.dataset + "/" + c.model + "/" +
                                                      seed_group(c.seed));
  }
  return groups;
}

void require_one_device(const std::vector<CellRecord>& cells, const std::string& what) {
  const auto groups = device_groups(cells);
  if (groups.size() < 2) return;
  std::string list;
  for (const auto& [group, names] : groups) {
    list += (list.empty() ? "" : "; ") + group + " (" + std::to_string(names.size()) +
            " cell(s), e.g. " + names.front() + ")";
  }
  throw ConfigError(
      what + ": cells ran on " + std::to_string(groups.size()) + " device classes or precisions: " +
      list + "; one table would compare them as alike (pass --allow-mixed-devices to do so)");
}

std::vector<std::string> changed_settings(const std::string& a, const std::string& b,
                                          const std::string& a_name, const std::string& b_name) {
  std::map<std::string, std::string> before, now, defaults;
  const toml::table there = toml::parse(a), here = toml::parse(b);
  for (const char* part : {"params", "evaluation"}) {
    if (const auto* t = there.get(part)) flatten(*t, part, before);
    if (const auto* t = here.get(part)) flatten(*t, part, now);
  }
  // The plugin's declared defaults, from whichever side recorded them (cells written before
  // [defaults] existed lack the table).
  for (const toml::table* side : {&here, &there}) {
    if (const auto* t = side->get("defaults")) flatten(*t, "params", defaults);
  }
  // A key that one side lacks and the other holds at its default is a key the plugin declared
  // later (defaults keep the earlier behaviour), not a setting that changed.
  auto at_default = [&](const std::string& key, const std::string& value) {
    const auto d = defaults.find(key);
    return d != defaults.end() && d->second == value;
  };
  // Ranks do not depend on the evaluation batch (EvaluateFull.ResultsDoNotDependOnBatchSize...).
  before.erase("evaluation.batch_size");
  now.erase("evaluation.batch_size");
  // "key: 20 there, 200 now"; a setting one side lacks is "absent" there.
  auto describe = [&](const std::string& key, const std::string& a_value,
                      const std::string& b_value) {
    std::ostringstream line;
    line << key << ": " << a_value << ' ' << a_name << ", " << b_value << ' ' << b_name;
    return line.str();
  };
  std::vector<std::string> changes;
  auto it = before.begin();
  auto jt = now.begin();
  while (it != before.end() || jt != now.end()) {
    if (jt == now.end() || (it != before.end() && it->first < jt->first)) {
      if (!at_default(it->first, it->second)) {
        changes.push_back(describe(it->first, it->second, "absent"));
      }
      ++it;
    } else if (it == before.end() || jt->first < it->first) {
      if (!at_default(jt->first, jt->second)) {
        changes.push_back(describe(jt->first, "absent", jt->second));
      }
      ++jt;
    } else {
      if (it->second != jt->second) changes.push_back(describe(it->first, it->second, jt->second));
      ++it;
      ++jt;
    }
  }
  return changes;
}

}  // namespace recbench
