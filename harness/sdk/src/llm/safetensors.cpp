// Safetensors reading (mmap + full header validation), writing, and sharded HF checkpoints.
#include "recbench/llm/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "recbench/error.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::llm {

using json = nlohmann::json;

namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;  // the format's own limit (100 MB)

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  uint64_t bytes;
};

constexpr DtypeInfo kDtypes[] = {{"F32", torch::kFloat, 4}, {"BF16", torch::kBFloat16, 2},
                                 {"F16", torch::kHalf, 2},  {"F64", torch::kDouble, 8},
                                 {"I64", torch::kLong, 8},  {"I32", torch::kInt, 4},
                                 {"I16", torch::kShort, 2}, {"I8", torch::kChar, 1},
                                 {"U8", torch::kByte, 1},   {"BOOL", torch::kBool, 1}};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const DtypeInfo& dtype_of(torch::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (d.type == type) return d;
  }
  throw DataError(std::string("safetensors: unsupported tensor dtype ") + c10::toString(type));
}

//! Validates one header entry against a data section of `data_size` bytes.
SafetensorsEntry parse_entry(const std::string& where, const json& node, uint64_t data_size) {
  auto bad = [&](const std::string& what) { return DataError(where + ": " + what); };
  if (!node.is_object()) throw bad("expected an object with dtype, shape, data_offsets");
  SafetensorsEntry e;
  if (!node.contains("dtype") || !node["dtype"].is_string()) throw bad("missing dtype");
  e.dtype = node["dtype"].get<std::string>();
  const DtypeInfo* info = find_dtype(e.dtype);
  if (info == nullptr) throw bad("unsupported dtype '" + e.dtype + "'");
  if (!node.contains("shape") || !node["shape"].is_array()) throw bad("missing shape");
  uint64_t numel = 1;
  for (const auto& d : node["shape"]) {
    if (!d.is_number_unsigned()) throw bad("shape must hold non-negative integers");
    uint64_t n = d.get<uint64_t>();
    if (n != 0 && numel > (1ull << 62) / n) throw bad("shape too large");
    numel *= n;
    e.shape.push_back(static_cast<int64_t>(n));
  }
  const json& off = node.value("data_offsets", json());
  if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
      !off[1].is_number_unsigned()) {
    throw bad("data_offsets must be [begin, end]");
  }
  e.begin = off[0].get<uint64_t>();
  e.end = off[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size) {
    throw bad("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
              "] outside the data section of " + std::to_string(data_size) +
              " bytes (truncated file?)");
  }
  if (e.end - e.begin != numel * info->bytes) {
    throw bad("data_offsets span " + std::to_string(e.end - e.begin) + " bytes but shape and " +
              e.dtype + " need " + std::to_string(numel * info->bytes));
  }
  return e;
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path) {
  const std::string name = path.string();
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw DataError(name + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw DataError(name + ": cannot stat");
  }
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < 8) {
    ::close(fd);
    throw DataError(name + ": " + std::to_string(map_size_) +
                    " bytes, too short for a safetensors header (truncated?)");
  }
  map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw DataError(name + ": cannot memory-map");
  }
  try {
    auto bytes = static_cast<const unsigned char*>(map_);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];  // little-endian
    if (header_len > kMaxHeader || header_len > map_size_ - 8) {
      throw DataError(name + ": header length " + std::to_string(header_len) +
                      " exceeds the file size " + std::to_string(map_size_) +
                      " (truncated or not a safetensors file)");
    }
    json header;
    try {
      header = json::parse(bytes + 8, bytes + 8 + header_len);
    } catch (const json::exception& e) {
      throw DataError(name + ": header is not valid JSON (" + e.what() + ")");
    }
    if (!header.is_object()) throw DataError(name + ": header is not a JSON object");
    data_ = bytes + 8 + header_len;
    uint64_t data_size = map_size_ - 8 - header_len;
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (const auto& [key, value] : header.items()) {
      if (key == "__metadata__") {
        for (const auto& [mk, mv] : value.items()) {
          if (mv.is_string()) metadata_[mk] = mv.get<std::string>();
        }
        continue;
      }
      std::string where = name;
      where.append(": tensor '").append(key).append("'");
      entries_[key] = parse_entry(where, value, data_size);
      order_.push_back(key);
      spans.emplace_back(entries_[key].begin, entries_[key].end);
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i) {
      if (spans[i].first < spans[i - 1].second) {
        throw DataError(name + ": tensors overlap at data offset " +
                        std::to_string(spans[i].first));
      }
    }
  } catch (...) {
    ::munmap(map_, map_size_);
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

std::vector<std::string> SafetensorsFile::names() const { return order_; }

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw DataError(path_.string() + ": no tensor '" + name + "'");
  return it->second;
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  torch::Tensor out =
      torch::empty(e.shape, torch::TensorOptions().dtype(find_dtype(e.dtype)->type));
  if (e.end > e.begin) std::memcpy(out.data_ptr(), data_ + e.begin, e.end - e.begin);
  return out;
}

