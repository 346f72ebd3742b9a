// LastFM HetRec 2011 reader: tagging events collapse to one interaction; artist names.
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

using reader_test::Interaction;

TEST(LastFmReader, OneInteractionPerTaggingEventInSeconds) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_lastfm(
      reader_test::fixture_recipe("lastfm", {{"tags", "lastfm/user_taggedartists-timestamps.dat"},
                                             {"artists", "lastfm/artists.dat"}}),
      sink, stats);
  // Six tag lines; the second tags the same (user, artist, time) as the first.
  ASSERT_EQ(sink.interactions.size(), 5u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"2", "52", 1238536800, "LastFM"}));
  EXPECT_EQ(sink.interactions[1], (Interaction{"2", "63", 1238536800, "LastFM"}));
  EXPECT_EQ(sink.interactions[3], (Interaction{"2", "52", 1243807200, "LastFM"}));
  EXPECT_EQ(sink.interactions[4], (Interaction{"3", "52", 1256961600, "LastFM"}));
  ASSERT_EQ(sink.items.size(), 3u);
  EXPECT_EQ(sink.items["52"].title, "Morcheeba");
  EXPECT_EQ(sink.items["73"].title, "Bj\u00f6rk");  // a row without the picture URL
  EXPECT_EQ(stats.lines, 9);
  EXPECT_EQ(stats.skipped, 0);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

//! A recipe over `tags` (a file in `dir`) alone.
Recipe tags_recipe(const test::TempDir& dir, const std::string& tags,
                   const std::string& on_error = "fail") {
  Recipe r = reader_test::fixture_recipe("lastfm", {{"tags", "tags.dat"}}, on_error);
  dir.write("tags.dat", tags);
  r.base_dir = dir.path();
  return r;
}

// user_taggedartists.dat gives the day, month and year of each tagging (a header names them).
TEST(LastFmReader, DayMonthYearFileGivesOneInteractionPerArtistAndDay) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_lastfm(reader_test::fixture_recipe("lastfm", {{"tags", "lastfm/user_taggedartists.dat"},
                                                     {"artists", "lastfm/artists.dat"}}),
              sink, stats);
  // Seven tag lines; lines 3 and 4 tag artist 52 on the same day as user 2.
  ASSERT_EQ(sink.interactions.size(), 6u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"2", "52", 1243814400, "LastFM"}));  // 2009-06-01
  EXPECT_EQ(sink.interactions[1], (Interaction{"2", "73", 1238544000, "LastFM"}));  // 2009-04-01
  EXPECT_EQ(sink.interactions[2], (Interaction{"2", "52", 1238544000, "LastFM"}));
  EXPECT_EQ(sink.interactions[3], (Interaction{"2", "63", 1238544000, "LastFM"}));
  EXPECT_EQ(sink.interactions[4], (Interaction{"3", "73", 1204243200, "LastFM"}));  // 2008-02-29
  EXPECT_EQ(sink.interactions[5], (Interaction{"3", "52", 1257033600, "LastFM"}));
  EXPECT_EQ(sink.items.size(), 3u);
  EXPECT_EQ(stats.lines, 10);  // 7 tag lines and 3 artists, headers not counted
  EXPECT_EQ(stats.skipped, 0);
}

TEST(LastFmReader, EventsOfOneDayKeepTheirFileOrder) {
  Recipe recipe = reader_test::fixture_recipe(
      "lastfm", {{"tags", "lastfm/user_taggedartists.dat"}, {"artists", "lastfm/artists.dat"}});
  recipe.filter.min_length = 2;
  const PreparedDataset d = test::prepare_uncached(recipe);
  ASSERT_EQ(d.user_tokens, (std::vector<std::string>{"2", "3"}));
  // 2009-04-01: 73, 52, 63 as the file lists them (neither id order nor first-seen order: 52
  // comes first in the file, on a later day), then 52 again on 2009-06-01.
  EXPECT_EQ(test::tokens(d, d.sequences, 0), (std::vector<std::string>{"73", "52", "63", "52"}));
  EXPECT_EQ(test::tokens(d, d.sequences, 1), (std::vector<std::string>{"73", "52"}));
  EXPECT_EQ(d.items.titles[static_cast<size_t>(d.sequences.sequence(0)[0])], "Bj\u00f6rk");
}

