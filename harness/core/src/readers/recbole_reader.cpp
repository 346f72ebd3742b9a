// Reader for RecBole's atomic files (.inter, optional .item and .user): typed, tab-separated.
#include <algorithm>
#include <string>
#include <vector>

#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/raw_reader.h"
#include "recbench/error.h"

namespace recbench {
namespace {

enum class FieldType { kToken, kTokenSeq, kFloat, kFloatSeq };

//! The first line of an atomic file: `name:type` per column.
struct Header {
  std::vector<std::string> names;
  std::vector<FieldType> types;

  //! Column of `name`, or -1.
  int index(std::string_view name) const {
    auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
  }
  std::string list() const {
    std::string s;
    for (const auto& n : names) {
      s += (s.empty() ? "" : ", ") + n;
    }
    return s;
  }
};

std::optional<FieldType> parse_type(std::string_view type) {
  if (type == "token") {
    return FieldType::kToken;
  }
  if (type == "token_seq") {
    return FieldType::kTokenSeq;
  }
  if (type == "float") {
    return FieldType::kFloat;
  }
  if (type == "float_seq") {
    return FieldType::kFloatSeq;
  }
  return std::nullopt;
}

//! Reads the header line; a bad header is always an error (no line of the file can be trusted).
Header read_header(LineReader& in) {
  std::string_view line;
  if (!in.next(line)) {
    throw DataError(in.path() + ": empty file (expected a header line)");
  }
  Header header;
  std::vector<std::string_view> fields;
  split_fields(line, '\t', fields);
  for (auto field : fields) {
    const size_t colon = field.rfind(':');
    auto type =
        colon == std::string_view::npos ? std::nullopt : parse_type(field.substr(colon + 1));
    if (!type || colon == 0) {
      throw DataError(in.where() + ": header field \"" + std::string(field) +
                      "\": expected name:type with type token, token_seq, float or float_seq");
    }
    std::string name(field.substr(0, colon));
    if (header.index(name) >= 0) {
      throw DataError(in.where() + ": header field \"" + name + "\" appears twice");
    }
    header.names.push_back(std::move(name));
    header.types.push_back(*type);
  }
  return header;
}

//! Requires column `name` of type `type`; returns its index, or -1 when optional and absent.
int require(const Header& header, const LineReader& in, std::string_view name, FieldType type,
            bool optional) {
  const int i = header.index(name);
  if (i < 0 && optional) {
    return -1;
  }
  if (i < 0) {
    throw DataError(in.path() + ":1: missing field \"" + std::string(name) +
                    "\" (fields: " + header.list() + ")");
  }
  if (header.types[static_cast<size_t>(i)] != type) {
    throw DataError(in.path() + ":1: field \"" + std::string(name) + "\" has the wrong type");
  }
  return i;
}

//! Splits a data line and checks column count and numbers; reports and returns false if bad.
bool read_row(const Header& header, std::string_view line, LineReader& in, MalformedLines& bad,
              std::vector<std::string_view>& fields) {
  split_fields(line, '\t', fields);
  if (fields.size() != header.names.size()) {
    bad.report(in, "expected " + std::to_string(header.names.size()) +
                       " tab-separated fields, got " + std::to_string(fields.size()));
    return false;
  }
  std::vector<std::string_view> parts;
  for (size_t c = 0; c < fields.size(); ++c) {
    const FieldType type = header.types[c];
    if (type == FieldType::kFloat && !trim(fields[c]).empty() && !parse_double(fields[c])) {
      bad.report(in, "field \"" + header.names[c] + "\": expected a number, got \"" +
                         std::string(fields[c]) + "\"");
      return false;
    }
    if (type == FieldType::kFloatSeq) {
      split_words(fields[c], parts);
      for (auto part : parts) {
        if (!parse_double(part)) {
          bad.report(in, "field \"" + header.names[c] + "\": expected numbers, got \"" +
                             std::string(part) + "\"");
          return false;
        }
      }
    }
  }
  return true;
}

//! The first of `names` present in the header, or -1.
int first_present(const Header& header, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (header.index(name) >= 0) {
      return header.index(name);
    }
  }
  return -1;
}

//! Joins the words of a (token_seq) field with single spaces.
void append_words(std::string_view value, std::string_view sep, std::string& out) {
  std::vector<std::string_view> words;
  split_words(value, words);
  for (auto w : words) {
    if (!out.empty()) {
      out += sep;
    }
    out += w;
  }
}

void read_items(const Recipe& recipe, const std::filesystem::path& path, RawSink& sink,
                ReadStats& stats) {
  LineReader in(path);
  const Header header = read_header(in);
  const int item = require(header, in, "item_id", FieldType::kToken, false);
  std::vector<int> text;
  for (const auto& name : recipe.text_fields) {
    if (header.index(name) >= 0) {
      text.push_back(header.index(name));
    }
  }
  if (text.empty() && !recipe.text_fields.empty()) {
    std::string wanted;
    for (const auto& n : recipe.text_fields) {
      wanted += (wanted.empty() ? "" : ", ") + n;
    }
    throw DataError(in.path() + ":1: none of text_fields (" + wanted +
                    ") is a field of the header (fields: " + header.list() + ")");
  }
  const int category =
      first_present(header, {"categories", "category", "genres", "genre", "class"});
  const int domain = require(header, in, "domain", FieldType::kToken, true);
  MalformedLines bad(recipe, stats);
  std::vector<std::string_view> fields;
  std::string_view line;
  std::string title, cat;
  while (in.next(line)) {
    if (trim(line).empty()) {
      continue;
    }
    ++stats.lines;
    if (!read_row(header, line, in, bad, fields)) {
      continue;
    }
    const auto id = trim(fields[static_cast<size_t>(item)]);
    if (id.empty()) {
      bad.report(in, "empty item_id");
      continue;
    }
    title.clear();
    cat.clear();
    for (int c : text) {
      append_words(fields[static_cast<size_t>(c)], " ", title);
    }
    if (category >= 0) {
      append_words(fields[static_cast<size_t>(category)], ", ", cat);
    }
    sink.item(id, title, cat, domain >= 0 ? trim(fields[static_cast<size_t>(domain)]) : "");
  }
}

void read_interactions(const Recipe& recipe, const std::filesystem::path& path, RawSink& sink,
                       ReadStats& stats) {
  LineReader in(path);
  const Header header = read_header(in);
  const auto user = static_cast<size_t>(require(header, in, "user_id", FieldType::kToken, false));
  const auto item = static_cast<size_t>(require(header, in, "item_id", FieldType::kToken, false));
  const int time = require(header, in, "timestamp", FieldType::kFloat, true);
  const int domain = require(header, in, "domain", FieldType::kToken, true);
  MalformedLines bad(recipe, stats);
  std::vector<std::string_view> fields;
  std::string_view line;
  while (in.next(line)) {
    if (trim(line).empty()) {
      continue;
    }
    ++stats.lines;
    if (!read_row(header, line, in, bad, fields)) {
      continue;
    }
    const auto u = trim(fields[user]);
    const auto i = trim(fields[item]);
    std::optional<int64_t> ts = int64_t{0};  // no timestamp column: file order decides
    if (time >= 0) {
      ts = parse_timestamp(fields[static_cast<size_t>(time)]);
    }
    if (u.empty() || i.empty() || !ts) {
      bad.report(in, u.empty() ? "empty user_id" : i.empty() ? "empty item_id" : "empty timestamp");
      continue;
    }
    sink.interaction(u, i, *ts, domain >= 0 ? trim(fields[static_cast<size_t>(domain)]) : "");
  }
}

//! Users carry no attributes the harness uses; the file is still checked line by line.
void check_users(const Recipe& recipe, const std::filesystem::path& path, ReadStats& stats) {
  LineReader in(path);
  const Header header = read_header(in);
  require(header, in, "user_id", FieldType::kToken, false);
  MalformedLines bad(recipe, stats);
  std::vector<std::string_view> fields;
  std::string_view line;
  while (in.next(line)) {
    if (trim(line).empty()) {
      continue;
    }
    ++stats.lines;
    read_row(header, line, in, bad, fields);
  }
}

}  // namespace

//! format = "atomic": files.inter (required), files.item and files.user (optional).
void read_atomic(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  check_options(recipe, {});
  for (const auto& [role, path] : recipe.files) {
    if (role != "inter" && role != "item" && role != "user") {
      throw ConfigError(recipe.source + ": files." + role +
                        ": unknown file role for format \"atomic\" (known: files.inter, "
                        "files.item, files.user)");
    }
  }
  const auto inter = recipe_file(recipe, "inter");
  if (auto item = optional_recipe_file(recipe, "item")) {
    read_items(recipe, *item, sink, stats);
  }
  if (auto user = optional_recipe_file(recipe, "user")) {
    check_users(recipe, *user, stats);
  }
  read_interactions(recipe, inter, sink, stats);
}

}  // namespace recbench
