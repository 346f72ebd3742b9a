"""Figures of a recbench results file: learning curves, metric@K and bars with confidence intervals.

Each `plot_*` function returns a matplotlib Figure (built without pyplot, so no display is needed)
that `save` writes as PNG, SVG or PDF. Failed cells are skipped with a warning, never drawn as
zeros. Command line:

    python3 -m recbench.plot FILE.h5 --kind curves|metric-at-k|bars [--metric M] [--dataset D]
                             [--max-k K] --out FIG.png|FIG.svg|FIG.pdf
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import warnings
from typing import Iterator, NoReturn, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .rankmetrics import GAINS, canonical_rank_metric, per_example, split_metric
from .reader import KEYS, PathLike, check_known, read_cells, read_curves, read_metrics, read_ranks

KINDS = ("curves", "metric-at-k", "bars")
FORMATS = (".png", ".svg", ".pdf")
RESAMPLES = 1000  #: bootstrap resamples of the bars' confidence intervals
BOOTSTRAP_SEED = 0  #: seed of numpy's default_rng for the bootstrap
BAND = "band: min-max over seeds"


def plot_curves(path: PathLike, dataset: str | None = None) -> Figure:
    """Learning curves: training loss and validation metric against the epoch, one row of two
    panels per dataset, one line per model (mean over the seeds that reached the epoch) with a
    min-max band over seeds.

    Models whose curve is a single epoch without validation (Pop, Random) are skipped with a
    warning: they have nothing to draw."""
    cells = _complete(_all_cells(path, dataset), path)
    curves = read_curves(path).merge(cells[KEYS], on=KEYS)
    drawn = curves.groupby(["dataset", "model"], sort=False).filter(_has_curve)
    _warn_skipped(curves, drawn, "no learning curve (one epoch, no validation)")
    if drawn.empty:
        raise ValueError(f"{path}: no model has a learning curve to plot")
    datasets = list(drawn["dataset"].unique())
    fig = Figure(figsize=(10, 3.6 * len(datasets)), layout="constrained")
    axes = fig.subplots(len(datasets), 2, squeeze=False)
    colors = _colors(cells)
    for (loss_ax, valid_ax), name in zip(axes, datasets):
        rows = drawn[drawn["dataset"] == name]
        metric = ", ".join(cells.loc[cells["dataset"] == name, "valid_metric"].unique())
        for model, frame in rows.groupby("model", sort=False):
            _line_with_band(loss_ax, frame, "epoch", "train_loss", model, colors[model])
            _line_with_band(valid_ax, frame.dropna(subset=["valid_metric"]), "epoch",
                            "valid_metric", model, colors[model])
        _label(loss_ax, f"{name}: training loss", "epoch", "mean training loss")
        _label(valid_ax, f"{name}: validation {metric}", "epoch", metric)
    _caption(fig, f"Learning curves: mean over seeds; {BAND}.")
    return fig


def plot_metric_at_k(path: PathLike, metric: str = "NDCG", dataset: str | None = None,
                     max_k: int | None = None) -> Figure:
    """`metric`@K against K = 1..`max_k` (default: the largest K the file stores), one panel per
    dataset, one line per model (mean over seeds, min-max band). Recomputed from the stored
    ranks under each cell's tie policy (HR@K = mean(rank <= K), NDCG@K = mean(1/log2(rank + 1)
    for rank <= K), ...), so any rank metric and any K can be drawn."""
    base = canonical_rank_metric(split_metric(metric)[0])
    if base is None:
        raise ValueError(f"metric-at-k: '{metric}' is not a rank metric "
                         f"(known: {', '.join(GAINS)})")
    max_k = max_k or _largest_stored_k(path)
    if max_k < 1:
        raise ValueError(f"metric-at-k: max K must be at least 1, got {max_k}")
    cells = _complete(_all_cells(path, dataset), path)
    rows = []
    for key, greater, ties, policy in _cell_ranks(path, cells):
        rows += [(*key, k, per_example(base, k, greater, ties, policy).mean())
                 for k in range(1, max_k + 1)]
    at_k = pd.DataFrame(rows, columns=KEYS + ["k", "value"])
    datasets = list(at_k["dataset"].unique())
    fig = Figure(figsize=(5.5 * len(datasets), 4), layout="constrained")
    colors = _colors(cells)
    for ax, name in zip(fig.subplots(1, len(datasets), squeeze=False)[0], datasets):
        for model, frame in at_k[at_k["dataset"] == name].groupby("model", sort=False):
            _line_with_band(ax, frame, "k", "value", model, colors[model])
        _label(ax, name, "K", f"{base}@K")
    _caption(fig, f"{base}@K recomputed from the stored ranks (each run's tie policy): mean over "
                  f"seeds; {BAND}.")
    return fig


def plot_bars(path: PathLike, metric: str | None = None, dataset: str | None = None,
              resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> Figure:
    """One bar per model, grouped by dataset: the mean over seeds of `metric` (default: the runs'
    validation metric) with a 95% confidence interval.

    Method: each test user's value of the metric is recomputed from the stored ranks and averaged
    over the seeds; the interval is the percentile bootstrap of the mean over users (`resamples`
    resamples of the users with replacement, numpy default_rng(`seed`)). Metrics without per-user
    values (Coverage, Gini, TailShare, ValidRatio) get no interval (with a warning). A dataset x
    model whose seeds all failed is marked `failed` instead of a bar."""
    every_cell = _all_cells(path, dataset)
    metrics = read_metrics(path).merge(every_cell[KEYS], on=KEYS)  # of the complete cells
    metric = metric or _default_metric(every_cell, metrics)
    check_known("metric", metric, list(metrics["metric"].unique()), os.fspath(path))
    cells = _complete(every_cell, path)
    values = metrics[metrics["metric"] == metric].groupby(["dataset", "model"], sort=False)
    bars = values["value"].mean().rename("mean").reset_index()
    base, k = split_metric(metric)
    if canonical_rank_metric(base) is not None and k is not None:
        pooled = _pooled_user_values(path, cells, base, k)
        cis = [bootstrap_ci(pooled[key], resamples, seed) for key in zip(bars.dataset, bars.model)]
        bars = bars.join(pd.DataFrame(cis, columns=["low", "high"]))
    else:
        warnings.warn(f"{metric} has no per-user values: bars without confidence intervals")
    return _draw_bars(bars, every_cell, metric, resamples, seed)


def bootstrap_ci(values: np.ndarray, resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean of `values`: the (1 - level)/2 and
    (1 + level)/2 quantiles of the means of `resamples` resamples with replacement drawn by
    numpy's default_rng(`seed`). NaN for no values."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    block = max(1, 2**22 // values.size)  # resamples per draw: bounded memory for many users
    means = np.concatenate([
        values[rng.integers(0, values.size, size=(min(block, resamples - start), values.size))]
        .mean(axis=1) for start in range(0, resamples, block)])
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def save(fig: Figure, out: PathLike) -> None:
    """Writes `fig`; the format follows the suffix (.png, .svg or .pdf)."""
    _check_format(os.fspath(out))
    fig.savefig(out, dpi=150)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (2 on bad input, with one line on stderr)."""
    parser = _Parser(prog="python3 -m recbench.plot", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="results file (.h5) written by recbench run")
    parser.add_argument("--kind", required=True, choices=KINDS)
    parser.add_argument("--metric", help="metric-at-k: a rank metric (default NDCG); "
                                         "bars: a stored metric (default: the validation metric)")
    parser.add_argument("--dataset", help="draw only this dataset")
    parser.add_argument("--max-k", type=int, help="metric-at-k: largest K (default: the file's)")
    parser.add_argument("--out", required=True, help="figure file: .png, .svg or .pdf")
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _print_warning
        return _run(args, parser.prog)


