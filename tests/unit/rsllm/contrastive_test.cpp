// InfoNCE on hand-computed cases: cosine similarities, temperature, same-item masking.
#include <gtest/gtest.h>

#include <cmath>

#include <torch/torch.h>

#include "rsllm/contrastive.h"

namespace recbench::rsllm {
namespace {

TEST(RsllmInfoNce, MatchesAHandComputedCase) {
  // a0 = (1, 0), a1 = (0, 2); p0 = (3, 0), p1 = (1, 1): cosines [[1, r], [0, r]], r = 1/sqrt(2).
  const auto a = torch::tensor({1.0f, 0.0f, 0.0f, 2.0f}).view({2, 2});
  const auto p = torch::tensor({3.0f, 0.0f, 1.0f, 1.0f}).view({2, 2});
  const double r = 1.0 / std::sqrt(2.0);
  for (double tau : {1.0, 0.5}) {
    const double row0 = -std::log(std::exp(1 / tau) / (std::exp(1 / tau) + std::exp(r / tau)));
    const double row1 = -std::log(std::exp(r / tau) / (std::exp(0.0) + std::exp(r / tau)));
    EXPECT_NEAR(info_nce(a, p, tau).item<double>(), (row0 + row1) / 2, 1e-6) << tau;
  }
}

TEST(RsllmInfoNce, SameItemIsNotANegative) {
  const auto a = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f}).view({3, 2});
  const auto p = torch::tensor({1.0f, 1.0f, 0.0f, 1.0f, 1.0f, 0.0f}).view({3, 2});
  // Rows 0 and 2 are the same item: each leaves the other out of its denominator.
  const auto labels = torch::tensor({4, 9, 4}, torch::kLong);
  const double r = 1.0 / std::sqrt(2.0);
  auto row = [](double pos, double other) {
    return -std::log(std::exp(pos) / (std::exp(pos) + std::exp(other)));
  };
  // cos(a0,p0) = r, cos(a0,p1) = 0; cos(a1,p1) = 1, cos(a1,p0) = r, cos(a1,p2) = 0;
  // cos(a2,p2) = r, cos(a2,p1) = r.
  const double row1 = -std::log(std::exp(1.0) / (std::exp(r) + std::exp(1.0) + std::exp(0.0)));
  const double expected = (row(r, 0.0) + row1 + row(r, r)) / 3;
  EXPECT_NEAR(info_nce(a, p, 1.0, labels).item<double>(), expected, 1e-6);
  EXPECT_GT(info_nce(a, p, 1.0).item<double>(), expected);  // unmasked: one more negative each
}

TEST(RsllmInfoNce, GradientsReachBothSides) {
  auto a = torch::randn({4, 3}, torch::requires_grad());
  auto p = torch::randn({4, 3}, torch::requires_grad());
  info_nce(a, p, 0.1).backward();
  EXPECT_GT(a.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace recbench::rsllm
