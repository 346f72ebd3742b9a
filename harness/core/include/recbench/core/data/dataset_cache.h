// The prepared-dataset cache: a SHA-256 fingerprint of recipe + inputs names a binary file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "recbench/core/data/dataset.h"

namespace recbench {

//! Hex SHA-256 (OpenSSL) of the pipeline version, the recipe's canonical form (every parsed
//! field; comments and key order do not matter) and each input file's role, size and contents.
//! Throws DataError for a missing input file (naming files.<role>).
std::string dataset_fingerprint(const Recipe& recipe);

//! The cache file of a fingerprint under `cache_dir`.
std::filesystem::path cache_path(const std::filesystem::path& cache_dir, const std::string& name,
                                 const std::string& fingerprint);

//! Writes `dataset` (all but the splits, which split_dataset() derives on load) to `path` (through
//! a temporary file and a rename, so readers never see a partial file). Throws DataError when it
//! cannot write.
void save_prepared(const PreparedDataset& dataset, const std::filesystem::path& path);

//! Reads a dataset written by save_prepared(); std::nullopt when the file is absent, is not a
//! cache file of this version, is truncated, or holds another fingerprint.
std::optional<PreparedDataset> load_prepared(const std::filesystem::path& path,
                                             const std::string& fingerprint);

}  // namespace recbench
