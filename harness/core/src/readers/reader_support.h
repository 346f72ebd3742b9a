// Plumbing shared by the raw-format readers: input paths, settings, error policy, text helpers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "recbench/core/data/dataset.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/raw_reader.h"

namespace recbench::readers {

//! The next line of `in`; a read or decompression error (truncated gzip) is reported through
//! `bad` as a malformed line and ends the file (false), keeping what was read before it.
bool next_line(LineReader& in, MalformedLines& bad, std::string_view& line);

//! Checks the recipe's [reader] keys against `known` and that [options] is empty (the readers of
//! real formats take no numeric options).
void check_settings(const Recipe& recipe, std::initializer_list<std::string_view> known);
//! Throws DataError("file: empty ...") when `in` returned no data line.
void require_data(const LineReader& in, int64_t data_lines, std::string_view expected);

//! Calls `record(in, line)` for each non-empty line of `path` (one record per line: JSON lines,
//! Python dicts), counting them in `stats`; a file without any is a DataError saying that it
//! expected `expected`.
template <typename Record>
void for_each_record(const std::filesystem::path& path, MalformedLines& bad, ReadStats& stats,
                     std::string_view expected, Record record) {
  LineReader in(path);
  int64_t data = 0;
  std::string_view line;
  while (next_line(in, bad, line)) {
    if (line.empty()) continue;
    ++stats.lines;
    ++data;
    record(in, line);
  }
  require_data(in, data, expected);
}

//! Roles of recipe.files starting with `prefix`, sorted.
std::vector<std::string> roles_with_prefix(const Recipe& recipe, std::string_view prefix);
//! recipe.reader[key] or `fallback`.
std::string reader_setting(const Recipe& recipe, const std::string& key,
                           const std::string& fallback);
//! A boolean setting ("true"/"false"); ConfigError for anything else.
bool reader_flag(const Recipe& recipe, const std::string& key, bool fallback);

enum class Encoding { kUtf8, kLatin1 };
//! The "encoding" setting ("utf-8" or "latin-1"); ConfigError naming the value otherwise.
Encoding encoding_setting(const Recipe& recipe, Encoding fallback);
//! Replaces `out` with `text` converted to UTF-8; false when `text` is not valid in `encoding`.
bool to_utf8(std::string_view text, Encoding encoding, std::string& out);

//! Splits on a delimiter of one or more characters (no quoting); empty fields are kept.
void split_on(std::string_view line, std::string_view delimiter,
              std::vector<std::string_view>& out);
//! RFC 4180 fields (quotes, doubled quotes); false on an unterminated quote.
bool split_csv(std::string_view line, char delimiter, std::vector<std::string>& out);
//! Joins `parts` with `separator`.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

//! Builds item titles from recipe.text_fields: the named fields joined with spaces, in order.
class TitleComposer {
 public:
  //! `available`: the text fields the format has; ConfigError naming any other field.
  TitleComposer(const Recipe& recipe, std::initializer_list<std::string_view> available);
  //! The title from `values` (one per available field, in the same order).
  const std::string& compose(std::initializer_list<std::string_view> values);
  //! True when text_fields names `field`.
  bool uses(std::string_view field) const;

 private:
  std::vector<std::string_view> available_;
  std::vector<size_t> order_;  //!< indices into available_, in text_fields order
  std::string title_;
};

//! Remembers (user, item, timestamp) triples as 64-bit hashes to report exact repeats.
class DuplicateGuard {
 public:
  //! True when this triple was seen before; records it otherwise.
  bool seen(std::string_view user, std::string_view item, int64_t timestamp);

 private:
  bool insert(uint64_t hash);
  std::vector<uint64_t> slots_;  //!< open addressing, 0 = empty
  size_t size_ = 0;
  int shift_ = 64;  //!< 64 - log2(slots_.size())
};

}  // namespace recbench::readers
