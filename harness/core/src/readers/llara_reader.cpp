// LLaRA's processed splits (ljy0ustc/LLaRA), as scripts/convert_llara.py writes them from the
// pickled DataFrames: train.tsv, valid.tsv and test.tsv with a header "history<TAB>next" and one
// row per line ("3 17 5<TAB>42": the history oldest first, then the item to predict), plus the
// item names of id2name.txt ("id::name"). Rows are used as shipped: each becomes a sequence of
// the split its user token names ("train/0", "valid/12": the row's position in its file), for
// split.method = "given". [reader] min_history (default 3) drops shorter rows as LLaRA's loaders
// do.
#include <array>
#include <string>
#include <vector>

#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"
#include "recbench/error.h"

namespace recbench {
namespace {

//! `min_history`: rows with a shorter history are left out, as LLaRA's data loaders leave out
//! rows with len_seq < 3 (data/*_data.py); rows with an empty history are kept in the files.
void read_rows(const std::filesystem::path& path, const std::string& split, int64_t min_history,
               const std::string& domain, RawSink& sink, ReadStats& stats, MalformedLines& bad) {
  LineReader in(path);
  std::vector<std::string_view> fields, history;
  std::string user;
  int64_t rows = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty()) continue;
    if (in.line_number() == 1) {
      if (line != "history\tnext") {
        bad.report(in, "expected the header \"history<TAB>next\" of scripts/convert_llara.py");
      }
      continue;
    }
    ++stats.lines;
    split_fields(line, '\t', fields);
    if (fields.size() != 2) {
      bad.report(in, "expected 2 tab-separated fields (history, next), found " +
                         std::to_string(fields.size()));
      continue;
    }
    split_words(fields[0], history);
    const std::string_view next = trim(fields[1]);
    if (next.empty() || next.find(' ') != std::string_view::npos) {
      bad.report(in, "expected one next item id in field 2");
      continue;
    }
    ++rows;
    if (static_cast<int64_t>(history.size()) < min_history) continue;
    // The DataFrame's row position: line 1 is the header, so line 2 is row 0.
    user = split + "/" + std::to_string(in.line_number() - 2);
    for (size_t i = 0; i < history.size(); ++i) {
      sink.interaction(user, history[i], static_cast<int64_t>(i), domain);
    }
    sink.interaction(user, next, static_cast<int64_t>(history.size()), domain);
  }
  readers::require_data(in, rows, "one row per line: a history of item ids and the next item");
}

//! id2name.txt: "id::name" (LLaRA's item names; a name may itself contain "::").
void read_names(const std::filesystem::path& path, const std::string& domain,
                readers::TitleComposer& titles, RawSink& sink, ReadStats& stats,
                MalformedLines& bad) {
  LineReader in(path);
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty()) continue;
    ++stats.lines;
    ++data;
    const size_t sep = line.find("::");
    if (sep == std::string_view::npos || sep == 0) {
      bad.report(in, "expected \"id::name\"");
      continue;
    }
    if (!readers::is_valid_utf8(line)) {
      bad.report(in, "item name is not valid UTF-8");
      continue;
    }
    sink.item(line.substr(0, sep), titles.compose({line.substr(sep + 2)}), "", domain);
  }
  readers::require_data(in, data, "one item per line: \"id::name\"");
}

}  // namespace

void read_llara(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  readers::check_settings(recipe, {"domain", "min_history"});
  MalformedLines bad(recipe, stats);
  const std::string min_text = readers::reader_setting(recipe, "min_history", "3");
  const auto min_history = parse_int(min_text);
  if (!min_history || *min_history < 1) {
    throw ConfigError(recipe.source + ": reader.min_history: expected an integer >= 1, got '" +
                      min_text + "'");
  }
  const std::string domain = readers::reader_setting(recipe, "domain", "");
  readers::TitleComposer titles(recipe, {"title"});
  std::array<std::filesystem::path, 3> splits;  // resolved first: a missing file fails early
  constexpr std::array<const char*, 3> kSplits = {"train", "valid", "test"};
  for (size_t i = 0; i < kSplits.size(); ++i) splits[i] = recipe_file(recipe, kSplits[i]);
  if (const auto names = optional_recipe_file(recipe, "titles")) {
    read_names(*names, domain, titles, sink, stats, bad);
  }
  for (size_t i = 0; i < kSplits.size(); ++i) {
    read_rows(splits[i], kSplits[i], *min_history, domain, sink, stats, bad);
  }
}

}  // namespace recbench
