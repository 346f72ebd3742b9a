// Amazon Reviews 2018 and 2023 readers: JSON lines, meta text, category domains, time units.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "reader_test_util.h"
#include "recbench/core/readers/readers.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

using reader_test::Interaction;
using reader_test::Item;

TEST(AmazonReader, Release2018ReviewsAndMeta) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_amazon2018(reader_test::fixture_recipe(
                      "amazon2018", {{"reviews", "amazon2018/Office_Products_5.json.gz"},
                                     {"meta", "amazon2018/meta_Office_Products.json.gz"}}),
                  sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);
  EXPECT_EQ(sink.interactions[0],
            (Interaction{"A2HBOVC6W1X9QT", "0140503528", 1510012800, "Office_Products"}));
  EXPECT_EQ(sink.interactions[2],
            (Interaction{"A1OE8LMAPZD7M4", "0140503528", 1420070400, "Office_Products"}));
  ASSERT_EQ(sink.items.size(), 2u);  // the meta line without an asin is not an item
  EXPECT_EQ(sink.items["0140503528"],
            (Item{"Corduroy", "Office Products > Office & School Supplies > Education & Crafts",
                  "Office_Products"}));
  EXPECT_EQ(sink.items["0205616747"],
            (Item{"Pens &amp; Pencils", "Office Products", "Office_Products"}));  // main_cat
  EXPECT_EQ(stats.lines, 6);
}

TEST(AmazonReader, SeveralCategoriesKeepTheirDomains) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_amazon2018(reader_test::fixture_recipe(
                      "amazon2018", {{"reviews_office", "amazon2018/Office_Products_5.json.gz"},
                                     {"reviews_books", "amazon2018/Books.json.gz"}}),
                  sink, stats);
  ASSERT_EQ(sink.interactions.size(), 5u);  // roles are read in sorted order: books first
  EXPECT_EQ(sink.interactions[0],
            (Interaction{"A2HBOVC6W1X9QT", "0439023483", 1300000000, "Books"}));
  EXPECT_EQ(sink.interactions[1].timestamp, 1300000500);  // a float time
  EXPECT_EQ(sink.interactions[2].domain, "Office_Products");
}

TEST(AmazonReader, Release2023ParentAsinsAndMilliseconds) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_amazon2023(reader_test::fixture_recipe(
                      "amazon2023", {{"reviews", "amazon2023/Musical_Instruments.jsonl.gz"},
                                     {"meta", "amazon2023/meta_Musical_Instruments.jsonl.gz"}}),
                  sink, stats);
  ASSERT_EQ(sink.interactions.size(), 2u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"AGKHLEW2SOWHNMFQIJGBECAF7INQ", "B00004Y2UT",
                                               1588687728, "Musical_Instruments"}));
  EXPECT_EQ(sink.interactions[1].item, "B07ABCDE12");  // parent_asin, not the variant's asin
  EXPECT_EQ(sink.interactions[1].timestamp, 1600000000);
  EXPECT_EQ(sink.items["B00004Y2UT"],
            (Item{"Guitar Strings",
                  "Musical Instruments > Instrument Accessories > Guitar & Bass Accessories > "
                  "Strings",
                  "Musical_Instruments"}));
  EXPECT_EQ(sink.items["B07ABCDE12"].category, "All Beauty");  // main_category fallback
}

TEST(AmazonReader, TextFieldsComposeTheTitle) {
  auto recipe = reader_test::fixture_recipe("amazon2018",
                                            {{"reviews", "amazon2018/Office_Products_5.json.gz"},
                                             {"meta", "amazon2018/meta_Office_Products.json.gz"}});
  recipe.text_fields = {"title", "description"};
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_amazon2018(recipe, sink, stats);
  EXPECT_EQ(sink.items["0140503528"].title, "Corduroy A children's book.");
  EXPECT_EQ(sink.items["0205616747"].title, "Pens &amp; Pencils");  // empty description
  recipe.text_fields = {"title", "brand"};
  EXPECT_NE(reader_test::config_error([&] { read_amazon2018(recipe, sink, stats); })
                .find("text_fields: no field \"brand\" in format \"amazon2018\" (available: "
                      "title, category, description)"),
            std::string::npos);
}

