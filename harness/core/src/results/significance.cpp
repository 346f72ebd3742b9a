// Paired tests (Wilcoxon signed-rank, paired t), Holm's adjustment and percentile bootstrap
// intervals; the formulas follow scipy 1.10 (scipy/stats/_morestats.py, _stats_py.py) and
// statsmodels' multipletests, as documented in significance.h.
#include "recbench/core/results/significance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "recbench/error.h"
#include "recbench/random.h"

namespace recbench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
//! The largest sample for the exact Wilcoxon distribution (scipy's method="auto" threshold).
constexpr size_t kWilcoxonExactMax = 50;
//! Below this many non-zero differences scipy warns that the normal approximation is poor.
constexpr size_t kWilcoxonApproxMin = 10;

//! DataError naming the first value of `values` that is NaN or infinite.
void check_finite(std::span<const double> values, const char* function, const char* name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw DataError(std::string(function) + ": " + name + "[" + std::to_string(i) + "] is " +
                      (std::isnan(values[i]) ? "NaN" : "infinite") +
                      "; every value must be a finite number");
    }
  }
}

//! a - b; ConfigError unless the samples are equally long, DataError for a non-finite value.
std::vector<double> paired_differences(std::span<const double> a, std::span<const double> b,
                                       const char* function) {
  if (a.size() != b.size()) {
    throw ConfigError(std::string(function) + ": paired samples of unequal length: a (model) has " +
                      std::to_string(a.size()) + " values, b (baseline) has " +
                      std::to_string(b.size()));
  }
  check_finite(a, function, "a");
  check_finite(b, function, "b");
  std::vector<double> d(a.size());
  for (size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

std::string fewer_than_two(size_t n, const char* what) {
  return "fewer than 2 " + std::string(what) + " (got " + std::to_string(n) + ")";
}

//! Average ranks (1-based, scipy.stats.rankdata's "average") of `values`, and whether any tie.
//! `tie_term` receives sum(t^3 - t) over the tie groups.
std::vector<double> average_ranks(const std::vector<double>& values, bool& ties, double& tie_term) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t i, size_t j) { return values[i] < values[j]; });
  std::vector<double> ranks(n);
  ties = false;
  tie_term = 0.0;
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 hold ranks start+1..end: their average.
    const double rank = 0.5 * static_cast<double>(start + 1 + end);
    for (size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    const auto t = static_cast<double>(end - start);
    if (end - start > 1) {
      ties = true;
      tie_term += t * (t * t - 1.0);
    }
    start = end;
  }
  return ranks;
}

//! P(R <= r) and P(R >= r) for the signed-rank statistic R of n tie-free differences under the
//! null hypothesis: counts of the subsets of {1..n} with each rank sum, by dynamic programming.
//! n <= 50, so every count (< 2^50) and every partial sum is exact in uint64_t and in double.
void exact_tails(size_t n, size_t r, double& p_less_equal, double& p_greater_equal) {
  const size_t total = n * (n + 1) / 2;
  std::vector<uint64_t> counts(total + 1, 0);
  counts[0] = 1;
  for (size_t k = 1; k <= n; ++k) {
    const size_t top = k * (k + 1) / 2;
    for (size_t s = top; s >= k; --s) counts[s] += counts[s - k];
  }
  uint64_t below = 0, above = 0;
  for (size_t s = 0; s <= total; ++s) {
    if (s <= r) below += counts[s];
    if (s >= r) above += counts[s];
  }
  const int exponent = -static_cast<int>(n);
  p_less_equal = std::ldexp(static_cast<double>(below), exponent);
  p_greater_equal = std::ldexp(static_cast<double>(above), exponent);
}

BootstrapInterval invalid_interval(std::string reason, size_t n, double level, size_t resamples,
                                   uint64_t seed) {
  BootstrapInterval out;
  out.reason = std::move(reason);
  out.n = n;
  out.estimate = out.lower = out.upper = kNaN;
  out.level = level;
  out.resamples = resamples;
  out.seed = seed;
  return out;
}

