// Sharded runs: the --shard spelling, the groups of cells that stay together, and their owners;
// cells chosen by --dataset, --model and --seed.
#include "recbench/core/run/shard.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

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

std::string CellSelection::str() const {
  std::ostringstream s;
  for (const auto& d : datasets) s << " --dataset " << d;
  for (const auto& m : models) s << " --model " << m;
  for (int64_t seed : seeds) s << " --seed " << seed;
  return s.str().empty() ? "" : s.str().substr(1);
}

namespace {

//! Throws unless every value of `option` is one of `known` (what the experiment has).
template <typename T>
void require_known(const char* option, const std::vector<T>& given, const std::vector<T>& known) {
  for (const T& value : given) {
    if (std::find(known.begin(), known.end(), value) != known.end()) continue;
    std::ostringstream list;
    for (size_t i = 0; i < known.size(); ++i) list << (i ? ", " : "") << known[i];
    std::ostringstream what;
    what << value;
    throw ConfigError(std::string(option) + " " + what.str() + ": not in the experiment (it has " +
                      list.str() + ")");
  }
}

}  // namespace

std::set<CellId> selected_cells(const std::vector<std::string>& datasets,
                                const std::vector<ModelEntry>& models,
                                const ModelDependencies& dependencies,
                                const std::vector<int64_t>& seeds, const CellSelection& selection) {
  std::vector<std::string> labels;
  for (const auto& m : models) labels.push_back(m.label);
  require_known("--dataset", selection.datasets, datasets);
  require_known("--model", selection.models, labels);
  require_known("--seed", selection.seeds, seeds);
  auto chosen = [](const auto& list, const auto& value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  // The chosen labels and, transitively, the labels they read.
  std::set<std::string> wanted;
  std::vector<std::string> pending;
  for (const auto& label : labels) {
    if (chosen(selection.models, label)) pending.push_back(label);
  }
  while (!pending.empty()) {
    const std::string label = pending.back();
    pending.pop_back();
    if (!wanted.insert(label).second) continue;
    if (auto it = dependencies.find(label); it != dependencies.end()) {
      for (const auto& d : it->second) pending.push_back(d.label);
    }
  }
  std::set<CellId> cells;
  for (const auto& dataset : datasets) {
    if (!chosen(selection.datasets, dataset)) continue;
    for (const auto& label : wanted) {
      for (int64_t seed : seeds) {
        if (chosen(selection.seeds, seed)) cells.insert({dataset, label, seed});
      }
    }
  }
  return cells;
}

}  // namespace recbench
