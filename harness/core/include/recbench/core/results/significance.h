// Paired significance tests, multiple-testing correction and bootstrap confidence intervals for
// `recbench report --baseline`: Wilcoxon signed-rank and paired t (matching scipy.stats), Holm's
// step-down adjustment, percentile bootstrap intervals of a mean and of a mean paired difference.
//
// Conventions shared by every function here:
// - Paired samples are `a` (the model) and `b` (the baseline), equally long; the differences are
//   d[i] = a[i] - b[i], so "greater" claims the model is better on a higher-is-better metric.
// - Unequal lengths throw ConfigError; a NaN or infinite value throws DataError naming the sample
//   and index ("b[17] is NaN"); a bad level or resample count throws ConfigError.
// - A test that cannot be computed from the data (fewer than 2 pairs, every difference zero, zero
//   variance) does not throw: it returns `valid = false` with `reason` saying why, and NaN in
//   every statistic. No p-value is ever invented.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "recbench/core/common/enum_names.h"

namespace recbench {

//! The alternative hypothesis about the differences a - b (scipy's `alternative`).
enum class Alternative { greater, less, two_sided };
//! Spellings: greater, less, two-sided (scipy's).
inline constexpr EnumNames<Alternative, 3> kAlternatives{{"greater", "less", "two-sided"},
                                                         "alternative"};

//! How a Wilcoxon p-value was computed: the exact null distribution or the normal approximation.
enum class WilcoxonMethod { exact, approx };
inline constexpr EnumNames<WilcoxonMethod, 2> kWilcoxonMethods{{"exact", "approx"},
                                                               "Wilcoxon method"};

struct WilcoxonResult {
  bool valid = false;
  std::string reason;  //!< why the test could not be computed (valid == false), else ""
  //! A caveat on a valid result, else "": the normal approximation on fewer than 10 non-zero
  //! differences (scipy warns there).
  std::string note;
  Alternative alternative = Alternative::two_sided;
  WilcoxonMethod method = WilcoxonMethod::exact;  //!< the method actually used
  size_t n_pairs = 0;                             //!< pairs given
  size_t n_zero = 0;  //!< zero differences, dropped before ranking (zero_method="wilcox")
  size_t n = 0;       //!< non-zero differences ranked: n_pairs - n_zero
  bool ties = false;  //!< some non-zero |d| are equal (average ranks were given)
  double r_plus = 0.0, r_minus = 0.0;  //!< rank sums of the positive and negative differences
  //! scipy's statistic: min(r_plus, r_minus) for two_sided, r_plus for greater and less.
  double statistic = 0.0;
  double p_value = 0.0;
  //! approx only (NaN for exact): scipy's zstatistic, (statistic - n(n+1)/4) / sd, so for
  //! two_sided it is -|z| (the direction is the sign of rank_biserial).
  double z = 0.0;
  //! Matched-pairs rank-biserial correlation (Kerby 2014): (r_plus - r_minus) / (r_plus +
  //! r_minus), in [-1, 1]; > 0 when the model tends to be above the baseline.
  double rank_biserial = 0.0;
};

//! Wilcoxon signed-rank test on the pairs (a[i], b[i]); matches scipy 1.10's
//! `scipy.stats.wilcoxon(a, b, alternative=..., zero_method="wilcox", correction=False,
//! method="auto")`:
//! - zero differences are dropped and the remaining |d| ranked (average ranks for ties);
//! - exact: when there are no zeros, no ties and at most 50 pairs, the p-value comes from the
//!   exact null distribution of r_plus (counts over 0..n(n+1)/2 by dynamic programming); for
//!   two_sided, 2 * min(P(R <= r_plus), P(R >= r_plus)) capped at 1, and exactly 1 when r_plus
//!   is floor(n(n+1)/4) (scipy's centre rule);
//! - approx otherwise: z = (statistic - n(n+1)/4) / sqrt((n(n+1)(2n+1) - sum(t^3 - t)/2) / 24)
//!   over the tie groups t, no continuity correction; two_sided p = 2 * sf(|z|).
//! One deliberate difference: with ties but no zeros and n <= 50, scipy 1.10 still uses the
//! exact distribution (evaluated at floor(r_plus), a known scipy bug, gh-15856), whereas this
//! uses the normal approximation with tie correction, i.e. scipy's `method="approx"`.
//! Invalid (no p-value) with fewer than 2 pairs or when every difference is zero.
WilcoxonResult wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b,
                                    Alternative alternative);

