// One table of spellings per enum: to string, from string (with the known names), choice lists.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "recbench/error.h"

namespace recbench {

//! The spellings of an enum whose values are 0..N-1, in value order; `what` names the setting in
//! error messages ("evaluation mode").
template <typename Enum, size_t N>
struct EnumNames {
  std::array<std::string_view, N> names;
  std::string_view what;

  std::string_view operator()(Enum value) const { return names.at(static_cast<size_t>(value)); }
  //! The value spelled `name`; ConfigError naming the known spellings otherwise.
  Enum parse(std::string_view name) const {
    for (size_t i = 0; i < N; ++i) {
      if (names[i] == name) return static_cast<Enum>(i);
    }
    throw ConfigError("unknown " + std::string(what) + " '" + std::string(name) +
                      "' (known: " + known() + ")");
  }
  //! Every spelling, for Params::choice.
  std::vector<std::string> list() const { return {names.begin(), names.end()}; }
  //! "a, b, c", for messages.
  std::string known() const {
    std::string out;
    for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
  }
};

}  // namespace recbench
