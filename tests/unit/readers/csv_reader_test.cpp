// Generic delimited-text reader: named and numbered columns, quoting, item files, settings.
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"

namespace recbench {
namespace {

using reader_test::Interaction;
using reader_test::Item;

Recipe plays_recipe() {
  auto r = reader_test::fixture_recipe("csv", {{"inter", "csv/plays.tsv"}});
  r.reader = {{"delimiter", "\\t"},
              {"user", "uid"},
              {"item", "iid"},
              {"timestamp", "ts"},
              {"title", "name"}};
  return r;
}

TEST(CsvReader, NamedColumnsWithTitlesInTheInteractionFile) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_csv(plays_recipe(), sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);
  EXPECT_EQ(sink.interactions[2], (Interaction{"u2", "i1", 1500, "fixture-csv"}));
  EXPECT_EQ(sink.items["i1"], (Item{"Song, One", "", "fixture-csv"}));
  EXPECT_EQ(sink.items["i2"].title, "Song Two");
}

TEST(CsvReader, SeparateItemFile) {
  auto recipe = plays_recipe();
  recipe.files["items"] = "csv/songs.tsv";
  recipe.reader["category"] = "genre";
  recipe.reader["domain"] = "Music";
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_csv(recipe, sink, stats);
  EXPECT_EQ(sink.item_calls, 2);  // titles come from the item file only
  EXPECT_EQ(sink.items["i1"], (Item{"Song, One", "Rock", "Music"}));
  EXPECT_EQ(sink.items["i2"], (Item{"Song Two", "", "Music"}));
  EXPECT_EQ(sink.interactions[0].domain, "Music");
}

TEST(CsvReader, NumberedColumnsWithoutHeaderAndMilliseconds) {
  auto recipe = reader_test::fixture_recipe("csv", {{"inter", "csv/inter_noheader.csv"}});
  recipe.reader = {
      {"header", "false"}, {"user", "2"}, {"item", "3"}, {"timestamp", "1"}, {"time_unit", "ms"}};
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_csv(recipe, sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"u1", "i1", 1, "fixture-csv"}));
  EXPECT_TRUE(sink.items.empty());
}

TEST(CsvReader, BadSettingsNameTheKey) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  auto recipe = plays_recipe();
  recipe.reader["user"] = "who";
  EXPECT_NE(reader_test::data_error([&] { read_csv(recipe, sink, stats); })
                .find("plays.tsv:1: no column 'who' (reader.user) in the header; found: uid, iid, "
                      "ts, name"),
            std::string::npos);
  recipe = plays_recipe();
  recipe.reader["time_unit"] = "h";
  EXPECT_NE(
      reader_test::config_error([&] { read_csv(recipe, sink, stats); }).find("reader.time_unit"),
      std::string::npos);
  recipe = plays_recipe();
  recipe.reader["header"] = "yes";
  EXPECT_NE(reader_test::config_error([&] { read_csv(recipe, sink, stats); }).find("reader.header"),
            std::string::npos);
}

}  // namespace
}  // namespace recbench
