"""Tests of recbench.reader and recbench.rankmetrics on results files written by the tests."""

from __future__ import annotations

import math
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

import recbench
from recbench.rankmetrics import GAINS, per_example, split_metric
from results_builder import CellSpec, reference_metric, run_tiny_experiment, write_results

NAN = math.nan


def sample_cells() -> list[CellSpec]:
    """Two datasets; models written out of alphabetical order; seeds 10 before 2; one failure."""
    curve = [(0, 2.0, NAN, 0.5), (1, 1.5, 0.25, 1.0)]
    return [
        CellSpec("ml", "zeta", 10, [0, 3, 12], [0, 1, 0], curve=curve),
        CellSpec("ml", "zeta", 2, [1, 0, 4], [2, 0, 0], tie_policy="expected"),
        CellSpec("ml", "alpha", 1, [5, 0, 2], [0, 0, 0], extra_metrics={"Coverage@10": 0.4}),
        CellSpec("ml", "alpha", 2, status="failed", error="CUDA out of memory\nat step 3"),
        CellSpec("books", "alpha", 1, [0, 0, 0], [0, 0, 0]),
    ]


class ReaderTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self.tmp.name)
        self.path = self.folder / "run.h5"
        self.cells = sample_cells()
        write_results(self.path, self.cells)

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def test_metrics_are_tidy_in_run_order_for_complete_cells(self) -> None:
        frame = recbench.read_metrics(self.path)
        self.assertEqual(list(frame.columns), ["dataset", "model", "seed", "metric", "value"])
        keys = list(frame[["dataset", "model", "seed"]].drop_duplicates().itertuples(index=False,
                                                                                 name=None))
        self.assertEqual(keys, [("ml", "zeta", 2), ("ml", "zeta", 10), ("ml", "alpha", 1),
                                ("books", "alpha", 1)])
        for cell in self.cells:
            rows = frame[(frame.dataset == cell.dataset) & (frame.model == cell.model)
                         & (frame.seed == cell.seed)]
            self.assertEqual(dict(zip(rows.metric, rows.value)), cell.metrics())
        self.assertEqual(list(frame[frame.seed == 10].metric),
                         ["HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR@5", "MRR@10"])

    def test_cells_show_failed_cells_with_their_error(self) -> None:
        cells = recbench.read_cells(self.path)
        self.assertEqual(list(cells.columns), [
            "dataset", "model", "seed", "status", "error", "plugin", "valid_metric",
            "tie_policy", "train_seconds", "eval_seconds", "peak_rss_mb", "config",
            "recbench_version", "git_revision"])
        self.assertEqual(set(cells.git_revision), {""})  # the builder writes an older file
        self.assertEqual(len(cells), 5)
        failed = cells[cells.status == "failed"]
        self.assertEqual(list(failed[["dataset", "model", "seed"]].iloc[0]), ["ml", "alpha", 2])
        self.assertEqual(failed.error.iloc[0], "CUDA out of memory\nat step 3")
        self.assertEqual(list(cells.tie_policy), ["expected", "pessimistic", "pessimistic",
                                                  "pessimistic", "pessimistic"])
        self.assertEqual(cells.train_seconds.dtype, np.float64)
        metrics = recbench.read_metrics(self.path)
        self.assertFalse(((metrics.model == "alpha") & (metrics.seed == 2)).any())

    def test_ranks_of_every_complete_cell_and_selections(self) -> None:
        ranks = recbench.read_ranks(self.path)
        self.assertEqual(list(ranks.columns), ["dataset", "model", "seed", "user", "rank_greater",
                                               "rank_ties", "rank"])
        self.assertEqual(len(ranks), 4 * 3)
        zeta2 = ranks[(ranks.model == "zeta") & (ranks.seed == 2)]
        self.assertEqual(list(zeta2.rank_greater), [1, 0, 4])
        self.assertEqual(list(zeta2["rank"]), [3.0, 1.0, 5.0])  # expected: greater + ties / 2 + 1
        self.assertEqual(list(zeta2.user), [0, 1, 2])
        alpha = recbench.read_ranks(self.path, model="alpha")
        self.assertEqual(set(alpha.dataset), {"ml", "books"})
        self.assertEqual(len(recbench.read_ranks(self.path, dataset="books", model="alpha")), 3)

    def test_unknown_selection_lists_the_known_names(self) -> None:
        with self.assertRaisesRegex(ValueError, r"run\.h5: unknown dataset 'ml1m' "
                                                r"\(known: ml, books\)"):
            recbench.read_ranks(self.path, dataset="ml1m")
        with self.assertRaisesRegex(ValueError, r"unknown model 'zeta' \(known: alpha\)"):
            recbench.read_ranks(self.path, dataset="books", model="zeta")

    def test_curves_keep_nan_validation(self) -> None:
        curves = recbench.read_curves(self.path)
        self.assertEqual(list(curves.columns), ["dataset", "model", "seed", "epoch", "train_loss",
                                                "valid_metric", "seconds"])
        self.assertEqual(len(curves), 2)  # only zeta/seed_10 has a curve
        self.assertEqual(list(curves.epoch), [0, 1])
        self.assertTrue(math.isnan(curves.valid_metric.iloc[0]))
        self.assertEqual(curves.valid_metric.iloc[1], 0.25)

    def test_info(self) -> None:
        info = recbench.read_info(self.path)
        self.assertEqual(info["experiment_name"], "test")
        self.assertEqual(info["device"], "cpu")

    def test_large_compressed_arrays(self) -> None:
        rng = np.random.default_rng(1)
        greater = rng.integers(0, 50, 5000).tolist()
        write_results(self.path, [CellSpec("big", "m", 0, greater, [0] * 5000)])
        with h5py.File(self.path, "r") as f:
            self.assertEqual(f["runs/big/m/seed_0/rank_greater"].compression, "gzip")
        ranks = recbench.read_ranks(self.path)
        self.assertEqual(ranks.rank_greater.tolist(), greater)

    def test_empty_file_gives_empty_frames_with_columns(self) -> None:
        write_results(self.path, [])
        self.assertEqual(len(recbench.read_metrics(self.path)), 0)
        self.assertEqual(list(recbench.read_curves(self.path).columns)[3], "epoch")
        self.assertEqual(list(recbench.read_ranks(self.path).columns)[-1], "rank")


class ReaderErrorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name) / "bad.h5"

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def test_missing_file(self) -> None:
        with self.assertRaisesRegex(FileNotFoundError, r"bad\.h5: results file not found"):
            recbench.read_metrics(self.path)

    def test_not_hdf5(self) -> None:
        self.path.write_text("dataset,model\n")
        with self.assertRaisesRegex(ValueError, r"bad\.h5: not an HDF5 file"):
            recbench.read_metrics(self.path)

    def test_hdf5_but_not_recbench(self) -> None:
        with h5py.File(self.path, "w") as f:
            f.create_group("runs")
        with self.assertRaisesRegex(ValueError, r"bad\.h5: not a recbench results file "
                                                r"\(no root attribute 'recbench_version'\)"):
            recbench.read_cells(self.path)

    def test_missing_runs_group(self) -> None:
        write_results(self.path, [])
        with h5py.File(self.path, "a") as f:
            del f["runs"]
        with self.assertRaisesRegex(ValueError, r"bad\.h5: missing '/runs'"):
            recbench.read_metrics(self.path)

    def test_missing_item_of_a_cell(self) -> None:
        write_results(self.path, [CellSpec("ml", "pop", 1, [0], [0])])
        with h5py.File(self.path, "a") as f:
            del f["runs/ml/pop/seed_1/metrics"]
            del f["runs/ml/pop/seed_1/ranks"]
        with self.assertRaisesRegex(ValueError, r"missing '/runs/ml/pop/seed_1/metrics'"):
            recbench.read_metrics(self.path)
        with self.assertRaisesRegex(ValueError, r"missing '/runs/ml/pop/seed_1/ranks'"):
            recbench.read_ranks(self.path)

    def test_arrays_of_different_lengths(self) -> None:
        write_results(self.path, [CellSpec("ml", "pop", 1, [0, 1], [0, 0])])
        with h5py.File(self.path, "a") as f:
            del f["runs/ml/pop/seed_1/users"]
            f["runs/ml/pop/seed_1"].create_dataset("users", data=np.array([0], dtype="<i8"))
        with self.assertRaisesRegex(ValueError, r"/runs/ml/pop/seed_1: arrays .* differ"):
            recbench.read_ranks(self.path)


