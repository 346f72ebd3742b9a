// Synthetic corpus: latent topics, Zipf popularity and item-to-item transitions, as atomic files.
#include "recbench/core/synth/recbole_corpus.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <vector>

#include "pseudo_word.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/raw_reader.h"
#include "recbench/error.h"
#include "recbench/random.h"

namespace recbench {
namespace {

//! mt19937_64 with the synthetic generators' range mapping (recbench/random.h).
using Rng = ScaledRng<std::mt19937_64>;
using synth::pseudo_word;
//! The corpus's generator for a recipe seed.
Rng corpus_rng(uint64_t seed) { return Rng(seed ^ 0x5eed5eed5eedULL); }

//! The hidden structure: each item's topic, popularity weight and successor.
struct World {
  std::vector<int64_t> topic, successor;
  std::vector<std::vector<int64_t>> topic_items;
  std::vector<std::vector<double>> topic_cumulative;  //!< cumulative weights per topic
  std::vector<std::vector<std::string>> words;        //!< title words per topic
};

//! Sattolo's shuffle: a uniformly random permutation made of one single cycle.
std::vector<int64_t> single_cycle(int64_t n, Rng& rng) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    p[static_cast<size_t>(i)] = i;
  }
  for (int64_t i = n - 1; i > 0; --i) {
    std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(rng.below(i))]);
  }
  return p;
}

World make_world(const SyntheticOptions& o, Rng& rng) {
  World w;
  const auto n = static_cast<size_t>(o.items), t = static_cast<size_t>(o.topics);
  w.topic.resize(n);
  w.topic_items.resize(t);
  w.topic_cumulative.resize(t);
  w.words.resize(t);
  for (auto& list : w.words) {
    for (int k = 0; k < 8; ++k) {
      list.push_back(pseudo_word(rng));
    }
  }
  std::vector<int64_t> rank = single_cycle(o.items, rng);  // a random popularity order
  for (size_t i = 0; i < n; ++i) {
    w.topic[i] = rng.below(o.topics);
    auto& cum = w.topic_cumulative[static_cast<size_t>(w.topic[i])];
    const double weight = 1.0 / std::pow(static_cast<double>(rank[i] + 1), o.zipf);
    cum.push_back((cum.empty() ? 0.0 : cum.back()) + weight);
    w.topic_items[static_cast<size_t>(w.topic[i])].push_back(static_cast<int64_t>(i));
  }
  if (o.rule) {
    w.successor = single_cycle(o.items, rng);
    return w;
  }
  w.successor.resize(n);
  for (size_t i = 0; i < n; ++i) {  // a uniform same-topic item: not the popular ones
    const auto& peers = w.topic_items[static_cast<size_t>(w.topic[i])];
    int64_t next = peers[static_cast<size_t>(rng.below(static_cast<int64_t>(peers.size())))];
    if (next == static_cast<int64_t>(i) && peers.size() > 1) {
      next = peers[(next == peers[0]) ? 1 : 0];
    }
    w.successor[i] = next;
  }
  return w;
}

//! An item of topic `t` drawn by popularity; a random item when the topic is empty.
int64_t draw(const World& w, int64_t t, Rng& rng) {
  const auto& cum = w.topic_cumulative[static_cast<size_t>(t)];
  if (cum.empty()) {
    return rng.below(static_cast<int64_t>(w.topic.size()));
  }
  const double x = rng.uniform() * cum.back();
  const auto pos = std::upper_bound(cum.begin(), cum.end(), x) - cum.begin();
  return w.topic_items[static_cast<size_t>(t)][std::min<size_t>(pos, cum.size() - 1)];
}

std::string domain_name(int64_t d) {
  static const char* kNames[] = {"books", "movies", "games",  "music",
                                 "food",  "sports", "travel", "fashion"};
  return d < 8 ? kNames[d] : "domain" + std::to_string(d);
}

void write_items(const std::filesystem::path& path, const SyntheticOptions& o, const World& w,
                 Rng& rng) {
  std::ofstream out(path, std::ios::binary);
  out << "item_id:token\ttitle:token_seq\tcategories:token_seq\tdomain:token\n";
  for (int64_t i = 0; i < o.items; ++i) {
    const auto& words = w.words[static_cast<size_t>(w.topic[static_cast<size_t>(i)])];
    std::string title;
    for (int k = 0; k < 3; ++k) {
      std::string word = words[static_cast<size_t>(rng.below(static_cast<int64_t>(words.size())))];
      word[0] = static_cast<char>(word[0] - 'a' + 'A');
      title += (k == 0 ? "" : " ") + word;
    }
    out << 'i' << i + 1 << '\t' << title << ' ' << i + 1 << '\t' << words[0] << '\t'
        << domain_name(i % o.domains) << '\n';
  }
  if (!out) {
    throw DataError(path.string() + ": cannot write");
  }
}

