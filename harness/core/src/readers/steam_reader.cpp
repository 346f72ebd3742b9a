// Steam (UCSD, Kang & McAuley): steam_reviews.json.gz and steam_games.json.gz, Python dict lines.
#include <string>

#include "json_fields.h"
#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"

namespace recbench {

namespace {

using readers::JsonField;

//! One record's line as JSON in `json`; false (reported) when it is not a Python dict literal.
bool parse_record(const LineReader& in, MalformedLines& bad, std::string_view line,
                  std::string& json, readers::JsonFields& fields) {
  std::string error;
  if (!readers::python_literal_to_json(line, json, error)) {
    bad.report(in, "not a Python literal (" + error + "); expected one Python dict per line");
    return false;
  }
  if (!fields.parse(json, error)) {
    bad.report(in, error + " (after rewriting the Python literal as JSON)");
    return false;
  }
  return true;
}

void read_reviews(const std::filesystem::path& path, const std::string& domain, RawSink& sink,
                  ReadStats& stats, MalformedLines& bad) {
  readers::JsonFields fields({"username", "product_id", "date"});
  readers::DuplicateGuard seen;
  std::string json;
  readers::for_each_record(
      path, bad, stats, "one review (a Python dict) per line",
      [&](const LineReader& in, std::string_view line) {
        if (!parse_record(in, bad, line, json, fields)) return;
        const std::string_view user = fields[0].id(), item = fields[1].id();
        const auto day = readers::parse_iso_date(fields[2].str());  // nullopt unless a string date
        if (user.empty() || item.empty() || !day.has_value()) {
          return bad.report(in, "expected 'username', 'product_id' and 'date' ('YYYY-MM-DD')");
        }
        if (seen.seen(user, item, *day)) {
          return bad.report(in,
                            "duplicate interaction (same username, product_id and date as an "
                            "earlier line)");
        }
        sink.interaction(user, item, *day, domain);
      });
}

void read_games(const std::filesystem::path& path, const std::string& domain,
                readers::TitleComposer& titles, RawSink& sink, ReadStats& stats,
                MalformedLines& bad) {
  readers::JsonFields fields({"id", "app_name", "title", "genres"});
  std::string json;
  readers::for_each_record(
      path, bad, stats, "one game (a Python dict) per line",
      [&](const LineReader& in, std::string_view line) {
        if (!parse_record(in, bad, line, json, fields)) return;
        const std::string_view id = fields[0].id();
        if (id.empty()) return;  // a few games in the release have no id: nothing can refer to them
        const std::string_view title = fields[1].str().empty() ? fields[2].str() : fields[1].str();
        const std::string genres = readers::join(fields[3].items, ", ");
        sink.item(id, titles.compose({title, genres}), genres, domain);
      });
}

}  // namespace

void read_steam(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  readers::check_settings(recipe, {"domain"});
  MalformedLines bad(recipe, stats);
  const std::string domain = readers::reader_setting(recipe, "domain", "Steam");
  const auto reviews = recipe_file(recipe, "reviews");
  readers::TitleComposer titles(recipe, {"title", "category"});
  if (recipe.files.contains("games")) {
    read_games(recipe_file(recipe, "games"), domain, titles, sink, stats, bad);
  }
  read_reviews(reviews, domain, sink, stats, bad);
}

}  // namespace recbench