TEST(LastFmReader, InvalidDatesAndWrongFieldCountsAreMalformed) {
  test::TempDir dir;
  const std::string tags =
      "userID\tartistID\ttagID\tday\tmonth\tyear\n"
      "2\t52\t13\t28\t2\t2009\n"
      "2\t52\t13\t31\t2\t2009\n"  // no 31 February
      "2\t63\t13\t1\t4\n"         // five fields
      "2\t63\t13\t29\t2\t2009\n"  // 2009 is no leap year
      "2\t63\t13\t1\t13\t2009\n"  // no month 13
      "2\t73\t13\t1\t4\t2009\n";
  Recipe recipe = tags_recipe(dir, tags);
  reader_test::RecordingSink sink;
  ReadStats stats;
  std::string error = reader_test::data_error([&] { read_lastfm(recipe, sink, stats); });
  EXPECT_TRUE(contains(error,
                       "tags.dat:3: expected user, artist and tag ids and a valid day, "
                       "month and year"))
      << error;

  recipe = tags_recipe(dir, tags, "skip");
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_lastfm(recipe, kept, counted);
  ASSERT_EQ(kept.interactions.size(), 2u);
  EXPECT_EQ(kept.interactions[1], (Interaction{"2", "73", 1238544000, "LastFM"}));
  EXPECT_EQ(counted.skipped, 4);
  EXPECT_EQ(counted.lines, 6);
  ASSERT_EQ(counted.messages.size(), 4u);
  EXPECT_TRUE(contains(counted.messages[1],
                       "tags.dat:4: expected 6 tab-separated fields (userID, artistID, tagID, "
                       "day, month, year), found 5 fields"))
      << counted.messages[1];
  EXPECT_TRUE(contains(counted.messages[2],
                       "tags.dat:5: expected user, artist and tag ids and a "
                       "valid day, month and year"))
      << counted.messages[2];
  EXPECT_TRUE(contains(counted.messages[3], "tags.dat:6:")) << counted.messages[3];
}

TEST(LastFmReader, MillisecondFileKeepsItsMessages) {
  test::TempDir dir;
  Recipe recipe = tags_recipe(dir,
                              "userID\tartistID\ttagID\ttimestamp\n"
                              "2\t52\t13\t1238536800000\n"
                              "2\t52\t13\t1\t4\t2009\n"  // a date line in a millisecond file
                              "2\t52\t13\tnoon\n"
                              "2\t52\t13\t1238536800000\n");
  reader_test::RecordingSink sink;
  ReadStats stats;
  std::string error = reader_test::data_error([&] { read_lastfm(recipe, sink, stats); });
  EXPECT_TRUE(contains(error,
                       "tags.dat:3: expected 4 tab-separated fields (userID, artistID, tagID, "
                       "timestamp in milliseconds), found 6 fields"))
      << error;
  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_lastfm(recipe, kept, counted);
  ASSERT_EQ(counted.messages.size(), 3u);
  EXPECT_TRUE(contains(counted.messages[1],
                       "tags.dat:4: expected user, artist and tag ids and a "
                       "timestamp in milliseconds"))
      << counted.messages[1];
  EXPECT_TRUE(contains(counted.messages[2],
                       "tags.dat:5: duplicate line (same user, artist, tag and time as an earlier "
                       "line)"))
      << counted.messages[2];
  EXPECT_EQ(kept.interactions.size(), 1u);
}

TEST(LastFmReader, WithoutAHeaderTheFirstLineFixesTheLayout) {
  test::TempDir dir;
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_lastfm(tags_recipe(dir, "5\t9\t1\t2\t1\t1970\n5\t8\t1\t2\t1\t1970\n"), sink, stats);
  ASSERT_EQ(sink.interactions.size(), 2u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"5", "9", 86400, "LastFM"}));
  sink.interactions.clear();
  read_lastfm(tags_recipe(dir, "5\t9\t1\t-1500\n"), sink, stats);  // floor to seconds
  ASSERT_EQ(sink.interactions.size(), 1u);
  EXPECT_EQ(sink.interactions[0].timestamp, -2);
}

}  // namespace
}  // namespace recbench