void SafetensorsFile::copy_into(const std::string& name, torch::Tensor& dst) const {
  const SafetensorsEntry& e = entry(name);
  if (e.end == e.begin) return;
  // A read-only view of the mapped bytes: copy_ converts dtype and device as it reads.
  auto* bytes = const_cast<unsigned char*>(data_ + e.begin);  // NOLINT: copy_ only reads it
  torch::Tensor view =
      torch::from_blob(bytes, e.shape, torch::TensorOptions().dtype(find_dtype(e.dtype)->type));
  {
    torch::NoGradGuard no_grad;
    dst.copy_(view);
  }
  if (dst.is_cuda()) torch::cuda::synchronize(dst.device().index());  // the read is finished
  // The pages are clean file pages of a private read-only mapping: MADV_DONTNEED drops them from
  // the resident set (a later read faults them in again from the file).
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  unsigned char* start = bytes - reinterpret_cast<uintptr_t>(bytes) % page;  // page-aligned
  ::madvise(start, static_cast<size_t>(data_ + e.end - start), MADV_DONTNEED);
}

void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> cpu;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (header.contains(name)) throw DataError(path.string() + ": duplicate tensor '" + name + "'");
    cpu.push_back(t.detach().to(torch::kCPU).contiguous());
    uint64_t bytes = cpu.back().numel() * dtype_of(t.scalar_type()).bytes;
    header[name] = {{"dtype", dtype_of(t.scalar_type()).name},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data section 8-byte aligned
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw DataError(tmp.string() + ": cannot write");
    uint64_t len = text.size();
    unsigned char prefix[8];
    for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>(len >> (8 * i));
    out.write(reinterpret_cast<const char*>(prefix), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : cpu) {
      out.write(static_cast<const char*>(t.data_ptr()),
                static_cast<std::streamsize>(t.numel() * t.element_size()));
    }
    if (!out) throw DataError(tmp.string() + ": write failed");
  }
  std::filesystem::rename(tmp, path);
}

void save_checkpoint_weights(const std::filesystem::path& dir, const NamedTensors& tensors,
                             uint64_t max_shard_bytes) {
  std::filesystem::create_directories(dir);
  std::vector<NamedTensors> shards(1);
  uint64_t size = 0, total = 0;
  for (const auto& item : tensors) {
    uint64_t bytes = item.second.numel() * item.second.element_size();
    if (size > 0 && size + bytes > max_shard_bytes) {
      shards.emplace_back();
      size = 0;
    }
    shards.back().push_back(item);
    size += bytes;
    total += bytes;
  }
  std::filesystem::remove(dir / "model.safetensors.index.json");
  if (shards.size() == 1) {
    save_safetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
    return;
  }
  std::filesystem::remove(dir / "model.safetensors");
  json index = {{"metadata", {{"total_size", total}}}, {"weight_map", json::object()}};
  for (size_t i = 0; i < shards.size(); ++i) {
    char file[64];
    std::snprintf(file, sizeof(file), "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
    save_safetensors(dir / file, shards[i], {{"format", "pt"}});
    for (const auto& item : shards[i]) index["weight_map"][item.first] = file;
  }
  std::ofstream(dir / "model.safetensors.index.json") << index.dump(2) << "\n";
}

CheckpointWeights::CheckpointWeights(const std::filesystem::path& dir) : dir_(dir) {
  std::filesystem::path index = dir / "model.safetensors.index.json";
  if (std::filesystem::exists(index)) {
    try {
      json root = json::parse(read_text_file(index));
      for (const auto& [name, file] : root.at("weight_map").items()) {
        where_[name] = dir / file.get<std::string>();
      }
    } catch (const json::exception& e) {
      throw DataError(index.string() + ": invalid index (" + e.what() + ")");
    }
  } else if (std::filesystem::exists(dir / "model.safetensors")) {
    where_.clear();
  } else {
    throw DataError(dir.string() +
                    ": no model.safetensors or model.safetensors.index.json in the folder");
  }
  if (where_.empty()) {
    auto file = std::make_unique<SafetensorsFile>(dir / "model.safetensors");
    for (const auto& name : file->names()) where_[name] = file->path();
    open_[file->path()] = std::move(file);
    return;
  }
  for (const auto& [name, file] : where_) {
    if (!open_.count(file)) open_[file] = std::make_unique<SafetensorsFile>(file);
    if (!open_[file]->contains(name)) {
      throw DataError(index.string() + ": '" + name + "' is not in " + file.string());
    }
  }
}

const SafetensorsFile& CheckpointWeights::file_of(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end())
    throw DataError(dir_.string() + ": checkpoint has no tensor '" + name + "'");
  return *open_.at(it->second);
}

const SafetensorsEntry& CheckpointWeights::entry(const std::string& name) const {
  return file_of(name).entry(name);
}

torch::Tensor CheckpointWeights::tensor(const std::string& name) const {
  return file_of(name).tensor(name);
}

void CheckpointWeights::copy_into(const std::string& name, torch::Tensor& dst) const {
  file_of(name).copy_into(name, dst);
}

}  // namespace recbench::llm
