// Recipes: every key parsed, strict keys with file:line:column, types, ranges, missing files.
#include <gtest/gtest.h>

#include "data_test_util.h"
#include "recbench/core/data/dataset.h"

namespace recbench {
namespace {

using test::error_of;
using test::TempDir;

Recipe load(const TempDir& dir, const std::string& text) {
  return load_recipe(dir.write("r.toml", text));
}

TEST(Recipe, ParsesEveryKey) {
  TempDir dir;
  const Recipe r = load(dir,
                        "name = 'ml'\nformat = 'atomic'\non_error = 'skip'\nseed = 7\n"
                        "max_history = 10\ntext_fields = ['movie_title', 'class']\n"
                        "[files]\ninter = 'ml.inter'\n[filter]\nuser_core = 5\nitem_core = 4\n"
                        "min_length = 6\ndedup = true\n[split]\nmethod = 'loo'\n"
                        "[options]\nx = 2\ny = 0.5\nz = true\n");
  EXPECT_EQ(r.name, "ml");
  EXPECT_EQ(r.format, "atomic");
  EXPECT_EQ(r.on_error, "skip");
  EXPECT_EQ(r.seed, 7u);
  EXPECT_EQ(r.max_history, 10);
  EXPECT_EQ(r.text_fields, (std::vector<std::string>{"movie_title", "class"}));
  EXPECT_EQ(r.files.at("inter"), "ml.inter");
  EXPECT_EQ(r.filter.user_core, 5);
  EXPECT_EQ(r.filter.item_core, 4);
  EXPECT_EQ(r.filter.min_length, 6);
  EXPECT_TRUE(r.filter.dedup);
  EXPECT_EQ(r.options.at("x"), 2.0);
  EXPECT_EQ(r.options.at("y"), 0.5);
  EXPECT_EQ(r.options.at("z"), 1.0);
  EXPECT_EQ(r.base_dir, dir.path());
  EXPECT_NE(r.toml_text.find("user_core = 5"), std::string::npos);
}

TEST(Recipe, DefaultsAndNameFromFile) {
  TempDir dir;
  const Recipe r = load(dir, "format = 'synthetic'\n");
  EXPECT_EQ(r.name, "r");
  EXPECT_EQ(r.on_error, "fail");
  EXPECT_EQ(r.max_history, 50);
  EXPECT_EQ(r.filter.min_length, 3);
  EXPECT_EQ(r.text_fields, std::vector<std::string>{"title"});
}

TEST(Recipe, UnknownKeyNamesPositionAndKnownKeys) {
  TempDir dir;
  auto msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\n\ncolour = 3\n"); });
  EXPECT_NE(msg.find("r.toml:3:1: colour: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("known keys: name, format"), std::string::npos) << msg;
  msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\n[filter]\n  user_cor = 3\n"); });
  EXPECT_NE(msg.find("r.toml:3:3: filter.user_cor: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("filter.user_core"), std::string::npos) << msg;
}

TEST(Recipe, WrongTypesAndRanges) {
  TempDir dir;
  auto msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\nmax_history = 'ten'\n"); });
  EXPECT_NE(msg.find("r.toml:2:15: max_history: expected an integer, got string"),
            std::string::npos)
      << msg;
  msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\n[filter]\nmin_length = 2\n"); });
  EXPECT_NE(msg.find("r.toml:3:14: filter.min_length: expected an integer >= 3, got 2"),
            std::string::npos)
      << msg;
  msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\non_error = 'ignore'\n"); });
  EXPECT_NE(msg.find("on_error: expected one of \"fail\", \"skip\""), std::string::npos) << msg;
  msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\n[options]\nusers = 'many'\n"); });
  EXPECT_NE(msg.find("r.toml:3:9: options.users: expected a number"), std::string::npos) << msg;
  msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\ntext_fields = 'title'\n"); });
  EXPECT_NE(msg.find("text_fields: expected an array"), std::string::npos) << msg;
  msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\nfiles = 3\n"); });
  EXPECT_NE(msg.find("files: expected a table"), std::string::npos) << msg;
}

TEST(Recipe, FormatMustBeKnownAndPresent) {
  TempDir dir;
  auto msg = error_of<ConfigError>([&] { load(dir, "format = 'parquet'\n"); });
  EXPECT_NE(msg.find("r.toml:1:10: format: unknown format \"parquet\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("atomic"), std::string::npos) << msg;
  EXPECT_NE(msg.find("synthetic"), std::string::npos) << msg;
  msg = error_of<ConfigError>([&] { load(dir, "name = 'x'\n"); });
  EXPECT_NE(msg.find("format: missing"), std::string::npos) << msg;
}

TEST(Recipe, TomlSyntaxErrorNamesPosition) {
  TempDir dir;
  auto msg = error_of<ConfigError>([&] { load(dir, "format = 'atomic'\nseed = = 3\n"); });
  EXPECT_NE(msg.find("r.toml:2:"), std::string::npos) << msg;
  msg = error_of<ConfigError>([&] { load_recipe(dir.path() / "absent.toml"); });
  EXPECT_NE(msg.find("absent.toml: cannot open"), std::string::npos) << msg;
}

TEST(Recipe, MissingRawFileNamesPathAndKey) {
  TempDir dir;
  const Recipe r = load(dir, "format = 'atomic'\n[files]\ninter = 'nowhere.inter'\n");
  auto msg = error_of<DataError>([&] { test::prepare_uncached(r); });
  EXPECT_NE(msg.find((dir.path() / "nowhere.inter").string() + ": file not found"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("files.inter"), std::string::npos) << msg;
  const Recipe no_inter = load(dir, "format = 'atomic'\n");
  msg = error_of<ConfigError>([&] { test::prepare_uncached(no_inter); });
  EXPECT_NE(msg.find("files.inter: required by format \"atomic\""), std::string::npos) << msg;
}

}  // namespace
}  // namespace recbench
