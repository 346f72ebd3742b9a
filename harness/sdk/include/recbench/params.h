// Declared, validated parameters of a plugin's TOML table (defaults < experiment < --set).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recbench/export.h"

namespace recbench {

//! One declared key: what a plugin reads, with its default and meaning (for `recbench plugins`).
struct ParamSpec {
  std::string key;
  std::string type;           //!< "int", "float", "bool", "string", "choice", "int list", ...
  std::string default_value;  //!< rendered as TOML
  std::string doc;
};

//! A plugin reads its options through Params; each read declares the key. After construction
//! the host calls finish(), which rejects keys the plugin never declared.
class RECBENCH_API Params {
 public:
  //! `owner` names the table in messages, e.g. "models.sasrec.params"; `toml_text` is the table
  //! serialised as TOML (empty for none); `source` is the file the values came from.
  Params(std::string owner, std::string_view toml_text, std::string source);
  ~Params();
  Params(Params&&) noexcept;
  Params& operator=(Params&&) noexcept;

  int64_t integer(std::string_view key, int64_t def, std::string_view doc,
                  int64_t min = std::numeric_limits<int64_t>::min(),
                  int64_t max = std::numeric_limits<int64_t>::max());
  double real(std::string_view key, double def, std::string_view doc,
              double min = -std::numeric_limits<double>::infinity(),
              double max = std::numeric_limits<double>::infinity());
  bool flag(std::string_view key, bool def, std::string_view doc);
  std::string text(std::string_view key, std::string_view def, std::string_view doc);
  //! A string restricted to `choices`; anything else is an error listing them.
  std::string choice(std::string_view key, std::string_view def,
                     const std::vector<std::string>& choices, std::string_view doc);
  std::vector<int64_t> integers(std::string_view key, const std::vector<int64_t>& def,
                                std::string_view doc);
  std::vector<std::string> texts(std::string_view key, const std::vector<std::string>& def,
                                 std::string_view doc);
  //! Is the key present in the user's table (not only defaulted)?
  bool has(std::string_view key) const;

  //! Throws ConfigError naming each undeclared key and listing the declared ones.
  void finish() const;
  //! Defaults merged with the given values, as TOML text (stored in the results).
  std::string resolved_toml() const;
  const std::vector<ParamSpec>& specs() const;
  const std::string& owner() const;

  struct Impl;  //!< opaque (toml++ stays out of this header)
  //! The implementation (used by the host's make_params()).
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace recbench
