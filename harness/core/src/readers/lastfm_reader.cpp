// LastFM HetRec 2011: user_taggedartists[-timestamps].dat (tagging events) and artists.dat.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"

namespace recbench {

namespace {

using readers::Encoding;

//! The two distributed forms of the tag file: user_taggedartists-timestamps.dat (a time in
//! milliseconds) and user_taggedartists.dat (the day, month and year of the tagging).
enum class TagTime { kMilliseconds, kDate };

constexpr std::string_view kTagLayouts[] = {
    "4 tab-separated fields (userID, artistID, tagID, timestamp in milliseconds)",
    "6 tab-separated fields (userID, artistID, tagID, day, month, year)"};

//! The time fields of a tagging event as the file gives them (milliseconds, or Unix seconds of
//! the day), or nullopt when they are not a time.
std::optional<int64_t> event_time(TagTime layout, const std::vector<std::string_view>& f) {
  if (layout == TagTime::kMilliseconds) return parse_int(f[3]);
  const auto day = parse_int(f[3]), month = parse_int(f[4]), year = parse_int(f[5]);
  if (!day || !month || !year) return std::nullopt;
  return readers::date_seconds(*year, *month, *day);
}

//! Unix seconds (floor) of an event_time().
int64_t to_seconds(TagTime layout, int64_t time) {
  if (layout == TagTime::kDate) return time;
  return time >= 0 ? time / 1000 : -((-time + 999) / 1000);
}

void read_tags(const std::filesystem::path& path, const std::string& domain, RawSink& sink,
               ReadStats& stats, MalformedLines& bad) {
  LineReader in(path);
  std::vector<std::string_view> f;
  readers::DuplicateGuard exact;   // (user, artist+tag, time): a repeated line
  readers::DuplicateGuard events;  // (user, artist, time): one interaction, however many tags
  std::optional<TagTime> layout;   // fixed by the header or the first data line
  std::string artist_tag;
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty()) continue;
    split_fields(line, '\t', f);
    if (in.line_number() == 1 && line.starts_with("userID")) {
      layout = f.size() == 6 ? TagTime::kDate : TagTime::kMilliseconds;
      continue;
    }
    ++stats.lines;
    ++data;
    if (!layout && (f.size() == 4 || f.size() == 6)) {
      layout = f.size() == 6 ? TagTime::kDate : TagTime::kMilliseconds;
    }
    const size_t expected = layout == TagTime::kDate ? 6 : 4;
    if (!layout || f.size() != expected) {
      bad.report(in, "expected " + std::string(kTagLayouts[layout == TagTime::kDate ? 1 : 0]) +
                         ", found " + std::to_string(f.size()) + " fields");
      continue;
    }
    const auto time = event_time(*layout, f);
    if (f[0].empty() || f[1].empty() || f[2].empty() || !time) {
      bad.report(in, *layout == TagTime::kDate
                         ? "expected user, artist and tag ids and a valid day, month and year"
                         : "expected user, artist and tag ids and a timestamp in milliseconds");
      continue;
    }
    artist_tag.assign(f[1]).append("\t").append(f[2]);
    if (exact.seen(f[0], artist_tag, *time)) {
      bad.report(in, "duplicate line (same user, artist, tag and time as an earlier line)");
      continue;
    }
    // Events of one day share one time; the stable time sort keeps their file order.
    if (events.seen(f[0], f[1], *time)) continue;
    sink.interaction(f[0], f[1], to_seconds(*layout, *time), domain);
  }
  readers::require_data(in, data, "one tagging event per line (userID, artistID, tagID, time)");
}

void read_artists(const std::filesystem::path& path, Encoding encoding, const std::string& domain,
                  readers::TitleComposer& titles, RawSink& sink, ReadStats& stats,
                  MalformedLines& bad) {
  LineReader in(path);
  std::vector<std::string_view> f;
  std::string name;
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty() || (in.line_number() == 1 && line.starts_with("id\t"))) continue;
    ++stats.lines;
    ++data;
    split_fields(line, '\t', f);
    if (f.size() != 4 && f.size() != 3) {  // some rows lack the picture URL
      bad.report(in, "expected 4 tab-separated fields (id, name, url, pictureURL), found " +
                         std::to_string(f.size()));
      continue;
    }
    if (f[0].empty()) {
      bad.report(in, "expected an artist id in field 1");
      continue;
    }
    if (!readers::to_utf8(f[1], encoding, name)) {
      bad.report(in,
                 "artist name is not valid UTF-8; expected reader.encoding = \"utf-8\" text "
                 "(set \"latin-1\" for Latin-1 files)");
      continue;
    }
    sink.item(f[0], titles.compose({name}), "", domain);
  }
  readers::require_data(in, data, "one artist per line (id, name, url, pictureURL)");
}

}  // namespace

void read_lastfm(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  readers::check_settings(recipe, {"encoding", "domain"});
  MalformedLines bad(recipe, stats);
  const Encoding encoding = readers::encoding_setting(recipe, Encoding::kUtf8);
  const std::string domain = readers::reader_setting(recipe, "domain", "LastFM");
  const auto tags = recipe_file(recipe, "tags");
  readers::TitleComposer titles(recipe, {"title"});
  if (recipe.files.contains("artists")) {
    read_artists(recipe_file(recipe, "artists"), encoding, domain, titles, sink, stats, bad);
  }
  read_tags(tags, domain, sink, stats, bad);
}

}  // namespace recbench
