// Dataset recipes: strict parsing of a recipe's TOML table into a Recipe (positions in errors).
#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "recbench/core/data/dataset.h"
#include "recbench/core/readers/raw_reader.h"
#include "recbench/core/synth/synthetic_world.h"
#include "recbench/detail/key_check.h"
#include "recbench/error.h"

namespace recbench {
namespace {

//! Throws ConfigError("source:line:column: key: what"); the position is left out when unknown.
[[noreturn]] void fail_at(const std::string& source, const toml::source_region& at,
                          std::string_view key, const std::string& what) {
  std::ostringstream s;
  s << source;
  if (at.begin.line > 0) {
    s << ':' << at.begin.line << ':' << at.begin.column;
  }
  s << ": " << key << ": " << what;
  throw ConfigError(s.str());
}

//! Reads one TOML table with a closed set of keys; every error names file:line:column and key.
class StrictTable {
 public:
  StrictTable(const toml::table& table, std::string prefix, const std::string& source,
              std::vector<std::string> known)
      : table_(table), prefix_(std::move(prefix)), source_(source), known_(std::move(known)) {
    if (auto it = detail::find_unknown_key(table_, known_); it != table_.end()) {
      fail(it->first.source(), it->first.str(),
           "unknown key (known keys: " + detail::join_keys(known_, prefix_, "") + ")");
    }
  }

  const toml::node* get(std::string_view key) const { return table_.get(key); }

  [[noreturn]] void fail(const toml::source_region& at, std::string_view key,
                         const std::string& what) const {
    fail_at(source_, at, prefix_ + std::string(key), what);
  }
  [[noreturn]] void fail(const toml::node& node, std::string_view key,
                         const std::string& what) const {
    fail(node.source(), key, what);
  }

  std::string text(std::string_view key, std::string def) const {
    const toml::node* node = get(key);
    if (node == nullptr) {
      return def;
    }
    auto value = node->value_exact<std::string>();
    if (!value) {
      fail(*node, key, "expected a string, got " + type_name(*node));
    }
    return *value;
  }

  std::string choice(std::string_view key, std::string def,
                     const std::vector<std::string>& choices) const {
    std::string value = text(key, std::move(def));
    if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
      std::string list;
      for (const auto& c : choices) {
        list += (list.empty() ? "\"" : ", \"") + c + "\"";
      }
      fail(*get(key), key, "expected one of " + list + ", got \"" + value + "\"");
    }
    return value;
  }

  int64_t integer(std::string_view key, int64_t def, int64_t min,
                  int64_t max = std::numeric_limits<int64_t>::max()) const {
    const toml::node* node = get(key);
    if (node == nullptr) {
      return def;
    }
    auto value = node->value_exact<int64_t>();
    if (!value) {
      fail(*node, key, "expected an integer, got " + type_name(*node));
    }
    if (*value < min || *value > max) {
      std::string range = max == std::numeric_limits<int64_t>::max()
                              ? ">= " + std::to_string(min)
                              : "in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
      fail(*node, key, "expected an integer " + range + ", got " + std::to_string(*value));
    }
    return *value;
  }

  bool flag(std::string_view key, bool def) const {
    const toml::node* node = get(key);
    if (node == nullptr) {
      return def;
    }
    auto value = node->value_exact<bool>();
    if (!value) {
      fail(*node, key, "expected true or false, got " + type_name(*node));
    }
    return *value;
  }

  const toml::table* subtable(std::string_view key) const {
    const toml::node* node = get(key);
    if (node == nullptr) {
      return nullptr;
    }
    if (!node->is_table()) {
      fail(*node, key, "expected a table, got " + type_name(*node));
    }
    return node->as_table();
  }

