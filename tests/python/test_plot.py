"""Tests of recbench.plot: the figures' axes and series, the files written, and the command line."""

from __future__ import annotations

import contextlib
import io
import math
import os
import statistics
import subprocess
import sys
import tempfile
import unittest
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import recbench
from recbench import plot
from results_builder import CellSpec, reference_metric, run_tiny_experiment, write_results

NAN = math.nan
PYTHON_DIR = Path(__file__).resolve().parents[2] / "python"


def ranks(seed: int, n: int = 60) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    ties = np.where(rng.random(n) < 0.3, rng.integers(1, 6, n), 0)
    return rng.integers(0, 15, n).tolist(), ties.tolist()


def sample_cells() -> list[CellSpec]:
    """ml: pop (no curve), sasrec (seeds with 3 and 4 epochs), gru (seed 2 failed);
    books: pop, and sasrec whose only seed failed. Every complete cell stores Coverage@10."""
    def cell(dataset: str, model: str, seed: int, curve: list | None = None) -> CellSpec:
        return CellSpec(dataset, model, seed, *ranks(sum(map(ord, dataset + model)) + seed),
                        curve=curve or [(0, 0.0, NAN, 0.01)], extra_metrics={"Coverage@10": 0.5})
    return [
        cell("ml", "pop", 1), cell("ml", "pop", 2),
        cell("ml", "sasrec", 1, [(0, 3.0, 0.1, 1), (1, 2.0, 0.2, 2), (2, 1.0, 0.3, 3)]),
        cell("ml", "sasrec", 2, [(0, 4.0, NAN, 1), (1, 3.0, 0.4, 2), (2, 2.0, 0.5, 3),
                                 (3, 1.5, 0.6, 4)]),
        cell("ml", "gru", 1, [(0, 5.0, 0.05, 1), (1, 4.0, 0.15, 2)]),
        CellSpec("ml", "gru", 2, status="failed", error="boom\ntraceback"),
        cell("books", "pop", 1),
        CellSpec("books", "sasrec", 1, status="failed", error="out of memory"),
    ]


def main_in_process(args: list[str]) -> tuple[int, str]:
    """The exit status and stderr of `python3 -m recbench.plot ARGS`, run in this process."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            status = plot.main(args)
        except SystemExit as exit:  # argparse's usage errors
            status = int(exit.code or 0)
    return status, stderr.getvalue()


def labels(ax: Axes) -> list[str]:
    return [line.get_label() for line in ax.get_lines()]


def line(ax: Axes, label: str) -> tuple[list[float], list[float]]:
    found = [l for l in ax.get_lines() if l.get_label() == label]
    return np.asarray(found[0].get_xdata()).tolist(), np.asarray(found[0].get_ydata()).tolist()


def caption(fig: Figure) -> str:
    """The figure's caption (its suptitle) on one line; Figure.get_suptitle needs matplotlib 3.8."""
    return " ".join(fig._suptitle.get_text().split())


