// Helpers shared by the evaluator's sources: metric names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recbench/core/eval/metric_registry.h"

namespace recbench::eval_detail {

//! The canonical spelling of a metric name (the registry's); throws ConfigError listing the
//! known names.
inline std::string canonical_metric(const std::string& name) {
  return std::string(require_metric(name).name);
}
//! True for metrics computed from top-K lists (Coverage, Gini, TailShare).
inline bool is_list_metric(const std::string& name) {
  return require_metric(name).kind == MetricKind::list;
}

}  // namespace recbench::eval_detail
