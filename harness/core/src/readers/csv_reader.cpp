// Generic delimited text (CSV/TSV) with named or numbered columns, set in the recipe's [reader].
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"
#include "recbench/error.h"

namespace recbench {

namespace {

using readers::Encoding;

//! The [reader] settings of the csv format.
struct CsvOptions {
  std::string delimiter = ",";
  bool header = true;
  std::string user = "user", item = "item", timestamp = "timestamp", title, category;
  Encoding encoding = Encoding::kUtf8;
  std::string domain;
  int64_t time_divisor = 1;  //!< time_unit "ms" -> 1000
};

CsvOptions options_of(const Recipe& recipe) {
  readers::check_settings(recipe, {"delimiter", "header", "user", "item", "timestamp", "title",
                                   "category", "encoding", "domain", "time_unit"});
  CsvOptions o;
  o.delimiter = readers::reader_setting(recipe, "delimiter", ",");
  if (o.delimiter == "\\t" || o.delimiter == "tab") o.delimiter = "\t";
  o.header = readers::reader_flag(recipe, "header", true);
  o.user = readers::reader_setting(recipe, "user", o.user);
  o.item = readers::reader_setting(recipe, "item", o.item);
  o.timestamp = readers::reader_setting(recipe, "timestamp", o.timestamp);
  o.title = readers::reader_setting(recipe, "title", "");
  o.category = readers::reader_setting(recipe, "category", "");
  o.encoding = readers::encoding_setting(recipe, Encoding::kUtf8);
  o.domain = readers::reader_setting(recipe, "domain", recipe.name);
  const std::string unit = readers::reader_setting(recipe, "time_unit", "s");
  const std::string where = recipe.source.empty() ? recipe.name : recipe.source;
  if (unit != "s" && unit != "ms") {
    throw ConfigError(where + ": reader.time_unit = \"" + unit + "\"; expected \"s\" or \"ms\"");
  }
  if (o.delimiter.empty()) throw ConfigError(where + ": reader.delimiter must not be empty");
  o.time_divisor = unit == "ms" ? 1000 : 1;
  return o;
}

//! One file's lines split into fields, with column lookup by header name or 1-based number.
class Table {
 public:
  Table(const std::filesystem::path& path, const CsvOptions& o, MalformedLines& bad)
      : in_(path), o_(o), bad_(bad) {}

  //! Reads the header (if any); false when the file has no line at all.
  bool start() {
    if (!o_.header) return true;
    std::string_view line;
    while (readers::next_line(in_, bad_, line)) {
      if (line.empty()) continue;
      if (!split(line)) throw DataError(in_.where() + ": unterminated quote in the header");
      header_ = fields_;
      return true;
    }
    return false;
  }

  //! The index of the column a setting names; DataError when it is not there.
  size_t column(const std::string& key, const std::string& name) const {
    if (o_.header) {
      const auto it = std::find(header_.begin(), header_.end(), name);
      if (it != header_.end()) return static_cast<size_t>(it - header_.begin());
      std::string found;
      for (const auto& h : header_) found += (found.empty() ? "" : ", ") + h;
      throw DataError(in_.path() + ":1: no column '" + name + "' (reader." + key +
                      ") in the header; found: " + found);
    }
    const auto n = parse_int(name);
    if (!n || *n < 1) {
      throw DataError(in_.path() + ": reader." + key + " = \"" + name +
                      "\"; without a header, columns are numbered from 1");
    }
    return static_cast<size_t>(*n - 1);
  }

  //! The next data row in fields(); false at the end. Malformed rows are reported and skipped.
  bool next(size_t min_fields) {
    std::string_view line;
    while (readers::next_line(in_, bad_, line)) {
      if (line.empty()) continue;
      ++rows_;
      if (!split(line)) {
        bad_.report(in_, "unterminated quote; expected a closing '\"'");
        continue;
      }
      const size_t expected = o_.header ? header_.size() : min_fields;
      if (o_.header ? fields_.size() != expected : fields_.size() < expected) {
        bad_.report(in_, "expected " + std::string(o_.header ? "" : "at least ") +
                             std::to_string(expected) + " fields separated by '" + o_.delimiter +
                             "', found " + std::to_string(fields_.size()));
        continue;
      }
      return true;
    }
    return false;
  }

  const std::vector<std::string>& fields() const { return fields_; }
  LineReader& in() { return in_; }
  int64_t rows() const { return rows_; }

