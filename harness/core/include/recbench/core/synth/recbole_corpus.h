// The deterministic synthetic multi-domain corpus, written as RecBole atomic files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace recbench {

//! Size and structure of the synthetic corpus (recipe [options] of format = "synthetic").
struct SyntheticOptions {
  int64_t users = 1000;
  int64_t items = 500;
  int64_t domains = 2;      //!< items are spread over this many domains (item i: i % domains)
  int64_t seq_len = 20;     //!< mean interactions per user (uniform in [seq_len/2, 3*seq_len/2])
  int64_t topics = 10;      //!< latent topics; a user likes two, titles use topic words
  double zipf = 1.0;        //!< popularity exponent: item of rank r has weight 1 / r^zipf
  double transition = 0.6;  //!< chance that the next item is the previous item's successor
  bool rule = false;        //!< planted rule: item i is ALWAYS followed by f(i) (one long cycle)
};

//! Options from a recipe's [options] table; an unknown key or out-of-range value throws
//! ConfigError naming `source` and options.<key>.
SyntheticOptions synthetic_options(const std::map<std::string, double>& options,
                                   const std::string& source);

//! The files written by write_synthetic_atomic().
struct SyntheticFiles {
  std::filesystem::path inter;  //!< user_id:token item_id:token timestamp:float
  std::filesystem::path item;   //!< item_id:token title:token_seq categories:token_seq domain:token
};

//! Writes `dir`/synthetic.inter and `dir`/synthetic.item (creating `dir`). The same options and
//! seed give byte-identical files on every machine (own RNG mapping, no std distributions).
SyntheticFiles write_synthetic_atomic(const std::filesystem::path& dir,
                                      const SyntheticOptions& options, uint64_t seed);

}  // namespace recbench
