// The splits: leave-one-out (test = each sequence's last item, validation = the one before it) and
// the split the data brings (its own training rows, validation and test examples).
#include "recbench/core/data/split.h"

#include <span>
#include <string>
#include <string_view>

#include "recbench/error.h"

namespace recbench {
namespace {

void reserve(SequenceSet& set, size_t sequences, size_t items) {
  set.offsets.reserve(sequences + 1);
  set.users.reserve(sequences);
  set.items.reserve(items);
  set.timestamps.reserve(items);
  set.domains.reserve(items);
}

//! Appends the first `n` entries of sequence `i` of `from` to `to`.
void append_prefix(const SequenceSet& from, size_t i, size_t n, SequenceSet& to) {
  const auto start = static_cast<size_t>(from.offsets[i]);
  to.append(from.users[i], std::span(from.items).subspan(start, n),
            std::span(from.timestamps).subspan(start, n),
            std::span(from.domains).subspan(start, n));
}

//! Leave-one-out: train = all but the last two items, valid = its prefix + the second to last,
//! test = all but the last + the last.
void split_loo(PreparedDataset& out) {
  const SequenceSet& all = out.sequences;
  reserve(out.train, all.size(), all.items.size() - 2 * all.size());
  reserve(out.valid.histories, all.size(), all.items.size() - 2 * all.size());
  reserve(out.test.histories, all.size(), all.items.size() - all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const auto seq = all.sequence(i);
    const size_t n = seq.size();  // >= 3: min_length is at least 3
    append_prefix(all, i, n - 2, out.train);
    append_prefix(all, i, n - 2, out.valid.histories);
    out.valid.targets.push_back(seq[n - 2]);
    append_prefix(all, i, n - 1, out.test.histories);
    out.test.targets.push_back(seq[n - 1]);
  }
}

//! The data's own split: each sequence is one row of the split its user token names
//! ("train/...", "valid/...", "test/..."). A training row is trained on whole; a validation or
//! test row's last item is its target and the items before it its history.
void split_given(PreparedDataset& out) {
  const SequenceSet& all = out.sequences;
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string_view user = out.user_tokens.at(static_cast<size_t>(all.users[i]));
    const size_t n = all.sequence(i).size();
    const auto fail = [&](const std::string& what) {
      throw DataError(out.name + ": split.method = \"given\": row '" + std::string(user) + "' " +
                      what);
    };
    if (n < 2)
      fail("has " + std::to_string(n) + " item(s); every row needs a history and a target");
    if (user.starts_with("train/")) {
      append_prefix(all, i, n, out.train);
    } else if (user.starts_with("valid/") || user.starts_with("test/")) {
      EvalSet& set = user.starts_with("valid/") ? out.valid : out.test;
      append_prefix(all, i, n - 1, set.histories);
      set.targets.push_back(all.sequence(i)[n - 1]);
    } else {
      fail(
          "names no split (a reader of a pre-split format names rows train/..., valid/... or "
          "test/...)");
    }
  }
  if (out.train.size() == 0 || out.valid.size() == 0 || out.test.size() == 0) {
    throw DataError(out.name + ": split.method = \"given\": the data has " +
                    std::to_string(out.train.size()) + " training, " +
                    std::to_string(out.valid.size()) + " validation and " +
                    std::to_string(out.test.size()) + " test rows; each split needs at least one");
  }
}

}  // namespace

void split_dataset(PreparedDataset& out) {
  out.train = {};
  out.valid = {};
  out.test = {};
  if (out.split_method == "given") {
    split_given(out);
  } else {
    split_loo(out);
  }
  out.item_counts.assign(static_cast<size_t>(out.items.num_items()), 0);
  for (ItemId item : out.train.items) {
    ++out.item_counts[static_cast<size_t>(item)];
  }
}

}  // namespace recbench
