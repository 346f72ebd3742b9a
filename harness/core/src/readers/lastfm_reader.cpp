// LastFM HetRec 2011: user_taggedartists-timestamps.dat (tagging events) and artists.dat.
#include <string>
#include <vector>

#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"

namespace recbench {

namespace {

using readers::Encoding;

void read_tags(const std::filesystem::path& path, const std::string& domain, RawSink& sink,
               ReadStats& stats, MalformedLines& bad) {
  LineReader in(path);
  std::vector<std::string_view> f;
  readers::DuplicateGuard exact;   // (user, artist+tag, time): a repeated line
  readers::DuplicateGuard events;  // (user, artist, time): one interaction, however many tags
  std::string artist_tag;
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    if (line.empty() || (in.line_number() == 1 && line.starts_with("userID"))) continue;
    ++stats.lines;
    ++data;
    split_fields(line, '\t', f);
    if (f.size() != 4) {
      bad.report(in,
                 "expected 4 tab-separated fields (userID, artistID, tagID, timestamp), "
                 "found " +
                     std::to_string(f.size()));
      continue;
    }
    const auto ms = parse_int(f[3]);
    if (f[0].empty() || f[1].empty() || f[2].empty() || !ms) {
      bad.report(in, "expected user, artist and tag ids and a timestamp in milliseconds");
      continue;
    }
    const int64_t seconds = *ms >= 0 ? *ms / 1000 : -((-*ms + 999) / 1000);  // floor
    artist_tag.assign(f[1]).append("\t").append(f[2]);
    if (exact.seen(f[0], artist_tag, *ms)) {
      bad.report(in, "duplicate line (same user, artist, tag and timestamp as an earlier line)");
      continue;
    }
    if (events.seen(f[0], f[1], *ms)) continue;
    sink.interaction(f[0], f[1], seconds, domain);
  }
  readers::require_data(in, data,
                        "one tagging event per line (userID, artistID, tagID, timestamp)");
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