def recorded(function: Callable[[], Figure]) -> tuple[Figure, list[str]]:
    """The figure `function` returns and the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = function()
    return fig, [str(w.message) for w in caught]


class ResultsFileTest(unittest.TestCase):
    """Tests sharing one results file (made by `make`: `sample_cells`) in a temporary folder."""

    folder: Path
    path: Path
    cells: list[CellSpec]

    @classmethod
    def make(cls, folder: Path) -> Path:
        cls.cells = sample_cells()
        write_results(folder / "run.h5", cls.cells)
        return folder / "run.h5"

    @classmethod
    def setUpClass(cls) -> None:
        tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(tmp.cleanup)
        cls.folder = Path(tmp.name)
        cls.path = cls.make(cls.folder)


class PlotTest(ResultsFileTest):

    def stored_mean(self, dataset: str, model: str, metric: str) -> float:
        return float(np.mean([c.metrics()[metric] for c in self.cells if c.dataset == dataset
                              and c.model == model and c.status == "complete"]))

    def test_curves_one_line_per_model_with_bands_skipping_failed_cells(self) -> None:
        fig, warned = recorded(lambda: plot.plot_curves(self.path))
        self.assertIn("skipping failed cell ml/gru/seed_2: boom", warned)
        self.assertIn("skipping failed cell books/sasrec/seed_1: out of memory", warned)
        self.assertIn("no learning curve (one epoch, no validation): ml/pop, books/pop", warned)
        loss, valid = fig.axes  # books has no curve to draw: one row
        self.assertEqual(loss.get_title(), "ml: training loss")
        self.assertEqual(valid.get_title(), "ml: validation NDCG@10")
        self.assertEqual(labels(loss), ["sasrec", "gru"])
        self.assertEqual(line(loss, "sasrec"), ([0, 1, 2, 3], [3.5, 2.5, 1.5, 1.5]))
        self.assertEqual(line(loss, "gru"), ([0, 1], [5.0, 4.0]))
        self.assertEqual(len(loss.collections), 1)  # a band for sasrec only (gru: one seed)
        x, y = line(valid, "sasrec")  # epoch 0 of seed 2 had no validation
        self.assertEqual(x, [0, 1, 2, 3])
        np.testing.assert_allclose(y, [0.1, 0.3, 0.4, 0.6])
        self.assertIn("min-max over seeds", caption(fig))

    def test_curves_of_a_dataset_without_curves(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with self.assertRaisesRegex(ValueError, "no model has a learning curve"):
                plot.plot_curves(self.path, dataset="books")

    def test_metric_at_k_recomputes_the_stored_metrics(self) -> None:
        fig, _ = recorded(lambda: plot.plot_metric_at_k(self.path))
        ml, books = fig.axes
        self.assertEqual((ml.get_title(), books.get_title()), ("ml", "books"))
        self.assertEqual(ml.get_ylabel(), "NDCG@K")
        self.assertEqual(labels(ml), ["pop", "sasrec", "gru"])
        self.assertEqual(labels(books), ["pop"])  # failed sasrec: no line, no zeros
        for model in ("pop", "sasrec", "gru"):
            x, y = line(ml, model)
            self.assertEqual(x, list(range(1, 11)))  # up to the largest stored K
            for k in (5, 10):
                self.assertAlmostEqual(y[k - 1], self.stored_mean("ml", model, f"NDCG@{k}"), 12)
        hit, _ = recorded(lambda: plot.plot_metric_at_k(self.path, "hr@10", "ml", max_k=3))
        self.assertEqual(len(hit.axes), 1)
        self.assertEqual(hit.axes[0].get_ylabel(), "HR@K")
        self.assertEqual(line(hit.axes[0], "pop")[0], [1, 2, 3])
        pop = [c for c in self.cells if c.model == "pop" and c.dataset == "ml"]
        expected = statistics.mean([reference_metric("HR", 3, c.greater, c.ties, c.tie_policy)
                            for c in pop])
        self.assertAlmostEqual(line(hit.axes[0], "pop")[1][2], expected, 12)

    def test_metric_at_k_bad_input(self) -> None:
        with self.assertRaisesRegex(ValueError, r"'Coverage' is not a rank metric \(known: HR, "
                                                r"NDCG, MRR, Recall, Precision, MAP\)"):
            plot.plot_metric_at_k(self.path, "Coverage")
        with self.assertRaisesRegex(ValueError, r"unknown dataset 'ml1m' \(known: ml, books\)"):
            plot.plot_metric_at_k(self.path, dataset="ml1m")

    def test_bars_with_bootstrap_intervals(self) -> None:
        fig, _ = recorded(lambda: plot.plot_bars(self.path))
        ax, = fig.axes
        self.assertEqual(ax.get_title(), "NDCG@10")  # the runs' validation metric
        self.assertEqual([t.get_text() for t in ax.get_xticklabels()], ["ml", "books"])
        bars = {b.get_label(): b for b in ax.containers if hasattr(b, "patches")}
        self.assertEqual(list(bars), ["pop", "sasrec", "gru"])
        self.assertEqual(len(bars["pop"].patches), 2)
        self.assertEqual(len(bars["sasrec"].patches), 1)  # books/sasrec failed: no bar
        self.assertEqual([t.get_text() for t in ax.texts], ["failed"])
        for model, container in bars.items():
            height = container.patches[0].get_height()
            self.assertAlmostEqual(height, self.stored_mean("ml", model, "NDCG@10"), 12)
            seeds = [c for c in self.cells if (c.dataset, c.model) == ("ml", model)
                     and c.status == "complete"]
            pooled = np.mean([recbench.rankmetrics.per_example("NDCG", 10, c.greater, c.ties)
                              for c in seeds], axis=0)
            segment = container.errorbar.lines[2][0].get_segments()[0]
            np.testing.assert_allclose(segment[:, 1], plot.bootstrap_ci(pooled))
            self.assertLess(segment[0, 1], height)
            self.assertGreater(segment[1, 1], height)
        self.assertIn("95% percentile bootstrap confidence interval over test users "
                      "(1000 resamples, seed 0; each user's value averaged over seeds)",
                      caption(fig))
        self.assertIn("95% bootstrap CI", ax.get_ylabel())

    def test_bars_of_a_metric_without_per_user_values(self) -> None:
        fig, warned = recorded(lambda: plot.plot_bars(self.path, "Coverage@10", "ml"))
        self.assertIn("Coverage@10 has no per-user values: bars without confidence intervals",
                      warned)
        bars = [b for b in fig.axes[0].containers if hasattr(b, "patches")]
        self.assertEqual([b.get_label() for b in bars], ["pop", "sasrec", "gru"])
        self.assertTrue(all(b.errorbar is None for b in bars))
        self.assertIn("no interval", caption(fig))

    def test_bars_unknown_metric_lists_the_known_ones(self) -> None:
        with self.assertRaisesRegex(ValueError, r"unknown metric 'NDCG@3' \(known: HR@5, HR@10, "
                                                r"NDCG@5, NDCG@10, MRR@5, MRR@10, Coverage@10\)"):
            plot.plot_bars(self.path, "NDCG@3")

    def test_bootstrap_ci(self) -> None:
        self.assertEqual(plot.bootstrap_ci(np.full(50, 0.25)), (0.25, 0.25))
        values = np.random.default_rng(5).integers(0, 2, 2000).astype(float)
        low, high = plot.bootstrap_ci(values)
        self.assertEqual((low, high), plot.bootstrap_ci(values))  # a fixed seed
        half = 1.96 * values.std() / math.sqrt(values.size)  # the normal approximation
        self.assertAlmostEqual(low, values.mean() - half, delta=0.005)
        self.assertAlmostEqual(high, values.mean() + half, delta=0.005)
        self.assertTrue(all(math.isnan(v) for v in plot.bootstrap_ci(np.array([]))))

    def test_save_writes_every_format(self) -> None:
        fig, _ = recorded(lambda: plot.plot_bars(self.path))
        magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}
        for suffix, start in magic.items():
            out = self.folder / f"bars{suffix}"
            plot.save(fig, out)
            self.assertEqual(out.read_bytes()[:len(start)], start)
        with self.assertRaisesRegex(ValueError, r"bars\.jpg: unknown figure format "
                                                r"\(known: \.png, \.svg, \.pdf\)"):
            plot.save(fig, self.folder / "bars.jpg")


class CommandLineTest(ResultsFileTest):

    def test_module_runs_as_a_program(self) -> None:
        out = self.folder / "bars.png"
        done = subprocess.run([sys.executable, "-m", "recbench.plot", str(self.path), "--kind",
                               "bars", "--out", str(out)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(PYTHON_DIR)}, timeout=120,
                              check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("python3 -m recbench.plot: warning: skipping failed cell ml/gru/seed_2: "
                      "boom", done.stderr)
        self.assertGreater(out.stat().st_size, 1000)

    def test_every_kind_writes_its_figure(self) -> None:
        for kind, out in [("curves", "c.svg"), ("metric-at-k", "k.pdf"), ("bars", "b.png")]:
            with self.subTest(kind=kind):
                status, stderr = main_in_process([str(self.path), "--kind", kind, "--out",
                                                  str(self.folder / out)])
                self.assertEqual(status, 0, stderr)
                self.assertGreater((self.folder / out).stat().st_size, 1000)
                self.assertIn("warning: skipping failed cell books/sasrec/seed_1", stderr)

    def test_bad_input_exits_2_with_one_line(self) -> None:
        bad = self.folder / "bad.h5"
        bad.write_text("not hdf5")
        file, png = str(self.path), str(self.folder / "fig.png")
        cases = [
            ([file, "--kind", "pie", "--out", png], "argument --kind: invalid choice: 'pie'"),
            ([file, "--kind", "bars", "--metric", "NDCG@3", "--out", png],
             "unknown metric 'NDCG@3' (known: HR@5,"),
            ([file, "--kind", "metric-at-k", "--metric", "Gini", "--out", png],
             "'Gini' is not a rank metric"),
            ([file, "--kind", "curves", "--dataset", "x", "--out", png],
             "unknown dataset 'x' (known: ml, books)"),
            ([file, "--kind", "curves", "--metric", "HR@5", "--out", png],
             "--metric does not apply to --kind curves"),
            ([file, "--kind", "bars", "--max-k", "5", "--out", png],
             "--max-k applies to --kind metric-at-k only"),
            ([file, "--kind", "bars", "--out", "fig.jpg"], "fig.jpg: unknown figure format"),
            ([str(bad), "--kind", "bars", "--out", png], "bad.h5: not an HDF5 file"),
            ([file, "--kind", "bars"], "the following arguments are required: --out"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                status, stderr = main_in_process(args)
                self.assertEqual(status, 2, stderr)
                self.assertEqual(len(stderr.splitlines()), 1, stderr)
                self.assertIn("python3 -m recbench.plot: error: ", stderr)
                self.assertIn(message, stderr)
        self.assertFalse(Path(png).exists())


class RealResultsFilePlotTest(ResultsFileTest):
    """Figures of a file written by the real recbench binary ($RECBENCH_BIN)."""

    metrics: pd.DataFrame

    @classmethod
    def make(cls, folder: Path) -> Path:
        path = run_tiny_experiment(folder)
        cls.metrics = recbench.read_metrics(path)
        return path

    def stored_mean(self, model: str, metric: str) -> float:
        rows = self.metrics[(self.metrics.model == model) & (self.metrics.metric == metric)]
        return float(rows.value.mean())

    def test_recomputed_metrics_at_k_equal_the_stored_ones(self) -> None:
        for metric in ("HR", "NDCG", "MRR"):
            ax, = plot.plot_metric_at_k(self.path, metric).axes
            self.assertEqual(labels(ax), ["pop", "sasrec"])
            for model in ("pop", "sasrec"):
                x, y = line(ax, model)
                self.assertEqual(x, list(range(1, 11)))
                for k in (5, 10):
                    with self.subTest(metric=metric, model=model, k=k):
                        self.assertAlmostEqual(y[k - 1], self.stored_mean(model, f"{metric}@{k}"),
                                               places=12)

    def test_every_kind_draws_and_saves(self) -> None:
        curves, warned = recorded(lambda: plot.plot_curves(self.path))
        self.assertIn("no learning curve (one epoch, no validation): tiny/pop", warned)
        self.assertEqual(labels(curves.axes[0]), ["sasrec"])
        self.assertEqual(line(curves.axes[0], "sasrec")[0], [0, 1])
        bars = plot.plot_bars(self.path)
        heights = [b.patches[0].get_height() for b in bars.axes[0].containers
                   if hasattr(b, "patches")]
        np.testing.assert_allclose(heights, [self.stored_mean("pop", "NDCG@10"),
                                             self.stored_mean("sasrec", "NDCG@10")], rtol=1e-12)
        for fig, out in [(curves, "c.png"), (bars, "b.pdf")]:
            plot.save(fig, self.folder / out)
            self.assertTrue((self.folder / out).is_file())


if __name__ == "__main__":
    unittest.main()
