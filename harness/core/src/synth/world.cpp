// The synthetic world's latent model: shared topic words, Zipf popularity, item-to-item
// transitions within a domain and cross-domain carry-over of the last topic.
#include "world.h"

#include "pseudo_word.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace recbench::synth {

uint64_t mix(uint64_t a, uint64_t b) {
  Rng r(a * 0x2545f4914f6cdd1dULL + b);
  r.next();
  return r.next() ^ b;
}

namespace {

constexpr double kTransition = 0.5;  //!< next item = the last item's successor (same domain)
constexpr double kCarry = 0.5;       //!< topic of a fresh draw = the last interaction's topic
constexpr double kExplore = 0.1;     //!< topic of a fresh draw = any topic
constexpr double kSwitch = 0.25;     //!< move to another of the user's domains
constexpr int kTries = 8;            //!< fresh draws before giving up on a step (no repeats)

//! FNV-1a: a name's hash that is the same everywhere (std::hash is not).
uint64_t fnv1a(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

DomainSpec product(const char* name, const char* display, int64_t items,
                   std::vector<std::string> nouns) {
  return {name, display, Style::kProduct, items, std::move(nouns)};
}

std::vector<PlatformSpec> make_specs() {
  constexpr int64_t kDay = 86'400;
  std::vector<PlatformSpec> s;
  s.push_back({"movielens",
               {{"MovieLens", "MovieLens", Style::kMovie, 1682, {}}},
               943,
               1,
               1,
               20,
               290,
               false,
               874'700'000,
               120 * kDay,
               1,
               3 * kDay,
               0.9});
  s.push_back({"steam",
               {{"Steam",
                 "Steam",
                 Style::kGame,
                 2000,
                 {"Tactics", "Legends", "Chronicles", "Simulator", "Odyssey", "Arena", "Quest",
                  "Tycoon", "Survivors", "Frontier"}}},
               3000,
               1,
               1,
               3,
               40,
               false,
               1'420'070'400,
               3 * 365 * kDay,
               0,
               20 * kDay,
               1.0});
  s.push_back({"lastfm",
               {{"LastFM",
                 "LastFM",
                 Style::kArtist,
                 3000,
                 {"Band", "Collective", "Orchestra", "Trio", "Project", "Sound", "Ensemble"}}},
               1892,
               1,
               1,
               5,
               150,
               true,
               1'230'768'000,
               2 * 365 * kDay,
               3'600,
               30 * kDay,
               1.0});
  s.push_back(
      {"amazon",
       {product("Office_Products", "Office Products", 900,
                {"Stapler", "Notebook", "Binder", "Pen Set", "Desk Organizer", "Label Maker"}),
        product("Musical_Instruments", "Musical Instruments", 700,
                {"Guitar Strings", "Ukulele", "Drum Pads", "Capo", "Tuner", "Effects Pedal"}),
        product("Arts_Crafts_and_Sewing", "Arts, Crafts & Sewing", 800,
                {"Yarn", "Paint Set", "Sketchbook", "Sewing Kit", "Brush Set"}),
        product("Automotive", "Automotive", 800,
                {"Floor Mats", "Car Charger", "Wiper Blades", "Seat Cover", "Tire Gauge"}),
        product("Cell_Phones_and_Accessories", "Cell Phones & Accessories", 900,
                {"Phone Case", "Screen Protector", "Charging Cable", "Car Mount", "Earbuds"}),
        product("Grocery_and_Gourmet_Food", "Grocery & Gourmet Food", 800,
                {"Green Tea", "Coffee Beans", "Hot Sauce", "Granola", "Olive Oil"}),
        product("Industrial_and_Scientific", "Industrial & Scientific", 600,
                {"Safety Glasses", "Caliper", "Lab Beakers", "Work Gloves", "Multimeter"}),
        product("Pet_Supplies", "Pet Supplies", 700,
                {"Dog Leash", "Cat Toy", "Pet Bed", "Chew Bones", "Aquarium Filter"}),
        product("Toys_and_Games", "Toys & Games", 900,
                {"Puzzle", "Board Game", "Building Blocks", "Plush Toy", "Card Game"})},
       6000,
       2,
       4,
       5,
       15,
       false,
       1'388'534'400,
       3 * 365 * kDay,
       0,
       40 * kDay,
       0.8});
  return s;
}

}  // namespace

const std::vector<PlatformSpec>& platform_specs() {
  static const std::vector<PlatformSpec> specs = make_specs();
  return specs;
}

const PlatformSpec& platform_spec(const std::string& name) {
  for (const auto& s : platform_specs()) {
    if (s.name == name) return s;
  }
  throw std::out_of_range("no synthetic platform " + name);
}

Vocabulary::Vocabulary(uint64_t seed) : words_(kTopics) {
  Rng rng(mix(seed, 0x766f636162ULL));
  std::set<std::string> used;
  for (auto& topic : words_) {
    while (topic.size() < kWordsPerTopic) {
      std::string w = pseudo_word(rng);
      w[0] = static_cast<char>(w[0] - 'a' + 'A');
      if (!used.insert(w).second) continue;
      const auto e = w.find('e', 1);
      if (rng.below(8) == 0 && e != std::string::npos) w.replace(e, 1, "\xc3\xa9");  // é
      topic.push_back(w);
    }
  }
}

Platform::Platform(const PlatformSpec& spec, uint64_t seed, double scale)
    : spec_(spec),
      seed_(mix(seed, fnv1a(spec.name))),
      users_(std::max<int64_t>(1, std::llround(static_cast<double>(spec.users) * scale))) {
  for (size_t d = 0; d < spec_.domains.size(); ++d) {
    Rng rng(mix(seed_, 1000 + d));
    Domain dom;
    dom.spec = &spec_.domains[d];
    const int64_t n =
        std::max<int64_t>(2 * kTopics, std::llround(static_cast<double>(dom.spec->items) * scale));
    std::vector<int64_t> rank(static_cast<size_t>(n));  // a random popularity order
    for (int64_t i = 0; i < n; ++i) rank[static_cast<size_t>(i)] = i;
    for (int64_t i = n - 1; i > 0; --i) {
      std::swap(rank[static_cast<size_t>(i)], rank[static_cast<size_t>(rng.below(i + 1))]);
    }
    dom.topic.resize(static_cast<size_t>(n));
    dom.topic_items.resize(kTopics);
    dom.topic_weights.resize(kTopics);
    for (int64_t i = 0; i < n; ++i) {
      const auto t = static_cast<size_t>(i % kTopics);  // every topic in every domain
      dom.topic[static_cast<size_t>(i)] = static_cast<int32_t>(t);
      auto& cum = dom.topic_weights[t];
      const double w =
          1.0 / std::pow(static_cast<double>(rank[static_cast<size_t>(i)] + 1), spec_.zipf);
      cum.push_back((cum.empty() ? 0.0 : cum.back()) + w);
      dom.topic_items[t].push_back(i);
    }
    dom.successor.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {  // a uniform same-topic item (not the popular ones)
      const auto& peers = dom.topic_items[static_cast<size_t>(dom.topic[static_cast<size_t>(i)])];
      int64_t next = peers[static_cast<size_t>(rng.below(static_cast<int64_t>(peers.size())))];
      if (next == i) next = peers[next == peers[0] ? 1 : 0];
      dom.successor[static_cast<size_t>(i)] = next;
    }
    domains_.push_back(std::move(dom));
  }
}

size_t Platform::domain_index(const std::string& name) const {
  for (size_t d = 0; d < domains_.size(); ++d) {
    if (domains_[d].spec->name == name) return d;
  }
  throw std::out_of_range("platform " + spec_.name + " has no domain " + name);
}

uint64_t Platform::item_seed(size_t d, int64_t item) const {
  return mix(mix(seed_, 7000 + d), static_cast<uint64_t>(item));
}

int64_t Platform::pick(const Domain& d, int64_t last, int32_t last_topic,
                       const std::vector<int32_t>& likes,
                       const std::vector<std::pair<int32_t, int64_t>>& seen, int32_t dom,
                       Rng& rng) const {
  auto fresh = [&](int64_t item) {
    return spec_.repeats ||
           std::find(seen.begin(), seen.end(), std::make_pair(dom, item)) == seen.end();
  };
  if (last >= 0 && rng.uniform() < kTransition) {
    const int64_t next = d.successor[static_cast<size_t>(last)];
    if (fresh(next)) return next;
  }
  static constexpr double kLikeWeights[] = {0.6, 0.3, 0.1};
  for (int attempt = 0; attempt < kTries; ++attempt) {
    int32_t t = 0;
    if (last_topic >= 0 && rng.uniform() < kCarry) {
      t = last_topic;
    } else if (rng.uniform() < kExplore) {
      t = static_cast<int32_t>(rng.below(kTopics));
    } else {
      double x = rng.uniform() * (likes.size() == 2 ? 0.9 : 1.0);
      size_t k = 0;
      while (k + 1 < likes.size() && x >= kLikeWeights[k]) x -= kLikeWeights[k++];
      t = likes[k];
    }
    const auto& cum = d.topic_weights[static_cast<size_t>(t)];
    const double x = rng.uniform() * cum.back();
    const auto pos = std::min<size_t>(
        static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), x) - cum.begin()),
        cum.size() - 1);
    const int64_t item = d.topic_items[static_cast<size_t>(t)][pos];
    if (fresh(item)) return item;
  }
  return -1;
}

