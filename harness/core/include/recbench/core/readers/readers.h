// The readers of the real benchmark datasets' raw formats, and the text helpers they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recbench/core/readers/raw_reader.h"

namespace recbench {

//! MovieLens: ml-100k u.data/u.item, ml-1m ratings.dat/movies.dat, ml-20m/25m
//! ratings.csv/movies.csv (files.ratings, optional files.movies; the variant follows the ratings
//! file's name).
void read_movielens(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! Steam (UCSD): steam_reviews.json.gz and steam_games.json.gz, one Python dict literal a line
//! (files.reviews, optional files.games).
void read_steam(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! LastFM HetRec 2011: user_taggedartists-timestamps.dat and artists.dat (files.tags, optional
//! files.artists); one interaction per (user, artist, time), however many tags it carried.
void read_lastfm(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! Amazon Reviews 2018: <Category>[_5].json.gz and meta_<Category>.json.gz (files.reviews*,
//! files.meta*); the domain is the category named by the file.
void read_amazon2018(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! Amazon Reviews 2023: <Category>.jsonl.gz and meta_<Category>.jsonl.gz (files.reviews*,
//! files.meta*), items are parent_asin; the domain is the category named by the file.
void read_amazon2023(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! LLaRA's splits as scripts/convert_llara.py writes them (files.train, files.valid, files.test:
//! "history<TAB>next" rows; optional files.titles: id2name.txt). Rows are named "train/<i>",
//! "valid/<i>", "test/<i>" for split.method = "given".
void read_llara(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! Item sequences, one line per user: "user item item ..." in time order (S3-Rec / ICLRec files;
//! files.sequences); an item's position in its line is its timestamp.
void read_sequences(const Recipe& recipe, RawSink& sink, ReadStats& stats);
//! A delimited text file with named (or numbered) columns (files.inter, optional files.items),
//! configured by the recipe's [reader] table.
void read_csv(const Recipe& recipe, RawSink& sink, ReadStats& stats);

namespace readers {

//! Latin-1 (ISO-8859-1) bytes as UTF-8.
std::string latin1_to_utf8(std::string_view text);
//! True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text);
//! Appends code point `cp` as UTF-8.
void append_utf8(uint32_t cp, std::string& out);
//! Unix seconds at midnight UTC of a proleptic Gregorian date; nullopt when it does not exist.
std::optional<int64_t> date_seconds(int64_t year, int64_t month, int64_t day);
//! Unix seconds at midnight UTC of an ISO date "YYYY-MM-DD"; nullopt when it is not one.
std::optional<int64_t> parse_iso_date(std::string_view date);
//! Rewrites one Python literal (what repr() prints for dicts, lists, tuples, str, bytes, int,
//! float, True/False/None) as JSON text in `out`. On failure returns false and sets `error` to
//! what was expected at which column. nan/inf become null; tuples become arrays.
bool python_literal_to_json(std::string_view literal, std::string& out, std::string& error);

}  // namespace readers
}  // namespace recbench
