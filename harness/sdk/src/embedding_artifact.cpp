// Writing and checking the harness's model-independent item embedding tables.
#include "recbench/embedding_artifact.h"

#include <map>

#include "recbench/error.h"
#include "recbench/llm/safetensors.h"

namespace recbench {
namespace {

constexpr const char* kFormat = "recbench-item-embeddings";
constexpr const char* kTensor = "item_embeddings";

const std::string& field(const std::map<std::string, std::string>& meta,
                         const std::filesystem::path& path, const std::string& key) {
  auto it = meta.find(key);
  if (it == meta.end()) {
    throw DataError(path.string() + ": item embedding table has no metadata field '" + key + "'");
  }
  return it->second;
}

}  // namespace

void write_embedding_artifact(const std::filesystem::path& path, const torch::Tensor& table,
                              EmbeddingArtifactInfo info) {
  if (!table.defined() || table.dim() != 2 || !table.is_floating_point()) {
    throw Error(path.string() + ": an item embedding table must be a 2-D floating tensor");
  }
  info.num_items = table.size(0);
  info.dim = table.size(1);
  const std::map<std::string, std::string> meta{{"format", kFormat},
                                                {"version", "1"},
                                                {"dataset", info.dataset},
                                                {"fingerprint", info.fingerprint},
                                                {"plugin", info.plugin},
                                                {"label", info.label},
                                                {"num_items", std::to_string(info.num_items)},
                                                {"dim", std::to_string(info.dim)}};
  llm::save_safetensors(path, {{kTensor, table.detach().to(torch::kCPU, torch::kFloat)}}, meta);
}

EmbeddingArtifact read_embedding_artifact(const std::filesystem::path& path,
                                          const DatasetView& expected) {
  if (!std::filesystem::exists(path)) {
    throw DataError(path.string() + ": item embedding table not found");
  }
  llm::SafetensorsFile file(path);
  const auto& meta = file.metadata();
  if (meta.count("format") == 0 || meta.at("format") != kFormat) {
    throw DataError(path.string() + ": not a recbench item embedding table (metadata format '" +
                    std::string(kFormat) + "' missing)");
  }
  EmbeddingArtifact out;
  out.info.dataset = field(meta, path, "dataset");
  out.info.fingerprint = field(meta, path, "fingerprint");
  out.info.plugin = field(meta, path, "plugin");
  out.info.label = field(meta, path, "label");
  if (out.info.fingerprint != expected.fingerprint) {
    throw DataError(path.string() + ": item embeddings of '" + out.info.label +
                    "' were trained on dataset '" + out.info.dataset + "' (fingerprint " +
                    out.info.fingerprint + "), not on this run's dataset '" + expected.name +
                    "' (fingerprint " + expected.fingerprint + ")");
  }
  out.table = file.tensor(kTensor).to(torch::kFloat);
  out.info.num_items = out.table.size(0);
  out.info.dim = out.table.dim() == 2 ? out.table.size(1) : 0;
  if (out.table.dim() != 2 || out.info.num_items != expected.num_items()) {
    throw DataError(path.string() + ": item embedding table has " +
                    std::to_string(out.info.num_items) + " rows, the dataset has " +
                    std::to_string(expected.num_items()) + " items (padding included)");
  }
  return out;
}

}  // namespace recbench
