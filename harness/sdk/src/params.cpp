// Params: typed reads of a plugin's TOML table with defaults, bounds and unknown-key detection.
#include "recbench/params.h"

#include <algorithm>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "recbench/detail/key_check.h"
#include "recbench/detail/params_toml.h"
#include "recbench/error.h"

namespace recbench {

struct Params::Impl {
  std::string owner, source;
  toml::table given;
  toml::table resolved;
  std::vector<ParamSpec> specs;
  std::set<std::string, std::less<>> declared;
  KeyPositions positions;  //!< fallback for nodes that lost theirs in a copy

  //! "file:line:column: owner.key" for a node, or "owner.key (file)" when it has no position.
  std::string where(std::string_view key, const toml::node* node) const {
    std::ostringstream s;
    const auto known = positions.find(key);
    if (node != nullptr && node->source().begin.line > 0) {
      s << source << ':' << node->source().begin.line << ':' << node->source().begin.column << ": ";
    } else if (known != positions.end()) {
      s << source << ':' << known->second.line << ':' << known->second.column << ": ";
    } else if (!source.empty()) {
      s << source << ": ";
    }
    s << owner << '.' << key;
    return s.str();
  }

  [[noreturn]] void fail(std::string_view key, const toml::node* node,
                         const std::string& what) const {
    throw ConfigError(where(key, node) + ": " + what);
  }

