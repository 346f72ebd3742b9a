// Steam reader: Python-literal review and game lines, dates, titles, genres.
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"

namespace recbench {
namespace {

using reader_test::Interaction;
using reader_test::Item;

TEST(SteamReader, ReviewsAndGamesAsDistributed) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_steam(reader_test::fixture_recipe("steam", {{"reviews", "steam/steam_reviews.json.gz"},
                                                   {"games", "steam/steam_games.json.gz"}}),
             sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"Chaos Syren", "725280", 1513468800, "Steam"}));
  EXPECT_EQ(sink.interactions[1], (Interaction{"hello", "328100", 1508112000, "Steam"}));
  EXPECT_EQ(sink.interactions[2], (Interaction{"Chaos Syren", "328100", 1515024000, "Steam"}));
  ASSERT_EQ(sink.items.size(), 3u);  // the game without an id is not an item
  EXPECT_EQ(sink.items["761140"],
            (Item{"Lost Summoner Kitty", "Action, Casual, Indie, Simulation, Strategy", "Steam"}));
  EXPECT_EQ(sink.items["328100"], (Item{"Arma \u00e9dition", "Action", "Steam"}));
  EXPECT_EQ(sink.items["725280"], (Item{"Title Only Game", "", "Steam"}));  // app_name None
  EXPECT_EQ(stats.lines, 7);
}

TEST(SteamReader, BadLiteralsAndDatesAreReportedOrSkipped) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  auto recipe = reader_test::fixture_recipe("steam", {{"reviews", "bad/steam_reviews_bad.json"}});
  const std::string error = reader_test::data_error([&] { read_steam(recipe, sink, stats); });
  EXPECT_NE(error.find("steam_reviews_bad.json:2: not a Python literal (unexpected 'datetime'"),
            std::string::npos)
      << error;
  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_steam(recipe, kept, counted);
  ASSERT_EQ(kept.interactions.size(), 2u);
  EXPECT_EQ(kept.interactions[1].user, "d");
  EXPECT_EQ(counted.skipped, 2);
  ASSERT_EQ(counted.messages.size(), 2u);
  EXPECT_NE(counted.messages[1].find(":3: expected 'username', 'product_id' and 'date'"),
            std::string::npos)
      << counted.messages[1];
}

}  // namespace
}  // namespace recbench
