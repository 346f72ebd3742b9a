// The synthetic multi-domain world, written in the benchmark datasets' real raw formats.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace recbench {

//! Seed and size of the world. Scale multiplies the number of users and items of every domain
//! (sequence lengths stay); scale 1 writes about 0.4 M interactions in about a second.
struct WorldOptions {
  uint64_t seed = 0;
  double scale = 1.0;  //!< in (0, 1000]
};

//! The datasets the world can write: ml-100k, steam, lastfm, amazon-office, amazon-instruments,
//! amazon-pretrain (the names of the real recipes in datasets/).
const std::vector<std::string>& synthetic_world_datasets();

//! Writes the raw files of `datasets` (every dataset when empty) under `dir`, in the layout of
//! datasets/raw/: ml-100k/u.data, steam/steam_reviews.json.gz, amazon2018/Office_Products_5.json.gz
//! and so on. The same options give the same bytes on every machine, and a dataset's files do not
//! depend on which other datasets are written. Returns the paths written. ConfigError for an
//! unknown dataset name or a scale out of range.
std::vector<std::filesystem::path> write_synthetic_world(
    const std::filesystem::path& dir, const WorldOptions& options,
    const std::vector<std::string>& datasets = {});

//! The folder `<cache_dir>/synthetic/<dataset>-seed<S>-scale<F>` holding `dataset`'s raw files,
//! written first when absent (into a temporary folder renamed into place, so concurrent callers
//! and interrupted runs never see half a dataset).
std::filesystem::path synthesized_raw_dir(const std::filesystem::path& cache_dir,
                                          const std::string& dataset, const WorldOptions& options);

}  // namespace recbench
