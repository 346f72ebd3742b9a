// Results records of datasets and cells.
#include "cell_record.h"

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

std::string defaults_toml(const std::vector<ParamSpec>& specs) {
  toml::table defaults;
  for (const ParamSpec& spec : specs) {
    // default_value is a TOML value; parsing it as one keeps its type for the comparison.
    toml::table one = toml::parse("value = " + spec.default_value);
    defaults.insert_or_assign(spec.key, std::move(*one.get("value")));
  }
  std::ostringstream s;
  s << defaults;
  return s.str();
}

std::string cell_config(const RunEnv& env, const std::string& dataset, const ModelEntry& model,
                        int64_t seed, const ResolvedParams& params) {
  toml::table cell{
      {"dataset", dataset},         {"model", model.label},
      {"plugin", model.plugin},     {"seed", seed},
      {"device", env.device.str()}, {"threads", static_cast<int64_t>(at::get_num_threads())}};
  toml::table root{{"cell", cell},
                   {"params", toml::parse(params.values)},
                   {"defaults", toml::parse(params.defaults)},
                   {"evaluation", protocol_table(*env.config)}};
  std::ostringstream s;
  s << root;
  return s.str();
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