struct PairedTResult {
  bool valid = false;
  std::string reason;  //!< why the test could not be computed, else ""
  Alternative alternative = Alternative::two_sided;
  size_t n = 0;                  //!< pairs
  double t = 0.0;                //!< mean_difference / standard_error
  double df = 0.0;               //!< n - 1
  double p_value = 0.0;          //!< from Student's t with df degrees of freedom (Boost.Math)
  double mean_difference = 0.0;  //!< mean of a - b
  double sd_difference = 0.0;    //!< sample standard deviation of a - b (n - 1 denominator)
  double standard_error = 0.0;   //!< sd_difference / sqrt(n)
  double cohens_dz = 0.0;        //!< mean_difference / sd_difference
};

//! Paired t-test on a - b; matches `scipy.stats.ttest_rel(a, b, alternative=...)`.
//! Invalid with fewer than 2 pairs, or when every difference is equal (zero variance: scipy gives
//! t = nan for all-zero differences and t = ±inf, p = 0 for a constant non-zero one).
PairedTResult paired_t_test(std::span<const double> a, std::span<const double> b,
                            Alternative alternative);

//! Holm's step-down adjusted p-values, in the input order (statsmodels' multipletests(...,
//! method="holm")): with the m p-values sorted ascending, p_(i) becomes
//! max over j <= i of min(1, (m - j + 1) p_(j)) (1-based). Empty in, empty out. Every p-value
//! must be in [0, 1] (DataError naming the index otherwise: leave out tests without a p-value).
std::vector<double> holm(std::span<const double> p_values);

struct BootstrapInterval {
  bool valid = false;
  std::string reason;     //!< why no interval (valid == false), else ""
  size_t n = 0;           //!< values (or pairs)
  double estimate = 0.0;  //!< the sample mean (of the values, or of a - b)
  double lower = 0.0;     //!< the (1 - level) / 2 quantile of the resampled means
  double upper = 0.0;     //!< the (1 + level) / 2 quantile of the resampled means
  double level = 0.0;     //!< e.g. 0.95
  size_t resamples = 0;   //!< R
  uint64_t seed = 0;
};

//! Percentile bootstrap confidence interval of the mean, identical on every platform for a given
//! seed. Method: one SplitMix64(seed) stream (recbench/random.h); each of the R resamples draws
//! n indices in turn with uniform_below(gen, n) and takes the mean of those values (summed in
//! draw order in double, divided by n); the R means are sorted and the interval is their
//! quantiles at (1 - level) / 2 and (1 + level) / 2 with linear interpolation between order
//! statistics (numpy.percentile's default, "type 7": position (R - 1) q, interpolated with
//! std::fma). Costs O(R n). Invalid with fewer than 2 values; ConfigError unless 0 < level < 1 and
//! resamples >= 2.
BootstrapInterval bootstrap_mean_ci(std::span<const double> values, double level = 0.95,
                                    size_t resamples = 10000, uint64_t seed = 0);

//! The same interval for the mean paired difference a - b: whole pairs are resampled (exactly
//! bootstrap_mean_ci of the differences, so the same seed draws the same pairs).
BootstrapInterval bootstrap_mean_difference_ci(std::span<const double> a, std::span<const double> b,
                                               double level = 0.95, size_t resamples = 10000,
                                               uint64_t seed = 0);

}  // namespace recbench
