// The index of finished cells' artefacts.
#include "run_state.h"

#include "recbench/embedding_artifact.h"

namespace recbench::run_detail {

void CellArtifacts::add_complete(const std::string& key, const std::filesystem::path& dir) {
  models[key] = dir / "model";
  if (std::filesystem::exists(dir / kEmbeddingArtifactFile)) {
    embeddings[key] = dir / kEmbeddingArtifactFile;
  }
}

void CellArtifacts::add_recorded(const std::string& key,
                                 const std::map<std::string, std::string>& recorded) {
  models[key] = recorded.at("model");
  if (auto it = recorded.find("item_embeddings"); it != recorded.end()) {
    embeddings[key] = it->second;
  }
}

CellArtifacts CellArtifacts::of(const std::string& dataset, int64_t seed,
                                const std::vector<ModelEntry>& entries) const {
  CellArtifacts out;
  for (const auto& m : entries) {
    const std::string key = cell_key(dataset, m.label, seed);
    if (auto it = models.find(key); it != models.end()) out.models[m.label] = it->second;
    if (auto it = embeddings.find(key); it != embeddings.end()) {
      out.embeddings[m.label] = it->second;
    }
  }
  return out;
}

}  // namespace recbench::run_detail
