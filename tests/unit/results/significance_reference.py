#!/usr/bin/python3
"""Reference values for tests/unit/results/significance_test.cpp, computed with scipy.stats.

Run with Debian's interpreter (python3-scipy, scipy 1.10.1 on bookworm):

    /usr/bin/python3 tests/unit/results/significance_reference.py

It prints a C++ block (input vectors and expected statistics) that is pasted verbatim between the
BEGIN GENERATED / END GENERATED lines of significance_test.cpp; tests/python/
test_significance_reference.py checks that the pasted block still matches what this prints.

What is compared and how recbench's choices map onto scipy's calls:
- Wilcoxon: scipy.stats.wilcoxon(a, b, alternative=..., zero_method="wilcox", correction=False,
  method="auto") whenever recbench uses the exact distribution (no zeros, no ties, n <= 50) or
  the data have zeros or more than 50 pairs (auto then means approx). With ties but no zeros and
  n <= 50, scipy 1.10's auto still uses the exact distribution at floor(r_plus) (scipy gh-15856);
  recbench uses the normal approximation there, so the reference is method="approx". z is
  scipy's zstatistic (method="approx"). The rank-biserial correlation is computed here from
  scipy.stats.rankdata: (r_plus - r_minus) / (r_plus + r_minus) over the non-zero differences.
- Paired t: scipy.stats.ttest_rel(a, b, alternative=...); mean, sample sd (ddof=1), d_z = mean/sd.
- Bootstrap: no scipy equivalent with a portable RNG; recbench's method (SplitMix64 and
  uniform_below from harness/sdk/include/recbench/random.h, resample means summed in draw order,
  numpy.percentile's linear interpolation) is re-implemented here, independently of the C++.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import scipy
from scipy import stats

ALTERNATIVES = [("greater", "greater"), ("less", "less"), ("two-sided", "two_sided")]
EXACT_CASES = {"exact10", "exact50", "centre4", "positive6"}  # the rest are approx
MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def cpp_double(x: float) -> str:
    x = float(x)
    if np.isnan(x):
        return "kNaN"
    return repr(x)


def cpp_vector(name: str, values) -> str:
    body = ", ".join(cpp_double(v) for v in values)
    return f"const std::vector<double> {name} = {{{body}}};"


# ---------------------------------------------------------------------------------------------
# Input vectors (a = model, b = baseline).


def datasets() -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(case name, C++ name stem, a, b)."""
    out = []
    # n = 10, distinct non-zero differences of both signs: exact distribution.
    a = np.array([0.412, 0.385, 0.501, 0.276, 0.654, 0.333, 0.298, 0.517, 0.442, 0.389])
    b = np.array([0.371, 0.392, 0.455, 0.301, 0.578, 0.296, 0.309, 0.468, 0.420, 0.318])
    out.append(("exact10", "kExact10", a, b))
    # n = 50 and n = 51 continuous values: the last exact size and the first approximate one.
    rng = np.random.RandomState(20240501)
    base = rng.uniform(0.1, 0.6, size=51)
    model = base + rng.normal(0.02, 0.05, size=51)
    out.append(("exact50", "kExact50", model[:50], base[:50]))
    out.append(("approx51", "kApprox51", model, base))
    # n = 60 per-user metrics rounded to 2 decimals: zeros and ties, normal approximation.
    rng = np.random.RandomState(19)
    base = np.round(rng.uniform(0.0, 0.3, size=60), 2)
    model = np.round(np.clip(base + rng.choice([-0.02, -0.01, 0.0, 0.0, 0.01, 0.02, 0.03], 60),
                             0.0, 1.0), 2)
    out.append(("approx60", "kApprox60", model, base))
    # n = 40 on a 1/8 grid (exact in binary): zeros and exact ties with n <= 50.
    rng = np.random.RandomState(3)
    base = rng.randint(0, 8, size=40) / 8.0
    model = np.clip(base + rng.randint(-2, 4, size=40) / 8.0, 0.0, 1.0)
    out.append(("zeros40", "kZeros40", model, base))
    # n = 12, ties but no zeros: recbench approximates where scipy 1.10's auto would not.
    d = np.array([1.0, 2.0, 2.0, 3.0, -1.0, 4.0, 5.0, 5.0, 5.0, -2.0, 6.0, 7.0])
    out.append(("ties12", "kTies12", d + 10.0, np.full(12, 10.0)))
    # Two-sided exact p at the centre of the distribution: r_plus = 5 = floor(4 * 5 / 4).
    out.append(("centre4", "kCentre4", np.array([1.0, -2.0, -3.0, 4.0]), np.zeros(4)))
    # Every difference positive: the exact one-sided p is 2^-6.
    out.append(("positive6", "kPositive6", np.array([0.5, 0.25, 0.75, 1.5, 2.5, 3.5]),
                np.zeros(6)))
    # One non-zero difference among five pairs: approx on n = 1 (scipy warns; still computed).
    out.append(("one_nonzero", "kOneNonzero", np.array([0.5, 0.5, 0.5, 0.75, 0.5]),
                np.full(5, 0.5)))
    return out


# ---------------------------------------------------------------------------------------------
# Wilcoxon.


