#include "target_counts.h"

#include <torch/torch.h>

#include "recbench/error.h"

namespace recbench::eval_detail {
namespace {

template <typename T>
void count_rows(const torch::Tensor& scores, const torch::Tensor& target, TargetCounts& out) {
  const int64_t rows = scores.size(0), cols = scores.size(1), stride = scores.stride(0);
  const T* base = scores.data_ptr<T>();
  const auto t = target.reshape({rows}).contiguous();
  const T* targets = t.data_ptr<T>();
  int32_t* greater = out.greater.data_ptr<int32_t>();
  int32_t* equal = out.equal.data_ptr<int32_t>();
  int32_t* nan = out.nan.data_ptr<int32_t>();
  for (int64_t b = 0; b < rows; ++b) {
    const T* row = base + b * stride;
    const T value = targets[b];
    int32_t g = 0, e = 0, n = 0;
    for (int64_t j = 0; j < cols; ++j) {  // branch-free, so GCC vectorises it at -O3
      const T x = row[j];
      g += static_cast<int32_t>(x > value);
      e += static_cast<int32_t>(x == value);
      n += static_cast<int32_t>(x != x);
    }
    greater[b] = g;
    equal[b] = e;
    nan[b] = n;
  }
}

}  // namespace

TargetCounts count_on_host(const torch::Tensor& scores, const torch::Tensor& target) {
  if (!scores.device().is_cpu() || scores.dim() != 2 || target.numel() != scores.size(0) ||
      target.scalar_type() != scores.scalar_type()) {
    throw Error("count_on_host: expected CPU scores [B, N] and a target [B, 1] of their type");
  }
  // Rows may be a column slice of a wider tensor (the padding column dropped); items must be
  // adjacent within a row.
  const auto s = scores.stride(1) == 1 ? scores : scores.contiguous();
  const auto rows = s.size(0);
  const auto options = torch::TensorOptions(torch::kInt32);
  TargetCounts out{torch::empty({rows}, options), torch::empty({rows}, options),
                   torch::empty({rows}, options)};
  if (s.scalar_type() == torch::kFloat) {
    count_rows<float>(s, target, out);
  } else if (s.scalar_type() == torch::kDouble) {
    count_rows<double>(s, target, out);
  } else {
    throw Error("count_on_host: scores must be float or double");
  }
  return out;
}

TargetCounts count_with_tensor_ops(const torch::Tensor& scores, const torch::Tensor& target) {
  const auto count = [](const torch::Tensor& flags) { return flags.sum(1, false, torch::kInt32); };
  return {count(scores > target), count(scores == target), count(torch::isnan(scores))};
}

TargetCounts count_against_target(const torch::Tensor& scores, const torch::Tensor& target) {
  const auto type = scores.scalar_type();
  if (scores.device().is_cpu() && (type == torch::kFloat || type == torch::kDouble)) {
    return count_on_host(scores, target);
  }
  return count_with_tensor_ops(scores, target);
}

}  // namespace recbench::eval_detail
