// The synthetic world's latent model: topics with shared words, platforms, domains, user streams.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recbench/random.h"

namespace recbench::synth {

//! SplitMix64 with the synthetic generators' range mapping: identical on every platform.
using Rng = ScaledRng<SplitMix64>;

//! A well-mixed hash of two values (seeds of independent streams).
uint64_t mix(uint64_t a, uint64_t b);

//! How a domain names its items.
enum class Style { kMovie, kGame, kArtist, kProduct };

//! One domain of a platform (an Amazon category, or the single domain of MovieLens/Steam/LastFM).
struct DomainSpec {
  std::string name;     //!< file-name form, e.g. "Office_Products"
  std::string display;  //!< e.g. "Office Products" (Amazon main category)
  Style style;
  int64_t items;                   //!< at scale 1
  std::vector<std::string> nouns;  //!< product kinds (Amazon) or title suffixes
};

//! A platform: one population of users, one id space, one or more domains.
struct PlatformSpec {
  std::string name;
  std::vector<DomainSpec> domains;
  int64_t users;                     //!< at scale 1
  int64_t min_domains, max_domains;  //!< domains a user is active in
  int64_t min_len, max_len;          //!< interactions per active domain (skewed to min_len)
  bool repeats;                      //!< may a user interact with one item twice
  int64_t start, span;               //!< first interaction: start + [0, span) seconds
  int64_t min_gap, max_gap;          //!< seconds between consecutive interactions
  double zipf;                       //!< popularity exponent within a domain
};

//! The four platforms of the world: movielens, steam, lastfm, amazon (nine categories).
const std::vector<PlatformSpec>& platform_specs();
const PlatformSpec& platform_spec(const std::string& name);

constexpr int kTopics = 20;         //!< latent topics, shared by every domain
constexpr int kWordsPerTopic = 10;  //!< pseudo-words of a topic, used in titles of all domains

//! Topic words: deterministic from the seed, unique across topics, some with Latin-1 letters.
class Vocabulary {
 public:
  explicit Vocabulary(uint64_t seed);
  //! Word k of topic t, capitalised, UTF-8.
  const std::string& word(int t, int k) const { return words_[t][k]; }

 private:
  std::vector<std::vector<std::string>> words_;
};

//! One generated interaction.
struct Event {
  int64_t user;
  int32_t domain;  //!< index into the platform's domains
  int64_t item;    //!< 0-based within the domain
  int64_t time;    //!< Unix seconds
};

//! A domain's items: topic, Zipf popularity (per topic) and fixed same-topic successor.
struct Domain {
  const DomainSpec* spec = nullptr;
  std::vector<int32_t> topic;
  std::vector<int64_t> successor;
  std::vector<std::vector<int64_t>> topic_items;   //!< items of each topic
  std::vector<std::vector<double>> topic_weights;  //!< cumulative popularity within a topic
};

//! A platform at a seed and scale. Every user's stream is generated from its own seed, so any
//! subset of domains is written with the same bytes as in the whole world.
class Platform {
 public:
  Platform(const PlatformSpec& spec, uint64_t seed, double scale);
  const PlatformSpec& spec() const { return spec_; }
  int64_t num_users() const { return users_; }
  const Domain& domain(size_t d) const { return domains_[d]; }
  size_t num_domains() const { return domains_.size(); }
  //! Index of the domain named `name`; throws std::out_of_range when there is none.
  size_t domain_index(const std::string& name) const;
  //! User u's interactions in time order (replaces `out`).
  void user_events(int64_t u, std::vector<Event>& out) const;
  //! A seed for per-item details (title choice) of item `item` of domain `d`.
  uint64_t item_seed(size_t d, int64_t item) const;

 private:
  int64_t pick(const Domain& d, int64_t last, int32_t last_topic, const std::vector<int32_t>& likes,
               const std::vector<std::pair<int32_t, int64_t>>& seen, int32_t dom, Rng& rng) const;

  PlatformSpec spec_;
  uint64_t seed_;
  int64_t users_;
  std::vector<Domain> domains_;
};

}  // namespace recbench::synth