//! The percentile interval of the mean of `values` (already checked to be finite).
BootstrapInterval percentile_bootstrap(const std::vector<double>& values, double level,
                                       size_t resamples, uint64_t seed, const char* function) {
  if (!(level > 0.0 && level < 1.0)) {
    throw ConfigError(std::string(function) + ": confidence level must be in (0, 1), got " +
                      std::to_string(level));
  }
  if (resamples < 2) {
    throw ConfigError(std::string(function) + ": at least 2 bootstrap resamples are needed, got " +
                      std::to_string(resamples));
  }
  const size_t n = values.size();
  if (n < 2) return invalid_interval(fewer_than_two(n, "values"), n, level, resamples, seed);

  const auto count = static_cast<double>(n);
  double sum = 0.0;
  for (double v : values) sum += v;

  SplitMix64 gen(seed);
  std::vector<double> means(resamples);
  for (size_t r = 0; r < resamples; ++r) {
    double s = 0.0;
    for (size_t k = 0; k < n; ++k) s += values[uniform_below(gen, n)];
    means[r] = s / count;
  }
  std::sort(means.begin(), means.end());
  // numpy.percentile's linear interpolation; std::fma is correctly rounded everywhere.
  auto quantile = [&](double q) {
    const double position = static_cast<double>(resamples - 1) * q;
    const double floor_position = std::floor(position);
    const auto i = static_cast<size_t>(floor_position);
    if (i + 1 >= resamples) return means[resamples - 1];
    return std::fma(position - floor_position, means[i + 1] - means[i], means[i]);
  };

  BootstrapInterval out;
  out.valid = true;
  out.n = n;
  out.estimate = sum / count;
  out.lower = quantile((1.0 - level) / 2.0);
  out.upper = quantile((1.0 + level) / 2.0);
  out.level = level;
  out.resamples = resamples;
  out.seed = seed;
  return out;
}

}  // namespace

WilcoxonResult wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b,
                                    Alternative alternative) {
  const std::vector<double> d = paired_differences(a, b, "wilcoxon_signed_rank");
  WilcoxonResult out;
  out.alternative = alternative;
  out.n_pairs = d.size();
  out.r_plus = out.r_minus = out.statistic = out.p_value = out.z = out.rank_biserial = kNaN;
  if (d.size() < 2) {
    out.reason = fewer_than_two(d.size(), "pairs");
    return out;
  }

  // zero_method="wilcox": drop the zero differences, rank the absolute values of the rest.
  std::vector<double> nonzero, magnitude;
  for (double x : d) {
    if (x == 0.0) continue;
    nonzero.push_back(x);
    magnitude.push_back(std::fabs(x));
  }
  out.n = nonzero.size();
  out.n_zero = d.size() - out.n;
  if (out.n == 0) {
    out.reason = "all " + std::to_string(d.size()) + " differences are zero";
    return out;
  }
  double tie_term = 0.0;
  const std::vector<double> ranks = average_ranks(magnitude, out.ties, tie_term);
  out.r_plus = out.r_minus = 0.0;
  for (size_t i = 0; i < out.n; ++i) (nonzero[i] > 0.0 ? out.r_plus : out.r_minus) += ranks[i];
  out.rank_biserial = (out.r_plus - out.r_minus) / (out.r_plus + out.r_minus);
  out.statistic =
      alternative == Alternative::two_sided ? std::min(out.r_plus, out.r_minus) : out.r_plus;

  const auto count = static_cast<double>(out.n);
  out.method = (out.n_zero == 0 && !out.ties && out.n_pairs <= kWilcoxonExactMax)
                   ? WilcoxonMethod::exact
                   : WilcoxonMethod::approx;
  if (out.method == WilcoxonMethod::exact) {
    // Tie-free: r_plus is an integer in 0..n(n+1)/2.
    const auto r = static_cast<size_t>(out.r_plus);
    double p_less_equal = 0.0, p_greater_equal = 0.0;
    exact_tails(out.n, r, p_less_equal, p_greater_equal);
    switch (alternative) {
      case Alternative::greater:
        out.p_value = p_greater_equal;
        break;
      case Alternative::less:
        out.p_value = p_less_equal;
        break;
      case Alternative::two_sided:
        // scipy: exactly 1 at the (floored) centre of the distribution.
        out.p_value = r == out.n * (out.n + 1) / 2 / 2
                          ? 1.0
                          : std::min(1.0, 2.0 * std::min(p_less_equal, p_greater_equal));
        break;
    }
  } else {
    if (out.n < kWilcoxonApproxMin) {
      out.note = "normal approximation on only " + std::to_string(out.n) + " non-zero differences";
    }
    const double mean = count * (count + 1.0) * 0.25;
    const double variance =
        count * (count + 1.0) * (2.0 * count + 1.0) - 0.5 * tie_term;  // times 24
    const double sd = std::sqrt(variance / 24.0);
    out.z = (out.statistic - mean) / sd;
    const boost::math::normal_distribution<double> normal;
    switch (alternative) {
      case Alternative::greater:
        out.p_value = boost::math::cdf(boost::math::complement(normal, out.z));
        break;
      case Alternative::less:
        out.p_value = boost::math::cdf(normal, out.z);
        break;
      case Alternative::two_sided:
        out.p_value = 2.0 * boost::math::cdf(boost::math::complement(normal, std::fabs(out.z)));
        break;
    }
  }
  out.valid = true;
  return out;
}