void Platform::user_events(int64_t u, std::vector<Event>& out) const {
  out.clear();
  Rng rng(mix(seed_, static_cast<uint64_t>(u)));
  std::vector<int32_t> likes;
  const int64_t num_likes = rng.between(2, 3);
  while (static_cast<int64_t>(likes.size()) < num_likes) {
    const auto t = static_cast<int32_t>(rng.below(kTopics));
    if (std::find(likes.begin(), likes.end(), t) == likes.end()) likes.push_back(t);
  }
  const auto n_dom = static_cast<int64_t>(domains_.size());
  const int64_t active = std::min(n_dom, rng.between(spec_.min_domains, spec_.max_domains));
  std::vector<int32_t> doms;
  while (static_cast<int64_t>(doms.size()) < active) {
    const auto d = static_cast<int32_t>(rng.below(n_dom));
    if (std::find(doms.begin(), doms.end(), d) == doms.end()) doms.push_back(d);
  }
  std::vector<int64_t> left(doms.size()), last(doms.size(), -1);
  int64_t total = 0;
  for (auto& l : left) {  // skewed towards min_len: (max - min) * x^2
    const double x = rng.uniform();
    l = spec_.min_len + std::llround(static_cast<double>(spec_.max_len - spec_.min_len) * x * x);
    total += l;
  }
  std::vector<std::pair<int32_t, int64_t>> seen;
  int64_t time = spec_.start + rng.below(spec_.span);
  int32_t last_topic = -1;
  size_t cur = 0;
  for (; total > 0; --total) {
    if (left[cur] == 0 || (doms.size() > 1 && rng.uniform() < kSwitch)) {
      int64_t x = rng.below(total);  // another domain, weighted by what is left in it
      for (cur = 0; x >= left[cur]; ++cur) x -= left[cur];
    }
    --left[cur];
    const Domain& d = domains_[static_cast<size_t>(doms[cur])];
    const int64_t item = pick(d, last[cur], last_topic, likes, seen, doms[cur], rng);
    if (item < 0) continue;  // nothing new found for this user: a shorter sequence
    if (!spec_.repeats) seen.emplace_back(doms[cur], item);
    out.push_back({u, doms[cur], item, time});
    last[cur] = item;
    last_topic = d.topic[static_cast<size_t>(item)];
    time += rng.between(spec_.min_gap, spec_.max_gap);
  }
}

}  // namespace recbench::synth
