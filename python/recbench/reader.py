"""Reads a recbench results file (docs/results-format.md) into tidy pandas DataFrames.

Rows come in the order the run wrote them: datasets and models in creation order, seeds in
numeric order. `read_cells` lists every cell, failed ones included; the other readers return the
numbers of complete cells only, so a failed cell never shows up as a zero.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple, TypeVar

import h5py
import numpy as np
import pandas as pd

PathLike = str | os.PathLike[str]
H5Object = TypeVar("H5Object", h5py.Group, h5py.Dataset)

KEYS = ["dataset", "model", "seed"]
CELL_COLUMNS = KEYS + [
    "status", "error", "plugin", "valid_metric", "tie_policy",
    "train_seconds", "eval_seconds", "peak_rss_mb", "config", "recbench_version", "git_revision",
]
TEXT_ATTRS = ("status", "error", "plugin", "valid_metric", "config")
#: The build that ran the cell; absent in files written before 2026-12-08 (read as "").
BUILD_ATTRS = ("recbench_version", "git_revision")
NUMBER_ATTRS = ("train_seconds", "eval_seconds", "peak_rss_mb")
METRIC_COLUMNS = KEYS + ["metric", "value"]
#: DataFrame column -> array of the cell group, for `read_ranks` and `read_curves`.
RANK_ARRAYS = {"user": "users", "rank_greater": "rank_greater", "rank_ties": "rank_ties",
               "rank": "ranks"}
CURVE_ARRAYS = {"epoch": "curve_epoch", "train_loss": "curve_train_loss",
                "valid_metric": "curve_valid_metric", "seconds": "curve_seconds"}


class Cell(NamedTuple):
    """One /runs/<dataset>/<model>/seed_<s> group of an open file."""

    dataset: str
    model: str
    seed: int
    group: h5py.Group
    path: str  #: the results file, for error messages


def read_info(path: PathLike) -> dict[str, str]:
    """The root attributes of the run: `recbench_version`, `device`, `experiment_toml`, ..."""
    with open_results(path) as f:
        return {name: _text(value) for name, value in f.attrs.items()}


def read_cells(path: PathLike) -> pd.DataFrame:
    """One row per cell, failed ones included, with status, error, plugin, timings, config and
    the build that ran it (recbench_version, git_revision; empty for files before 2026-12-08)."""
    rows = []
    with open_results(path) as f:
        for cell in iter_cells(f):
            text = {name: _text(_attr(cell, name)) for name in TEXT_ATTRS}
            rows.append({"dataset": cell.dataset, "model": cell.model, "seed": cell.seed, **text,
                         "tie_policy": _tie_policy(cell, text["config"]),
                         **{name: float(_attr(cell, name)) for name in NUMBER_ATTRS},
                         **{name: _text(cell.group.attrs.get(name, "")) for name in BUILD_ATTRS}})
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def read_metrics(path: PathLike) -> pd.DataFrame:
    """Tidy test metrics of the complete cells: dataset, model, seed, metric, value."""
    rows = []
    with open_results(path) as f:
        for cell in iter_cells(f, complete_only=True):
            for name, item in require(cell.group, "metrics", cell.path, h5py.Group).items():
                rows.append((cell.dataset, cell.model, cell.seed, name, float(item[()])))
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def read_ranks(path: PathLike, dataset: str | None = None, model: str | None = None
               ) -> pd.DataFrame:
    """Every test example's rank: dataset, model, seed, user, rank_greater, rank_ties, rank.

    `rank` is the rank under the run's tie policy (`read_cells(...).tie_policy`). Complete cells
    only; `dataset` and `model` select one (a ValueError lists the known names)."""
    return _read_arrays(path, RANK_ARRAYS, dataset, model)


def read_curves(path: PathLike) -> pd.DataFrame:
    """Learning curves of the complete cells: dataset, model, seed, epoch, train_loss,
    valid_metric (NaN for an epoch without validation), seconds (since training started)."""
    return _read_arrays(path, CURVE_ARRAYS)


@contextmanager
def open_results(path: PathLike) -> Iterator[h5py.File]:
    """Opens a results file read-only, after checking that it is one."""
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise FileNotFoundError(f"{name}: results file not found")
    if not h5py.is_hdf5(name):
        raise ValueError(f"{name}: not an HDF5 file")
    with h5py.File(name, "r") as f:
        if "recbench_version" not in f.attrs:
            raise ValueError(f"{name}: not a recbench results file "
                             "(no root attribute 'recbench_version')")
        yield f


def iter_cells(f: h5py.File, dataset: str | None = None, model: str | None = None,
               complete_only: bool = False) -> Iterator[Cell]:
    """The cells of an open results file, in the run's order, optionally of one dataset/model."""
    runs = require(f, "runs", f.filename, h5py.Group)
    check_known("dataset", dataset, list(runs), f.filename)
    models = {d: list(require(runs, d, f.filename, h5py.Group)) for d in runs
              if dataset in (None, d)}
    check_known("model", model, list(dict.fromkeys(m for ms in models.values() for m in ms)),
                f.filename)
    for d, names in models.items():
        for m in names:
            if model not in (None, m):
                continue
            group = runs[d][m]
            seeds = sorted((s, name) for name in group if (s := _seed(name)) is not None)
            for seed, name in seeds:
                cell = Cell(d, m, seed, require(group, name, f.filename, h5py.Group), f.filename)
                if not complete_only or _text(_attr(cell, "status")) == "complete":
                    yield cell


