// Checks the dependencies between model entries and orders the entries so dependencies train first.
#include "recbench/core/run/model_order.h"

#include <algorithm>

#include "recbench/error.h"

namespace recbench {
namespace {

std::string where(const ModelEntry& entry, const ModelDependency& d, const std::string& source) {
  std::string out = source;
  auto it = entry.positions.find(d.key);
  if (it != entry.positions.end()) {
    out += ":" + std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
  }
  return out + ": models." + entry.label + ".params." + d.key;
}

const std::vector<ModelDependency>& of(const ModelDependencies& deps, const std::string& label) {
  static const std::vector<ModelDependency> kNone;
  auto it = deps.find(label);
  return it == deps.end() ? kNone : it->second;
}

//! Depth-first search from `label`; throws on reaching a label on the current path.
void visit(const std::string& label, const ModelDependencies& deps, std::vector<std::string>& path,
           std::vector<std::string>& finished) {
  if (std::find(finished.begin(), finished.end(), label) != finished.end()) return;
  auto on_path = std::find(path.begin(), path.end(), label);
  if (on_path != path.end()) {
    std::string cycle;
    for (auto it = on_path; it != path.end(); ++it) cycle += *it + " -> ";
    throw ConfigError("model entries depend on each other in a cycle: " + cycle + label);
  }
  path.push_back(label);
  for (const auto& d : of(deps, label)) visit(d.label, deps, path, finished);
  path.pop_back();
  finished.push_back(label);
}

}  // namespace

std::vector<size_t> order_models(const std::vector<ModelEntry>& models,
                                 const ModelDependencies& dependencies, const std::string& source) {
  std::vector<std::string> labels;
  for (const auto& m : models) labels.push_back(m.label);
  for (const auto& m : models) {
    for (const auto& d : of(dependencies, m.label)) {
      if (std::find(labels.begin(), labels.end(), d.label) != labels.end()) continue;
      std::string known;
      for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
      throw ConfigError(where(m, d, source) + ": no model entry is labelled '" + d.label +
                        "' (labels: " + known + ")");
    }
  }
  std::vector<std::string> path, finished;
  for (const auto& l : labels) visit(l, dependencies, path, finished);
  std::vector<size_t> order;  // post-order of the DFS in experiment order: dependencies first
  for (const auto& l : finished) {
    order.push_back(
        static_cast<size_t>(std::find(labels.begin(), labels.end(), l) - labels.begin()));
  }
  return order;
}

}  // namespace recbench