def _run(args: argparse.Namespace, prog: str) -> int:
    """Draws and saves the figure the command line asks for."""
    try:
        _check_format(args.out)
        if args.kind != "metric-at-k" and args.max_k is not None:
            raise ValueError("--max-k applies to --kind metric-at-k only")
        if args.kind == "curves":
            if args.metric is not None:
                raise ValueError("--metric does not apply to --kind curves "
                                 "(they show each run's validation metric)")
            fig = plot_curves(args.file, args.dataset)
        elif args.kind == "metric-at-k":
            fig = plot_metric_at_k(args.file, args.metric or "NDCG", args.dataset, args.max_k)
        else:
            fig = plot_bars(args.file, args.metric, args.dataset)
        save(fig, args.out)
    except (ValueError, OSError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    return 0


class _Parser(argparse.ArgumentParser):
    """Reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _print_warning(message: Warning | str, *_: object, **__: object) -> None:
    print(f"python3 -m recbench.plot: warning: {message}", file=sys.stderr)


def _check_format(out: str) -> None:
    if os.path.splitext(out)[1].lower() not in FORMATS:
        raise ValueError(f"{out}: unknown figure format (known: {', '.join(FORMATS)})")


def _all_cells(path: PathLike, dataset: str | None) -> pd.DataFrame:
    """Every cell (failed ones included) of `dataset` (None: all); unknown names are errors."""
    cells = read_cells(path)
    check_known("dataset", dataset, list(cells["dataset"].unique()), os.fspath(path))
    return cells if dataset is None else cells[cells["dataset"] == dataset]


def _complete(cells: pd.DataFrame, path: PathLike) -> pd.DataFrame:
    """The complete ones of `cells`, after a warning for each failed one."""
    for cell in cells[cells["status"] != "complete"].itertuples():
        error = (cell.error.splitlines() or [""])[0]
        warnings.warn(f"skipping failed cell {cell.dataset}/{cell.model}/seed_{cell.seed}: {error}")
    complete = cells[cells["status"] == "complete"]
    if complete.empty:
        raise ValueError(f"{path}: no complete cell to plot")
    return complete


def _cell_ranks(path: PathLike, cells: pd.DataFrame
                ) -> Iterator[tuple[tuple[str, str, int], np.ndarray, np.ndarray, str]]:
    """(key, rank_greater, rank_ties, tie policy) of each of `cells`, in file order."""
    policy = cells.set_index(KEYS)["tie_policy"]
    ranks = read_ranks(path).merge(cells[KEYS], on=KEYS)
    for key, frame in ranks.groupby(KEYS, sort=False):
        yield key, frame["rank_greater"].to_numpy(), frame["rank_ties"].to_numpy(), policy[key]


def _pooled_user_values(path: PathLike, cells: pd.DataFrame, metric: str, k: int
                        ) -> dict[tuple[str, str], np.ndarray]:
    """Per (dataset, model): each test user's `metric`@`k`, averaged over the complete seeds."""
    by_pair: dict[tuple[str, str], list[np.ndarray]] = {}
    for (name, model, _), greater, ties, policy in _cell_ranks(path, cells):
        by_pair.setdefault((name, model), []).append(per_example(metric, k, greater, ties, policy))
    for (name, model), seeds in by_pair.items():
        if len({len(values) for values in seeds}) > 1:
            raise ValueError(f"{path}: the seeds of {name}/{model} have different numbers of "
                             "test examples; cannot pool users over seeds")
    return {pair: np.mean(seeds, axis=0) for pair, seeds in by_pair.items()}


def _draw_bars(bars: pd.DataFrame, cells: pd.DataFrame, metric: str, resamples: int,
               seed: int) -> Figure:
    """Grouped bars (x: datasets, one bar per model) with error bars where `bars` has low/high;
    `failed` where every seed of a dataset x model failed."""
    datasets = list(cells["dataset"].unique())
    models = list(cells["model"].unique())
    complete = cells["status"] == "complete"
    failed = set(cells.loc[~complete, ["dataset", "model"]].itertuples(index=False, name=None))
    failed -= set(cells.loc[complete, ["dataset", "model"]].itertuples(index=False, name=None))
    width = 0.8 / len(models)
    fig = Figure(figsize=(max(5.0, 1.2 + 0.5 * len(models) * len(datasets)), 4.5),
                 layout="constrained")
    ax = fig.subplots()
    colors = _colors(cells)
    for i, model in enumerate(models):
        rows = bars[bars["model"] == model]
        offset = (i + 0.5) * width - 0.4
        x = np.array([datasets.index(name) for name in rows["dataset"]]) + offset
        error = (np.vstack([rows["mean"] - rows["low"], rows["high"] - rows["mean"]])
                 if "low" in rows else None)
        ax.bar(x, rows["mean"], width, yerr=error, capsize=3, label=model, color=colors[model])
        for name in (d for d, m in failed if m == model):
            ax.annotate("failed", (datasets.index(name) + offset, 0), xytext=(0, 4),
                        textcoords="offset points", rotation=90, ha="center", va="bottom")
    ax.set_xticks(range(len(datasets)), datasets)
    ax.set_xlim(-0.5, len(datasets) - 0.5)
    ci = "95% bootstrap CI" if "low" in bars else "no CI"
    _label(ax, metric, "dataset", f"{metric} (mean over seeds, {ci})", integer_x=False)
    if "low" in bars:
        _caption(fig, f"Bars: mean of {metric} over seeds. Error bars: 95% percentile bootstrap "
                      f"confidence interval over test users ({resamples} resamples, seed {seed}; "
                      "each user's value averaged over seeds).")
    else:
        _caption(fig, f"Bars: mean of {metric} over seeds (no per-user values, no interval).")
    return fig


def _line_with_band(ax: Axes, frame: pd.DataFrame, x: str, y: str, label: str,
                    color: str) -> None:
    """Mean of `y` over seeds against `x`, with a min-max band where there are several seeds."""
    stats = frame.groupby(x)[y].agg(["mean", "min", "max", "count"])
    ax.plot(stats.index, stats["mean"], label=label, color=color,
            marker="o" if len(stats) < 30 else None, markersize=3)
    if stats["count"].max() > 1:
        ax.fill_between(stats.index, stats["min"], stats["max"], color=color, alpha=0.2,
                        linewidth=0)


def _has_curve(frame: pd.DataFrame) -> bool:
    """A curve worth drawing: several epochs or at least one validation."""
    return bool(frame["epoch"].nunique() > 1 or frame["valid_metric"].notna().any())


def _warn_skipped(before: pd.DataFrame, after: pd.DataFrame, reason: str) -> None:
    pairs = before[["dataset", "model"]].drop_duplicates()
    kept = set(zip(after["dataset"], after["model"]))
    skipped = [f"{d}/{m}" for d, m in zip(pairs["dataset"], pairs["model"]) if (d, m) not in kept]
    if skipped:
        warnings.warn(f"{reason}: {', '.join(skipped)}")


def _colors(cells: pd.DataFrame) -> dict[str, str]:
    """One colour per model, in file order, the same in every panel."""
    return {model: f"C{i % 10}" for i, model in enumerate(cells["model"].unique())}


def _label(ax: Axes, title: str, xlabel: str, ylabel: str, integer_x: bool = True) -> None:
    ax.set_title(title)
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")


def _caption(fig: Figure, text: str) -> None:
    width = int(fig.get_figwidth() * 11)  # characters per line at the medium font size
    fig.suptitle(textwrap.fill(text, width), fontsize="medium")


def _largest_stored_k(path: PathLike) -> int:
    ks = [k for name in read_metrics(path)["metric"].unique() if (k := split_metric(name)[1])]
    return max(ks, default=20)


def _default_metric(cells: pd.DataFrame, metrics: pd.DataFrame) -> str:
    """The runs' validation metric where the file stores it as a test metric, else the first."""
    stored = list(metrics["metric"].unique())
    for name in cells["valid_metric"].unique():
        if name in stored:
            return str(name)
    if not stored:
        raise ValueError("the file stores no metric")
    return str(stored[0])


if __name__ == "__main__":
    sys.exit(main())
