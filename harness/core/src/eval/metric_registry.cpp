// The metric registry's table and lookups.
#include "recbench/core/eval/metric_registry.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "recbench/detail/key_check.h"
#include "recbench/error.h"

namespace recbench {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string known_names() {
  std::vector<std::string_view> names;
  for (const auto& m : metric_registry()) names.push_back(m.name);
  return detail::join_keys(names, "", "");
}

}  // namespace

const std::vector<MetricInfo>& metric_registry() {
  static const std::vector<MetricInfo> table{
      {"HR", {"hit"}, MetricKind::rank, true, "the target's rank"},
      {"NDCG", {}, MetricKind::rank, true, "the target's rank"},
      {"MRR", {}, MetricKind::rank, true, "the target's rank"},
      {"Recall", {}, MetricKind::rank, true, "the target's rank"},
      {"Precision", {}, MetricKind::rank, true, "the target's rank"},
      {"MAP", {}, MetricKind::rank, true, "the target's rank"},
      {"Coverage", {"itemcoverage"}, MetricKind::list, true, "every user's top-K list"},
      {"Gini", {"giniindex"}, MetricKind::list, false, "every user's top-K list"},
      {"TailShare",
       {"tailpercentage"},
       MetricKind::list,
       true,
       "every user's top-K list and the training popularity"},
      {"ValidHR",
       {"llara_hr"},
       MetricKind::rank,
       true,
       "the ranks of valid answers only (LLaRA's HR: hits / valid answers)",
       true},
      {"ValidRatio",
       {},
       MetricKind::run,
       true,
       "candidates mode's invalid (all-NaN) answers",
       true},
  };
  return table;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& m : metric_registry()) {
    if (same_name(m.name, name)) return &m;
    for (auto alias : m.aliases) {
      if (same_name(alias, name)) return &m;
    }
  }
  return nullptr;
}

const MetricInfo& require_metric(std::string_view name) {
  if (const MetricInfo* m = find_metric(name)) return *m;
  throw ConfigError("unknown metric '" + std::string(name) + "' (known: " + known_names() + ")");
}

std::vector<std::string> listable_metrics() {
  std::vector<std::string> out;
  for (const auto& m : metric_registry()) {
    if (m.kind != MetricKind::run) out.emplace_back(m.name);
  }
  return out;
}

std::string MetricKey::text() const {
  return info->kind == MetricKind::run ? std::string(info->name)
                                       : std::string(info->name) + "@" + std::to_string(k);
}

bool MetricKey::better(double a, double b) const { return info->higher_is_better ? a > b : a < b; }

MetricKey parse_metric_key(std::string_view text) {
  const auto at = text.find('@');
  MetricKey key{&require_metric(text.substr(0, at)), 0};
  if (key.info->kind == MetricKind::run) {
    if (at != std::string_view::npos) {
      throw ConfigError("metric '" + std::string(text) + "': " + std::string(key.info->name) +
                        " takes no cut-off @K");
    }
    return key;
  }
  const auto digits = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), key.k);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || key.k < 1) {
    throw ConfigError("metric '" + std::string(text) + "': expected " +
                      std::string(key.info->name) + "@K with a cut-off K >= 1, e.g. " +
                      std::string(key.info->name) + "@10");
  }
  return key;
}

}  // namespace recbench