PairedTResult paired_t_test(std::span<const double> a, std::span<const double> b,
                            Alternative alternative) {
  const std::vector<double> d = paired_differences(a, b, "paired_t_test");
  PairedTResult out;
  out.alternative = alternative;
  out.n = d.size();
  out.t = out.df = out.p_value = out.mean_difference = out.sd_difference = out.standard_error =
      out.cohens_dz = kNaN;
  if (d.size() < 2) {
    out.reason = fewer_than_two(d.size(), "pairs");
    return out;
  }
  const auto count = static_cast<double>(d.size());
  double sum = 0.0;
  for (double x : d) sum += x;
  out.mean_difference = sum / count;
  out.df = count - 1.0;
  if (std::all_of(d.begin(), d.end(), [&](double x) { return x == d[0]; })) {
    out.sd_difference = out.standard_error = 0.0;
    out.reason = d[0] == 0.0 ? "all " + std::to_string(d.size()) + " differences are zero"
                             : "all differences are equal (zero variance)";
    return out;
  }
  double squares = 0.0;
  for (double x : d) squares += (x - out.mean_difference) * (x - out.mean_difference);
  out.sd_difference = std::sqrt(squares / out.df);
  out.standard_error = out.sd_difference / std::sqrt(count);
  out.t = out.mean_difference / out.standard_error;
  out.cohens_dz = out.mean_difference / out.sd_difference;
  const boost::math::students_t_distribution<double> student(out.df);
  switch (alternative) {
    case Alternative::greater:
      out.p_value = boost::math::cdf(boost::math::complement(student, out.t));
      break;
    case Alternative::less:
      out.p_value = boost::math::cdf(student, out.t);
      break;
    case Alternative::two_sided:
      out.p_value = 2.0 * boost::math::cdf(boost::math::complement(student, std::fabs(out.t)));
      break;
  }
  out.valid = true;
  return out;
}

std::vector<double> holm(std::span<const double> p_values) {
  const size_t m = p_values.size();
  for (size_t i = 0; i < m; ++i) {
    if (!(p_values[i] >= 0.0 && p_values[i] <= 1.0)) {
      throw DataError("holm: p_values[" + std::to_string(i) + "] is " +
                      (std::isnan(p_values[i]) ? std::string("NaN") : std::to_string(p_values[i])) +
                      "; every p-value must be in [0, 1] (leave out tests without one)");
    }
  }
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t i, size_t j) { return p_values[i] < p_values[j]; });
  std::vector<double> adjusted(m);
  double running = 0.0;
  for (size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - k) * p_values[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

BootstrapInterval bootstrap_mean_ci(std::span<const double> values, double level, size_t resamples,
                                    uint64_t seed) {
  check_finite(values, "bootstrap_mean_ci", "values");
  return percentile_bootstrap(std::vector<double>(values.begin(), values.end()), level, resamples,
                              seed, "bootstrap_mean_ci");
}

BootstrapInterval bootstrap_mean_difference_ci(std::span<const double> a, std::span<const double> b,
                                               double level, size_t resamples, uint64_t seed) {
  return percentile_bootstrap(paired_differences(a, b, "bootstrap_mean_difference_ci"), level,
                              resamples, seed, "bootstrap_mean_difference_ci");
}

}  // namespace recbench
