// Bad raw input: every kind is reported with file, line and what was expected, or skipped.
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"

namespace recbench {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BadInput, TruncatedGzipFailsOrKeepsWhatCameBefore) {
  auto recipe = reader_test::fixture_recipe("amazon2018", {{"reviews", "bad/truncated.json.gz"}});
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_amazon2018(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "bad/truncated.json.gz")) << error;
  EXPECT_TRUE(contains(error, "unexpected end of file")) << error;
  EXPECT_TRUE(contains(error, "expected a complete file")) << error;

  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_amazon2018(recipe, kept, counted);
  EXPECT_GT(kept.interactions.size(), 100u);  // the whole lines before the cut
  EXPECT_LT(kept.interactions.size(), 400u);
  EXPECT_EQ(counted.skipped, 1);
  EXPECT_EQ(counted.lines, static_cast<int64_t>(kept.interactions.size()));
}

TEST(BadInput, InvalidJsonLines) {
  auto recipe = reader_test::fixture_recipe("amazon2018", {{"reviews", "bad/invalid_json.json"}});
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_amazon2018(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "invalid_json.json:2: invalid JSON at column")) << error;
  EXPECT_TRUE(contains(error, "expected one JSON object per line")) << error;

  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_amazon2018(recipe, kept, counted);
  ASSERT_EQ(kept.interactions.size(), 2u);
  EXPECT_EQ(kept.interactions[1].user, "A4");
  EXPECT_EQ(counted.skipped, 3);  // cut-off object, missing unixReviewTime, an array
  ASSERT_EQ(counted.messages.size(), 3u);
  EXPECT_TRUE(contains(counted.messages[1],
                       ":3: expected 'reviewerID', 'asin' and a numeric 'unixReviewTime'"))
      << counted.messages[1];
  EXPECT_TRUE(contains(counted.messages[2], ":4: expected a JSON object, found an array"))
      << counted.messages[2];
}

TEST(BadInput, WrongColumnCount) {
  auto recipe = reader_test::fixture_recipe("movielens", {{"ratings", "bad/wrong_columns.data"}});
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_movielens(recipe, sink, stats); });
  EXPECT_TRUE(contains(error,
                       "wrong_columns.data:2: expected 4 fields (user, item, rating, "
                       "timestamp) separated by '\t', found 3"))
      << error;
  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_movielens(recipe, kept, counted);
  EXPECT_EQ(kept.interactions.size(), 2u);
  EXPECT_EQ(counted.skipped, 1);
}

TEST(BadInput, TextNotInTheDeclaredEncoding) {
  auto recipe = reader_test::fixture_recipe(
      "movielens", {{"ratings", "ml-25m/ratings.csv"}, {"movies", "bad/latin1_in_utf8.csv"}});
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_movielens(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "latin1_in_utf8.csv:2: title is not valid UTF-8")) << error;
  recipe.reader["encoding"] = "latin-1";  // the fix the message suggests
  read_movielens(recipe, sink, stats);
  EXPECT_EQ(sink.items["11"].title, "Caf\u00e9 (1995)");
}

TEST(BadInput, EmptyFileFailsEvenWhenSkipping) {
  auto recipe = reader_test::fixture_recipe("movielens", {{"ratings", "bad/empty.data"}}, "skip");
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_movielens(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "bad/empty.data: empty file; expected one rating per line")) << error;
}

TEST(BadInput, DuplicateInteractions) {
  auto recipe = reader_test::fixture_recipe("movielens", {{"ratings", "bad/duplicates.data"}});
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_movielens(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "duplicates.data:3: duplicate interaction")) << error;
  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_movielens(recipe, kept, counted);
  EXPECT_EQ(kept.interactions.size(), 2u);
  EXPECT_EQ(counted.skipped, 1);
}

TEST(BadInput, MissingFileNamesPathKeyAndDownloadHint) {
  auto recipe =
      reader_test::fixture_recipe("steam", {{"reviews", "nowhere/steam_reviews.json.gz"}});
  recipe.download_hint = "download steam_reviews.json.gz from the UCSD page (datasets/steam.md)";
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_steam(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "nowhere/steam_reviews.json.gz: file not found")) << error;
  EXPECT_TRUE(contains(error, "files.reviews in fixture.toml")) << error;
  EXPECT_TRUE(contains(error, "; download steam_reviews.json.gz from the UCSD page")) << error;
  recipe.files.clear();
  EXPECT_TRUE(contains(reader_test::config_error([&] { read_steam(recipe, sink, stats); }),
                       "files.reviews"));
}

}  // namespace
}  // namespace recbench
