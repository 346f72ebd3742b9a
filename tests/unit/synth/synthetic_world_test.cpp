// The synthetic world: deterministic bytes, every format through its real reader, the stand-in
// recipes, and the properties the benchmark relies on (shared title words, sequential signal,
// cross-domain users and carry-over).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "recbench/core/data/dataset_cache.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/synth/synthetic_world.h"
#include "unit/data/data_test_util.h"

namespace recbench {
namespace {

using test::TempDir;

const std::filesystem::path kStandins =
    std::filesystem::path(RECBENCH_TEST_DATA_DIR) / ".." / ".." / "datasets" / "standin";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

//! Data lines of a (possibly gzip) file, without a header line starting with `header`.
int64_t data_lines(const std::filesystem::path& path, std::string_view header = "\x01") {
  LineReader in(path);
  int64_t n = 0;
  std::string_view line;
  while (in.next(line)) n += !line.empty() && !line.starts_with(header);
  return n;
}

//! A recipe reading `files` (relative to `dir`) with `format`.
Recipe raw_recipe(const std::string& format, const std::filesystem::path& dir,
                  std::map<std::string, std::string> files) {
  Recipe r;
  r.name = "world-" + format;
  r.format = format;
  r.source = "world.toml";
  r.base_dir = dir;
  r.files = std::move(files);
  return r;
}

//! One world written once for the whole suite (scale 0.1: a few thousand interactions each).
class SyntheticWorld : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    files_ =
        new std::vector<std::filesystem::path>(write_synthetic_world(dir_->path() / "a", {3, 0.1}));
  }
  static void TearDownTestSuite() {
    delete files_;
    delete dir_;
  }
  static std::filesystem::path root() { return dir_->path() / "a"; }
  static TempDir* dir_;
  static std::vector<std::filesystem::path>* files_;
};
TempDir* SyntheticWorld::dir_ = nullptr;
std::vector<std::filesystem::path>* SyntheticWorld::files_ = nullptr;