class RankMetricsTest(unittest.TestCase):
    def test_per_example_equals_the_reference_for_every_policy(self) -> None:
        rng = np.random.default_rng(3)
        greater = rng.integers(0, 30, 400)
        ties = np.where(rng.random(400) < 0.4, rng.integers(0, 15, 400), 0)
        for policy in ("pessimistic", "optimistic", "expected"):
            for metric in GAINS:
                for k in (1, 5, 10, 40):
                    with self.subTest(policy=policy, metric=metric, k=k):
                        self.assertAlmostEqual(
                            per_example(metric, k, greater, ties, policy).mean(),
                            reference_metric(metric, k, greater.tolist(), ties.tolist(), policy),
                            places=12)

    def test_names(self) -> None:
        self.assertEqual(split_metric("NDCG@10"), ("NDCG", 10))
        self.assertEqual(split_metric("ValidRatio"), ("ValidRatio", None))
        self.assertEqual(per_example("hit", 1, [0, 1], [0, 0]).tolist(), [1.0, 0.0])
        with self.assertRaisesRegex(ValueError, r"'Coverage' is not a rank metric \(known: HR,"):
            per_example("Coverage", 10, [0], [0])
        with self.assertRaisesRegex(ValueError, r"unknown tie policy 'random'"):
            per_example("HR", 10, [0], [0], "random")
        with self.assertRaisesRegex(ValueError, r"positive integer"):
            split_metric("HR@x")


class RealResultsFileTest(unittest.TestCase):
    """A file written by the real recbench binary ($RECBENCH_BIN) reads back whole."""

    def test_read_a_real_run(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = run_tiny_experiment(Path(folder))
            cells = recbench.read_cells(path)
            self.assertEqual(list(cells.model.unique()), ["pop", "sasrec"])
            self.assertEqual(set(cells.status), {"complete"})
            self.assertEqual(set(cells.tie_policy), {"expected"})
            self.assertEqual(len(set(cells.git_revision)), 1)
            self.assertRegex(cells.git_revision.iloc[0], r"^([0-9a-f]{12}(-dirty)?|unknown)$")
            self.assertEqual(cells.recbench_version.iloc[0], recbench.read_info(path)["recbench_version"])
            metrics = recbench.read_metrics(path)
            self.assertEqual(list(metrics.metric.unique()), [
                "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR@5", "MRR@10", "Coverage@5",
                "Coverage@10"])
            ranks = recbench.read_ranks(path)
            self.assertEqual(len(ranks), len(cells) * 200)
            for row in metrics[~metrics.metric.str.startswith("Coverage")].itertuples():
                cell = ranks[(ranks.model == row.model) & (ranks.seed == row.seed)]
                base, k = row.metric.split("@")
                recomputed = per_example(base, int(k), cell.rank_greater, cell.rank_ties,
                                         "expected")
                self.assertAlmostEqual(recomputed.mean(), row.value, places=12, msg=str(row))
            curves = recbench.read_curves(path)
            self.assertEqual(list(curves[curves.model == "sasrec"].epoch), [0, 1, 0, 1])


if __name__ == "__main__":
    unittest.main()
