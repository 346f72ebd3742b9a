// Experiment loading: TOML file + --set overrides -> a validated ExperimentConfig.
#include "recbench/core/config/experiment.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "recbench/core/eval/metric_registry.h"
#include "recbench/detail/key_check.h"
#include "recbench/detail/params_toml.h"
#include "recbench/error.h"

namespace recbench {

namespace {

std::string position(const std::string& file, const toml::node& node) {
  std::ostringstream s;
  s << file;
  if (node.source().begin.line > 0) {
    s << ':' << node.source().begin.line << ':' << node.source().begin.column;
  }
  return s.str();
}

//! The element of an array of tables whose `key` equals `value`, or null.
toml::table* find_entry(toml::array& array, const std::string& key, const std::string& value) {
  for (toml::node& el : array) {
    if (auto* t = el.as_table(); t && t->get(key) && t->get(key)->value<std::string>() == value) {
      return t;
    }
  }
  return nullptr;
}

toml::table parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << source << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
      << e.description();
    throw ConfigError(s.str());
  }
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot open experiment file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void check_keys(const toml::table& table, const std::set<std::string>& known,
                const std::string& owner, const std::string& file) {
  if (auto it = detail::find_unknown_key(table, known); it != table.end()) {
    throw ConfigError(position(file, it->second) + ": " + owner + (owner.empty() ? "" : ".") +
                      std::string(it->first.str()) +
                      ": unknown key; known keys: " + detail::join_keys(known));
  }
}

const toml::table* sub_table(const toml::table& root, const std::string& key,
                             const std::string& file) {
  const toml::node* node = root.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    throw ConfigError(position(file, *node) + ": " + key + ": expected a table");
  }
  return node->as_table();
}

void read_experiment_section(ExperimentConfig& cfg, const toml::table& root,
                             const std::string& file) {
  Params p = make_params("experiment", sub_table(root, "experiment", file), file);
  cfg.name = p.text("name", cfg.source.stem().string(), "experiment name");
  cfg.output = p.text("output", "results/" + cfg.name + ".h5", "results file (HDF5)");
  cfg.cache_dir = p.text("cache_dir", ".cache/recbench", "prepared-dataset cache folder");
  cfg.seeds = p.integers("seeds", {0}, "master seed of each repetition");
  cfg.device = p.choice("device", "cpu", {"cpu", "cuda"}, "device of every model");
  cfg.precision =
      p.choice("precision", "auto", {"auto", "fp32", "bf16-mixed", "fp16-mixed", "bf16"},
               "precision policy of every model (auto: fp32 on CPU, bf16-mixed on CUDA)");
  cfg.threads = p.integer("threads", 0, "LibTorch threads (0 = default)", 0, 1024);
  cfg.log_level =
      p.choice("log_level", "info", {"trace", "debug", "info", "warn", "error", "critical", "off"},
               "console and log-file level");
  p.finish();
  if (cfg.seeds.empty()) throw ConfigError(file + ": experiment.seeds: expected at least one");
  if (std::set<int64_t>(cfg.seeds.begin(), cfg.seeds.end()).size() != cfg.seeds.size()) {
    throw ConfigError(file + ": experiment.seeds: seeds must be distinct");
  }
}

//! Whether the protocol computes `key`: a listed metric at a listed K, or a run metric of
//! candidates mode (`metrics` in the registry's spelling).
bool computes(const EvalProtocol& e, const MetricKey& key) {
  return key.info->kind == MetricKind::run
             ? e.mode == EvalMode::candidates
             : std::count(e.metrics.begin(), e.metrics.end(), key.info->name) > 0 &&
                   std::count(e.topk.begin(), e.topk.end(), key.k) > 0;
}

