// Test helpers for the raw-format readers: a sink that records everything and recipe builders.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "recbench/core/data/dataset.h"
#include "recbench/core/readers/raw_reader.h"
#include "recbench/error.h"
#include "unit/error_of.h"

namespace recbench::reader_test {

struct Interaction {
  std::string user, item;
  int64_t timestamp;
  std::string domain;
  bool operator==(const Interaction&) const = default;
};

struct Item {
  std::string title, category, domain;
  bool operator==(const Item&) const = default;
};

//! Records every call; items keep their first description, like the real sink.
class RecordingSink : public RawSink {
 public:
  std::vector<Interaction> interactions;
  std::map<std::string, Item> items;
  int item_calls = 0;

  void interaction(std::string_view user, std::string_view item, int64_t timestamp,
                   std::string_view domain) override {
    interactions.push_back({std::string(user), std::string(item), timestamp, std::string(domain)});
  }
  void item(std::string_view item, std::string_view title, std::string_view category,
            std::string_view domain) override {
    ++item_calls;
    items.try_emplace(std::string(item),
                      Item{std::string(title), std::string(category), std::string(domain)});
  }
};

//! A recipe over the reader fixtures (tests/fixtures/readers).
inline Recipe fixture_recipe(const std::string& format, std::map<std::string, std::string> files,
                             const std::string& on_error = "fail") {
  Recipe r;
  r.name = "fixture-" + format;
  r.format = format;
  r.source = "fixture.toml";
  r.base_dir = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "readers";
  r.files = std::move(files);
  r.on_error = on_error;
  return r;
}

//! The message of the DataError `f` throws ("" when it throws nothing).
inline std::string data_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

//! The message of the ConfigError `f` throws ("" when it throws nothing).
inline std::string config_error(const std::function<void()>& f) { return error_of<ConfigError>(f); }

}  // namespace recbench::reader_test
