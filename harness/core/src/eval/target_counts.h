// The evaluator's inner loop: for each example, how many items score above its target, equal to
// it, or NaN. Under full ranking this visits every item of every example, so on the CPU it is one
// fused pass over the scores (three tensor passes and three temporaries cost more than the
// scoring matmul itself); elsewhere it is tensor operations on the scores' device.
#pragma once

#include <torch/types.h>

namespace recbench::eval_detail {

//! [B] int32 counts per row, on the scores' device.
struct TargetCounts {
  torch::Tensor greater;  //!< items strictly above the row's target score
  torch::Tensor equal;    //!< items equal to it (the target itself included)
  torch::Tensor nan;      //!< NaN scores (a NaN target counts too)
};

//! Counts of `scores` [B, N] against `target` [B, 1]: the host pass for CPU float and double
//! scores, tensor operations for any other device or type.
TargetCounts count_against_target(const torch::Tensor& scores, const torch::Tensor& target);

//! The one-pass host loop (CPU float or double scores); exposed so tests compare both ways.
TargetCounts count_on_host(const torch::Tensor& scores, const torch::Tensor& target);

//! The same counts with tensor operations, on any device.
TargetCounts count_with_tensor_ops(const torch::Tensor& scores, const torch::Tensor& target);

}  // namespace recbench::eval_detail
