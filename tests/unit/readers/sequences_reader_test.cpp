// Sequences reader (S3-Rec / ICLRec files): one line per user, positions become timestamps so the
// line's order survives the time sort; lines without items and repeated users are malformed.
#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

using reader_test::Interaction;
using Tokens = std::vector<std::string>;

//! A recipe over tests/fixtures/sequences/`file`.
Recipe sequences_recipe(const std::string& file, const std::string& on_error = "fail") {
  Recipe r = reader_test::fixture_recipe("sequences", {{"sequences", file}}, on_error);
  r.base_dir = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "sequences";
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SequencesReader, PositionsBecomeTimestampsInLineOrder) {
  Recipe recipe = sequences_recipe("tiny.txt");
  recipe.reader["domain"] = "Beauty";
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_sequences(recipe, sink, stats);
  // Lines "1 5 3 9 5", "2 7 8", "3 4 6 2", "10 9 3 7 1 8": 4 + 2 + 3 + 5 items.
  ASSERT_EQ(sink.interactions.size(), 14u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"1", "5", 0, "Beauty"}));
  EXPECT_EQ(sink.interactions[2], (Interaction{"1", "9", 2, "Beauty"}));
  EXPECT_EQ(sink.interactions[3], (Interaction{"1", "5", 3, "Beauty"}));  // a repeat is kept
  EXPECT_EQ(sink.interactions[4], (Interaction{"2", "7", 0, "Beauty"}));
  EXPECT_EQ(sink.interactions[13], (Interaction{"10", "8", 4, "Beauty"}));
  EXPECT_TRUE(sink.items.empty());  // ids only: the files have no item text
  EXPECT_EQ(stats.lines, 4);
  EXPECT_EQ(stats.skipped, 0);
}

TEST(SequencesReader, PreparedSequencesKeepTheLineOrder) {
  Recipe recipe = sequences_recipe("tiny.txt");
  recipe.filter.min_length = 2;
  const PreparedDataset d = test::prepare_uncached(recipe);
  EXPECT_EQ(d.user_tokens, (Tokens{"1", "2", "3", "10"}));
  // Item ids out of numeric order stay in line order (9 before 3 before 7).
  EXPECT_EQ(test::tokens(d, d.sequences, 3), (Tokens{"9", "3", "7", "1", "8"}));
  EXPECT_EQ(test::tokens(d, d.sequences, 0), (Tokens{"5", "3", "9", "5"}));
  // Leave-one-out over the line: the last item is the test target, the one before it validation.
  EXPECT_EQ(d.items.tokens[static_cast<size_t>(d.test.targets[3])], "8");
  EXPECT_EQ(d.items.tokens[static_cast<size_t>(d.valid.targets[3])], "1");
  EXPECT_EQ(d.stats.interactions, 14);
  EXPECT_EQ(d.stats.items, 9);  // 5 3 9 7 8 4 6 2 1
}

TEST(SequencesReader, AUserWithoutItemsOrTwoLinesIsMalformed) {
  // "1 5 3", "2", "3 4 6", "1 7 8", "4 2 3".
  Recipe recipe = sequences_recipe("malformed.txt");
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_sequences(recipe, sink, stats); });
  EXPECT_TRUE(contains(error,
                       "malformed.txt:2: expected a user id followed by at least one item "
                       "id, found only '2'"))
      << error;

  recipe.on_error = "skip";
  reader_test::RecordingSink kept;
  ReadStats counted;
  read_sequences(recipe, kept, counted);
  EXPECT_EQ(counted.skipped, 2);
  EXPECT_EQ(counted.lines, 5);
  ASSERT_EQ(counted.messages.size(), 2u);
  EXPECT_TRUE(contains(counted.messages[0], "malformed.txt:2: expected a user id"))
      << counted.messages[0];
  EXPECT_TRUE(contains(counted.messages[1],
                       "malformed.txt:4: user '1' already has its sequence on line 1 (one line "
                       "per user expected)"))
      << counted.messages[1];
  // The first line of user 1 is kept whole; its second line adds nothing.
  ASSERT_EQ(kept.interactions.size(), 6u);
  EXPECT_EQ(kept.interactions[1], (Interaction{"1", "3", 1, ""}));
  EXPECT_EQ(kept.interactions[2].user, "3");
  EXPECT_EQ(kept.interactions[5], (Interaction{"4", "3", 1, ""}));
}

TEST(SequencesReader, RepeatedUserFailsWithBothLines) {
  test::TempDir dir;
  dir.write("seq.txt", "7 1 2\n8 3 4\n7 5 6\n");
  Recipe recipe = sequences_recipe("seq.txt");
  recipe.base_dir = dir.path();
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { read_sequences(recipe, sink, stats); });
  EXPECT_TRUE(contains(error, "seq.txt:3: user '7' already has its sequence on line 1")) << error;
}

TEST(SequencesReader, EmptyFileAndUnknownSettings) {
  test::TempDir dir;
  dir.write("empty.txt", "\n  \n");
  Recipe recipe = sequences_recipe("empty.txt", "skip");
  recipe.base_dir = dir.path();
  reader_test::RecordingSink sink;
  ReadStats stats;
  EXPECT_TRUE(contains(reader_test::data_error([&] { read_sequences(recipe, sink, stats); }),
                       "empty.txt: empty file"));
  recipe = sequences_recipe("tiny.txt");
  recipe.reader["delimiter"] = ",";
  EXPECT_TRUE(contains(reader_test::config_error([&] { read_sequences(recipe, sink, stats); }),
                       "reader.delimiter: unknown key for format \"sequences\" (known: "
                       "reader.domain)"));
}

}  // namespace
}  // namespace recbench