TEST_F(SyntheticWorld, WritesEveryFormatInTheRawLayout) {
  std::set<std::string> names;
  for (const auto& f : *files_) names.insert(std::filesystem::relative(f, root()).string());
  EXPECT_EQ(names.size(), 24u);  // 2 + 2 + 2 + 2 (office) + 2 (instruments) + 14 (pretrain)
  for (const char* expected :
       {"ml-100k/u.data", "ml-100k/u.item", "steam/steam_reviews.json.gz",
        "steam/steam_games.json.gz", "lastfm/user_taggedartists-timestamps.dat",
        "lastfm/artists.dat", "amazon2018/Office_Products_5.json.gz",
        "amazon2018/meta_Office_Products.json.gz", "amazon2023/Musical_Instruments.jsonl.gz",
        "amazon2023/meta_Musical_Instruments.jsonl.gz", "amazon2018/Toys_and_Games_5.json.gz",
        "amazon2018/meta_Arts_Crafts_and_Sewing.json.gz"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

TEST_F(SyntheticWorld, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto again = write_synthetic_world(dir_->path() / "b", {3, 0.1});
  const auto other = write_synthetic_world(dir_->path() / "c", {4, 0.1});
  ASSERT_EQ(again.size(), files_->size());
  for (size_t k = 0; k < files_->size(); ++k) {
    SCOPED_TRACE((*files_)[k].string());
    const std::string bytes = slurp((*files_)[k]);
    EXPECT_EQ(bytes, slurp(again[k]));
    EXPECT_NE(bytes, slurp(other[k]));
  }
}

TEST_F(SyntheticWorld, OneDatasetAloneHasTheSameBytesAsInTheWholeWorld) {
  const auto office = write_synthetic_world(dir_->path() / "d", {3, 0.1}, {"amazon-office"});
  ASSERT_EQ(office.size(), 2u);
  EXPECT_EQ(slurp(office[0]), slurp(root() / "amazon2018/Office_Products_5.json.gz"));
  EXPECT_EQ(slurp(office[1]), slurp(root() / "amazon2018/meta_Office_Products.json.gz"));
  EXPECT_NE(test::error_of<ConfigError>([&] {
              write_synthetic_world(dir_->path() / "e", {3, 0.1}, {"ml-10m"});
            }).find("unknown dataset \"ml-10m\" (known: ml-100k, steam"),
            std::string::npos);
  EXPECT_NE(test::error_of<ConfigError>([&] {
              write_synthetic_world(dir_->path(), {3, 0.0});
            }).find("scale 0 out of range"),
            std::string::npos);
}

TEST_F(SyntheticWorld, MovieLensThroughItsReader) {
  test::RecordingSink sink;
  ReadStats stats;
  raw_reader("movielens")(raw_recipe("movielens", root(),
                                     {{"ratings", "ml-100k/u.data"}, {"movies", "ml-100k/u.item"}}),
                          sink, stats);
  EXPECT_EQ(static_cast<int64_t>(sink.rows.size()), data_lines(root() / "ml-100k/u.data"));
  EXPECT_EQ(static_cast<int64_t>(sink.items.size()), data_lines(root() / "ml-100k/u.item"));
  EXPECT_EQ(stats.skipped, 0);
  bool latin1 = false;  // u.item is Latin-1; titles come back as UTF-8
  for (const auto& [id, title, category, domain] : sink.items) {
    EXPECT_EQ(domain, "MovieLens");
    EXPECT_EQ(title.at(title.size() - 6), '(') << title;
    EXPECT_FALSE(category.empty()) << title;
    latin1 |= title.find("\xc3\xa9") != std::string::npos;
  }
  EXPECT_TRUE(latin1);
  EXPECT_NE(slurp(root() / "ml-100k/u.item").find('\xe9'), std::string::npos);
}

TEST_F(SyntheticWorld, SteamThroughItsReader) {
  test::RecordingSink sink;
  ReadStats stats;
  raw_reader("steam")(raw_recipe("steam", root(),
                                 {{"reviews", "steam/steam_reviews.json.gz"},
                                  {"games", "steam/steam_games.json.gz"}}),
                      sink, stats);
  EXPECT_EQ(static_cast<int64_t>(sink.rows.size()),
            data_lines(root() / "steam/steam_reviews.json.gz"));
  // the last game line has no id, like a few in the release: it describes nothing
  EXPECT_EQ(static_cast<int64_t>(sink.items.size()) + 1,
            data_lines(root() / "steam/steam_games.json.gz"));
  EXPECT_EQ(std::get<3>(sink.rows[0]), "Steam");
  EXPECT_NE(std::get<1>(sink.items[0]).find(": "), std::string::npos);
  EXPECT_FALSE(std::get<2>(sink.items[0]).empty());  // genres
}

TEST_F(SyntheticWorld, LastFmThroughItsReader) {
  test::RecordingSink sink;
  ReadStats stats;
  raw_reader("lastfm")(raw_recipe("lastfm", root(),
                                  {{"tags", "lastfm/user_taggedartists-timestamps.dat"},
                                   {"artists", "lastfm/artists.dat"}}),
                       sink, stats);
  const int64_t lines = data_lines(root() / "lastfm/user_taggedartists-timestamps.dat", "userID");
  EXPECT_LT(static_cast<int64_t>(sink.rows.size()), lines);  // 1-3 tags per event: one row
  EXPECT_GT(static_cast<int64_t>(sink.rows.size()), lines / 3);
  EXPECT_EQ(static_cast<int64_t>(sink.items.size()),
            data_lines(root() / "lastfm/artists.dat", "id\t"));
  EXPECT_EQ(stats.skipped, 0);
}

TEST_F(SyntheticWorld, AmazonThroughItsReaders) {
  test::RecordingSink office, instruments;
  ReadStats stats;
  raw_reader("amazon2018")(raw_recipe("amazon2018", root(),
                                      {{"reviews", "amazon2018/Office_Products_5.json.gz"},
                                       {"meta", "amazon2018/meta_Office_Products.json.gz"}}),
                           office, stats);
  raw_reader("amazon2023")(raw_recipe("amazon2023", root(),
                                      {{"reviews", "amazon2023/Musical_Instruments.jsonl.gz"},
                                       {"meta", "amazon2023/meta_Musical_Instruments.jsonl.gz"}}),
                           instruments, stats);
  EXPECT_EQ(stats.skipped, 0);
  EXPECT_EQ(static_cast<int64_t>(office.rows.size()),
            data_lines(root() / "amazon2018/Office_Products_5.json.gz"));
  EXPECT_EQ(static_cast<int64_t>(instruments.items.size()),
            data_lines(root() / "amazon2023/meta_Musical_Instruments.jsonl.gz"));
  EXPECT_EQ(std::get<3>(office.rows[0]), "Office_Products");
  EXPECT_EQ(std::get<3>(instruments.rows[0]), "Musical_Instruments");
  EXPECT_EQ(std::get<2>(office.items[0]).rfind("Office Products > ", 0), 0u);
  EXPECT_EQ(std::get<2>(instruments.items[0]).rfind("Musical Instruments", 0), 0u);
  EXPECT_GT(std::get<2>(instruments.rows[0]), 1'300'000'000);  // ms became seconds
  EXPECT_LT(std::get<2>(instruments.rows[0]), 1'600'000'000);
}

//! A shipped stand-in recipe prepared with its raw files synthesized into `cache`.
PreparedDataset prepare_standin(const std::string& name, const std::filesystem::path& cache) {
  PrepareOptions o;
  o.cache_dir = cache;
  o.use_cache = false;
  return prepare_dataset(load_recipe(kStandins / (name + ".toml")), o);
}

//! The stand-ins prepared once (scale 1, the shipped recipes as they are).
class Standins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cache_ = new TempDir;
    data_ = new std::map<std::string, PreparedDataset>;
    for (const char* name :
         {"ml-100k", "steam", "lastfm", "amazon-office", "amazon-instruments", "amazon-pretrain"}) {
      data_->emplace(name, prepare_standin(name, cache_->path()));
    }
  }
  static void TearDownTestSuite() {
    delete data_;
    delete cache_;
  }
  static const PreparedDataset& get(const std::string& name) { return data_->at(name); }
  static TempDir* cache_;
  static std::map<std::string, PreparedDataset>* data_;
};
TempDir* Standins::cache_ = nullptr;
std::map<std::string, PreparedDataset>* Standins::data_ = nullptr;

TEST_F(Standins, PrepareThroughTheNormalReadersWithTheRealProtocol) {
  for (const auto& [name, d] : *data_) {
    SCOPED_TRACE(name);
    const Recipe real = load_recipe(kStandins / ".." / (name + ".toml"));
    const Recipe standin = load_recipe(kStandins / (name + ".toml"));
    EXPECT_EQ(d.name, name + "-synth");
    EXPECT_EQ(standin.format, real.format);
    EXPECT_EQ(standin.max_history, real.max_history);
    EXPECT_EQ(standin.text_fields, real.text_fields);
    EXPECT_EQ(standin.filter.user_core, real.filter.user_core);
    EXPECT_EQ(standin.filter.item_core, real.filter.item_core);
    EXPECT_EQ(standin.filter.min_length, real.filter.min_length);
    EXPECT_EQ(standin.filter.dedup, real.filter.dedup);
    EXPECT_EQ(standin.files.size(), real.files.size());
    EXPECT_GT(d.stats.users, 300);
    EXPECT_GT(d.stats.items, 300);
    EXPECT_EQ(d.stats.skipped_lines, 0);
    EXPECT_FALSE(d.items.titles[1].empty());
    EXPECT_GE(d.stats.avg_length, static_cast<double>(real.filter.min_length));
  }
  EXPECT_EQ(get("amazon-pretrain").items.domain_names.size(), 7u);
  EXPECT_TRUE(
      std::filesystem::is_directory(cache_->path() / "synthetic" / "ml-100k-seed2024-scale1"));
}

TEST_F(Standins, SynthesizedFilesAreReusedAndFingerprinted) {
  const auto dir = cache_->path() / "synthetic" / "ml-100k-seed2024-scale1";
  const auto before = std::filesystem::last_write_time(dir / "ml-100k" / "u.data");
  const PreparedDataset again = prepare_standin("ml-100k", cache_->path());
  EXPECT_EQ(std::filesystem::last_write_time(dir / "ml-100k" / "u.data"), before);
  EXPECT_EQ(again.fingerprint, get("ml-100k").fingerprint);
  Recipe other = load_recipe(kStandins / "ml-100k.toml");
  other.synthesize->seed = 7;
  EXPECT_NE(dataset_fingerprint(with_synthesized_files(other, cache_->path())), again.fingerprint);
}

std::string recipe_error(const std::string& synthesize) {
  return test::error_of<ConfigError>([&] {
    parse_recipe(toml::parse("name = \"x\"\nformat = \"movielens\"\n[synthesize]\n" + synthesize),
                 "x.toml", ".");
  });
}

TEST(SynthesizeKey, IsCheckedWithPositions) {
  EXPECT_EQ(recipe_error("dataset = \"steam\"\nseed = 3\nscale = 0.5"), "");
  EXPECT_NE(recipe_error("dataset = \"ml-10m\"")
                .find("x.toml:4:11: synthesize.dataset: expected one of \"ml-100k\""),
            std::string::npos);
  EXPECT_NE(recipe_error("seed = 1").find("x.toml:3:1: synthesize.dataset: missing"),
            std::string::npos);
  EXPECT_NE(recipe_error("dataset = \"steam\"\nscale = 0")
                .find("x.toml:5:9: synthesize.scale: expected a number in (0, 1000], got 0"),
            std::string::npos);
  EXPECT_NE(recipe_error("dataset = \"steam\"\nsed = 1")
                .find("synthesize.sed: unknown key (known keys: synthesize.dataset"),
            std::string::npos);
}

std::set<std::string> title_words(const PreparedDataset& d) {
  std::set<std::string> words;
  std::vector<std::string_view> parts;
  for (const auto& title : d.items.titles) {
    split_words(title, parts);
    for (auto w : parts) words.emplace(w);
  }
  return words;
}

TEST_F(Standins, TitlesShareTopicWordsAcrossDomainsButNotIds) {
  const auto office = title_words(get("amazon-office")),
             instruments = title_words(get("amazon-instruments")),
             movies = title_words(get("ml-100k"));
  std::vector<std::string> shared, with_movies;
  std::ranges::set_intersection(office, instruments, std::back_inserter(shared));
  std::ranges::set_intersection(office, movies, std::back_inserter(with_movies));
  EXPECT_GT(shared.size(), 150u);  // 20 topics x 10 words, nearly all used in both
  EXPECT_GT(with_movies.size(), 150u);
  const auto& a = get("amazon-office").items.tokens;
  const auto& b = get("amazon-instruments").items.tokens;
  std::set<std::string> ids(a.begin() + 1, a.end());
  for (size_t i = 1; i < b.size(); ++i) EXPECT_EQ(ids.count(b[i]), 0u) << b[i];
}

//! HR@10 on the test split of "the 10 most frequent training successors of the last item" and
//! of "the 10 most popular training items".
std::pair<double, double> successor_and_popularity_hr10(const PreparedDataset& d) {
  std::map<ItemId, std::map<ItemId, int64_t>> next;
  for (size_t u = 0; u < d.train.size(); ++u) {
    const auto seq = d.train.sequence(u);
    for (size_t k = 0; k + 1 < seq.size(); ++k) ++next[seq[k]][seq[k + 1]];
  }
  auto top10 = [](const std::vector<std::pair<int64_t, ItemId>>& counted) {
    auto sorted = counted;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    std::set<ItemId> out;
    for (size_t k = 0; k < std::min<size_t>(10, sorted.size()); ++k) out.insert(sorted[k].second);
    return out;
  };
  std::vector<std::pair<int64_t, ItemId>> pop;
  for (size_t i = 1; i < d.item_counts.size(); ++i) {
    pop.emplace_back(d.item_counts[i], static_cast<ItemId>(i));
  }
  const auto popular = top10(pop);
  int64_t succ = 0, hits = 0;
  for (size_t u = 0; u < d.test.size(); ++u) {
    const ItemId target = d.test.targets[u];
    std::vector<std::pair<int64_t, ItemId>> counted;
    for (const auto& [item, n] : next[d.test.histories.sequence(u).back()]) {
      counted.emplace_back(n, item);
    }
    succ += top10(counted).count(target);
    hits += popular.count(target);
  }
  const auto n = static_cast<double>(d.test.size());
  return {static_cast<double>(succ) / n, static_cast<double>(hits) / n};
}

TEST_F(Standins, SequentialSignalBeatsPopularity) {
  for (const char* name : {"ml-100k", "steam", "amazon-office", "amazon-instruments"}) {
    const auto [successor, popularity] = successor_and_popularity_hr10(get(name));
    std::cout << "[ info     ] " << name << " HR@10 successor " << successor << ", popularity "
              << popularity << "\n";
    EXPECT_GT(successor, 2 * popularity) << name;
  }
}

TEST_F(Standins, CrossDomainUsersAndCarryOver) {
  const PreparedDataset& d = get("amazon-pretrain");
  int64_t multi = 0, switches = 0, shared_at_switch = 0;
  std::set<std::string> words_a, words_b;
  std::vector<std::string_view> parts;
  auto words = [&](ItemId item, std::set<std::string>& out) {
    out.clear();
    split_words(d.items.titles[static_cast<size_t>(item)], parts);
    for (size_t k = 0; k < 2 && k < parts.size(); ++k) out.emplace(parts[k]);  // topic words
  };
  auto share = [&](ItemId a, ItemId b) {
    words(a, words_a);
    words(b, words_b);
    for (const auto& w : words_a) {
      if (words_b.count(w)) return true;
    }
    return false;
  };
  int64_t random_pairs = 0, random_shared = 0;
  for (size_t u = 0; u < d.sequences.size(); ++u) {
    const auto items = d.sequences.sequence(u);
    const size_t begin = static_cast<size_t>(d.sequences.offsets[u]);
    std::set<int16_t> domains;
    for (size_t k = 0; k < items.size(); ++k) {
      domains.insert(d.sequences.domains[begin + k]);
      if (k > 0 && d.sequences.domains[begin + k] != d.sequences.domains[begin + k - 1]) {
        ++switches;
        shared_at_switch += share(items[k - 1], items[k]);
        for (size_t j = (k * 7 + u) % items.size(), n = 0; n < items.size(); ++n) {
          const size_t at = (j + n) % items.size();  // another item of the user in the new domain
          if (at != k && d.sequences.domains[begin + at] == d.sequences.domains[begin + k]) {
            ++random_pairs;
            random_shared += share(items[k - 1], items[at]);
            break;
          }
        }
      }
    }
    multi += domains.size() > 1;
  }
  EXPECT_GT(static_cast<double>(multi), 0.5 * static_cast<double>(d.sequences.size()));
  const double carried = static_cast<double>(shared_at_switch) / static_cast<double>(switches);
  const double chance = static_cast<double>(random_shared) / static_cast<double>(random_pairs);
  std::cout << "[ info     ] consecutive cross-domain items sharing a topic word: " << carried
            << " (other pairs of the same users: " << chance << ")\n";
  EXPECT_GT(carried, 1.2 * chance);
  // reviewer ids are shared with the target category, as in the 2018 release
  const auto& office_users = get("amazon-office").user_tokens;
  const std::set<std::string> pretrain_users(d.user_tokens.begin(), d.user_tokens.end());
  int64_t both = 0;
  for (const auto& u : office_users) both += pretrain_users.count(u);
  EXPECT_GT(both, static_cast<int64_t>(office_users.size()) / 2);
}

}  // namespace
}  // namespace recbench