//! Canonical metric names from the registry, checked before anything trains: every metric known,
//! none twice, cut-offs distinct and >= 1, and valid_metric one of the metrics computed.
void check_metrics(ExperimentConfig& cfg, const std::string& file) {
  EvalProtocol& e = cfg.protocol;
  const auto fail = [&](const std::string& key, const std::string& what) {
    throw ConfigError(file + ": evaluation." + key + ": " + what);
  };
  if (e.metrics.empty()) fail("metrics", "expected at least one metric");
  if (e.topk.empty()) fail("topk", "expected at least one cut-off");
  std::vector<std::string> names;
  for (const auto& m : e.metrics) {
    const MetricInfo* info = find_metric(m);
    if (info == nullptr || info->kind == MetricKind::run) {
      fail("metrics",
           "unknown metric '" + m + "' (known: " + detail::join_keys(listable_metrics()) + ")");
    }
    if (std::find(names.begin(), names.end(), info->name) != names.end()) {
      fail("metrics", "metric '" + m + "' is listed twice");
    }
    if (info->candidates_only && e.mode != EvalMode::candidates) {
      fail("metrics", "'" + std::string(info->name) +
                          "' is computed in mode = \"candidates\" "
                          "only (" +
                          std::string(info->needs) + ")");
    }
    names.emplace_back(info->name);
  }
  e.metrics = names;
  for (int64_t k : e.topk) {
    if (k < 1 || std::count(e.topk.begin(), e.topk.end(), k) > 1) {
      fail("topk", "cut-offs must be distinct and >= 1 (got " + std::to_string(k) + ")");
    }
  }
  MetricKey key;
  try {
    key = parse_metric_key(cfg.valid_metric);
  } catch (const ConfigError& error) {
    fail("valid_metric", error.what());
  }
  if (!computes(e, key)) {
    fail("valid_metric",
         "'" + cfg.valid_metric + "' is not among the computed metrics (metrics x topk" +
             std::string(e.mode == EvalMode::candidates ? ", ValidRatio" : "") + ")");
  }
  cfg.valid_metric = key.text();
}

void read_evaluation_section(ExperimentConfig& cfg, const toml::table& root,
                             const std::string& file) {
  Params p = make_params("evaluation", sub_table(root, "evaluation", file), file);
  EvalProtocol& e = cfg.protocol;
  e.mode = kEvalModes.parse(p.choice("mode", "full", kEvalModes.list(),
                                     "rank against all items, sampled negatives, or fixed lists"));
  e.metrics = p.texts("metrics", e.metrics, "metric names (HR, NDCG, MRR, Recall, ...)");
  e.topk = p.integers("topk", e.topk, "cut-offs K");
  e.ties = kTiePolicies.parse(
      p.choice("tie_policy", "pessimistic", kTiePolicies.list(), "tie handling"));
  e.mask_history = p.flag("mask_history", false, "full mode: exclude history items");
  e.batch_size = p.integer("batch_size", 256, "evaluation batch size", 1);
  e.negatives = p.integer("negatives", 100, "sampled mode: negatives per user", 1);
  e.sampling = p.choice("sampling", "uniform", {"uniform", "popularity"}, "negative sampling");
  e.candidates = p.integer("candidates", 20, "candidates mode: list length", 2);
  e.tail_ratio = p.real("tail_ratio", 0.2, "share of least popular items counted as tail", 0, 1);
  cfg.valid_metric = p.text("valid_metric", "NDCG@10", "early-stopping metric");
  cfg.patience = p.integer("patience", 5, "epochs without improvement before stopping", 1);
  cfg.candidate_seed =
      static_cast<uint64_t>(p.integer("candidate_seed", 0, "seed of the stored negative lists", 0));
  p.finish();
  check_metrics(cfg, file);
}

Recipe read_dataset_entry(const toml::table& entry, const std::filesystem::path& experiment) {
  const std::string file = experiment.string();
  toml::table merged;
  std::string source = file;
  std::filesystem::path base = experiment.parent_path();
  if (const toml::node* r = entry.get("recipe")) {
    auto path_text = r->value<std::string>();
    if (!path_text) throw ConfigError(position(file, *r) + ": datasets.recipe: expected a path");
    std::filesystem::path path = base / *path_text;
    if (!std::filesystem::exists(path)) {
      throw ConfigError(position(file, *r) + ": datasets.recipe: no such file " + path.string());
    }
    merged = parse_toml(read_file(path), path.string());
    source = path.string();
    base = path.parent_path();
  }
  for (const auto& [key, node] : entry) {  // inline keys refine the recipe
    if (key.str() != "recipe") merged.insert_or_assign(key.str(), node);
  }
  Recipe recipe = parse_recipe(merged, source, base);
  std::ostringstream text;
  text << merged;
  recipe.toml_text = text.str();
  return recipe;
}

