// InfoNCE over cosine similarities with in-batch negatives and same-item masking.
#include "rsllm/contrastive.h"

#include <torch/torch.h>

namespace recbench::rsllm {

torch::Tensor info_nce(const torch::Tensor& anchors, const torch::Tensor& positives, double tau,
                       const torch::Tensor& labels) {
  namespace F = torch::nn::functional;
  const auto a = F::normalize(anchors.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
  const auto p = F::normalize(positives.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
  auto logits = a.matmul(p.t()) / tau;  // [N, N]
  if (labels.defined()) {
    const auto same = labels.unsqueeze(1) == labels.unsqueeze(0);
    const auto eye = torch::eye(labels.size(0), same.options());
    logits = logits.masked_fill(same.logical_and(eye.logical_not()), -INFINITY);
  }
  const auto target =
      torch::arange(a.size(0), torch::TensorOptions(torch::kLong).device(a.device()));
  return F::cross_entropy(logits, target);
}

}  // namespace recbench::rsllm