  static std::string type_name(const toml::node& node) {
    std::ostringstream s;
    s << node.type();
    return s.str();
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& source_;
  std::vector<std::string> known_;
};

void parse_files(const StrictTable& top, const std::string& source, Recipe& recipe) {
  const toml::table* files = top.subtable("files");
  if (files == nullptr) {
    return;
  }
  for (const auto& [role, node] : *files) {
    auto path = node.value_exact<std::string>();
    if (!path || path->empty()) {
      fail_at(source, node.source(), "files." + std::string(role.str()),
              "expected a file path (a non-empty string)");
    }
    recipe.files[std::string(role.str())] = *path;
  }
}

void parse_filter(const StrictTable& top, const std::string& source, FilterOptions& filter) {
  const toml::table* table = top.subtable("filter");
  if (table == nullptr) {
    return;
  }
  StrictTable t(*table, "filter.", source, {"user_core", "item_core", "min_length", "dedup"});
  filter.user_core = t.integer("user_core", filter.user_core, 0);
  filter.item_core = t.integer("item_core", filter.item_core, 0);
  filter.min_length = t.integer("min_length", filter.min_length, 3);  // LOO needs 3 items
  filter.dedup = t.flag("dedup", filter.dedup);
}

void parse_split(const StrictTable& top, const std::string& source, SplitOptions& split) {
  const toml::table* table = top.subtable("split");
  if (table == nullptr) {
    return;
  }
  StrictTable t(*table, "split.", source, {"method"});
  split.method = t.choice("method", split.method, {"loo", "given"});
}

//! The "given" split keeps the data's own rows, so no filter may drop or merge any of them.
void check_given_split(const StrictTable& top, const std::string& source, const Recipe& recipe) {
  if (recipe.split.method != "given" || top.subtable("filter") == nullptr) {
    return;
  }
  throw ConfigError(source +
                    ": [filter] cannot be used with split.method = \"given\" (the "
                    "data's own split is kept row for row; remove the [filter] table)");
}

void parse_options(const StrictTable& top, const std::string& source, Recipe& recipe) {
  const toml::table* table = top.subtable("options");
  if (table == nullptr) {
    return;
  }
  for (const auto& [key, node] : *table) {
    std::optional<double> value = node.value<double>();  // integers and floats
    if (auto b = node.value_exact<bool>()) {
      value = *b ? 1.0 : 0.0;
    }
    if (!value) {
      fail_at(source, node.source(), "options." + std::string(key.str()),
              "expected a number, got " + StrictTable::type_name(node));
    }
    recipe.options[std::string(key.str())] = *value;
  }
}

//! [reader]: format-specific settings; strings verbatim, booleans and numbers as TOML writes them.
void parse_reader(const StrictTable& top, const std::string& source, Recipe& recipe) {
  const toml::table* table = top.subtable("reader");
  if (table == nullptr) return;
  for (const auto& [key, node] : *table) {
    std::string value;
    if (auto text = node.value_exact<std::string>()) {
      value = *text;
    } else if (auto flag = node.value_exact<bool>()) {
      value = *flag ? "true" : "false";
    } else if (auto integer = node.value_exact<int64_t>()) {
      value = std::to_string(*integer);
    } else if (auto real = node.value_exact<double>()) {
      std::ostringstream s;
      s << *real;
      value = s.str();
    } else {
      fail_at(source, node.source(), "reader." + std::string(key.str()),
              "expected a string, boolean or number, got " + StrictTable::type_name(node));
    }
    recipe.reader[std::string(key.str())] = value;
  }
}

//! [synthesize]: dataset (one the synthetic world writes), seed, scale.
void parse_synthesize(const StrictTable& top, const std::string& source, Recipe& recipe) {
  const toml::table* table = top.subtable("synthesize");
  if (table == nullptr) return;
  StrictTable t(*table, "synthesize.", source, {"dataset", "seed", "scale"});
  SynthesizeOptions o;
  const auto& known = synthetic_world_datasets();
  if (t.get("dataset") == nullptr) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    t.fail(table->source(), "dataset", "missing (the world's dataset to write: " + list + ")");
  }
  o.dataset = t.choice("dataset", "", known);
  o.seed = static_cast<uint64_t>(t.integer("seed", 0, 0));
  if (const toml::node* node = t.get("scale")) {
    const std::optional<double> scale = node->value<double>();
    if (!scale || node->is_boolean()) {
      t.fail(*node, "scale", "expected a number, got " + StrictTable::type_name(*node));
    }
    if (!(*scale > 0.0 && *scale <= 1000.0)) {
      t.fail(*node, "scale", fmt::format("expected a number in (0, 1000], got {}", *scale));
    }
    o.scale = *scale;
  }
  recipe.synthesize = o;
}

std::vector<std::string> parse_text_fields(const StrictTable& top) {
  const toml::node* node = top.get("text_fields");
  if (node == nullptr) {
    return {"title"};
  }
  std::vector<std::string> fields;
  const toml::array* array = node->as_array();
  if (array != nullptr) {
    for (const auto& element : *array) {
      auto value = element.value_exact<std::string>();
      if (!value) {
        array = nullptr;
        break;
      }
      fields.push_back(*value);
    }
  }
  if (array == nullptr) {
    top.fail(*node, "text_fields", "expected an array of field names");
  }
  return fields;
}

}  // namespace

Recipe parse_recipe(const toml::table& table, const std::string& source,
                    const std::filesystem::path& base_dir) {
  Recipe recipe;
  recipe.source = source;
  recipe.base_dir = base_dir;
  StrictTable top(table, "", source,
                  {"name", "format", "on_error", "seed", "max_history", "text_fields", "files",
                   "filter", "split", "options", "reader", "download_hint", "card", "synthesize"});
  recipe.name = top.text("name", std::filesystem::path(source).stem().string());
  if (recipe.name.empty()) {
    top.fail(table.source(), "name", "expected a non-empty name");
  }
  if (top.get("format") == nullptr) {
    top.fail(table.source(), "format", "missing (the raw format, e.g. \"atomic\")");
  }
  recipe.format = top.text("format", "");
  const auto formats = raw_formats();
  if (std::find(formats.begin(), formats.end(), recipe.format) == formats.end()) {
    std::string list;
    for (const auto& f : formats) {
      list += (list.empty() ? "" : ", ") + f;
    }
    top.fail(*top.get("format"), "format",
             "unknown format \"" + recipe.format + "\" (known formats: " + list + ")");
  }
  recipe.on_error = top.choice("on_error", recipe.on_error, {"fail", "skip"});
  recipe.seed = static_cast<uint64_t>(top.integer("seed", 0, 0));
  recipe.max_history = static_cast<int32_t>(
      top.integer("max_history", recipe.max_history, 1, std::numeric_limits<int32_t>::max()));
  recipe.text_fields = parse_text_fields(top);
  parse_files(top, source, recipe);
  parse_filter(top, source, recipe.filter);
  parse_split(top, source, recipe.split);
  check_given_split(top, source, recipe);
  parse_options(top, source, recipe);
  parse_reader(top, source, recipe);
  recipe.download_hint = top.text("download_hint", "");
  recipe.card = top.text("card", "");
  parse_synthesize(top, source, recipe);
  std::ostringstream text;
  text << table;
  recipe.toml_text = text.str();
  return recipe;
}

Recipe load_recipe(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path.string() + ": cannot open recipe file");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  toml::table table;
  try {
    table = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << path.string() << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
      << e.description();
    throw ConfigError(s.str());
  }
  Recipe recipe = parse_recipe(table, path.string(), path.parent_path());
  recipe.toml_text = text;  // verbatim, comments included
  return recipe;
}

}  // namespace recbench