  const toml::node* lookup(std::string_view key, std::string type, std::string def_text,
                           std::string_view doc) {
    if (declared.insert(std::string(key)).second) {
      specs.push_back({std::string(key), std::move(type), std::move(def_text), std::string(doc)});
    }
    return given.get(key);
  }
};

namespace {

template <typename T>
std::string render(const T& value) {
  std::ostringstream s;
  if constexpr (std::is_same_v<T, std::string>) {
    s << toml::value<std::string>(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    s << (value ? "true" : "false");
  } else {
    s << value;
  }
  return s.str();
}

std::string type_name(const toml::node& node) {
  std::ostringstream s;
  s << node.type();
  return s.str();
}

}  // namespace

Params::Params(std::string owner, std::string_view toml_text, std::string source)
    : impl_(std::make_unique<Impl>()) {
  impl_->owner = std::move(owner);
  impl_->source = std::move(source);
  if (!toml_text.empty()) {
    try {
      impl_->given = toml::parse(toml_text, impl_->source);
    } catch (const toml::parse_error& e) {
      std::ostringstream s;
      s << impl_->source << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
        << e.description();
      throw ConfigError(s.str());
    }
  }
}

KeyPositions key_positions(const toml::table& table) {
  KeyPositions positions;
  for (const auto& [key, node] : table) {
    if (node.source().begin.line > 0) positions.emplace(key.str(), node.source().begin);
  }
  return positions;
}

Params make_params(std::string owner, const toml::table* table, std::string source,
                   const KeyPositions* positions) {
  Params p(std::move(owner), "", std::move(source));
  if (table != nullptr) {
    p.impl().positions = positions != nullptr ? *positions : key_positions(*table);
    p.impl().given = *table;
  }
  return p;
}

Params::~Params() = default;
Params::Params(Params&&) noexcept = default;
Params& Params::operator=(Params&&) noexcept = default;

int64_t Params::integer(std::string_view key, int64_t def, std::string_view doc, int64_t min,
                        int64_t max) {
  const toml::node* node = impl_->lookup(key, "int", render(def), doc);
  int64_t value = def;
  if (node != nullptr) {
    auto v = node->value_exact<int64_t>();
    if (!v) impl_->fail(key, node, "expected an integer, got " + type_name(*node));
    value = *v;
  }
  if (value < min || value > max) {
    impl_->fail(
        key, node,
        "expected an integer in [" + render(min) + ", " + render(max) + "], got " + render(value));
  }
  impl_->resolved.insert_or_assign(key, value);
  return value;
}

double Params::real(std::string_view key, double def, std::string_view doc, double min,
                    double max) {
  const toml::node* node = impl_->lookup(key, "float", render(def), doc);
  double value = def;
  if (node != nullptr) {
    auto v = node->value<double>();  // integers are accepted where a float is expected
    if (!v || node->is_boolean()) {
      impl_->fail(key, node, "expected a number, got " + type_name(*node));
    }
    value = *v;
  }
  if (!(value >= min && value <= max)) {
    impl_->fail(
        key, node,
        "expected a number in [" + render(min) + ", " + render(max) + "], got " + render(value));
  }
  impl_->resolved.insert_or_assign(key, value);
  return value;
}

bool Params::flag(std::string_view key, bool def, std::string_view doc) {
  const toml::node* node = impl_->lookup(key, "bool", render(def), doc);
  bool value = def;
  if (node != nullptr) {
    auto v = node->value_exact<bool>();
    if (!v) impl_->fail(key, node, "expected true or false, got " + type_name(*node));
    value = *v;
  }
  impl_->resolved.insert_or_assign(key, value);
  return value;
}

std::string Params::text(std::string_view key, std::string_view def, std::string_view doc) {
  const toml::node* node = impl_->lookup(key, "string", render(std::string(def)), doc);
  std::string value(def);
  if (node != nullptr) {
    auto v = node->value_exact<std::string>();
    if (!v) impl_->fail(key, node, "expected a string, got " + type_name(*node));
    value = *v;
  }
  impl_->resolved.insert_or_assign(key, value);
  return value;
}

std::string Params::choice(std::string_view key, std::string_view def,
                           const std::vector<std::string>& choices, std::string_view doc) {
  std::string all;
  for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
  const toml::node* node = impl_->lookup(key, "one of " + all, render(std::string(def)), doc);
  std::string value(def);
  if (node != nullptr) {
    auto v = node->value_exact<std::string>();
    if (!v) impl_->fail(key, node, "expected one of " + all + ", got " + type_name(*node));
    value = *v;
  }
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    impl_->fail(key, node, "expected one of " + all + ", got '" + value + "'");
  }
  impl_->resolved.insert_or_assign(key, value);
  return value;
}

namespace {

template <typename T>
std::vector<T> read_list(Params::Impl& impl, std::string_view key, const toml::node* node,
                         const std::vector<T>& def, const char* what) {
  if (node == nullptr) return def;
  const toml::array* arr = node->as_array();
  if (arr == nullptr) impl.fail(key, node, std::string("expected an array of ") + what);
  std::vector<T> out;
  for (const toml::node& el : *arr) {
    auto v = el.value_exact<T>();
    if (!v) impl.fail(key, &el, std::string("expected ") + what + ", got " + type_name(el));
    out.push_back(*v);
  }
  return out;
}

template <typename T>
toml::array to_array(const std::vector<T>& values) {
  toml::array arr;
  for (const auto& v : values) arr.push_back(v);
  return arr;
}

template <typename T>
std::string render_list(const std::vector<T>& values) {
  std::ostringstream s;
  s << to_array(values);
  return s.str();
}

}  // namespace

std::vector<int64_t> Params::integers(std::string_view key, const std::vector<int64_t>& def,
                                      std::string_view doc) {
  const toml::node* node = impl_->lookup(key, "int list", render_list(def), doc);
  auto value = read_list<int64_t>(*impl_, key, node, def, "integers");
  impl_->resolved.insert_or_assign(key, to_array(value));
  return value;
}

std::vector<std::string> Params::texts(std::string_view key, const std::vector<std::string>& def,
                                       std::string_view doc) {
  const toml::node* node = impl_->lookup(key, "string list", render_list(def), doc);
  auto value = read_list<std::string>(*impl_, key, node, def, "strings");
  impl_->resolved.insert_or_assign(key, to_array(value));
  return value;
}

bool Params::has(std::string_view key) const { return impl_->given.contains(key); }

void Params::finish() const {
  const auto& given = impl_->given;
  if (auto it = detail::find_unknown_key(given, impl_->declared); it != given.end()) {
    impl_->fail(it->first.str(), &it->second,
                "unknown key; known keys: " + detail::join_keys(impl_->declared, "", "(none)"));
  }
}

std::string Params::resolved_toml() const {
  std::ostringstream s;
  s << impl_->resolved;
  return s.str();
}

const std::vector<ParamSpec>& Params::specs() const { return impl_->specs; }
const std::string& Params::owner() const { return impl_->owner; }

}  // namespace recbench
