// The leave-one-out split: test = each sequence's last item, validation = the one before it.
#include "recbench/core/data/split.h"

#include <span>

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

}  // namespace

void split_dataset(PreparedDataset& out) {
  out.train = {};
  out.valid = {};
  out.test = {};
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
  out.item_counts.assign(static_cast<size_t>(out.items.num_items()), 0);
  for (ItemId item : out.train.items) {
    ++out.item_counts[static_cast<size_t>(item)];
  }
}

}  // namespace recbench
