// MovieLens raw files: ml-100k (u.data, u.item), ml-1m (ratings.dat, movies.dat), ml-20m/25m (CSV).
#include <array>
#include <string>
#include <vector>

#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"

namespace recbench {

namespace {

using readers::Encoding;

//! Which MovieLens release, told by the ratings file's name.
enum class Variant { k100k, k1m, kCsv };

Variant variant_of(const std::filesystem::path& ratings) {
  std::string name = ratings.filename().string();
  if (name.ends_with(".gz")) name.resize(name.size() - 3);
  if (name.ends_with(".csv")) return Variant::kCsv;
  if (name.ends_with(".dat")) return Variant::k1m;
  return Variant::k100k;
}

//! The 19 genre flags of u.item, in file order.
constexpr std::array<std::string_view, 19> kGenres100k = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

struct Layout {
  std::string_view separator;
  std::string_view header;  //!< first line of the CSV release, skipped
};

Layout layout_of(Variant v, bool items) {
  switch (v) {
    case Variant::k100k:
      return {items ? "|" : "\t", ""};
    case Variant::k1m:
      return {"::", ""};
    case Variant::kCsv:
      return {",", items ? "movieId," : "userId,"};
  }
  return {};
}

//! Splits one line of `v`'s layout; movies.csv quotes titles that contain commas.
void split_line(std::string_view line, Variant v, bool items, std::vector<std::string>& out) {
  if (v == Variant::kCsv && items) {
    if (!readers::split_csv(line, ',', out)) out.assign(1, std::string(line));
    return;
  }
  std::vector<std::string_view> parts;
  readers::split_on(line, layout_of(v, items).separator, parts);
  out.assign(parts.begin(), parts.end());
}

void read_ratings(const std::filesystem::path& path, Variant v, const std::string& domain,
                  RawSink& sink, ReadStats& stats, MalformedLines& bad) {
  LineReader in(path);
  const Layout layout = layout_of(v, false);
  std::vector<std::string> f;
  readers::DuplicateGuard seen;
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty() ||
        (in.line_number() == 1 && !layout.header.empty() && line.starts_with(layout.header))) {
      continue;
    }
    ++stats.lines;
    ++data;
    split_line(line, v, false, f);
    if (f.size() != 4) {
      bad.report(in, "expected 4 fields (user, item, rating, timestamp) separated by '" +
                         std::string(layout.separator) + "', found " + std::to_string(f.size()));
      continue;
    }
    const auto ts = parse_timestamp(f[3]);
    if (f[0].empty() || f[1].empty() || !parse_double(f[2]) || !ts) {
      bad.report(in, "expected user and item ids, a numeric rating and an integer timestamp");
      continue;
    }
    if (seen.seen(f[0], f[1], *ts)) {
      bad.report(in, "duplicate interaction (same user, item and timestamp as an earlier line)");
      continue;
    }
    sink.interaction(f[0], f[1], *ts, domain);
  }
  readers::require_data(in, data, "one rating per line (user, item, rating, timestamp)");
}

//! The genre text of one movie line: u.item's flags, or the '|'-separated list of the others.
bool genres_of(const std::vector<std::string>& f, Variant v, std::string& out) {
  out.clear();
  if (v == Variant::k100k) {
    for (size_t g = 0; g < kGenres100k.size(); ++g) {
      const std::string& flag = f[5 + g];
      if (flag != "0" && flag != "1") return false;
      if (flag == "1") out += (out.empty() ? "" : ", ") + std::string(kGenres100k[g]);
    }
    return true;
  }
  if (f[2] == "(no genres listed)") return true;
  std::vector<std::string_view> parts;
  readers::split_on(f[2], "|", parts);
  for (const auto part : parts) out += (out.empty() ? "" : ", ") + std::string(part);
  return true;
}

void read_movies(const std::filesystem::path& path, Variant v, Encoding encoding,
                 const std::string& domain, readers::TitleComposer& titles, RawSink& sink,
                 ReadStats& stats, MalformedLines& bad) {
  LineReader in(path);
  const Layout layout = layout_of(v, true);
  const size_t expected = v == Variant::k100k ? 5 + kGenres100k.size() : 3;
  std::vector<std::string> f;
  std::string title, genres;
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty() ||
        (in.line_number() == 1 && !layout.header.empty() && line.starts_with(layout.header))) {
      continue;
    }
    ++stats.lines;
    ++data;
    split_line(line, v, true, f);
    if (f.size() != expected) {
      bad.report(in, "expected " + std::to_string(expected) + " fields separated by '" +
                         std::string(layout.separator) + "', found " + std::to_string(f.size()));
      continue;
    }
    if (!readers::to_utf8(f[1], encoding, title)) {
      bad.report(in,
                 "title is not valid UTF-8; expected reader.encoding = \"utf-8\" text "
                 "(set \"latin-1\" for Latin-1 files)");
      continue;
    }
    if (!genres_of(f, v, genres)) {
      bad.report(in, "expected genre flags 0 or 1 in fields 6-24");
      continue;
    }
    sink.item(f[0], titles.compose({title, genres}), genres, domain);
  }
  readers::require_data(in, data, "one movie per line (id, title, ...)");
}

}  // namespace

void read_movielens(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  readers::check_settings(recipe, {"encoding", "domain"});
  MalformedLines bad(recipe, stats);
  const auto ratings = recipe_file(recipe, "ratings");
  const Variant v = variant_of(ratings);
  const Encoding encoding =
      readers::encoding_setting(recipe, v == Variant::kCsv ? Encoding::kUtf8 : Encoding::kLatin1);
  const std::string domain = readers::reader_setting(recipe, "domain", "MovieLens");
  readers::TitleComposer titles(recipe, {"title", "category"});
  if (recipe.files.contains("movies")) {
    read_movies(recipe_file(recipe, "movies"), v, encoding, domain, titles, sink, stats, bad);
  }
  read_ratings(ratings, v, domain, sink, stats, bad);
}

}  // namespace recbench
