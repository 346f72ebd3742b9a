// The table of raw-format readers: one line per format name (readers live in their own files).
#include "recbench/core/readers/raw_reader.h"

#include <map>

#include "recbench/core/readers/readers.h"
#include "recbench/error.h"

namespace recbench {

// Each reader is defined in <format>_reader.cpp (or synthetic.cpp) and listed below.
void read_atomic(const Recipe& recipe, RawSink& sink, ReadStats& stats);
void read_synthetic(const Recipe& recipe, RawSink& sink, ReadStats& stats);

namespace {

const std::map<std::string, RawReader>& reader_table() {
  static const std::map<std::string, RawReader> table{
      {"amazon2018", read_amazon2018}, {"amazon2023", read_amazon2023},
      {"atomic", read_atomic},         {"csv", read_csv},
      {"lastfm", read_lastfm},         {"llara", read_llara},
      {"movielens", read_movielens},   {"sequences", read_sequences},
      {"steam", read_steam},           {"synthetic", read_synthetic},
  };
  return table;
}

}  // namespace

const RawReader& raw_reader(const std::string& format) {
  auto it = reader_table().find(format);
  if (it == reader_table().end()) {
    std::string known;
    for (const auto& name : raw_formats()) {
      known += (known.empty() ? "" : ", ") + name;
    }
    throw ConfigError("unknown dataset format \"" + format + "\" (known formats: " + known + ")");
  }
  return it->second;
}

std::vector<std::string> raw_formats() {
  std::vector<std::string> names;
  for (const auto& [name, reader] : reader_table()) {
    names.push_back(name);
  }
  return names;
}

}  // namespace recbench
