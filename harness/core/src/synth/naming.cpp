// The synthetic world's names: titles from shared topic words, categories, ids and review text.
#include "naming.h"

namespace recbench::synth {
namespace {

constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr uint64_t kBase36_3 = 46'656ULL;                      // 36^3
constexpr uint64_t kBase36_8 = 2'821'109'907'456ULL;           // 36^8
constexpr uint64_t kBase36_12 = 4'738'381'338'321'616'896ULL;  // 36^12
//! n -> (n * kMultiplier + kOffset) mod 36^k is a bijection: kMultiplier is coprime with 36.
constexpr uint64_t kMultiplier = 3'141'592'653'589'793'239ULL;
constexpr uint64_t kOffset = 987'654'321'987'654'321ULL;

__extension__ typedef unsigned __int128 Wide;  // GCC/Clang; exact 128-bit products

uint64_t scramble(uint64_t n, uint64_t modulus) {
  return static_cast<uint64_t>((static_cast<Wide>(n) * kMultiplier + kOffset) % modulus);
}

const std::string& pick(const std::vector<std::string>& list, Rng& rng) {
  return list[static_cast<size_t>(rng.below(static_cast<int64_t>(list.size())))];
}

//! Two distinct words of topic t.
std::string topic_words(const Vocabulary& v, int t, Rng& rng) {
  const auto a = static_cast<int>(rng.below(kWordsPerTopic));
  auto b = static_cast<int>(rng.below(kWordsPerTopic - 1));
  if (b >= a) ++b;
  return v.word(t, a) + " " + v.word(t, b);
}

//! Genres of a movie/game of topic t: a fixed pair per topic, from `genres`.
std::vector<std::string> topic_genres(int t, const std::vector<std::string>& genres,
                                      size_t offset) {
  const size_t n = genres.size() - offset;
  std::vector<std::string> out{genres[offset + static_cast<size_t>(t) % n]};
  const std::string& second = genres[offset + (static_cast<size_t>(t) * 7 + 3) % n];
  if (second != out[0]) out.push_back(second);
  return out;
}

const std::vector<std::string>& steam_genres() {
  static const std::vector<std::string> g{
      "Action",     "Adventure", "Indie",  "RPG",    "Strategy",
      "Simulation", "Casual",    "Sports", "Racing", "Massively Multiplayer"};
  return g;
}

}  // namespace

const std::vector<std::string>& movielens_genres() {
  static const std::vector<std::string> g{
      "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
      "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
      "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};
  return g;
}

ItemText item_text(const Platform& p, const Vocabulary& v, size_t d, int64_t item) {
  const Domain& dom = p.domain(d);
  const int t = dom.topic[static_cast<size_t>(item)];
  Rng rng(p.item_seed(d, item));
  ItemText out;
  const std::string words = topic_words(v, t, rng);
  switch (dom.spec->style) {
    case Style::kMovie:
      out.year = static_cast<int32_t>(rng.between(1930, 1998));
      out.title = (rng.below(4) == 0 ? "The " : "") + words + " (" + std::to_string(out.year) + ")";
      out.categories = topic_genres(t, movielens_genres(), 1);
      break;
    case Style::kGame:
      out.year = static_cast<int32_t>(rng.between(2005, 2017));
      out.title = words + ": " + pick(dom.spec->nouns, rng);
      out.categories = topic_genres(t, steam_genres(), 0);
      out.brand = v.word(t, static_cast<int>(rng.below(kWordsPerTopic))) + " Studios";
      break;
    case Style::kArtist:
      out.title = rng.below(3) == 0 ? words : words + " " + pick(dom.spec->nouns, rng);
      break;
    case Style::kProduct: {
      const std::string& noun = pick(dom.spec->nouns, rng);
      out.title = words + " " + noun + " " +
                  encode(scramble(static_cast<uint64_t>(item), kBase36_3), kUpperDigits, 3);
      out.categories = {dom.spec->display, noun};
      out.brand = v.word(t, static_cast<int>(rng.below(kWordsPerTopic)));
      break;
    }
  }
  return out;
}

std::string review_text(const Platform& p, const Vocabulary& v, size_t d, int64_t item,
                        int64_t user) {
  static const char* kOpen[] = {
      "Really like this",       "Works as described:", "Not bad,",
      "Exactly what I wanted,", "Great value:",        "Disappointed with the"};
  const Domain& dom = p.domain(d);
  const int t = dom.topic[static_cast<size_t>(item)];
  Rng rng(mix(p.item_seed(d, item), static_cast<uint64_t>(user)));
  std::string text = kOpen[rng.below(6)];
  text += " " + topic_words(v, t, rng);
  text += rng.below(2) == 0 ? ". Would buy again." : ". Does the job.";
  return text;
}

int rating_of(const Platform& p, int64_t user, size_t d, int64_t item) {
  Rng rng(mix(p.item_seed(d, item), static_cast<uint64_t>(user) + 99));
  static constexpr int kRatings[] = {5, 5, 5, 4, 4, 4, 3, 2, 1, 5};
  return kRatings[rng.below(10)];
}

CivilDate civil_date(int64_t seconds) {
  int64_t z = (seconds >= 0 ? seconds : seconds - 86'399) / 86'400 + 719'468;  // H. Hinnant
  const int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const int64_t doe = z - era * 146'097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

std::string encode(uint64_t n, std::string_view alphabet, size_t width) {
  std::string out(width, alphabet[0]);
  for (size_t k = width; k-- > 0; n /= alphabet.size()) out[k] = alphabet[n % alphabet.size()];
  return out;
}

std::string amazon2018_user(int64_t user) {
  const uint64_t n = scramble(static_cast<uint64_t>(user), kBase36_12);
  return "A" + encode(n, kUpperDigits, 12) + kUpperDigits[n % 36];
}

std::string amazon_item(size_t d, int64_t item, int release) {
  const uint64_t n = static_cast<uint64_t>(d) * 100'000'000ULL + static_cast<uint64_t>(item);
  return (release == 2018 ? "B0" : "B1") + encode(scramble(n, kBase36_8), kUpperDigits, 8);
}

std::string amazon2023_user(int64_t user) {
  const uint64_t n = scramble(static_cast<uint64_t>(user), kBase36_12);
  return "AG" + encode(n, kUpperDigits, 12) + encode(scramble(n, kBase36_12), kUpperDigits, 12) +
         "Q" + kUpperDigits[n % 36];
}

std::string steam_user(const Vocabulary& v, int64_t user) {
  Rng rng(mix(0x5337, static_cast<uint64_t>(user)));
  const auto t = static_cast<int>(rng.below(kTopics));
  std::string name = v.word(t, static_cast<int>(rng.below(kWordsPerTopic)));
  for (size_t at; (at = name.find("\xc3\xa9")) != std::string::npos;) {
    name.replace(at, 2, "e");  // ASCII user names
  }
  return name + (rng.below(2) == 0 ? "_" : "") + std::to_string(user + 1);
}

}  // namespace recbench::synth
