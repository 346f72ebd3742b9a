// LastFM HetRec 2011 reader: tagging events collapse to one interaction; artist names.
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"

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

}  // namespace
}  // namespace recbench
