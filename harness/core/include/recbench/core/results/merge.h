// `recbench merge`: the part files of a sharded run (or any results files of one experiment)
// combined into one results file, as if one process had run every cell.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "recbench/core/results/results_file.h"

namespace recbench {

//! One part file, read whole.
struct ResultsPart {
  std::filesystem::path path;
  RunInfo info;
  std::vector<DatasetRecord> datasets;  //!< in the file's order
  std::vector<CellRecord> cells;        //!< read_cells() order, per-user arrays included
};

//! Reads `path` whole; throws Error naming it when it is missing or not a results file.
ResultsPart read_part(const std::filesystem::path& path);

//! What check_parts() may let through when asked to.
struct MergeAllowances {
  bool mixed_devices = false;  //!< cells of several device classes or precisions
  //! Parts of several builds (recbench version, git revision, LibTorch version): one experiment
  //! resumed across sessions by newer builds. The merged file records each part's build.
  bool mixed_builds = false;
};

/// Every check that `parts` belong to one experiment run, in one place (add new ones here):
/// equal stored experiment TOML, equal recbench version, git revision and LibTorch version
/// (unless `allow.mixed_builds`), equal fingerprints and candidate lists of each dataset, no shard
/// given twice, no cell in two parts, and (unless `allow.mixed_devices`) one device class and
/// precision for every cell (require_one_device). Throws Error naming both files and what differs.
void check_parts(const std::vector<ResultsPart>& parts, MergeAllowances allow = {});

struct MergeSummary {
  size_t cells = 0, failed = 0;
  //! With parts of one N-way sharded run: the shards ("i/N") that no part is; empty otherwise.
  std::vector<std::string> missing_shards;
};

/// Checks the parts (check_parts) and writes them to `out` in one atomic step: root info of the
/// first part with the earliest start_time, the latest end_time, no shard and `merged_from`
/// (parts of several builds: each build attribute lists the parts' values, and each
/// `merged_from` line names its part's build);
/// datasets in the parts' order; cells ordered by dataset, then model in the runner's order
/// (`model_order`), then seed, so `recbench report` prints what a one-process run prints.
/// Refuses an existing `out` unless `replace`, and an `out` that is one of the parts.
MergeSummary merge_results(const std::vector<std::filesystem::path>& parts,
                           const std::filesystem::path& out, bool replace = false,
                           MergeAllowances allow = {});

}  // namespace recbench
