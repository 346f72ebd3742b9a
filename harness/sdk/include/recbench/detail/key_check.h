// Strict-key checking, shared by every reader of user-written tables (experiment files, recipes,
// reader settings, format options, plugin parameters): one rule, each site its own wording.
#pragma once

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

namespace recbench::detail {

//! A key of a map entry or TOML table entry as text.
template <typename Key>
std::string_view key_text(const Key& key) {
  if constexpr (requires { key.str(); }) {
    return key.str();
  } else {
    return std::string_view(key);
  }
}

//! The first entry of `given` (a map or TOML table) whose key `known` lacks, or given.end().
template <typename Given, typename Known>
auto find_unknown_key(const Given& given, const Known& known) {
  return std::find_if(given.begin(), given.end(), [&](const auto& entry) {
    const std::string_view key = key_text(entry.first);
    return std::none_of(std::begin(known), std::end(known),
                        [&](const auto& k) { return std::string_view(k) == key; });
  });
}

//! The known keys for a message, each behind `prefix` ("options.a, options.b"), or `none`.
template <typename Known>
std::string join_keys(const Known& known, std::string_view prefix = "",
                      std::string_view none = "none") {
  std::string out;
  for (const auto& k : known) {
    out += (out.empty() ? "" : ", ") + std::string(prefix) + std::string(std::string_view(k));
  }
  return out.empty() ? std::string(none) : out;
}

}  // namespace recbench::detail
