"""Test helpers: small recbench results files written with h5py exactly as docs/results-format.md
describes them, reference metric values by plain loops, and a tiny run of a real recbench binary."""

from __future__ import annotations

import math
import os
import subprocess
import unittest
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

TEXT = h5py.string_dtype("utf-8")  # scalar variable-length UTF-8, as recbench writes text
RANK_METRICS = ("HR", "NDCG", "MRR")


@dataclass
class CellSpec:
    """One /runs/<dataset>/<model>/seed_<s> cell; metrics of a complete cell are computed from
    its ranks by `reference_metric` (plus `extra_metrics`, e.g. Coverage@10)."""

    dataset: str
    model: str
    seed: int
    greater: list[int] = field(default_factory=list)
    ties: list[int] = field(default_factory=list)
    status: str = "complete"
    error: str = ""
    tie_policy: str = "pessimistic"
    topk: tuple[int, ...] = (5, 10)
    #: learning curve: (epoch, training loss, validation metric, seconds) per epoch
    curve: list[tuple[int, float, float, float]] = field(default_factory=list)
    extra_metrics: dict[str, float] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        if self.status != "complete":
            return {}
        values = {f"{name}@{k}": reference_metric(name, k, self.greater, self.ties, self.tie_policy)
                  for name in RANK_METRICS for k in self.topk}
        return {**values, **self.extra_metrics}

    def ranks(self) -> list[float]:
        offset = {"pessimistic": 1.0, "optimistic": 0.0, "expected": 0.5}[self.tie_policy]
        return [g + offset * t + 1 for g, t in zip(self.greater, self.ties)]


def reference_metric(name: str, k: int, greater: list[int], ties: list[int], policy: str) -> float:
    """docs/protocol.md by plain loops: the mean over examples of the gain at the target's rank,
    averaged over every tied position under the `expected` policy."""
    gain = {"HR": lambda r: 1.0, "Recall": lambda r: 1.0, "Precision": lambda r: 1.0 / k,
            "NDCG": lambda r: 1.0 / math.log2(r + 1), "MRR": lambda r: 1.0 / r,
            "MAP": lambda r: 1.0 / r}[name]
    total = 0.0
    for g, t in zip(greater, ties):
        positions = {"pessimistic": [g + t + 1], "optimistic": [g + 1],
                     "expected": list(range(g + 1, g + t + 2))}[policy]
        total += sum(gain(r) for r in positions if r <= k) / len(positions)
    return total / len(greater)


def write_results(path: Path, cells: list[CellSpec], name: str = "test") -> None:
    """Writes a results file holding `cells` (groups in list order, as a run creates them)."""
    with h5py.File(path, "w", track_order=True) as f:
        root = {"recbench_version": "0.1.0", "git_revision": "abc123", "torch_version": "1.13.1",
                "device": "cpu", "start_time": "2024-01-01T00:00:00Z",
                "end_time": "2024-01-01T00:01:00Z", "experiment_name": name,
                "experiment_toml": f'[experiment]\nname = "{name}"\n'}
        _text_attrs(f, root)
        datasets = f.create_group("datasets", track_order=True)
        runs = f.create_group("runs", track_order=True)
        for cell in cells:
            if cell.dataset not in datasets:
                _write_dataset(datasets, cell.dataset)
            model = _child(_child(runs, cell.dataset), cell.model)
            _write_cell(model.create_group(f"seed_{cell.seed}", track_order=True), cell)


def _child(parent: h5py.Group, name: str) -> h5py.Group:
    """Group `name` of `parent`, created (tracking creation order) if missing."""
    return parent[name] if name in parent else parent.create_group(name, track_order=True)


def _write_dataset(datasets: h5py.Group, name: str) -> None:
    group = datasets.create_group(name, track_order=True)
    _text_attrs(group, {"fingerprint": "f" * 64, "recipe": f"name = '{name}'\n"})
    stats = group.create_group("statistics", track_order=True)
    for key, value in {"users": 3.0, "items": 20.0, "interactions": 60.0}.items():
        stats.attrs.create(key, value, dtype="<f8")


