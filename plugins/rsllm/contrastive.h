// InfoNCE with in-batch negatives: RSLLM's user <-> item and ID <-> text alignment losses.
#pragma once

#include <torch/types.h>

namespace recbench::rsllm {

/// Mean over rows i of -log( exp(s_ii / tau) / sum_j exp(s_ij / tau) ), s = cosine similarity of
/// `anchors` [N, d] and `positives` [N, d] (row j of positives is the in-batch negative of every
/// other anchor). When `labels` [N] is given, a column j != i with labels[j] == labels[i] is the
/// same item and is left out of row i's denominator (it is not a negative). Float32.
torch::Tensor info_nce(const torch::Tensor& anchors, const torch::Tensor& positives, double tau,
                       const torch::Tensor& labels = {});

}  // namespace recbench::rsllm
