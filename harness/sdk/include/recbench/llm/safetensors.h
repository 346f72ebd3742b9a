// Safetensors files: a validating memory-mapped reader, a writer, and sharded HF checkpoints.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "recbench/export.h"

namespace recbench::llm {

//! Name and tensor, in the order they are written.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

//! Where one tensor lies in a safetensors file.
struct SafetensorsEntry {
  std::string dtype;  //!< "F32", "BF16", "F16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;  //!< dimensions
  uint64_t begin = 0;          //!< byte offset in the data section
  uint64_t end = 0;            //!< one past the last byte
};

/// A safetensors file mapped into memory. The constructor validates the whole header (length,
/// JSON, dtypes, shapes, offsets inside the file and consistent with the shapes, no overlap) and
/// throws DataError naming the file and the tensor; nothing is read past the file's end.
class RECBENCH_API SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  //! Tensor names in header order.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const { return entries_.count(name) > 0; }
  //! The entry of `name`; DataError when absent.
  const SafetensorsEntry& entry(const std::string& name) const;
  //! A CPU copy of tensor `name` in its stored dtype.
  torch::Tensor tensor(const std::string& name) const;
  /// Copies tensor `name` straight from the mapping into `dst` (same shape; any dtype and
  /// device: converted on the way), then drops its pages from this process's memory, so loading
  /// a checkpoint holds the model plus one tensor, never the model plus the file.
  void copy_into(const std::string& name, torch::Tensor& dst) const;
  //! The "__metadata__" string map.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  const unsigned char* data_ = nullptr;  //!< start of the data section
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::map<std::string, SafetensorsEntry> entries_;
  std::vector<std::string> order_;
  std::map<std::string, std::string> metadata_;
};

//! Writes `tensors` (any device, contiguous copies are made) as one safetensors file.
RECBENCH_API void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                                   const std::map<std::string, std::string>& metadata = {});

/// Writes an HF checkpoint's weights into `dir`: `model.safetensors`, or when the total exceeds
/// `max_shard_bytes`, `model-0000i-of-0000n.safetensors` plus `model.safetensors.index.json`.
RECBENCH_API void save_checkpoint_weights(const std::filesystem::path& dir,
                                          const NamedTensors& tensors,
                                          uint64_t max_shard_bytes = 5ull << 30);

/// The tensors of an HF checkpoint folder (single file or sharded through the index), opened
/// lazily by name.
class RECBENCH_API CheckpointWeights {
 public:
  explicit CheckpointWeights(const std::filesystem::path& dir);
  //! Every tensor name with the file that holds it.
  const std::map<std::string, std::filesystem::path>& files() const { return where_; }
  bool contains(const std::string& name) const { return where_.count(name) > 0; }
  //! The entry (dtype, shape) of `name`.
  const SafetensorsEntry& entry(const std::string& name) const;
  //! A CPU copy of `name`.
  torch::Tensor tensor(const std::string& name) const;
  //! SafetensorsFile::copy_into for the file that holds `name`.
  void copy_into(const std::string& name, torch::Tensor& dst) const;

 private:
  const SafetensorsFile& file_of(const std::string& name) const;
  std::filesystem::path dir_;
  std::map<std::string, std::filesystem::path> where_;
  std::map<std::filesystem::path, std::unique_ptr<SafetensorsFile>> open_;
};

}  // namespace recbench::llm