def wilcoxon_rows(name: str, stem: str, a: np.ndarray, b: np.ndarray) -> list[str]:
    d = a - b
    nonzero = d[d != 0]
    n_zero = int(np.sum(d == 0))
    ranks = stats.rankdata(np.abs(nonzero))
    ties = len(np.unique(np.abs(nonzero))) < len(nonzero)
    r_plus = float(np.sum(ranks[nonzero > 0]))
    r_minus = float(np.sum(ranks[nonzero < 0]))
    rbc = (r_plus - r_minus) / (r_plus + r_minus)
    exact = n_zero == 0 and not ties and len(d) <= 50
    assert exact == (name in EXACT_CASES), f"{name}: the data no longer cover the intended case"
    rows = []
    for alt, cpp_alt in ALTERNATIVES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kwargs = dict(alternative=alt, zero_method="wilcox", correction=False)
            auto = stats.wilcoxon(a, b, method="auto", **kwargs)
            approx = stats.wilcoxon(a, b, method="approx", **kwargs)
        if exact:
            statistic, p_value, z = auto.statistic, auto.pvalue, float("nan")
        else:
            statistic, p_value, z = approx.statistic, approx.pvalue, approx.zstatistic
            if n_zero > 0 or len(d) > 50:  # scipy's auto approximates too: same numbers
                assert (auto.statistic, auto.pvalue) == (statistic, p_value), name
        method = "exact" if exact else "approx"
        rows.append(f'  {{"{name}", &{stem}A, &{stem}B, Alternative::{cpp_alt}, '
                    f"WilcoxonMethod::{method}, {len(nonzero)}, {n_zero}, "
                    f"{'true' if ties else 'false'}, {cpp_double(r_plus)}, {cpp_double(r_minus)}, "
                    f"{cpp_double(statistic)}, {cpp_double(p_value)}, {cpp_double(z)}, "
                    f"{cpp_double(rbc)}}},")
    return rows


# ---------------------------------------------------------------------------------------------
# Paired t.


def ttest_rows(name: str, stem: str, a: np.ndarray, b: np.ndarray) -> list[str]:
    d = a - b
    mean = float(np.mean(d))
    sd = float(np.std(d, ddof=1))
    rows = []
    for alt, cpp_alt in ALTERNATIVES:
        res = stats.ttest_rel(a, b, alternative=alt)
        rows.append(f'  {{"{name}", &{stem}A, &{stem}B, Alternative::{cpp_alt}, '
                    f"{cpp_double(res.statistic)}, {cpp_double(res.df)}, "
                    f"{cpp_double(res.pvalue)}, {cpp_double(mean)}, {cpp_double(sd)}, "
                    f"{cpp_double(mean / sd)}}},")
    return rows


# ---------------------------------------------------------------------------------------------
# Bootstrap, re-implemented from the documented method.


class SplitMix64:
    def __init__(self, seed: int) -> None:
        self.state = seed & MASK64

    def __call__(self) -> int:
        x = (self.state + GOLDEN_GAMMA) & MASK64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
        self.state = (self.state + GOLDEN_GAMMA) & MASK64
        return x ^ (x >> 31)


def uniform_below(gen: SplitMix64, n: int) -> int:
    threshold = ((1 << 64) - n) % n
    while True:
        r = gen()
        if r >= threshold:
            return r % n


def bootstrap(values: np.ndarray, level: float, resamples: int, seed: int):
    gen = SplitMix64(seed)
    n = len(values)
    means = []
    for _ in range(resamples):
        s = 0.0
        for _ in range(n):
            s += float(values[uniform_below(gen, n)])
        means.append(s / n)
    lower, upper = np.percentile(np.array(means), [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(np.mean(values)), float(lower), float(upper)


def bootstrap_rows(data: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[str]:
    rows = []
    for name, stem, paired, level, resamples, seed in [
        ("exact10", "kExact10", False, 0.95, 1000, 42),
        ("exact10", "kExact10", True, 0.90, 500, 7),
        ("approx60", "kApprox60", True, 0.95, 2000, 2024),
    ]:
        a, b = data[name]
        values = a - b if paired else a
        estimate, lower, upper = bootstrap(values, level, resamples, seed)
        rows.append(f'  {{"{name}", &{stem}A, {"&" + stem + "B" if paired else "nullptr"}, '
                    f"{level!r}, {resamples}, {seed}, {cpp_double(estimate)}, "
                    f"{cpp_double(lower)}, {cpp_double(upper)}}},")
    return rows


# ---------------------------------------------------------------------------------------------


def generate() -> str:
    """The C++ block, from the BEGIN GENERATED line to the END GENERATED line inclusive."""
    cases = datasets()
    lines = [
        "// BEGIN GENERATED by tests/unit/results/significance_reference.py with scipy "
        f"{scipy.__version__}, numpy {np.__version__}",
        "// clang-format off",
    ]
    for _, stem, a, b in cases:
        lines.append(cpp_vector(stem + "A", a))
        lines.append(cpp_vector(stem + "B", b))
    lines.append("const std::vector<WilcoxonCase> kWilcoxonCases = {")
    for name, stem, a, b in cases:
        lines.extend(wilcoxon_rows(name, stem, a, b))
    lines.append("};")
    lines.append("const std::vector<TTestCase> kTTestCases = {")
    for name, stem, a, b in cases:
        if name in ("exact10", "approx51", "approx60", "ties12"):
            lines.extend(ttest_rows(name, stem, a, b))
    lines.append("};")
    lines.append("const std::vector<BootstrapCase> kBootstrapCases = {")
    lines.extend(bootstrap_rows({name: (a, b) for name, _, a, b in cases}))
    lines.append("};")
    lines.append("// clang-format on")
    lines.append("// END GENERATED")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate())
