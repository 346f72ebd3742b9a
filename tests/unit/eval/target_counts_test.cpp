// The evaluator's counting pass: the host loop (CPU) and the tensor operations (other devices)
// must count the same items above, tied with and NaN against each target.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <torch/torch.h>

#include "harness/core/src/eval/target_counts.h"

namespace recbench::eval_detail {
namespace {

std::vector<int32_t> values(const torch::Tensor& t) {
  const auto c = t.to(torch::kCPU).contiguous();
  return {c.data_ptr<int32_t>(), c.data_ptr<int32_t>() + c.numel()};
}

TEST(TargetCounts, CountsAHandMadeRow) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto scores = torch::tensor({2.0, 5.0, 2.0, nan, inf, -inf, 1.0, 2.0}, torch::kDouble)
                          .view({2, 4});  // rows {2, 5, 2, NaN} and {inf, -inf, 1, 2}
  const auto target = torch::tensor({2.0, 1.0}, torch::kDouble).view({2, 1});
  for (const auto& counts :
       {count_on_host(scores, target), count_with_tensor_ops(scores, target)}) {
    EXPECT_EQ(values(counts.greater), (std::vector<int32_t>{1, 2}));
    EXPECT_EQ(values(counts.equal), (std::vector<int32_t>{2, 1}));
    EXPECT_EQ(values(counts.nan), (std::vector<int32_t>{1, 0}));
  }
}

TEST(TargetCounts, HostLoopEqualsTensorOperationsOnTiesNansAndColumnSlices) {
  torch::manual_seed(7);
  for (const auto type : {torch::kFloat, torch::kDouble}) {
    // Few distinct values, so ties are common; a sprinkle of NaN and infinities.
    auto wide = torch::randint(0, 6, {37, 1001}).to(type);
    wide.masked_fill_(torch::rand({37, 1001}) < 0.01, std::numeric_limits<double>::quiet_NaN());
    wide.masked_fill_(torch::rand({37, 1001}) < 0.01, std::numeric_limits<double>::infinity());
    const auto scores = wide.narrow(1, 1, 1000);  // rows not adjacent: the evaluator's layout
    const auto target = scores.narrow(1, 17, 1).clone();
    const auto host = count_on_host(scores, target);
    const auto ops = count_with_tensor_ops(scores, target);
    EXPECT_EQ(values(host.greater), values(ops.greater)) << type;
    EXPECT_EQ(values(host.equal), values(ops.equal)) << type;
    EXPECT_EQ(values(host.nan), values(ops.nan)) << type;
    EXPECT_GT(ops.nan.sum().item<int64_t>(), 0) << "the data must hold NaN";
  }
}

TEST(TargetCounts, HostLoopRefusesWhatItCannotRead) {
  const auto half = torch::zeros({2, 3}, torch::kHalf);
  EXPECT_THROW(count_on_host(half, half.narrow(1, 0, 1)), std::exception);
  const auto scores = torch::zeros({2, 3});
  EXPECT_THROW(count_on_host(scores, torch::zeros({3, 1})), std::exception);
  // The dispatcher sends such scores to tensor operations instead.
  EXPECT_EQ(values(count_against_target(half, half.narrow(1, 0, 1)).equal),
            (std::vector<int32_t>{3, 3}));
}

}  // namespace
}  // namespace recbench::eval_detail
