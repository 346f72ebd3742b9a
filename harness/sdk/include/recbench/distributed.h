// Data-parallel training as a plugin sees it: its rank, its rows of a global batch, and the few
// collectives a training loop needs. The host implements it over PyTorch's c10d (Gloo, or NCCL
// where the LibTorch has it), so plugins never include c10d headers.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "recbench/export.h"

namespace recbench {

//! Rows [begin, end) of a global batch that one rank computes.
struct RowRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
};

//! The rows of a `global` batch that `rank` of `world_size` takes: contiguous blocks whose
//! sizes differ by at most one (rank r gets [global*r/W, global*(r+1)/W)); may be empty.
RECBENCH_API RowRange rows_of_rank(int64_t global, int rank, int world_size);

/// A group of processes that train one model on the same data in the same order. Every rank
/// must call the collectives in the same order with tensors of the same shapes; a failed
/// collective (a rank died, a timeout) throws CollectiveError, which ends the run.
class RECBENCH_API DataParallel {
 public:
  virtual ~DataParallel();
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  //! This rank's rows of a global batch of `global` rows.
  RowRange rows(int64_t global) const { return rows_of_rank(global, rank(), world_size()); }

  /// Replaces each gradient by the sum over ranks of `weight` x gradient (bucketed all-reduce).
  /// For a loss that is a mean over this rank's share of the global batch, `weight` is that
  /// share (its loss terms / the global batch's), so the result is the one-process gradient of
  /// the whole batch. An undefined gradient counts as zero; it stays undefined only when it is
  /// undefined on every rank (an optimiser then skips it, as in one process).
  virtual void reduce_gradients(const std::vector<torch::Tensor>& parameters, double weight) = 0;
  //! Overwrites `tensors` (parameters, buffers) with rank 0's values, so all ranks start equal.
  virtual void broadcast(const std::vector<torch::Tensor>& tensors) = 0;
  //! The sum of `value` over ranks (e.g. share-weighted losses, for logging the global mean).
  virtual double sum(double value) = 0;
  //! Returns once every rank has called it.
  virtual void barrier() = 0;
};

}  // namespace recbench
