// The shipped dataset recipes parse, name a data card and a download hint, and fail usefully
// when their raw files are missing; [reader] settings reach the readers.
#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "reader_test_util.h"
#include "recbench/core/readers/raw_reader.h"

namespace recbench {
namespace {

const std::filesystem::path kDatasets =
    std::filesystem::path(RECBENCH_TEST_DATA_DIR) / ".." / ".." / "datasets";

struct Expected {
  const char* name;
  const char* format;
  int32_t max_history;
  size_t files;
};

TEST(DatasetRecipes, EachParsesAndPointsToItsCard) {
  const Expected all[] = {{"ml-100k", "movielens", 10, 2},
                          {"steam", "steam", 10, 2},
                          {"lastfm", "lastfm", 10, 2},
                          {"amazon-office", "amazon2018", 50, 2},
                          {"amazon-instruments", "amazon2023", 50, 2},
                          {"amazon-pretrain", "amazon2018", 50, 14}};
  for (const auto& e : all) {
    SCOPED_TRACE(e.name);
    const Recipe r = load_recipe(kDatasets / (std::string(e.name) + ".toml"));
    EXPECT_EQ(r.name, e.name);
    EXPECT_EQ(r.format, e.format);
    EXPECT_EQ(r.max_history, e.max_history);
    EXPECT_EQ(r.files.size(), e.files);
    EXPECT_FALSE(r.download_hint.empty());
    EXPECT_TRUE(std::filesystem::is_regular_file(r.base_dir / r.card)) << r.card;
  }
}

TEST(DatasetRecipes, PretrainingCorpusExcludesTheTargets) {
  const Recipe r = load_recipe(kDatasets / "amazon-pretrain.toml");
  for (const auto& [role, path] : r.files) {
    EXPECT_EQ(path.find("Office_Products"), std::string::npos) << path;
    EXPECT_EQ(path.find("Musical_Instruments"), std::string::npos) << path;
  }
}

TEST(DatasetRecipes, MissingRawFileNamesPathKeyHintAndCard) {
  Recipe r = load_recipe(kDatasets / "ml-100k.toml");
  r.base_dir = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "readers" / "no-such-dir";
  reader_test::RecordingSink sink;
  ReadStats stats;
  const std::string error = reader_test::data_error([&] { raw_reader(r.format)(r, sink, stats); });
  EXPECT_NE(error.find("no-such-dir/raw/ml-100k/u.data: file not found (asked for by "
                       "files.ratings in "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("; download https://files.grouplens.org/datasets/movielens/ml-100k.zip"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("(data card: ml-100k.md)"), std::string::npos) << error;
}

TEST(DatasetRecipes, ReaderTableReachesTheCsvReader) {
  const auto table = toml::parse(R"(
    name = "plays"
    format = "csv"
    text_fields = ["title"]
    [files]
    inter = "csv/inter_noheader.csv"
    [reader]
    header = false
    user = 2
    item = "3"
    timestamp = 1
    time_unit = "ms"
  )");
  const Recipe r =
      parse_recipe(table, "plays.toml", std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "readers");
  EXPECT_EQ(r.reader.at("header"), "false");
  EXPECT_EQ(r.reader.at("user"), "2");
  reader_test::RecordingSink sink;
  ReadStats stats;
  raw_reader("csv")(r, sink, stats);
  ASSERT_EQ(sink.interactions.size(), 3u);
  EXPECT_EQ(sink.interactions[1], (reader_test::Interaction{"u1", "i2", 2, "plays"}));

  const auto bad = toml::parse("format = \"csv\"\n[reader]\nuser = [1, 2]\n");
  EXPECT_NE(reader_test::config_error([&] {
              parse_recipe(bad, "bad.toml", ".");
            }).find("reader.user: expected a string, boolean or number"),
            std::string::npos);
}

TEST(DatasetRecipes, EveryRealFormatIsRegistered) {
  const auto formats = raw_formats();
  for (const char* f : {"movielens", "steam", "lastfm", "amazon2018", "amazon2023", "csv"}) {
    EXPECT_NE(std::find(formats.begin(), formats.end(), f), formats.end()) << f;
  }
}

}  // namespace
}  // namespace recbench
