// Training views of a SequenceSet: prefix augmentation (RecBole) and every-position windows
// (original SASRec), shuffled deterministically and batched as int64 tensors on a device.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "recbench/batch.h"
#include "recbench/data.h"
#include "recbench/export.h"

namespace recbench {

//! How training sequences become samples.
enum class TrainMode {
  prefix,          //!< one sample per prefix: input = up to L items before t, target = item t
  every_position,  //!< windows of L+1 items tiling the sequence: a target at every position
  last,            //!< one sample per sequence: its last item after up to L items before it
                   //!< (data that brings its own training windows, e.g. LLaRA's splits)
};

//! One training batch. Inputs are left-aligned (position 0 = oldest), zero-padded on the right,
//! like HistoryBatch, so a model encodes training and scoring inputs the same way.
struct TrainBatch {
  torch::Tensor items;    //!< [B, W] int64 inputs, 0 = padding, W <= max_len
  torch::Tensor lengths;  //!< [B] int64 number of real input items (>= 1)
  torch::Tensor users;    //!< [B] int64 user indices
  //! prefix and last: [B] the next item; every_position: [B, W], targets[b, p] follows items[b, p]
  //! (0 where there is no target, i.e. at padding).
  torch::Tensor targets;
  int64_t size() const { return items.size(0); }
  //! The inputs as a HistoryBatch (shares the tensors).
  HistoryBatch history() const { return {items, lengths, users}; }
};

//! A shuffled list of samples over a SequenceSet, which must outlive the view. In prefix and
//! every_position modes each transition (history ending at position t-1, target at t, t >= 1) of
//! every sequence is a target exactly once; the first item of a sequence is never a target. In
//! last mode only each sequence's last item is.
class RECBENCH_API TrainView {
 public:
  //! RecBole's augmentation: one sample per position t >= 1 of each sequence, with input the
  //! (up to) `max_len` items before t.
  static TrainView prefix(const SequenceSet& set, int64_t max_len);
  //! SASRec's every-position training: windows of up to `max_len` + 1 items laid from the end of
  //! each sequence backwards with a stride of `max_len` (consecutive windows share one item), so
  //! they tile the whole sequence; the oldest window may be shorter.
  static TrainView every_position(const SequenceSet& set, int64_t max_len);
  //! One sample per sequence of at least two items: its last item after the (up to) `max_len`
  //! items before it. For training rows that are already windows (LLaRA's `seq` -> `next`),
  //! where prefix mode would repeat every inner transition of overlapping windows.
  static TrainView last(const SequenceSet& set, int64_t max_len);
  static TrainView make(TrainMode mode, const SequenceSet& set, int64_t max_len);

  TrainMode mode() const { return mode_; }
  int64_t max_len() const { return max_len_; }
  //! Number of samples (prefixes, windows or sequences).
  int64_t size() const { return static_cast<int64_t>(samples_.size()); }
  //! Number of target positions over all samples.
  int64_t num_targets() const { return num_targets_; }
  int64_t num_batches(int64_t batch_size) const { return (size() + batch_size - 1) / batch_size; }

  //! Puts the samples in a random order that depends only on `seed` (not on earlier calls),
  //! identical on every platform (own Fisher-Yates over a std::mt19937_64).
  void shuffle(uint64_t seed);
  //! Batch `index` of `batch_size` samples in the current order (the last may be smaller).
  TrainBatch batch(int64_t index, int64_t batch_size, const torch::Device& device) const;

 private:
  //! Sample: sequence `row`, items [begin, end). prefix/last: inputs [begin, end-1), target end-1;
  //! every_position: inputs [begin, end-1), targets [begin+1, end).
  struct Sample {
    int64_t row, begin, end;
  };
  TrainView(TrainMode mode, const SequenceSet& set, int64_t max_len);

  TrainMode mode_;
  const SequenceSet* set_;
  int64_t max_len_;
  int64_t num_targets_ = 0;
  std::vector<Sample> samples_;
};

//! Rows of one length group: their indices (on the device of the lengths) and the group's width,
//! its longest row.
struct LengthGroup {
  torch::Tensor rows;
  int64_t width = 0;

  //! This group's rows of `t` ([B] or [B, W, ...]), trimmed to `width` when `t` has a width.
  //! A group of every row is `t` itself, not a copy (rows keep the batch's order).
  RECBENCH_API torch::Tensor take(const torch::Tensor& t) const;
};

//! The rows of `lengths` [B] in groups of similar length: rows of 1..narrowest items, then
//! (narrowest, 2 narrowest], and so on doubling; empty groups are left out and each group keeps
//! the row order. Short histories then stop paying for the longest one's padding (Amazon
//! windows: 9 real items of 50 on average).
RECBENCH_API std::vector<LengthGroup> length_groups(const torch::Tensor& lengths,
                                                    int64_t narrowest = 8);

//! The rows of `batch` in its length_groups(), each trimmed to its width; a single group as wide
//! as the batch is the batch itself.
RECBENCH_API std::vector<TrainBatch> group_by_length(const TrainBatch& batch,
                                                     int64_t narrowest = 8);

//! Mixes an epoch into a seed (splitmix64), so each epoch has its own shuffling seed.
RECBENCH_API uint64_t mix_seed(uint64_t seed, uint64_t salt);

}  // namespace recbench
