// Sharded runs: the --shard spelling, the groups of cells that stay together, and their owners.
#include "recbench/core/run/shard.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "recbench/error.h"

namespace recbench {
namespace {

//! A whole non-negative decimal number, or -1.
int64_t parse_count(const std::string& text) {
  int64_t value = -1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0) return -1;
  return value;
}

//! Union-find over model labels: the root label of `label`'s component.
std::string root_of(std::map<std::string, std::string>& parent, std::string label) {
  while (parent.at(label) != label) label = parent.at(label) = parent.at(parent.at(label));
  return label;
}

}  // namespace

std::string ShardSpec::str() const { return std::to_string(index) + "/" + std::to_string(count); }

ShardSpec parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const int64_t index = slash == std::string::npos ? -1 : parse_count(text.substr(0, slash));
  const int64_t count = slash == std::string::npos ? -1 : parse_count(text.substr(slash + 1));
  if (index < 0 || count < 1 || index >= count) {
    throw ConfigError(
        "--shard: expected i/N with whole numbers 0 <= i < N (e.g. 0/4, as "
        "$SLURM_ARRAY_TASK_ID/N with --array=0-(N-1)), got '" +
        text + "'");
  }
  return {index, count};
}

std::filesystem::path shard_output(const std::filesystem::path& output, const ShardSpec& shard) {
  std::filesystem::path out = output;
  out.replace_filename(output.stem().string() + ".shard-" + std::to_string(shard.index) + "-of-" +
                       std::to_string(shard.count) + output.extension().string());
  return out;
}

std::vector<std::vector<CellId>> cell_groups(const std::vector<std::string>& datasets,
                                             const std::vector<ModelEntry>& models,
                                             const ModelDependencies& dependencies,
                                             const std::vector<int64_t>& seeds) {
  std::map<std::string, std::string> parent;
  for (const auto& m : models) parent[m.label] = m.label;
  for (const auto& [label, list] : dependencies) {
    for (const auto& d : list) {
      if (!parent.count(label) || !parent.count(d.label)) continue;  // order_models reports these
      parent[root_of(parent, label)] = root_of(parent, d.label);
    }
  }
  std::vector<std::vector<const ModelEntry*>> components;  // by first entry, experiment order
  std::map<std::string, size_t> component_of_root;
  for (const auto& m : models) {
    auto [it, added] = component_of_root.emplace(root_of(parent, m.label), components.size());
    if (added) components.emplace_back();
    components[it->second].push_back(&m);
  }
  std::vector<std::vector<CellId>> groups;
  for (const auto& dataset : datasets) {
    for (const auto& component : components) {
      for (int64_t seed : seeds) {
        auto& group = groups.emplace_back();
        for (const ModelEntry* m : component) group.push_back({dataset, m->label, seed});
      }
    }
  }
  return groups;
}

std::set<CellId> shard_cells(const std::vector<std::vector<CellId>>& groups,
                             const ShardSpec& shard) {
  std::set<CellId> cells;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (static_cast<int64_t>(g % static_cast<size_t>(shard.count)) != shard.index) continue;
    cells.insert(groups[g].begin(), groups[g].end());
  }
  return cells;
}

}  // namespace recbench
