// Recipes and prepared datasets: raw files -> filtered, time-sorted, split, cached sequences.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "recbench/data.h"

namespace spdlog {
class logger;
}
namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace recbench {

//! How raw interactions become sequences (RecBole's names where they exist).
struct FilterOptions {
  int64_t user_core = 0;  //!< k-core on users, applied with item_core to a fixpoint (0 = off)
  int64_t item_core = 0;
  int64_t min_length = 3;  //!< users with fewer interactions are dropped (LOO needs >= 3)
  bool dedup = false;      //!< drop repeated (user, item) pairs, keeping the first
};

struct SplitOptions {
  //! "loo": last = test, second to last = validation. "given": the split the data brings (a
  //! pre-split format's reader names each row's split; no filter may change the rows).
  std::string method = "loo";
};

//! A recipe's [synthesize] table: its raw files are written by the synthetic world (into the
//! cache folder, once) and [files] resolve against that folder instead of the recipe's.
struct SynthesizeOptions {
  std::string dataset;  //!< one of synthetic_world_datasets(), e.g. "ml-100k"
  uint64_t seed = 0;
  double scale = 1.0;
};

//! A dataset recipe (datasets/*.toml, or an inline [[datasets]] table of an experiment).
struct Recipe {
  std::string name;
  std::string format;              //!< "atomic", "synthetic", ... (one reader per format)
  std::filesystem::path base_dir;  //!< relative paths in the recipe resolve against it
  std::string source;              //!< the file the recipe came from (for messages)
  std::string toml_text;           //!< the recipe verbatim (stored in results, fingerprinted)
  std::map<std::string, std::string> files;  //!< role -> path, e.g. "inter" -> "ml.inter"
  FilterOptions filter;
  SplitOptions split;
  int32_t max_history = 50;
  std::vector<std::string> text_fields{"title"};
  std::string on_error = "fail";          //!< malformed raw lines: "fail" or "skip" (counted)
  uint64_t seed = 0;                      //!< for generated data
  std::map<std::string, double> options;  //!< format-specific numeric options (synthetic size)
  //! Format-specific text settings (the recipe's [reader] table; booleans/numbers as their TOML
  //! text), e.g. csv column names, delimiter, encoding, domain label.
  std::map<std::string, std::string> reader;
  std::string download_hint;  //!< how to get the raw files; printed when one is missing
  std::string card;           //!< the data card (datasets/<name>.md), named with the hint
  std::optional<SynthesizeOptions> synthesize;  //!< stand-in: raw files from the synthetic world
};

//! Parses a recipe table; `source` names the file for messages, relative paths use `base_dir`.
Recipe parse_recipe(const toml::table& table, const std::string& source,
                    const std::filesystem::path& base_dir);
Recipe load_recipe(const std::filesystem::path& path);

struct DatasetStats {
  int64_t users = 0, items = 0, interactions = 0;
  double avg_length = 0.0, density = 0.0;
  int64_t raw_interactions = 0;  //!< before filtering
  int64_t dropped_filter = 0;    //!< removed by k-core / min length / dedup
  int64_t skipped_lines = 0;     //!< malformed lines skipped under on_error = "skip"
};

//! A dataset ready for training and evaluation; deterministic for a given recipe and inputs.
struct PreparedDataset {
  std::string name, fingerprint, recipe_toml;
  int32_t max_history = 50;  //!< the recipe's history length (copied into view())
  std::string split_method = "loo";  //!< the recipe's split.method (split_dataset() follows it)
  ItemCatalog items;
  std::vector<std::string> user_tokens;
  SequenceSet sequences;  //!< full time-sorted sequence of each user (after filtering)
  SequenceSet train;      //!< sequences minus validation and test targets
  EvalSet valid, test;
  DatasetStats stats;
  std::vector<int64_t> item_counts;  //!< training interactions per item

  //! The part a model may see (no test split). Points into this object.
  DatasetView view() const;
};

struct PrepareOptions {
  std::filesystem::path cache_dir = ".cache/recbench";
  bool use_cache = true;          //!< read and write the cache (false: always prepare afresh)
  spdlog::logger* log = nullptr;  //!< statistics and skipped lines are logged here when set
};

//! `recipe` itself, or, when it has [synthesize], a copy whose base_dir is the folder of the
//! synthesized raw files under `cache_dir` (written first when absent).
Recipe with_synthesized_files(const Recipe& recipe, const std::filesystem::path& cache_dir);

//! Reads, filters, sorts and splits; loads from / stores to the cache keyed by the fingerprint.
PreparedDataset prepare_dataset(const Recipe& recipe, const PrepareOptions& options);

}  // namespace recbench