def _write_cell(group: h5py.Group, cell: CellSpec) -> None:
    config = (f"[cell]\ndataset = '{cell.dataset}'\nmodel = '{cell.model}'\nseed = {cell.seed}\n\n"
              f"[evaluation]\ntie_policy = '{cell.tie_policy}'\nvalid_metric = 'NDCG@10'\n")
    _text_attrs(group, {"plugin": cell.model, "status": cell.status, "error": cell.error,
                        "config": config, "valid_metric": "NDCG@10"})
    group.attrs.create("seed", cell.seed, dtype="<i8")
    for key in ("train_seconds", "eval_seconds", "peak_rss_mb"):
        group.attrs.create(key, 1.5, dtype="<f8")
    metrics = group.create_group("metrics", track_order=True)
    for metric, value in cell.metrics().items():
        metrics.create_dataset(metric, data=value, dtype="<f8")
    complete = cell.status == "complete"
    arrays: dict[str, tuple[Sequence[float], str]] = {
        "users": (list(range(len(cell.greater))), "<i8"),
        "rank_greater": (cell.greater, "<i8"),
        "rank_ties": (cell.ties, "<i8"),
        "ranks": (cell.ranks(), "<f8"),
        "curve_epoch": ([p[0] for p in cell.curve], "<i8"),
        "curve_train_loss": ([p[1] for p in cell.curve], "<f8"),
        "curve_valid_metric": ([p[2] for p in cell.curve], "<f8"),
        "curve_seconds": ([p[3] for p in cell.curve], "<f8"),
    }
    for key, (values, dtype) in arrays.items():
        _write_array(group, key, values if complete else [], dtype)
    artifacts = group.create_group("artifacts", track_order=True)
    if complete:
        _text_attrs(artifacts, {"model": f"/tmp/{cell.model}/seed_{cell.seed}/model"})


def _write_array(group: h5py.Group, name: str, values: Sequence[float], dtype: str) -> None:
    """1-D array; 4096 elements or more chunked with shuffle + gzip, as recbench does."""
    data = np.asarray(values, dtype=dtype).reshape(-1)
    if data.size >= 4096:
        group.create_dataset(name, data=data, chunks=True, shuffle=True, compression="gzip")
    else:
        group.create_dataset(name, data=data)


def _text_attrs(obj: h5py.Group, attrs: dict[str, str]) -> None:
    for key, value in attrs.items():
        obj.attrs.create(key, value, dtype=TEXT)


TINY_EXPERIMENT = """\
[experiment]
name = "py_tiny"
seeds = [1, 2]
threads = 1
log_level = "warn"

[evaluation]
metrics = ["HR", "NDCG", "MRR", "Coverage"]
topk = [5, 10]
valid_metric = "NDCG@10"
tie_policy = "expected"  # Pop ties many items: checks the exact expectation too

[[datasets]]
name = "tiny"
format = "synthetic"
seed = 7
[datasets.options]
users = 200
items = 100

[[models]]
plugin = "pop"

[[models]]
plugin = "sasrec"
[models.params]
epochs = 2
hidden_size = 16
max_len = 10
"""


def run_tiny_experiment(folder: Path) -> Path:
    """Runs TINY_EXPERIMENT (Pop and SASRec, two seeds, seconds) with the binary named by
    $RECBENCH_BIN and returns its results file; skips the test when the variable is unset."""
    binary = os.environ.get("RECBENCH_BIN")
    if not binary:
        raise unittest.SkipTest("RECBENCH_BIN is not set: set it to a recbench binary "
                                "(ctest does) to check a real results file")
    experiment = folder / "py_tiny.toml"
    experiment.write_text(TINY_EXPERIMENT)
    out = folder / "py_tiny.h5"
    command = [binary, "run", str(experiment), "--out", str(out),
               "--set", f'experiment.cache_dir="{folder / "cache"}"']
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return out