// The JSON edge cases that take the slower path or shape the picked fields: an integer beyond
// 64 bits in an unused field (simdjson refuses the line; nlohmann-json accepts it), a repeated
// key (the last one wins), nested category arrays (flattened), escapes, and a broken line.
TEST(AmazonReader, JsonEdgeCasesAgreeWithTheReferenceParser) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("recbench_amazon_json_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "Toys_5.json")
      << R"({"reviewerID": "U1", "asin": "I1", "unixReviewTime": 100, "vote": 123456789012345678901234})"
      << "\n"
      << R"({"reviewerID": "U0", "reviewerID": "U2", "asin": "I\u00e92", "unixReviewTime": 2.5e2})"
      << "\n";
  std::ofstream(dir / "meta_Toys.json")
      << R"({"asin": "I1", "title": "Tab\tTitle \ud83d\ude00", "category": [["A", ["B"]], {"x": "no"}, "C"]})"
      << "\n"  // a repeated array key, on a line only nlohmann-json accepts
      << R"({"asin": "I3", "category": ["Old"], "category": ["New"], "rank": 123456789012345678901234})"
      << "\n";
  auto recipe = reader_test::fixture_recipe(
      "amazon2018", {{"reviews", "Toys_5.json"}, {"meta", "meta_Toys.json"}});
  recipe.base_dir = dir;
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_amazon2018(recipe, sink, stats);
  ASSERT_EQ(sink.interactions.size(), 2u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"U1", "I1", 100, "Toys"}));
  EXPECT_EQ(sink.interactions[1], (Interaction{"U2", "I\u00e92", 250, "Toys"}));
  EXPECT_EQ(sink.items["I1"], (Item{"Tab\tTitle \U0001F600", "A > B > C", "Toys"}));
  EXPECT_EQ(sink.items["I3"].category, "New");

  std::ofstream(dir / "Toys_5.json") << R"({"reviewerID": "U1", "asin": "I1", "unixReviewTime": 1)"
                                     << "\n";
  const std::string error = reader_test::data_error([&] { read_amazon2018(recipe, sink, stats); });
  EXPECT_NE(error.find("Toys_5.json:1"), std::string::npos) << error;
  EXPECT_NE(error.find("invalid JSON at column"), std::string::npos) << error;
  std::filesystem::remove_all(dir);
}

// Amazon 2018 lists one review once per product variant ("style"): the same reviewer, item and
// time. Those records are one interaction, counted in ReadStats::repeats, not malformed lines.
TEST(AmazonReader, VariantRepeatsAreOneInteraction) {
  test::TempDir dir;
  dir.write("Fashion_5.json",
            R"({"reviewerID": "U1", "asin": "I1", "unixReviewTime": 100, "style": {"Size:": " S"}})"
            "\n"
            R"({"reviewerID": "U1", "asin": "I1", "unixReviewTime": 100, "style": {"Size:": " M"}})"
            "\n"
            R"({"reviewerID": "U2", "asin": "I1", "unixReviewTime": 100})"
            "\n"
            R"({"reviewerID": "U1", "asin": "I1", "unixReviewTime": 100, "style": {"Size:": " L"}})"
            "\n"
            R"({"reviewerID": "U1", "asin": "I1", "unixReviewTime": 200})"
            "\n"
            R"({"reviewerID": "U1", "asin": "I2", "unixReviewTime": 100})"
            "\n");
  auto recipe = reader_test::fixture_recipe("amazon2018", {{"reviews", "Fashion_5.json"}});
  recipe.base_dir = dir.path();
  reader_test::RecordingSink sink;
  ReadStats stats;
  read_amazon2018(recipe, sink, stats);  // on_error = "fail": no error
  ASSERT_EQ(sink.interactions.size(), 4u);
  EXPECT_EQ(sink.interactions[0], (Interaction{"U1", "I1", 100, "Fashion"}));
  EXPECT_EQ(sink.interactions[1], (Interaction{"U2", "I1", 100, "Fashion"}));
  EXPECT_EQ(sink.interactions[2], (Interaction{"U1", "I1", 200, "Fashion"}));  // another time
  EXPECT_EQ(sink.interactions[3], (Interaction{"U1", "I2", 100, "Fashion"}));  // another item
  EXPECT_EQ(stats.repeats, 2);
  EXPECT_EQ(stats.skipped, 0);
  EXPECT_EQ(stats.lines, 6);
  EXPECT_TRUE(stats.messages.empty());

  // Prepared without [filter] dedup, the repeats still count once: U1 keeps 3 interactions
  // (min_length 3 drops U2).
  const PreparedDataset d = test::prepare_uncached(recipe);
  EXPECT_EQ(d.stats.raw_interactions, 4);
  EXPECT_EQ(d.stats.interactions, 3);
  EXPECT_EQ(d.user_tokens, (std::vector<std::string>{"U1"}));
}

TEST(AmazonReader, ReviewsAreRequired) {
  reader_test::RecordingSink sink;
  ReadStats stats;
  const auto recipe = reader_test::fixture_recipe(
      "amazon2023", {{"meta", "amazon2023/meta_Musical_Instruments.jsonl.gz"}});
  EXPECT_NE(reader_test::config_error([&] {
              read_amazon2023(recipe, sink, stats);
            }).find("files.reviews"),
            std::string::npos);
}

}  // namespace
}  // namespace recbench