//! Reads the array of recipe tables `key` ([[datasets]] or [[corpora]]); names are unique over
//! both arrays (`names` collects them).
void read_recipes(std::vector<Recipe>& out, const toml::table& root, const std::string& key,
                  const std::filesystem::path& experiment, std::set<std::string>& names) {
  const std::string file = experiment.string();
  const toml::node* array = root.get(key);
  if (array == nullptr) return;
  if (!array->is_array()) {
    throw ConfigError(position(file, *array) + ": " + key + ": expected an array of tables");
  }
  for (const toml::node& node : *array->as_array()) {
    if (!node.is_table())
      throw ConfigError(position(file, node) + ": " + key + ": expected tables");
    out.push_back(read_dataset_entry(*node.as_table(), experiment));
    if (!names.insert(out.back().name).second) {
      throw ConfigError(position(file, node) + ": " + key + ": duplicate name '" + out.back().name +
                        "' (datasets and corpora need distinct names)");
    }
  }
}

void read_entries(ExperimentConfig& cfg, const toml::table& root, const std::string& file) {
  std::set<std::string> names;
  read_recipes(cfg.datasets, root, "datasets", cfg.source, names);
  read_recipes(cfg.corpora, root, "corpora", cfg.source, names);
  std::set<std::string> labels;
  if (const toml::array* models = root["models"].as_array()) {
    for (const toml::node& node : *models) {
      const toml::table* t = node.as_table();
      if (t == nullptr) throw ConfigError(position(file, node) + ": models: expected tables");
      check_keys(*t, {"label", "plugin", "params"}, "models", file);
      ModelEntry m;
      m.plugin = t->get("plugin") ? t->get("plugin")->value_or(std::string()) : "";
      if (m.plugin.empty()) {
        throw ConfigError(position(file, node) + ": models.plugin: expected a plugin name");
      }
      m.label = t->get("label") ? t->get("label")->value_or(std::string()) : m.plugin;
      if (const toml::node* params = t->get("params")) {
        if (!params->is_table()) {
          throw ConfigError(position(file, *params) + ": models.params: expected a table");
        }
        m.positions = key_positions(*params->as_table());  // before the copy drops them
        m.params = *params->as_table();
      }
      if (!labels.insert(m.label).second) {
        throw ConfigError(position(file, node) + ": models: duplicate label '" + m.label +
                          "' (give each entry a distinct label)");
      }
      cfg.models.push_back(std::move(m));
    }
  }
  if (cfg.datasets.empty()) throw ConfigError(file + ": expected at least one [[datasets]] entry");
  if (cfg.models.empty()) throw ConfigError(file + ": expected at least one [[models]] entry");
}

//! Reads the [[reference]] tables of `root`.
std::vector<PublishedValue> references_of(const toml::table& root, const std::string& file) {
  std::vector<PublishedValue> out;
  const toml::node* array = root.get("reference");
  if (array == nullptr) return out;
  if (!array->is_array()) {
    throw ConfigError(position(file, *array) + ": reference: expected an array of tables");
  }
  for (const toml::node& node : *array->as_array()) {
    const toml::table* t = node.as_table();
    if (t == nullptr) throw ConfigError(position(file, node) + ": reference: expected tables");
    check_keys(*t, {"source", "dataset", "model", "metric", "value", "note"}, "reference", file);
    PublishedValue ref;
    const auto text = [&](const char* key, bool required) {
      const toml::node* v = t->get(key);
      if (v == nullptr && !required) return std::string();
      if (v == nullptr || !v->is_string() || v->as_string()->get().empty()) {
        throw ConfigError(position(file, v != nullptr ? *v : node) + ": reference." + key +
                          ": expected a non-empty string");
      }
      return v->as_string()->get();
    };
    ref.source = text("source", true);
    ref.dataset = text("dataset", true);
    ref.model = text("model", true);
    ref.note = text("note", false);
    const std::string metric = text("metric", true);
    try {
      ref.metric = parse_metric_key(metric).text();
    } catch (const ConfigError& error) {
      throw ConfigError(position(file, *t->get("metric")) + ": reference.metric: " + error.what());
    }
    const toml::node* value = t->get("value");
    if (value == nullptr || !value->is_number()) {
      throw ConfigError(position(file, value != nullptr ? *value : node) +
                        ": reference.value: expected a number");
    }
    ref.value = value->value<double>().value();
    out.push_back(std::move(ref));
  }
  return out;
}