void write_interactions(const std::filesystem::path& path, const SyntheticOptions& o,
                        const World& w, Rng& rng) {
  std::ofstream out(path, std::ios::binary);
  out << "user_id:token\titem_id:token\ttimestamp:float\n";
  for (int64_t u = 0; u < o.users; ++u) {
    const int64_t first = rng.below(o.topics), second = rng.below(o.topics);
    const int64_t length = o.seq_len / 2 + rng.below(o.seq_len + 1);
    int64_t time = 1'600'000'000 + rng.below(30'000'000);
    int64_t item = draw(w, first, rng);
    for (int64_t k = 0; k < length; ++k) {
      out << 'u' << u + 1 << "\ti" << item + 1 << '\t' << time << '\n';
      time += 1 + rng.below(int64_t{2} * 86'400);
      if (rng.uniform() < o.transition) {
        item = w.successor[static_cast<size_t>(item)];
      } else {
        item = draw(w, rng.uniform() < 0.7 ? first : second, rng);
      }
    }
  }
  if (!out) {
    throw DataError(path.string() + ": cannot write");
  }
}

}  // namespace

SyntheticOptions synthetic_options(const std::map<std::string, double>& options,
                                   const std::string& source) {
  static const std::vector<std::string> kKnown{"users",  "items", "domains",    "seq_len",
                                               "topics", "zipf",  "transition", "rule"};
  check_format_options(options, kKnown, "synthetic", source);
  SyntheticOptions o;
  auto integer = [&](const std::string& key, int64_t& field, int64_t min, int64_t max) {
    auto it = options.find(key);
    if (it == options.end()) {
      return;
    }
    const double v = it->second;
    if (v != std::floor(v) || v < static_cast<double>(min) || v > static_cast<double>(max)) {
      throw ConfigError(source + ": options." + key + ": expected an integer in [" +
                        std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    field = static_cast<int64_t>(v);
  };
  auto real = [&](const std::string& key, double& field, double min, double max) {
    auto it = options.find(key);
    if (it == options.end()) {
      return;
    }
    if (!(it->second >= min && it->second <= max)) {
      throw ConfigError(source + ": options." + key + ": expected a number in [" +
                        std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    field = it->second;
  };
  int64_t rule = 0;
  integer("users", o.users, 1, 10'000'000);
  integer("items", o.items, 2, 10'000'000);
  integer("domains", o.domains, 1, 1000);
  integer("seq_len", o.seq_len, 3, 100'000);
  integer("topics", o.topics, 1, 10'000);
  integer("rule", rule, 0, 1);
  real("zipf", o.zipf, 0.0, 10.0);
  real("transition", o.transition, 0.0, 1.0);
  o.rule = rule == 1;
  if (o.rule) {
    o.transition = 1.0;
  }
  return o;
}

SyntheticFiles write_synthetic_atomic(const std::filesystem::path& dir,
                                      const SyntheticOptions& options, uint64_t seed) {
  std::filesystem::create_directories(dir);
  Rng rng = corpus_rng(seed);
  const World world = make_world(options, rng);
  SyntheticFiles files{dir / "synthetic.inter", dir / "synthetic.item"};
  write_items(files.item, options, world, rng);
  write_interactions(files.inter, options, world, rng);
  return files;
}

namespace {

//! A folder removed when the reader is done with it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device entropy;
    path = std::filesystem::temp_directory_path() /
           ("recbench-synthetic-" + std::to_string(::getpid()) + "-" + std::to_string(entropy()) +
            std::to_string(entropy()));
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

//! format = "synthetic": generates atomic files in a temporary folder and reads them back.
void read_synthetic(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  if (!recipe.files.empty()) {
    throw ConfigError(recipe.source + ": files: format \"synthetic\" reads no files");
  }
  const SyntheticOptions options = synthetic_options(recipe.options, recipe.source);
  TempDir dir;
  const SyntheticFiles files = write_synthetic_atomic(dir.path, options, recipe.seed);
  Recipe atomic = recipe;
  atomic.format = "atomic";
  atomic.base_dir = dir.path;
  atomic.files = {{"inter", files.inter.string()}, {"item", files.item.string()}};
  atomic.options.clear();
  atomic.text_fields = {"title"};
  raw_reader("atomic")(atomic, sink, stats);
}

}  // namespace recbench
