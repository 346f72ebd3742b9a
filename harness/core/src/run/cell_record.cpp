// Results records of datasets and cells.
#include "cell_record.h"

#include <map>
#include <sstream>

#include <torch/torch.h>

namespace recbench::run_detail {
namespace {

//! The protocol as TOML, stored with every cell.
toml::table protocol_table(const ExperimentConfig& cfg) {
  const EvalProtocol& e = cfg.protocol;
  toml::array metrics, topk;
  for (const auto& m : e.metrics) metrics.push_back(m);
  for (int64_t k : e.topk) topk.push_back(k);
  return toml::table{{"mode", std::string(kEvalModes(e.mode))},
                     {"metrics", metrics},
                     {"topk", topk},
                     {"tie_policy", std::string(kTiePolicies(e.ties))},
                     {"mask_history", e.mask_history},
                     {"batch_size", e.batch_size},
                     {"negatives", e.negatives},
                     {"sampling", e.sampling},
                     {"candidates", e.candidates},
                     {"tail_ratio", e.tail_ratio},
                     {"valid_metric", cfg.valid_metric},
                     {"patience", cfg.patience},
                     {"candidate_seed", static_cast<int64_t>(cfg.candidate_seed)}};
}

//! Every leaf of `node` under `prefix` ("params.epochs" -> "20"); arrays are leaves.
void flatten(const toml::node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (const toml::table* t = node.as_table()) {
    for (const auto& [key, child] : *t) {
      flatten(child, prefix + "." + std::string(key.str()), out);
    }
    return;
  }
  std::ostringstream s;
  node.visit([&](const auto& value) { s << value; });
  out[prefix] = s.str();
}

}  // namespace

DatasetRecord dataset_record(const DatasetState& ds) {
  DatasetRecord rec{ds.data.name, ds.data.fingerprint, ds.data.recipe_toml, {}, {}};
  const DatasetStats& st = ds.data.stats;
  rec.stats = {{"users", double(st.users)},
               {"items", double(st.items)},
               {"interactions", double(st.interactions)},
               {"avg_length", st.avg_length},
               {"density", st.density},
               {"raw_interactions", double(st.raw_interactions)},
               {"dropped_filter", double(st.dropped_filter)},
               {"skipped_lines", double(st.skipped_lines)}};
  auto put = [&](const char* split, const std::optional<CandidateLists>& c) {
    if (c) rec.candidates[split] = {c->items, {c->rows, c->width}};
  };
  put("valid", ds.valid_candidates);
  put("test", ds.test_candidates);
  return rec;
}

std::string cell_config(const RunEnv& env, const std::string& dataset, const ModelEntry& model,
                        int64_t seed, const std::string& params_toml) {
  toml::table cell{
      {"dataset", dataset},         {"model", model.label},
      {"plugin", model.plugin},     {"seed", seed},
      {"device", env.device.str()}, {"threads", static_cast<int64_t>(at::get_num_threads())}};
  toml::table root{{"cell", cell},
                   {"params", toml::parse(params_toml)},
                   {"evaluation", protocol_table(*env.config)}};
  std::ostringstream s;
  s << root;
  return s.str();
}

std::vector<std::string> changed_settings(const std::string& stored, const std::string& current) {
  std::map<std::string, std::string> before, now;
  const toml::table a = toml::parse(stored), b = toml::parse(current);
  for (const char* part : {"params", "evaluation"}) {
    if (const auto* t = a.get(part)) flatten(*t, part, before);
    if (const auto* t = b.get(part)) flatten(*t, part, now);
  }
  // Ranks do not depend on the evaluation batch (EvaluateFull.ResultsDoNotDependOnBatchSize...).
  before.erase("evaluation.batch_size");
  now.erase("evaluation.batch_size");
  std::vector<std::string> changes;
  auto it = before.begin();
  auto jt = now.begin();
  while (it != before.end() || jt != now.end()) {
    if (jt == now.end() || (it != before.end() && it->first < jt->first)) {
      changes.push_back(it->first + ": " + it->second + " there, absent now");
      ++it;
    } else if (it == before.end() || jt->first < it->first) {
      changes.push_back(jt->first + ": absent there, " + jt->second + " now");
      ++jt;
    } else {
      if (it->second != jt->second) {
        changes.push_back(it->first + ": " + it->second + " there, " + jt->second + " now");
      }
      ++it;
      ++jt;
    }
  }
  return changes;
}

void record_test(CellRecord& cell, const EvalResult& result, const EvalSet& test) {
  cell.metrics = result.metrics;
  cell.users = test.histories.users;
  cell.rank_greater = result.greater;
  cell.rank_ties = result.ties;
  cell.ranks = result.ranks;
  cell.eval_seconds = result.seconds;
}

}  // namespace recbench::run_detail
