// Item embedding tables written by the harness after a run of an EmbeddingSource model, in a
// model-independent file (safetensors + metadata) that other plugins (RSLLM) read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <torch/types.h>

#include "recbench/data.h"
#include "recbench/export.h"

namespace recbench {

//! File name of the table inside a run's artefact folder.
inline constexpr const char* kEmbeddingArtifactFile = "item_embeddings.safetensors";

//! Who trained a table, on what (stored as the file's safetensors metadata).
struct EmbeddingArtifactInfo {
  std::string dataset;      //!< dataset name
  std::string fingerprint;  //!< prepared dataset's fingerprint
  std::string plugin;       //!< plugin of the model, e.g. "sasrec"
  std::string label;        //!< experiment label of the model entry
  int64_t num_items = 0;    //!< rows, padding row 0 included
  int64_t dim = 0;          //!< columns
};

//! A table read back with its metadata.
struct EmbeddingArtifact {
  EmbeddingArtifactInfo info;
  torch::Tensor table;  //!< [num_items, dim] float32 on CPU; row 0 is padding
};

/// Writes `table` ([num_items, d], any device and floating dtype) as tensor "item_embeddings"
/// (float32) with metadata format = "recbench-item-embeddings", version = "1" and every field of
/// `info` (num_items and dim are taken from the table).
RECBENCH_API void write_embedding_artifact(const std::filesystem::path& path,
                                           const torch::Tensor& table, EmbeddingArtifactInfo info);

/// Reads a table written by write_embedding_artifact and checks it belongs to `expected`: the
/// same dataset fingerprint and number of items. Throws DataError naming the file and both sides.
RECBENCH_API EmbeddingArtifact read_embedding_artifact(const std::filesystem::path& path,
                                                       const DatasetView& expected);

}  // namespace recbench
