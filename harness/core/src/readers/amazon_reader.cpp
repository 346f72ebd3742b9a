// Amazon Reviews 2018 (<Category>[_5].json.gz) and 2023 (<Category>.jsonl.gz), with their meta
// files.
#include <string>
#include <vector>

#include "json_fields.h"
#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"

namespace recbench {

namespace {

using readers::JsonField;

//! Key names and units of one release.
struct Release {
  const char* user;
  const char* item;
  const char* time;
  int64_t time_divisor;  //!< to seconds
  const char* meta_item;
  const char* meta_category;  //!< list of category names (a path)
  const char* meta_main;      //!< the single top category, used when the list is empty
};

constexpr Release k2018{"reviewerID", "asin", "unixReviewTime", 1, "asin", "category", "main_cat"};
constexpr Release k2023{"user_id",     "parent_asin", "timestamp",    1000,
                        "parent_asin", "categories",  "main_category"};

//! "Office_Products" from ".../meta_Office_Products.json.gz" or ".../Office_Products_5.json.gz".
std::string domain_of(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  for (const std::string_view ext : {".gz", ".jsonl", ".json"}) {
    if (name.ends_with(ext)) name.resize(name.size() - ext.size());
  }
  if (name.starts_with("meta_")) name.erase(0, 5);
  if (name.ends_with("_5")) name.resize(name.size() - 2);
  return name;
}

void read_reviews(const std::filesystem::path& path, const Release& r, RawSink& sink,
                  ReadStats& stats, MalformedLines& bad, readers::DuplicateGuard& seen) {
  const std::string domain = domain_of(path);
  readers::JsonFields fields({r.user, r.item, r.time});
  const std::string expected =
      std::string("expected '") + r.user + "', '" + r.item + "' and a numeric '" + r.time + "'";
  std::string error;
  readers::for_each_record(path, bad, stats, "one review (a JSON object) per line",
                           [&](const LineReader& in, std::string_view line) {
                             if (!fields.parse(line, error)) return bad.report(in, error);
                             const std::string_view user = fields[0].id(), item = fields[1].id();
                             const bool timed = fields[2].kind == JsonField::Kind::kInteger ||
                                                fields[2].kind == JsonField::Kind::kFloat;
                             if (user.empty() || item.empty() || !timed)
                               return bad.report(in, expected);
                             const int64_t time = fields[2].integer;
                             // Amazon lists one review once per product variant (same reviewer,
                             // item and time, another "style"): one interaction.
                             if (seen.seen(user, item, time)) {
                               ++stats.repeats;
                               return;
                             }
                             const int64_t seconds =
                                 time >= 0 ? time / r.time_divisor
                                           : -((-time + r.time_divisor - 1) / r.time_divisor);
                             sink.interaction(user, item, seconds, domain);
                           });
}

void read_meta(const std::filesystem::path& path, const Release& r, readers::TitleComposer& titles,
               RawSink& sink, ReadStats& stats, MalformedLines& bad) {
  const std::string domain = domain_of(path);
  readers::JsonFields fields({r.meta_item, "title", r.meta_category, r.meta_main, "description"});
  std::string error;
  readers::for_each_record(
      path, bad, stats, "one item (a JSON object) per line",
      [&](const LineReader& in, std::string_view line) {
        if (!fields.parse(line, error)) return bad.report(in, error);
        const std::string_view item = fields[0].id();
        if (item.empty()) return;  // nothing can refer to an item without its id
        std::string category = readers::join(fields[2].items, " > ");
        if (category.empty()) category = fields[3].str();
        std::string description;
        if (titles.uses("description")) {
          description = fields[4].items.empty() ? std::string(fields[4].str())
                                                : readers::join(fields[4].items, " ");
        }
        sink.item(item, titles.compose({fields[1].str(), category, description}), category, domain);
      });
}

void read_amazon(const Recipe& recipe, const Release& release, RawSink& sink, ReadStats& stats) {
  readers::check_settings(recipe, {});
  MalformedLines bad(recipe, stats);
  std::vector<std::filesystem::path> reviews, metas;  // resolved first: a missing file fails early
  for (const auto& role : readers::roles_with_prefix(recipe, "reviews")) {
    reviews.push_back(recipe_file(recipe, role));
  }
  if (reviews.empty()) recipe_file(recipe, "reviews");  // names the missing key
  for (const auto& role : readers::roles_with_prefix(recipe, "meta")) {
    metas.push_back(recipe_file(recipe, role));
  }
  readers::TitleComposer titles(recipe, {"title", "category", "description"});
  for (const auto& path : metas) read_meta(path, release, titles, sink, stats, bad);
  readers::DuplicateGuard seen;
  for (const auto& path : reviews) read_reviews(path, release, sink, stats, bad, seen);
}

}  // namespace

void read_amazon2018(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  read_amazon(recipe, k2018, sink, stats);
}

void read_amazon2023(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  read_amazon(recipe, k2023, sink, stats);
}

}  // namespace recbench
