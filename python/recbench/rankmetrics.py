"""Rank metrics (HR, NDCG, MRR, ...) recomputed per test example from stored ranks.

Follows docs/protocol.md: one target per example, a gain g(r) at rank r <= K, and the tie policy
of the run (pessimistic: rank greater + ties + 1; optimistic: greater + 1; expected: the exact mean
of g over the tied positions greater + 1 ... greater + ties + 1). The mean of `per_example` over a
cell's examples equals the metric recbench stored, up to summation order.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import numpy.typing as npt

Gain = Callable[[np.ndarray, int], np.ndarray]

#: Gain g(r, K) of a hit at 1-based rank r <= K, per rank metric (the registry's order).
GAINS: dict[str, Gain] = {
    "HR": lambda r, k: np.ones_like(r),
    "NDCG": lambda r, k: 1.0 / np.log2(r + 1.0),
    "MRR": lambda r, k: 1.0 / r,
    "Recall": lambda r, k: np.ones_like(r),
    "Precision": lambda r, k: np.full_like(r, 1.0 / k),
    "MAP": lambda r, k: 1.0 / r,
}
_ALIASES = {"hit": "HR"}
TIE_POLICIES = ("pessimistic", "optimistic", "expected")


def canonical_rank_metric(name: str) -> str | None:
    """The canonical name of a rank metric (case-insensitive, `Hit` = `HR`), else None."""
    lower = name.lower()
    for canonical in GAINS:
        if canonical.lower() == lower:
            return canonical
    return _ALIASES.get(lower)


def split_metric(name: str) -> tuple[str, int | None]:
    """`"NDCG@10"` -> `("NDCG", 10)`; a name without `@K` -> `(name, None)`."""
    base, at, k = name.partition("@")
    if not at:
        return name, None
    if not k.isdigit() or int(k) < 1:
        raise ValueError(f"metric '{name}': the cut-off after '@' must be a positive integer")
    return base, int(k)


def per_example(
    metric: str, k: int, greater: npt.ArrayLike, ties: npt.ArrayLike,
    tie_policy: str = "pessimistic",
) -> np.ndarray:
    """Value of rank metric `metric`@`k` for each test example, from its stored rank counts."""
    canonical = canonical_rank_metric(metric)
    if canonical is None:
        raise ValueError(f"'{metric}' is not a rank metric (known: {', '.join(GAINS)})")
    if tie_policy not in TIE_POLICIES:
        raise ValueError(f"unknown tie policy '{tie_policy}' (known: {', '.join(TIE_POLICIES)})")
    above = np.asarray(greater, dtype=np.int64)
    tied = np.asarray(ties, dtype=np.int64)
    # The target is equally likely at every rank lo..hi; the value is the mean gain over them.
    lo = above + 1 + (tied if tie_policy == "pessimistic" else 0)
    hi = above + 1 + (0 if tie_policy == "optimistic" else tied)
    ranks = np.arange(1, k + 1, dtype=np.float64)
    cumulative = np.concatenate(([0.0], np.cumsum(GAINS[canonical](ranks, k))))
    total = cumulative[np.minimum(hi, k)] - cumulative[np.minimum(lo - 1, k)]
    return total / (hi - lo + 1)
