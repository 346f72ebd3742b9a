// MovieLens readers: ml-100k, ml-1m and ml-25m files as distributed (encodings, genres, quoting).
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"

namespace recbench {
namespace {

using reader_test::Interaction;
using reader_test::Item;
using reader_test::RecordingSink;

TEST(MovieLensReader, Ml100kTabsLatin1TitlesAndGenreFlags) {
  RecordingSink sink;
  ReadStats stats;
  read_movielens(reader_test::fixture_recipe(
                     "movielens", {{"ratings", "ml-100k/u.data"}, {"movies", "ml-100k/u.item"}}),
                 sink, stats);
  ASSERT_EQ(sink.interactions.size(), 4u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"196", "242", 881250949, "MovieLens"}));
  EXPECT_EQ(sink.interactions[3], (Interaction{"22", "242", 878887116, "MovieLens"}));
  ASSERT_EQ(sink.items.size(), 4u);
  EXPECT_EQ(sink.items["242"], (Item{"Kolya (1996)", "Comedy", "MovieLens"}));
  EXPECT_EQ(sink.items["302"].category, "Crime, Film-Noir, Mystery, Thriller");
  EXPECT_EQ(sink.items["1533"].title, "Cit\u00e9 des enfants perdus, La (1995)");
  EXPECT_EQ(sink.items["1533"].category, "unknown");
  EXPECT_EQ(stats.lines, 8);
  EXPECT_EQ(stats.skipped, 0);
}

TEST(MovieLensReader, Ml1mDoubleColonLatin1) {
  RecordingSink sink;
  ReadStats stats;
  auto recipe = reader_test::fixture_recipe(
      "movielens", {{"ratings", "ml-1m/ratings.dat"}, {"movies", "ml-1m/movies.dat"}});
  recipe.text_fields = {"title", "category"};
  read_movielens(recipe, sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);
  EXPECT_EQ(sink.interactions[1], (Interaction{"1", "661", 978302109, "MovieLens"}));
  EXPECT_EQ(sink.items["661"].category, "Animation, Children's, Musical");
  EXPECT_EQ(sink.items["73"].title, "Mis\u00e9rables, Les (1995) Drama, War");  // title + genres
  EXPECT_EQ(sink.items["73"].category, "Drama, War");
}

TEST(MovieLensReader, CsvReleaseQuotedTitlesAndHeaders) {
  RecordingSink sink;
  ReadStats stats;
  auto recipe = reader_test::fixture_recipe(
      "movielens", {{"ratings", "ml-25m/ratings.csv"}, {"movies", "ml-25m/movies.csv"}});
  recipe.reader["domain"] = "Movies";
  read_movielens(recipe, sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);  // the header is not a rating
  EXPECT_EQ(sink.interactions[0], (Interaction{"1", "296", 1147880044, "Movies"}));
  EXPECT_EQ(sink.items["11"],
            (Item{"American President, The (1995)", "Comedy, Drama, Romance", "Movies"}));
  EXPECT_EQ(sink.items["1000"].title, "\"Great Performances\" Cats (1998)");
  EXPECT_EQ(sink.items["1000"].category, "");
  EXPECT_EQ(sink.items["2000"].title, "Am\u00e9lie (2001)");
}

TEST(MovieLensReader, EncodingCanBeOverriddenAndUnknownOnesAreRejected) {
  RecordingSink sink;
  ReadStats stats;
  auto recipe = reader_test::fixture_recipe(
      "movielens", {{"ratings", "ml-1m/ratings.dat"}, {"movies", "ml-1m/movies.dat"}});
  recipe.reader["encoding"] = "utf-8";  // wrong for ml-1m: its Latin-1 title is reported
  const std::string error = reader_test::data_error([&] { read_movielens(recipe, sink, stats); });
  EXPECT_NE(error.find("movies.dat:4: title is not valid UTF-8"), std::string::npos) << error;
  recipe.reader["encoding"] = "cp1252";
  EXPECT_NE(reader_test::config_error([&] {
              read_movielens(recipe, sink, stats);
            }).find("unknown encoding reader.encoding = \"cp1252\""),
            std::string::npos);
}

TEST(MovieLensReader, RatingsWithoutMoviesAndUnknownSettings) {
  RecordingSink sink;
  ReadStats stats;
  auto recipe = reader_test::fixture_recipe("movielens", {{"ratings", "ml-100k/u.data"}});
  read_movielens(recipe, sink, stats);
  EXPECT_EQ(sink.interactions.size(), 4u);
  EXPECT_TRUE(sink.items.empty());
  recipe.reader["delimiter"] = ";";
  const auto run = [&] { read_movielens(recipe, sink, stats); };
  EXPECT_NE(
      reader_test::config_error(run).find("reader.delimiter: unknown key for format \"movielens\" "
                                          "(known: reader.encoding, reader.domain)"),
      std::string::npos);
  recipe.reader.clear();
  recipe.options["users"] = 5;  // the real formats take no numeric options
  EXPECT_NE(reader_test::config_error(run).find("options.users"), std::string::npos);
}

}  // namespace
}  // namespace recbench
