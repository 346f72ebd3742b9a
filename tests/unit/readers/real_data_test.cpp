// The shipped real-data recipes on the real files (../shared/data/real from the project root,
// laid out as scripts/link-real-data.sh does): users, items and interactions as measured on
// those files. Without the folder (or, for LLaRA's pickles, without python3-pandas) the tests
// skip and say why.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "recbench/core/data/dataset.h"
#include "recbench/core/readers/readers.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

namespace fs = std::filesystem;

//! One recipe and what preparing it gives (measured with `recbench data prepare --no-cache`).
struct RealCase {
  const char* name;    //!< test name
  const char* recipe;  //!< datasets/<recipe>.toml
  //! raw/<link> -> <real>/<target> for each folder the recipe reads (link-real-data.sh's names).
  std::vector<std::pair<const char*, const char*>> links;
  int64_t users, items, interactions;
  int64_t repeats = -1;  //!< amazon2018: repeated (user, item, time) records; -1: not checked
  //! llara (split.method = "given"): training, validation and test rows kept
  int64_t train_rows = 0, valid_rows = 0, test_rows = 0;
};

//! For test listings (ctest names): the recipe, not the struct's bytes.
void PrintTo(const RealCase& c, std::ostream* os) { *os << "datasets/" << c.recipe << ".toml"; }

const fs::path kProject = RECBENCH_PROJECT_DIR;

fs::path real_dir() { return (kProject / ".." / "shared" / "data" / "real").lexically_normal(); }

//! Counts what a reader emits (the ReadStats are what the test looks at).
struct CountingSink : RawSink {
  int64_t interactions = 0;
  void interaction(std::string_view, std::string_view, int64_t, std::string_view) override {
    ++interactions;
  }
  void item(std::string_view, std::string_view, std::string_view, std::string_view) override {}
};

//! `path` quoted for the shell.
std::string quoted(const fs::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class RealData : public ::testing::TestWithParam<RealCase> {};

TEST_P(RealData, PreparesAsMeasured) {
  const RealCase& c = GetParam();
  const fs::path real = real_dir();
  if (!fs::is_directory(real)) {
    GTEST_SKIP() << "no real data: folder " << real.string()
                 << " (../shared/data/real from the project root) is missing";
  }
  test::TempDir dir;
  fs::create_directories(dir.path() / "raw");
  for (const auto& [link, target] : c.links) {
    if (!fs::exists(real / target)) {
      GTEST_SKIP() << "no real data for " << c.recipe << ": " << (real / target).string()
                   << " is missing";
    }
    fs::create_directory_symlink(real / target, dir.path() / "raw" / link);
  }
  if (std::string(c.recipe).starts_with("llara-")) {  // converted (and rebuilt) by the script
    if (!fs::is_directory(real / "llara")) {
      GTEST_SKIP() << "no real data for " << c.recipe << ": " << (real / "llara").string()
                   << " is missing";
    }
    if (std::system("/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "/usr/bin/python3 cannot import pandas (Debian python3-pandas): it is "
                      "needed to convert LLaRA's pickled splits (scripts/link-real-data.sh)";
    }
    const std::string link = "bash " + quoted(kProject / "scripts" / "link-real-data.sh") + " " +
                             quoted(real) + " " + quoted(dir.path() / "raw") + " >/dev/null";
    ASSERT_EQ(std::system(link.c_str()), 0) << link;
  }

  Recipe recipe = load_recipe(kProject / "datasets" / (std::string(c.recipe) + ".toml"));
  recipe.base_dir = dir.path();
  const PreparedDataset d = test::prepare_uncached(recipe);
  EXPECT_EQ(d.stats.users, c.users);
  EXPECT_EQ(d.stats.items, c.items);
  EXPECT_EQ(d.stats.interactions, c.interactions);
  EXPECT_EQ(d.stats.skipped_lines, 0);
  if (recipe.split.method == "loo") {  // one test example per user
    EXPECT_EQ(static_cast<int64_t>(d.test.size()), c.users);
  }
  if (c.repeats >= 0) {
    CountingSink sink;
    ReadStats stats;
    read_amazon2018(recipe, sink, stats);
    EXPECT_EQ(stats.repeats, c.repeats);
    EXPECT_EQ(stats.lines, sink.interactions + stats.repeats);
  }
  if (recipe.split.method == "given") {  // LLaRA's rows with a history of >= 3 items
    EXPECT_EQ(static_cast<int64_t>(d.train.size()), c.train_rows);
    EXPECT_EQ(static_cast<int64_t>(d.valid.size()), c.valid_rows);
    EXPECT_EQ(static_cast<int64_t>(d.test.size()), c.test_rows);
    EXPECT_EQ(d.stats.dropped_filter, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Recipes, RealData,
    ::testing::Values(
        RealCase{"ml_100k", "ml-100k", {{"ml-100k", "ml-100k"}}, 943, 1682, 100000},
        RealCase{"lastfm", "lastfm", {{"lastfm", "lastfm-hetrec2011"}}, 1152, 4182, 66825},
        RealCase{"s3rec_beauty", "s3rec-beauty", {{"s3rec", "amazon-s3rec"}}, 22363, 12101, 198502},
        RealCase{"s3rec_sports", "s3rec-sports", {{"s3rec", "amazon-s3rec"}}, 35598, 18357, 296337},
        RealCase{"s3rec_toys", "s3rec-toys", {{"s3rec", "amazon-s3rec"}}, 19412, 11924, 167597},
        RealCase{"s3rec_yelp", "s3rec-yelp", {{"s3rec", "amazon-s3rec"}}, 30431, 20033, 316354},
        RealCase{"amazon_fashion",
                 "amazon-fashion",
                 {{"amazon2018", "amazon2018-5core"}},
                 374,
                 8,
                 2962,
                 111},
        RealCase{"amazon_all_beauty",
                 "amazon-all-beauty",
                 {{"amazon2018", "amazon2018-5core"}},
                 137,
                 24,
                 686,
                 1108},
        RealCase{"llara_lastfm", "llara-lastfm", {}, 48116, 4606, 504913, -1, 47872, 122, 122},
        // Training rows rebuilt from ml-100k by scripts/rebuild_llara_movielens.py.
        RealCase{"llara_movielens", "llara-movielens", {}, 66315, 1682, 708364, -1, 66126, 94, 95}),
    [](const ::testing::TestParamInfo<RealCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace recbench
