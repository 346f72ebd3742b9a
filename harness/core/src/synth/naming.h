// The synthetic world's names: item titles from shared topic words, categories, ids, review text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "world.h"

namespace recbench::synth {

//! What an item looks like in a meta/item file.
struct ItemText {
  std::string title;                    //!< topic words + the domain's noun (UTF-8)
  std::vector<std::string> categories;  //!< Amazon category path / Steam genres / ML genre
  std::string brand;                    //!< Amazon brand, Steam developer
  int32_t year = 0;                     //!< release year (movies, games)
};

//! The text of item `item` of domain `d`: two words of its topic (shared across domains) and a
//! domain-specific noun, so titles carry topic knowledge that transfers and ids do not.
ItemText item_text(const Platform& p, const Vocabulary& v, size_t d, int64_t item);
//! A short review of `item` by `user` (topic words + noun), deterministic.
std::string review_text(const Platform& p, const Vocabulary& v, size_t d, int64_t item,
                        int64_t user);
//! Rating 1..5 of (user, item), skewed to 4-5 like real reviews.
int rating_of(const Platform& p, int64_t user, size_t d, int64_t item);

struct CivilDate {
  int year, month, day;  //!< month and day 1-based
};
//! The UTC calendar date of a Unix time.
CivilDate civil_date(int64_t seconds);

//! `n` as `width` characters from `alphabet` (a bijection for n < |alphabet|^width).
std::string encode(uint64_t n, std::string_view alphabet, size_t width);
//! Amazon 2018 ids: "A" + 13 characters; items "B0" + 8 characters, unique per (domain, item).
std::string amazon2018_user(int64_t user);
std::string amazon_item(size_t d, int64_t item, int release);
//! Amazon 2023 user ids: "A" + 27 characters.
std::string amazon2023_user(int64_t user);
//! Steam user names, e.g. "Kalomi_Tefu312" (unique: the index is part of it).
std::string steam_user(const Vocabulary& v, int64_t user);

//! The 19 MovieLens-100K genres, in u.item order.
const std::vector<std::string>& movielens_genres();

}  // namespace recbench::synth
