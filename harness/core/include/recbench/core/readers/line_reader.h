// Helpers shared by raw-format readers: gzip-aware line reading, field splitting, number
// parsing, recipe file lookup and the on_error policy for malformed lines.
//
// A typical reader:
//
//   void read_myformat(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
//     LineReader in(recipe_file(recipe, "inter"));      // DataError if files.inter is missing
//     MalformedLines bad(recipe, stats);                  // applies recipe.on_error
//     std::vector<std::string_view> f;
//     std::string_view line;
//     while (in.next(line)) {
//       ++stats.lines;
//       split_fields(line, '\t', f);
//       auto ts = parse_timestamp(f[2]);
//       if (f.size() != 3 || !ts) { bad.report(in, "expected 3 tab-separated fields"); continue; }
//       sink.interaction(f[0], f[1], *ts, "");
//     }
//   }
//
// bad.report() throws DataError("file:line: what") under on_error = "fail"; under "skip" it
// counts the line in stats.skipped, keeps the first few messages in stats.messages (the
// pipeline logs them and the total), and returns so the reader can `continue`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recbench/core/data/dataset.h"
#include "recbench/core/readers/raw_reader.h"

namespace recbench {

//! Reads a text file line by line. gzip-compressed files (detected by content, any name) are
//! decompressed on the fly with zlib; plain files are read as they are.
class LineReader {
 public:
  //! Opens `path`; throws DataError naming the path when it cannot be opened.
  explicit LineReader(const std::filesystem::path& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  //! The next line without its "\n" or "\r\n"; false at the end of the file. `line` stays valid
  //! until the next call. A UTF-8 byte-order mark at the start of the file is removed.
  //! Throws DataError("file: ...") on a read or decompression error.
  bool next(std::string_view& line);
  //! 1-based number of the line last returned by next() (0 before the first call).
  int64_t line_number() const { return line_number_; }
  //! The path as given (for messages).
  const std::string& path() const { return path_; }
  //! "path:line" of the line last returned.
  std::string where() const;

 private:
  bool fill();  //!< reads the next chunk into buffer_; false at end of file

  struct Gz;  //!< zlib handle (keeps <zlib.h> out of this header)
  std::unique_ptr<Gz> gz_;
  std::string path_;
  std::string buffer_;  //!< decompressed bytes not yet returned
  size_t begin_ = 0;    //!< start of the unread part of buffer_
  std::string line_;    //!< the last line when it straddled two chunks
  int64_t line_number_ = 0;
  bool eof_ = false;
};

//! Applies recipe.on_error to malformed lines and counts them in ReadStats::skipped.
class MalformedLines {
 public:
  MalformedLines(const Recipe& recipe, ReadStats& stats);
  //! Under "fail" throws DataError("file:line: what"); under "skip" counts the line, keeps the
  //! message (the first ReadStats::kMaxMessages of them) and returns.
  void report(const LineReader& reader, std::string_view what);
  //! Same, for a message that already names its place.
  void report(const std::string& where, std::string_view what);

 private:
  bool skip_;
  ReadStats& stats_;
};

//! The path of recipe.files[role] resolved against recipe.base_dir. Throws DataError naming
//! the path and the key "files.<role>" when the file does not exist, or ConfigError naming the
//! recipe and "files.<role>" when the recipe has no such entry.
std::filesystem::path recipe_file(const Recipe& recipe, const std::string& role);
//! Like recipe_file(), but std::nullopt when the recipe has no such role (a missing file named
//! by the recipe is still an error).
std::optional<std::filesystem::path> optional_recipe_file(const Recipe& recipe,
                                                          const std::string& role);

//! Throws ConfigError naming the recipe and options.<key> for each key of recipe.options that is
//! not in `known` (call it first in a reader; pass {} for a format without options).
void check_options(const Recipe& recipe, const std::vector<std::string>& known);
//! The same check for a bare options table: `source: options.<key>: unknown option for format
//! "<format>" (known: options.a, ...)`.
void check_format_options(const std::map<std::string, double>& options,
                          const std::vector<std::string>& known, const std::string& format,
                          const std::string& source);

//! Splits `line` at every `sep` into `out` (cleared first); empty fields are kept, so "a\t\tb"
//! gives three fields. The views point into `line`.
void split_fields(std::string_view line, char sep, std::vector<std::string_view>& out);
//! Splits at runs of ASCII whitespace, dropping empty pieces (for token_seq fields).
void split_words(std::string_view text, std::vector<std::string_view>& out);
//! `text` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

//! The whole of `text` (trimmed) as an integer; std::nullopt if it is not one.
std::optional<int64_t> parse_int(std::string_view text);
//! The whole of `text` (trimmed) as a finite double; std::nullopt otherwise.
std::optional<double> parse_double(std::string_view text);
//! A timestamp written as an integer or a float ("978300760", "978300760.0", "1e9"), rounded to
//! the nearest integer; std::nullopt if not a finite number within int64 range.
std::optional<int64_t> parse_timestamp(std::string_view text);

}  // namespace recbench
