// Plumbing shared by the raw-format readers: input paths, settings, error policy, text helpers.
#include "reader_support.h"

#include <algorithm>
#include <bit>
#include <functional>

#include <fmt/format.h>

#include "recbench/core/readers/readers.h"
#include "recbench/detail/key_check.h"
#include "recbench/error.h"

namespace recbench::readers {

bool next_line(LineReader& in, MalformedLines& bad, std::string_view& line) {
  try {
    return in.next(line);
  } catch (const DataError& e) {
    bad.report(in.path() + ":" + std::to_string(in.line_number() + 1),
               std::string("cannot read on (") + e.what() + "); expected a complete file");
    return false;
  }
}

void require_data(const LineReader& in, int64_t data_lines, std::string_view expected) {
  if (data_lines == 0) {
    throw DataError(in.path() + ": empty file; expected " + std::string(expected));
  }
}

std::vector<std::string> roles_with_prefix(const Recipe& recipe, std::string_view prefix) {
  std::vector<std::string> roles;
  for (const auto& [role, path] : recipe.files) {
    if (role.starts_with(prefix)) roles.push_back(role);
  }
  return roles;  // std::map iterates in sorted order
}

void check_settings(const Recipe& recipe, std::initializer_list<std::string_view> known) {
  check_options(recipe, {});
  if (auto it = detail::find_unknown_key(recipe.reader, known); it != recipe.reader.end()) {
    throw ConfigError(recipe.source + ": reader." + it->first + ": unknown key for format \"" +
                      recipe.format + "\" (known: " + detail::join_keys(known, "reader.") + ")");
  }
}

std::string reader_setting(const Recipe& recipe, const std::string& key,
                           const std::string& fallback) {
  const auto it = recipe.reader.find(key);
  return it == recipe.reader.end() ? fallback : it->second;
}

bool reader_flag(const Recipe& recipe, const std::string& key, bool fallback) {
  const std::string value = reader_setting(recipe, key, fallback ? "true" : "false");
  if (value == "true") return true;
  if (value == "false") return false;
  throw ConfigError((recipe.source.empty() ? recipe.name : recipe.source) + ": reader." + key +
                    " = \"" + value + "\"; expected true or false");
}

Encoding encoding_setting(const Recipe& recipe, Encoding fallback) {
  const auto it = recipe.reader.find("encoding");
  if (it == recipe.reader.end()) return fallback;
  std::string name = it->second;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return c == '_' ? '-' : std::tolower(c); });
  if (name == "utf-8" || name == "utf8") return Encoding::kUtf8;
  if (name == "latin-1" || name == "latin1" || name == "iso-8859-1") return Encoding::kLatin1;
  throw ConfigError((recipe.source.empty() ? recipe.name : recipe.source) +
                    ": unknown encoding reader.encoding = \"" + it->second +
                    "\"; expected \"utf-8\" or \"latin-1\"");
}

bool to_utf8(std::string_view text, Encoding encoding, std::string& out) {
  out.clear();
  if (encoding == Encoding::kUtf8) {
    if (!is_valid_utf8(text)) return false;
    out.assign(text);
    return true;
  }
  out = latin1_to_utf8(text);
  return true;
}

void split_on(std::string_view line, std::string_view delimiter,
              std::vector<std::string_view>& out) {
  out.clear();
  size_t start = 0;
  for (;;) {
    const size_t at = line.find(delimiter, start);
    if (at == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, at - start));
    start = at + delimiter.size();
  }
}

bool split_csv(std::string_view line, char delimiter, std::vector<std::string>& out) {
  size_t n = 0;
  size_t i = 0;
  for (;;) {
    if (out.size() <= n) out.emplace_back();
    std::string& field = out[n++];
    field.clear();
    if (i < line.size() && line[i] == '"') {
      for (++i;; ++i) {
        if (i >= line.size()) return false;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          field += line[i];
        }
      }
    }
    const size_t end = std::min(line.find(delimiter, i), line.size());
    field.append(line.substr(i, end - i));  // text after a closing quote is kept verbatim
    if (end == line.size()) break;
    i = end + 1;
  }
  out.resize(n);
  return true;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

TitleComposer::TitleComposer(const Recipe& recipe,
                             std::initializer_list<std::string_view> available)
    : available_(available) {
  for (const auto& field : recipe.text_fields) {
    const auto it = std::find(available_.begin(), available_.end(), field);
    if (it == available_.end()) {
      std::string list;
      for (const auto a : available_) list += (list.empty() ? "" : ", ") + std::string(a);
      throw ConfigError(
          fmt::format("{}: text_fields: no field \"{}\" in format \"{}\" (available: {})",
                      recipe.source, field, recipe.format, list));
    }
    order_.push_back(static_cast<size_t>(it - available_.begin()));
  }
}

const std::string& TitleComposer::compose(std::initializer_list<std::string_view> values) {
  title_.clear();
  for (const size_t i : order_) {
    const std::string_view value = values.begin()[i];
    if (value.empty()) continue;
    if (!title_.empty()) title_ += ' ';
    title_ += value;
  }
  return title_;
}

bool TitleComposer::uses(std::string_view field) const {
  for (const size_t i : order_) {
    if (available_[i] == field) return true;
  }
  return false;
}

bool DuplicateGuard::seen(std::string_view user, std::string_view item, int64_t timestamp) {
  const std::hash<std::string_view> hasher;
  uint64_t h = hasher(user);
  h ^= hasher(item) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= static_cast<uint64_t>(timestamp) * 0xff51afd7ed558ccdULL + (h << 6) + (h >> 2);
  if (h == 0) h = 1;
  return !insert(h);
}

bool DuplicateGuard::insert(uint64_t hash) {
  if ((size_ + 1) * 2 > slots_.size()) {  // keep the load under one half
    std::vector<uint64_t> old(std::max<size_t>(1024, slots_.size() * 2), 0);
    old.swap(slots_);
    shift_ = 64 - std::countr_zero(slots_.size());
    size_ = 0;
    for (const uint64_t h : old) {  // slots of the old table map to ascending new slots: streams
      if (h != 0) insert(h);
    }
  }
  // The slot is the top bits of a multiplicative hash, so doubling the table is one pass.
  const size_t mask = slots_.size() - 1;
  for (size_t i = (hash * 0x9e3779b97f4a7c15ULL) >> shift_;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return false;
    if (slots_[i] == 0) {
      slots_[i] = hash;
      ++size_;
      return true;
    }
  }
}

}  // namespace recbench::readers
