// Merging results files: reading the parts, checking they belong together, writing one file.
#include "recbench/core/results/merge.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "recbench/error.h"

namespace recbench {
namespace {

namespace fs = std::filesystem;

std::string name(const ResultsPart& part) { return part.path.string(); }

std::string cell_name(const CellRecord& c) {
  return c.dataset + "/" + c.model + "/seed_" + std::to_string(c.seed);
}

//! "line L" of the first line where two texts differ.
std::string first_difference(const std::string& a, const std::string& b) {
  const auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  const auto line = std::count(a.begin(), mismatch.first, '\n') + 1;
  return "line " + std::to_string(line);
}

//! What identifies the build that wrote a results file, as errors and `merged_from` name it.
struct BuildAttribute {
  const char* what;        //!< in errors: "git revision"
  const char* short_name;  //!< in a merged_from line: "git"
  std::string RunInfo::*member;
};
const BuildAttribute kBuildAttributes[] = {
    {"recbench version", "recbench", &RunInfo::recbench_version},
    {"git revision", "git", &RunInfo::git_revision},
    {"LibTorch version", "LibTorch", &RunInfo::torch_version}};

bool same_build(const RunInfo& a, const RunInfo& b) {
  return std::all_of(std::begin(kBuildAttributes), std::end(kBuildAttributes),
                     [&](const BuildAttribute& x) { return a.*x.member == b.*x.member; });
}

void check_same_run(const ResultsPart& first, const ResultsPart& part, bool allow_mixed_builds) {
  const RunInfo &a = first.info, &b = part.info;
  if (a.experiment_toml != b.experiment_toml) {
    throw Error("parts of different experiments: " + name(first) + " and " + name(part) +
                " store different experiment files (first difference at " +
                first_difference(a.experiment_toml, b.experiment_toml) +
                "; shards of one run need equal files and --set options)");
  }
  if (allow_mixed_builds) return;
  for (const BuildAttribute& x : kBuildAttributes) {
    if (a.*x.member != b.*x.member) {
      throw Error(name(first) + " and " + name(part) + " were written by different builds (" +
                  x.what + " " + a.*x.member + " vs " + b.*x.member +
                  "; pass --allow-mixed-builds to merge them)");
    }
  }
}

//! Same fingerprint and candidate lists for each dataset both parts hold.
void check_same_datasets(const ResultsPart& first, const ResultsPart& part) {
  for (const DatasetRecord& b : part.datasets) {
    auto a = std::find_if(first.datasets.begin(), first.datasets.end(),
                          [&](const DatasetRecord& d) { return d.name == b.name; });
    if (a == first.datasets.end()) continue;
    if (a->fingerprint != b.fingerprint) {
      throw Error(name(first) + " and " + name(part) + " prepared dataset '" + b.name +
                  "' differently (fingerprint " + a->fingerprint + " vs " + b.fingerprint + ")");
    }
    if (a->candidates != b.candidates) {
      throw Error(name(first) + " and " + name(part) +
                  " store different candidate lists for "
                  "dataset '" +
                  b.name + "'");
    }
  }
}

}  // namespace

ResultsPart read_part(const fs::path& path) {
  const ResultsFile file = ResultsFile::open_existing(path);
  return {path, file.info(), file.read_datasets(), file.read_cells(CellDetail::full)};
}

void check_parts(const std::vector<ResultsPart>& parts, MergeAllowances allow) {
  std::map<std::string, const ResultsPart*> shards;
  std::map<std::tuple<std::string, std::string, int64_t>, const ResultsPart*> cells;
  std::map<fs::path, const ResultsPart*> files;
  for (const ResultsPart& part : parts) {
    auto [file, added] = files.emplace(fs::weakly_canonical(part.path), &part);
    if (!added) {
      throw Error(name(*file->second) + " and " + name(part) + " are the same file");
    }
    if (&part != &parts.front()) {
      check_same_run(parts.front(), part, allow.mixed_builds);
      check_same_datasets(parts.front(), part);
    }
    if (!part.info.shard.empty()) {
      auto [it, new_shard] = shards.emplace(part.info.shard, &part);
      if (!new_shard) {
        throw Error(name(*it->second) + " and " + name(part) + " are both shard " +
                    part.info.shard);
      }
    }
    for (const CellRecord& c : part.cells) {
      auto [it, new_cell] = cells.emplace(std::make_tuple(c.dataset, c.model, c.seed), &part);
      if (!new_cell) {
        throw Error("cell " + cell_name(c) + " is in both " + name(*it->second) + " and " +
                    name(part));
      }
    }
  }
  if (allow.mixed_devices) return;
  std::vector<CellRecord> all;
  std::string names;
  for (const ResultsPart& part : parts) {
    all.insert(all.end(), part.cells.begin(), part.cells.end());
    names += (names.empty() ? "" : ", ") + name(part);
  }
  require_one_device(all, "merge of " + names);
}

namespace {

//! The first part's info, spanning every part's times, naming the parts. Parts of several builds:
//! each build attribute lists the values of the parts ("a, b"), and each part's line its build.
RunInfo merged_info(const std::vector<ResultsPart>& parts) {
  RunInfo info = parts.front().info;
  info.shard.clear();
  info.merged_from.clear();
  const bool mixed = std::any_of(parts.begin(), parts.end(), [&](const ResultsPart& p) {
    return !same_build(p.info, parts.front().info);
  });
  auto add = [](std::string& list, const std::string& value) {
    const std::string sep = ", ";
    if ((sep + list + sep).find(sep + value + sep) == std::string::npos) list += sep + value;
  };
  for (const ResultsPart& part : parts) {
    info.start_time = std::min(info.start_time, part.info.start_time);  // ISO 8601, UTC
    info.end_time = std::max(info.end_time, part.info.end_time);
    if (info.model_order.empty()) info.model_order = part.info.model_order;
    std::string line = part.path.string();
    if (mixed) {
      std::string build;
      for (const BuildAttribute& x : kBuildAttributes) {
        add(info.*x.member, part.info.*x.member);
        build += std::string(build.empty() ? "" : ", ") + x.short_name + " " + part.info.*x.member;
      }
      line += " (" + build + ")";
    }
    info.merged_from.push_back(line);
  }
  return info;
}

//! Names in order of first appearance, after those of `order`.
void add_unique(std::vector<std::string>& order, const std::string& item) {
  if (std::find(order.begin(), order.end(), item) == order.end()) order.push_back(item);
}

//! The parts' cells in a one-process run's order: dataset, model (runner's order), seed.
std::vector<CellRecord> ordered_cells(std::vector<ResultsPart>& parts, const RunInfo& info) {
  std::vector<std::string> datasets, models = info.model_order;
  std::vector<CellRecord> cells;
  for (ResultsPart& part : parts) {
    for (const DatasetRecord& d : part.datasets) add_unique(datasets, d.name);
    for (CellRecord& c : part.cells) {
      add_unique(datasets, c.dataset);
      add_unique(models, c.model);
      cells.push_back(std::move(c));
    }
  }
  auto position = [](const std::vector<std::string>& order, const std::string& item) {
    return std::find(order.begin(), order.end(), item) - order.begin();
  };
  std::sort(cells.begin(), cells.end(), [&](const CellRecord& a, const CellRecord& b) {
    return std::make_tuple(position(datasets, a.dataset), position(models, a.model), a.seed) <
           std::make_tuple(position(datasets, b.dataset), position(models, b.model), b.seed);
  });
  return cells;
}

//! Datasets of every part, each once, in order of first appearance.
std::vector<DatasetRecord> merged_datasets(const std::vector<ResultsPart>& parts) {
  std::vector<DatasetRecord> datasets;
  for (const ResultsPart& part : parts) {
    for (const DatasetRecord& d : part.datasets) {
      auto same = [&](const DatasetRecord& x) { return x.name == d.name; };
      if (std::none_of(datasets.begin(), datasets.end(), same)) datasets.push_back(d);
    }
  }
  return datasets;
}

//! With every part one shard of one N-way run: the shards that are not among them.
std::vector<std::string> missing_shards(const std::vector<ResultsPart>& parts) {
  std::set<std::string> present;
  std::string count;
  for (const ResultsPart& part : parts) {
    const auto slash = part.info.shard.find('/');
    if (slash == std::string::npos) return {};
    if (!count.empty() && part.info.shard.substr(slash + 1) != count) return {};
    count = part.info.shard.substr(slash + 1);
    present.insert(part.info.shard);
  }
  std::vector<std::string> missing;
  const long n = std::stol(count);
  for (long i = 0; i < n; ++i) {
    const std::string shard = std::to_string(i) + "/" + count;
    if (!present.count(shard)) missing.push_back(shard);
  }
  return missing;
}

}  // namespace

MergeSummary merge_results(const std::vector<fs::path>& part_paths, const fs::path& out,
                           bool replace, MergeAllowances allow) {
  if (part_paths.empty()) throw Error("merge: no part files given");
  for (const fs::path& path : part_paths) {
    if (fs::exists(out) && fs::exists(path) && fs::equivalent(out, path)) {
      throw Error("--out " + out.string() + " is one of the parts");
    }
  }
  if (fs::exists(out) && !replace) {
    throw Error(out.string() + ": file exists; pass --force to replace it");
  }
  std::vector<ResultsPart> parts;
  for (const fs::path& path : part_paths) parts.push_back(read_part(path));
  check_parts(parts, allow);
  MergeSummary summary;
  summary.missing_shards = missing_shards(parts);
  const RunInfo info = merged_info(parts);
  const std::vector<DatasetRecord> datasets = merged_datasets(parts);
  const std::vector<CellRecord> cells = ordered_cells(parts, info);
  summary.cells = cells.size();
  summary.failed = static_cast<size_t>(std::count_if(
      cells.begin(), cells.end(), [](const CellRecord& c) { return c.status == "failed"; }));
  ResultsFile::write_whole(out, info, datasets, cells);
  return summary;
}

}  // namespace recbench
