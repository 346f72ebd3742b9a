// Dependencies between model entries (e.g. RSLLM reads SASRec's embeddings): checks and order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "recbench/core/config/experiment.h"
#include "recbench/plugin.h"

namespace recbench {

//! What each entry (by label) declared through PluginContext::depend_on().
using ModelDependencies = std::map<std::string, std::vector<ModelDependency>>;

/// Indices of `models` in training order: every entry after the entries it depends on, otherwise
/// the experiment's order. Throws ConfigError naming `source`, the entry and its key for a label
/// that no entry has (listing the labels that exist), and listing the cycle for a cycle.
std::vector<size_t> order_models(const std::vector<ModelEntry>& models,
                                 const ModelDependencies& dependencies, const std::string& source);

}  // namespace recbench
