// Helpers for the data-pipeline tests: temporary folders, small files, recording sinks.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "recbench/core/data/dataset.h"
#include "recbench/core/readers/raw_reader.h"
#include "recbench/error.h"
#include "unit/error_of.h"

namespace recbench::test {

using recbench::error_of;

//! A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("recbench-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  //! Writes `text` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  std::filesystem::path path_;
};

//! Remembers everything a reader emits.
struct RecordingSink : RawSink {
  std::vector<std::tuple<std::string, std::string, int64_t, std::string>> rows;
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> items;
  void interaction(std::string_view u, std::string_view i, int64_t t, std::string_view d) override {
    rows.emplace_back(u, i, t, d);
  }
  void item(std::string_view i, std::string_view title, std::string_view cat,
            std::string_view d) override {
    items.emplace_back(i, title, cat, d);
  }
};

//! An atomic recipe over `dir`/data.inter holding `inter` (header added when it has none).
inline Recipe atomic_recipe(const TempDir& dir, const std::string& inter) {
  const bool has_header = inter.rfind("user_id:", 0) == 0;
  dir.write("data.inter",
            (has_header ? "" : "user_id:token\titem_id:token\ttimestamp:float\n") + inter);
  Recipe r;
  r.name = "t";
  r.format = "atomic";
  r.source = (dir.path() / "t.toml").string();
  r.base_dir = dir.path();
  r.files = {{"inter", "data.inter"}};
  return r;
}

//! prepare_dataset without the cache.
inline PreparedDataset prepare_uncached(const Recipe& r) {
  PrepareOptions o;
  o.use_cache = false;
  return prepare_dataset(r, o);
}

//! Item tokens of sequence i of `set` (readable assertions).
inline std::vector<std::string> tokens(const PreparedDataset& d, const SequenceSet& set, size_t i) {
  std::vector<std::string> out;
  for (ItemId item : set.sequence(i)) out.push_back(d.items.tokens[static_cast<size_t>(item)]);
  return out;
}

}  // namespace recbench::test
