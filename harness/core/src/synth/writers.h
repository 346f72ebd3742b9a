// The synthetic world's format writers: each writes one raw format exactly as its reader reads it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "world.h"

namespace recbench::synth {

//! Where a writer puts its files and what it wrote (paths, in order).
struct WriteTarget {
  std::filesystem::path dir;                 //!< the world's root (datasets/raw layout)
  std::vector<std::filesystem::path> files;  //!< appended by the writer
};

//! ml-100k/u.data (tab-separated) and ml-100k/u.item ('|', Latin-1, 19 genre flags).
void write_movielens(const Platform& p, const Vocabulary& v, WriteTarget& out);
//! steam/steam_reviews.json.gz and steam/steam_games.json.gz: Python dict literals.
void write_steam(const Platform& p, const Vocabulary& v, WriteTarget& out);
//! lastfm/user_taggedartists-timestamps.dat (1-3 tags per event, ms) and lastfm/artists.dat.
void write_lastfm(const Platform& p, const Vocabulary& v, WriteTarget& out);
//! amazon2018/<Category>_5.json.gz and amazon2018/meta_<Category>.json.gz for each domain.
void write_amazon2018(const Platform& p, const Vocabulary& v, const std::vector<size_t>& domains,
                      WriteTarget& out);
//! amazon2023/<Category>.jsonl.gz and amazon2023/meta_<Category>.jsonl.gz for each domain.
void write_amazon2023(const Platform& p, const Vocabulary& v, const std::vector<size_t>& domains,
                      WriteTarget& out);

//! Calls `f` with each user's events, users in order (one buffer reused).
void for_each_user(const Platform& p, const std::function<void(const std::vector<Event>&)>& f);

class TextOut;

//! What the two Amazon releases share: under dir/<folder>, one review file
//! `<Category><review_suffix>` and one meta file `meta_<Category><meta_suffix>` per domain; the
//! reviews in user order, one line each from `review_line`, then each domain's meta file.
struct AmazonRelease {
  std::string folder, review_suffix, meta_suffix;
  std::function<void(const Event&, std::string&)> review_line;
  std::function<void(size_t domain, TextOut&)> write_meta;
};
void write_amazon_release(const Platform& p, const std::vector<size_t>& domains,
                          const AmazonRelease& release, WriteTarget& target);

}  // namespace recbench::synth
