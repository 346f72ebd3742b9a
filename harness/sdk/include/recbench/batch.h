// A batch of user histories as tensors: the input of every scoring call.
#pragma once

#include <cstdint>
#include <span>

#include <torch/types.h>

#include "recbench/data.h"
#include "recbench/export.h"

namespace recbench {

//! Histories left-aligned (position 0 = oldest), zero-padded on the right.
struct HistoryBatch {
  torch::Tensor items;    //!< [B, L] int64 item ids, 0 = padding
  torch::Tensor lengths;  //!< [B] int64, >= 1
  torch::Tensor users;    //!< [B] int64 user indices
  int64_t size() const { return items.size(0); }
};

//! Builds a batch from sequences `rows` of `set`, keeping the most recent `max_len` items.
RECBENCH_API HistoryBatch make_history_batch(const SequenceSet& set, std::span<const int64_t> rows,
                                             int64_t max_len, const torch::Device& device);

//! The most recent `max_len` items of each history, left-aligned again; the width becomes
//! min(max_len, batch width), or exactly `max_len` when `pad_to` is true (for fixed-width
//! models such as Caser). Returns `batch` itself when nothing changes.
RECBENCH_API HistoryBatch keep_recent(const HistoryBatch& batch, int64_t max_len,
                                      bool pad_to = false);

}  // namespace recbench