 private:
  bool split(std::string_view line) {
    if (o_.delimiter.size() == 1) return readers::split_csv(line, o_.delimiter[0], fields_);
    std::vector<std::string_view> parts;
    readers::split_on(line, o_.delimiter, parts);
    fields_.assign(parts.begin(), parts.end());
    return true;
  }

  LineReader in_;
  const CsvOptions& o_;
  MalformedLines& bad_;
  std::vector<std::string> header_, fields_;
  int64_t rows_ = 0;
};

//! Column indices of the optional text columns.
struct TextColumns {
  std::optional<size_t> title, category;
};

TextColumns text_columns(const Table& t, const CsvOptions& o) {
  TextColumns c;
  if (!o.title.empty()) c.title = t.column("title", o.title);
  if (!o.category.empty()) c.category = t.column("category", o.category);
  return c;
}

size_t needed(std::initializer_list<std::optional<size_t>> columns) {
  size_t n = 0;
  for (const auto& c : columns) {
    if (c) n = std::max(n, *c + 1);
  }
  return n;
}

//! Emits the item text of the current row; false (reported) when it is not valid text.
bool emit_item(Table& t, size_t item, const TextColumns& c, const CsvOptions& o,
               readers::TitleComposer& titles, RawSink& sink, MalformedLines& bad,
               std::string& title, std::string& category) {
  const auto& f = t.fields();
  if (!readers::to_utf8(c.title ? f[*c.title] : "", o.encoding, title) ||
      !readers::to_utf8(c.category ? f[*c.category] : "", o.encoding, category)) {
    bad.report(t.in(),
               "text is not valid UTF-8; expected reader.encoding = \"utf-8\" text "
               "(set \"latin-1\" for Latin-1 files)");
    return false;
  }
  sink.item(f[item], titles.compose({title, category}), category, o.domain);
  return true;
}

void read_items(const std::filesystem::path& path, const CsvOptions& o,
                readers::TitleComposer& titles, RawSink& sink, ReadStats& stats,
                MalformedLines& bad) {
  Table t(path, o, bad);
  if (!t.start()) throw DataError(path.string() + ": empty file; expected item rows");
  const size_t item = t.column("item", o.item);
  const TextColumns c = text_columns(t, o);
  std::string title, category;
  while (t.next(needed({item, c.title, c.category}))) {
    ++stats.lines;
    emit_item(t, item, c, o, titles, sink, bad, title, category);
  }
  readers::require_data(t.in(), t.rows(), "item rows");
}

void read_interactions(const std::filesystem::path& path, const CsvOptions& o, bool with_text,
                       readers::TitleComposer& titles, RawSink& sink, ReadStats& stats,
                       MalformedLines& bad) {
  Table t(path, o, bad);
  if (!t.start()) throw DataError(path.string() + ": empty file; expected interaction rows");
  const size_t user = t.column("user", o.user), item = t.column("item", o.item),
               time = t.column("timestamp", o.timestamp);
  const TextColumns c = with_text ? text_columns(t, o) : TextColumns{};
  readers::DuplicateGuard seen;
  std::string title, category;
  while (t.next(needed({user, item, time, c.title, c.category}))) {
    ++stats.lines;
    const auto& f = t.fields();
    const auto ts = parse_timestamp(f[time]);
    if (f[user].empty() || f[item].empty() || !ts) {
      bad.report(t.in(), "expected a user id, an item id and a numeric timestamp");
      continue;
    }
    if (seen.seen(f[user], f[item], *ts)) {
      bad.report(t.in(),
                 "duplicate interaction (same user, item and timestamp as an earlier line)");
      continue;
    }
    if (with_text && (c.title || c.category) &&
        !emit_item(t, item, c, o, titles, sink, bad, title, category)) {
      continue;
    }
    const int64_t d = o.time_divisor;
    sink.interaction(f[user], f[item], *ts >= 0 ? *ts / d : -((-*ts + d - 1) / d), o.domain);
  }
  readers::require_data(t.in(), t.rows(), "interaction rows");
}

}  // namespace

void read_csv(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  const CsvOptions o = options_of(recipe);
  MalformedLines bad(recipe, stats);
  const auto inter = recipe_file(recipe, "inter");
  const bool has_items = recipe.files.contains("items");
  readers::TitleComposer titles(recipe, {"title", "category"});
  if (has_items) read_items(recipe_file(recipe, "items"), o, titles, sink, stats, bad);
  read_interactions(inter, o, !has_items, titles, sink, stats, bad);
}

}  // namespace recbench
