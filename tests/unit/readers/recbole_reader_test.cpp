// The RecBole atomic reader: typed headers, item text, optional columns, malformed lines.
#include <gtest/gtest.h>

#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/raw_reader.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

using test::error_of;
using test::RecordingSink;
using test::TempDir;

const std::filesystem::path kFixtures = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "data";

TEST(AtomicReader, ReadsInterItemAndUserFiles) {
  const Recipe recipe = load_recipe(kFixtures / "tiny.toml");
  RecordingSink sink;
  ReadStats stats;
  raw_reader("atomic")(recipe, sink, stats);
  ASSERT_EQ(sink.rows.size(), 5u);
  EXPECT_EQ(sink.rows[0], std::make_tuple("1", "10", 881250949, ""));
  EXPECT_EQ(sink.rows[1], std::make_tuple("1", "20", 881250950, ""));  // "881250950.0"
  EXPECT_EQ(sink.rows[3], std::make_tuple("2", "30", 878887116, ""));
  ASSERT_EQ(sink.items.size(), 3u);
  EXPECT_EQ(sink.items[0], std::make_tuple("10", "Toy Story", "Animation, Children, Comedy", ""));
  EXPECT_EQ(std::get<1>(sink.items[2]), "Four Rooms");  // token_seq words re-joined
  EXPECT_EQ(stats.lines, 3 + 3 + 5);
  EXPECT_EQ(stats.skipped, 0);
}

TEST(AtomicReader, MissingTimestampAndDomainColumns) {
  TempDir dir;
  Recipe r = test::atomic_recipe(dir, "user_id:token\titem_id:token\tdomain:token\nu\ta\tbooks\n");
  RecordingSink sink;
  ReadStats stats;
  raw_reader("atomic")(r, sink, stats);
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_EQ(sink.rows[0], std::make_tuple("u", "a", 0, "books"));
}

TEST(AtomicReader, MalformedLineFailsWithFileAndLine) {
  Recipe recipe = load_recipe(kFixtures / "tiny.toml");
  recipe.files = {{"inter", "malformed.inter"}};
  RecordingSink sink;
  ReadStats stats;
  auto msg = error_of<DataError>([&] { raw_reader("atomic")(recipe, sink, stats); });
  EXPECT_NE(msg.find("malformed.inter:3: expected 3 tab-separated fields, got 2"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("on_error"), std::string::npos) << msg;
}

TEST(AtomicReader, SkipModeCountsEveryMalformedLine) {
  Recipe recipe = load_recipe(kFixtures / "tiny.toml");
  recipe.files = {{"inter", "malformed.inter"}};
  recipe.on_error = "skip";
  RecordingSink sink;
  ReadStats stats;
  raw_reader("atomic")(recipe, sink, stats);
  ASSERT_EQ(sink.rows.size(), 2u);
  EXPECT_EQ(sink.rows[1], std::make_tuple("2", "10", 300, ""));
  EXPECT_EQ(stats.lines, 5);  // the empty line 6 is not data
  EXPECT_EQ(stats.skipped, 3);
  ASSERT_EQ(stats.messages.size(), 3u);
  EXPECT_NE(stats.messages[0].find("malformed.inter:3:"), std::string::npos);
  EXPECT_NE(stats.messages[1].find("malformed.inter:4: field \"timestamp\": expected a number"),
            std::string::npos)
      << stats.messages[1];
  EXPECT_NE(stats.messages[2].find("malformed.inter:7: expected 3"), std::string::npos);
}

TEST(AtomicReader, BadHeadersAreAlwaysErrors) {
  TempDir dir;
  Recipe r = test::atomic_recipe(dir, "user_id:token\titem_id:tokn\n");
  r.on_error = "skip";
  RecordingSink sink;
  ReadStats stats;
  auto msg = error_of<DataError>([&] { raw_reader("atomic")(r, sink, stats); });
  EXPECT_NE(msg.find("data.inter:1: header field \"item_id:tokn\""), std::string::npos) << msg;
  r = test::atomic_recipe(dir, "user_id:token\ttimestamp:float\n");
  msg = error_of<DataError>([&] { raw_reader("atomic")(r, sink, stats); });
  EXPECT_NE(msg.find("data.inter:1: missing field \"item_id\""), std::string::npos) << msg;
  r = test::atomic_recipe(dir, "user_id:token\titem_id:token\ttimestamp:token\n");
  msg = error_of<DataError>([&] { raw_reader("atomic")(r, sink, stats); });
  EXPECT_NE(msg.find("field \"timestamp\" has the wrong type"), std::string::npos) << msg;
}

TEST(AtomicReader, ItemFileMustHoldATextField) {
  Recipe recipe = load_recipe(kFixtures / "tiny.toml");
  recipe.text_fields = {"title"};
  RecordingSink sink;
  ReadStats stats;
  auto msg = error_of<DataError>([&] { raw_reader("atomic")(recipe, sink, stats); });
  EXPECT_NE(msg.find("tiny.item:1: none of text_fields (title)"), std::string::npos) << msg;
}

TEST(AtomicReader, UnknownRolesOptionsAndFormats) {
  Recipe recipe = load_recipe(kFixtures / "tiny.toml");
  recipe.files["ratings"] = "tiny.inter";
  RecordingSink sink;
  ReadStats stats;
  auto msg = error_of<ConfigError>([&] { raw_reader("atomic")(recipe, sink, stats); });
  EXPECT_NE(msg.find("files.ratings: unknown file role"), std::string::npos) << msg;
  recipe = load_recipe(kFixtures / "tiny.toml");
  recipe.options["users"] = 3;
  msg = error_of<ConfigError>([&] { raw_reader("atomic")(recipe, sink, stats); });
  EXPECT_NE(msg.find("options.users: unknown option for format \"atomic\""), std::string::npos);
  msg = error_of<ConfigError>([&] { raw_reader("hdf9"); });
  EXPECT_NE(msg.find("(known formats: "), std::string::npos) << msg;
  EXPECT_NE(msg.find(" atomic, "), std::string::npos) << msg;
}

}  // namespace
}  // namespace recbench
