// Raw-format readers: each streams one distributed file format into a RawSink.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "recbench/core/data/dataset.h"

namespace recbench {

//! Receives what a reader finds; strings are only valid during the call (the sink interns them).
class RawSink {
 public:
  virtual ~RawSink() = default;
  virtual void interaction(std::string_view user, std::string_view item, int64_t timestamp,
                           std::string_view domain) = 0;
  //! Item text; called at most once per item (later calls for the same item are ignored).
  virtual void item(std::string_view item, std::string_view title, std::string_view category,
                    std::string_view domain) = 0;
};

//! What a reader counted; skipped lines are also logged with file:line and the reason.
struct ReadStats {
  static constexpr size_t kMaxMessages = 20;  //!< skipped-line messages kept for the log
  int64_t lines = 0;
  int64_t skipped = 0;  //!< malformed lines skipped under on_error = "skip"
  int64_t repeats = 0;  //!< records repeating an earlier one's (user, item, time), read as one
  std::vector<std::string> messages;  //!< "file:line: reason" of the first skipped lines
};

//! Reads the files named by `recipe.files` (resolved against recipe.base_dir). A malformed line
//! throws DataError("file:line: what was expected") under on_error = "fail", else is counted.
//! Helpers for writing one (gzip-aware lines, fields, numbers, on_error): line_reader.h.
using RawReader = std::function<void(const Recipe& recipe, RawSink& sink, ReadStats& stats)>;

//! The reader registered for a format name; throws ConfigError listing the known formats.
const RawReader& raw_reader(const std::string& format);
//! Registered format names, sorted.
std::vector<std::string> raw_formats();

}  // namespace recbench
