// Picks a few top-level fields out of one JSON object (a JSON-lines record).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace recbench::readers {

//! One picked field: strings and numbers as text, arrays as the strings they contain.
struct JsonField {
  enum class Kind { kMissing, kNull, kString, kInteger, kFloat, kBool, kArray, kObject };
  Kind kind = Kind::kMissing;
  std::string text;                //!< string value, or the number/bool as written
  int64_t integer = 0;             //!< kInteger (and kFloat, truncated)
  std::vector<std::string> items;  //!< kArray: its string elements, nested arrays flattened

  //! The string value; empty unless kind is kString.
  std::string_view str() const { return kind == Kind::kString ? text : std::string_view(); }
  //! A string or integer value as text (ids are written either way); empty otherwise.
  std::string_view id() const {
    return kind == Kind::kString || kind == Kind::kInteger ? text : std::string_view();
  }
};

//! Parses records with simdjson (nlohmann-json for the records it refuses, to say what is wrong),
//! keeping only the requested keys. One instance per stream: it reuses its parser's buffers.
class JsonFields {
 public:
  explicit JsonFields(std::vector<std::string> keys);
  ~JsonFields();
  JsonFields(const JsonFields&) = delete;
  JsonFields& operator=(const JsonFields&) = delete;
  //! Parses `record`; false (with `error` saying where and what was expected) when it is not
  //! exactly one JSON object.
  bool parse(std::string_view record, std::string& error);
  //! The field for keys[i] of the last record.
  const JsonField& operator[](size_t i) const { return fields_[i]; }

 private:
  class Handler;
  struct Fast;  // simdjson stays out of this header
  std::vector<std::string> keys_;
  std::vector<JsonField> fields_;
  std::unique_ptr<Fast> fast_;
};

}  // namespace recbench::readers