def require(parent: h5py.Group, name: str, path: str, kind: type[H5Object]) -> H5Object:
    """Child `name` of `parent`, which must be a `kind` (group or dataset)."""
    where = posixpath.join(parent.name, name)
    item = parent.get(name)
    if item is None:
        raise ValueError(f"{path}: missing '{where}' (see docs/results-format.md)")
    if not isinstance(item, kind):
        raise ValueError(f"{path}: '{where}' is not an HDF5 {kind.__name__.lower()}")
    return item


def check_known(what: str, name: str | None, known: list[str], path: str) -> None:
    """Raises a ValueError listing the known names when `name` is given and not among them."""
    if name is not None and name not in known:
        raise ValueError(f"{path}: unknown {what} '{name}' (known: {', '.join(known) or 'none'})")


def _read_arrays(path: PathLike, arrays: dict[str, str], dataset: str | None = None,
                 model: str | None = None) -> pd.DataFrame:
    """The named 1-D arrays of every complete cell, one row per element, keyed by the cell."""
    parts = []
    with open_results(path) as f:
        for cell in iter_cells(f, dataset, model, complete_only=True):
            columns = {column: _array(cell, item) for column, item in arrays.items()}
            if len({len(values) for values in columns.values()}) > 1:
                raise ValueError(f"{cell.path}: {cell.group.name}: arrays "
                                 f"{', '.join(arrays.values())} differ in length")
            parts.append(pd.DataFrame({"dataset": cell.dataset, "model": cell.model,
                                       "seed": cell.seed, **columns}))
    if not parts:
        return pd.DataFrame({column: [] for column in KEYS + list(arrays)})
    return pd.concat(parts, ignore_index=True)


def _array(cell: Cell, name: str) -> np.ndarray:
    values = np.asarray(require(cell.group, name, cell.path, h5py.Dataset)[()])
    if values.ndim != 1:
        raise ValueError(f"{cell.path}: {cell.group.name}/{name}: expected a 1-D array, "
                         f"found shape {values.shape}")
    return values


def _attr(cell: Cell, name: str) -> Any:
    """Attribute `name` of the cell's group, as h5py reads it (str, numpy scalar)."""
    if name not in cell.group.attrs:
        raise ValueError(f"{cell.path}: {cell.group.name}: missing attribute '{name}'")
    return cell.group.attrs[name]


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _tie_policy(cell: Cell, config: str) -> str:
    """The cell's tie policy from its resolved config (`[evaluation] tie_policy`)."""
    try:
        evaluation = tomllib.loads(config).get("evaluation", {})
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{cell.path}: {cell.group.name}: attribute 'config' is not TOML: "
                         f"{error}") from error
    return str(evaluation.get("tie_policy", "pessimistic"))


def _seed(name: str) -> int | None:
    """`seed_42` -> 42; other names -> None."""
    match = re.fullmatch(r"seed_(-?[0-9]+)", name)
    return int(match.group(1)) if match else None