//! Every reference names a dataset and a model label of the experiment; errors point at the key
//! (cfg.references holds root's [[reference]] tables in order).
void check_references(const ExperimentConfig& cfg, const toml::table& root,
                      const std::string& file) {
  for (size_t i = 0; i < cfg.references.size(); ++i) {
    const PublishedValue& ref = cfg.references[i];
    const toml::table& table = *root["reference"][i].as_table();
    const auto where = [&](const char* key) {
      return position(file, *table.get(key)) + ": reference." + key + " (" + ref.source + "): ";
    };
    if (std::none_of(cfg.datasets.begin(), cfg.datasets.end(),
                     [&](const Recipe& r) { return r.name == ref.dataset; })) {
      throw ConfigError(where("dataset") + "'" + ref.dataset + "' is not a [[datasets]] name");
    }
    if (std::none_of(cfg.models.begin(), cfg.models.end(),
                     [&](const ModelEntry& m) { return m.label == ref.model; })) {
      throw ConfigError(where("model") + "'" + ref.model + "' is not a [[models]] label");
    }
    if (!computes(cfg.protocol, parse_metric_key(ref.metric))) {
      throw ConfigError(where("metric") + "'" + ref.metric +
                        "' is not computed by this experiment (evaluation.metrics x topk)");
    }
  }
}

//! An experiment's text as a results file stores it, parsed, with the "# --set key=value" lines
//! that load_experiment appends to it applied again (they are the file's last lines).
toml::table stored_root(std::string_view text, const std::string& source) {
  toml::table root = parse_toml(text, source);
  std::vector<std::string> overrides;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# --set ", 0) == 0) {
      overrides.push_back(line.substr(8));
    } else if (!line.empty()) {
      overrides.clear();  // only the trailing block is overrides
    }
  }
  for (const auto& o : overrides) apply_override(root, o);
  return root;
}

}  // namespace

std::vector<PublishedValue> read_references(std::string_view experiment_toml,
                                            const std::string& source) {
  return references_of(stored_root(experiment_toml, source), source);
}

TiePolicy stored_tie_policy(std::string_view experiment_toml, const std::string& source) {
  const toml::table root = stored_root(experiment_toml, source);
  const auto ties = root["evaluation"]["tie_policy"].value<std::string>();
  return ties ? kTiePolicies.parse(*ties) : TiePolicy::pessimistic;
}

void apply_override(toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set " + assignment + ": expected key=value");
  }
  const std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  std::vector<std::string> parts;
  std::stringstream s(key);
  for (std::string part; std::getline(s, part, '.');) parts.push_back(part);

  toml::table* table = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    toml::node* next = table->get(parts[i]);
    if (next != nullptr && next->is_array() && i + 2 < parts.size() &&
        (parts[i] == "models" || parts[i] == "datasets" || parts[i] == "corpora")) {
      const std::string id = parts[i] == "models" ? "label" : "name";
      toml::table* entry = find_entry(*next->as_array(), id, parts[i + 1]);
      if (entry == nullptr && parts[i] == "models") {
        entry = find_entry(*next->as_array(), "plugin", parts[i + 1]);
      }
      if (entry == nullptr) {
        std::string what = "--set " + key;
        what += ": no " + parts[i] + " entry with " + id + " '" + parts[i + 1] + "'";
        throw ConfigError(what);
      }
      table = entry;
      ++i;
      continue;
    }
    if (next == nullptr) next = table->insert(parts[i], toml::table{}).first->second.as_table();
    if (!next->is_table()) throw ConfigError("--set " + key + ": '" + parts[i] + "' is no table");
    table = next->as_table();
  }
  try {
    const std::string text = "v = " + value;
    toml::table parsed = toml::parse(std::string_view(text), std::string_view("--set"));
    table->insert_or_assign(parts.back(), *parsed.get("v"));
  } catch (const toml::parse_error&) {
    table->insert_or_assign(parts.back(), value);  // bare words are strings
  }
}

ExperimentConfig load_experiment(const std::filesystem::path& file,
                                 const std::vector<std::string>& overrides) {
  ExperimentConfig cfg;
  cfg.source = file;
  cfg.text = read_file(file);
  toml::table root = parse_toml(cfg.text, file.string());
  for (const auto& o : overrides) {
    apply_override(root, o);
    cfg.text += "\n# --set " + o;
  }
  const std::string source = file.string();
  check_keys(root, {"experiment", "evaluation", "datasets", "models", "corpora", "reference"}, "",
             source);
  read_experiment_section(cfg, root, source);
  read_evaluation_section(cfg, root, source);
  read_entries(cfg, root, source);
  cfg.references = references_of(root, source);
  check_references(cfg, root, source);
  return cfg;
}

}  // namespace recbench
