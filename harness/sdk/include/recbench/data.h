// Torch-free views of a prepared dataset, as a model sees it during training.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace recbench {

//! Item ids are dense: 0 is padding, 1..num_items()-1 are real items (RecBole's convention).
using ItemId = int32_t;
constexpr ItemId kPaddingItem = 0;

//! Everything known about items; index = ItemId (row 0 is the padding item).
struct ItemCatalog {
  std::vector<std::string> tokens;      //!< original item id from the raw data
  std::vector<std::string> titles;      //!< may be empty strings when the data has no text
  std::vector<std::string> categories;  //!< optional extra text; empty when absent
  std::vector<int16_t> domain;          //!< index into domain_names
  std::vector<std::string> domain_names;
  int32_t num_items() const { return static_cast<int32_t>(tokens.size()); }  //!< incl. padding
};

//! Sequences in compressed (CSR) form, each sorted by time with a stable tie-break.
struct SequenceSet {
  std::vector<int64_t> offsets{0};  //!< sequence i is [offsets[i], offsets[i+1])
  std::vector<ItemId> items;
  std::vector<int64_t> timestamps;  //!< same length as items
  std::vector<int16_t> domains;     //!< same length as items
  std::vector<int64_t> users;       //!< user index of each sequence

  size_t size() const { return users.size(); }
  std::span<const ItemId> sequence(size_t i) const {
    return {items.data() + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
  std::span<const int64_t> times(size_t i) const {
    return {timestamps.data() + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
  //! Appends one sequence (items with their times and domains, all the same length).
  void append(int64_t user, std::span<const ItemId> seq, std::span<const int64_t> ts,
              std::span<const int16_t> doms) {
    users.push_back(user);
    items.insert(items.end(), seq.begin(), seq.end());
    timestamps.insert(timestamps.end(), ts.begin(), ts.end());
    domains.insert(domains.end(), doms.begin(), doms.end());
    offsets.push_back(static_cast<int64_t>(items.size()));
  }
};

//! One next-item example per sequence: predict `targets[i]` after history `histories[i]`.
struct EvalSet {
  SequenceSet histories;
  std::vector<ItemId> targets;
  size_t size() const { return targets.size(); }
};

//! What a model may see: items, the training split and the validation split (never the test).
struct DatasetView {
  std::string name;
  std::string fingerprint;
  int64_t num_users = 0;
  int32_t max_history = 50;  //!< protocol's history length (most recent items)
  const ItemCatalog* items = nullptr;
  const SequenceSet* train = nullptr;  //!< one sequence per user, validation/test items removed
  const EvalSet* valid = nullptr;
  std::vector<int64_t> item_counts;  //!< interactions per item in the training split
  int32_t num_items() const { return items->num_items(); }
};

}  // namespace recbench
