"""Exits 0 when two recbench results files hold the same datasets (fingerprint, statistics,
candidates) and the same cells in the same order, every field equal (metrics, per-user ranks,
curves, config, status) except timings and artefact paths; prints the first difference and exits
1 otherwise. Usage: same_cells.py A.h5 B.h5 [PYTHON_PACKAGE_DIR]"""

import sys

import h5py
import numpy as np

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else "python")
from recbench.reader import iter_cells, open_results  # noqa: E402

TIMINGS = {"train_seconds", "eval_seconds", "peak_rss_mb", "curve_seconds"}


def same(x: object, y: object) -> bool:
    """Equal values; NaN equals NaN (a curve without validation stores NaN)."""
    x, y = np.asarray(x), np.asarray(y)
    numeric = x.dtype.kind in "fc" and y.dtype.kind in "fc"
    return bool(np.array_equal(x, y, equal_nan=numeric))


def content(group: h5py.Group) -> dict:
    """Every attribute and dataset of a cell group, recursively, but timings and artefact paths."""
    out = {f"@{k}": v for k, v in group.attrs.items() if k not in TIMINGS}
    for name, child in group.items():
        if name in TIMINGS:
            continue
        if name == "artifacts":
            out["artifacts"] = sorted(child.attrs)
        elif isinstance(child, h5py.Group):
            out.update({f"{name}/{k}": v for k, v in content(child).items()})
        else:
            out[name] = child[()]
    return out


def main(a: str, b: str) -> int:
    with open_results(a) as fa, open_results(b) as fb:
        datasets_a, datasets_b = list(fa["datasets"]), list(fb["datasets"])
        if datasets_a != datasets_b:
            print(f"datasets differ: {datasets_a} in {a}, {datasets_b} in {b}")
            return 1
        for name in datasets_a:
            xa, xb = content(fa["datasets"][name]), content(fb["datasets"][name])
            if xa.keys() != xb.keys() or any(not same(xa[k], xb[k]) for k in xa):
                print(f"/datasets/{name} differs between {a} and {b}")
                return 1
        cells_a, cells_b = list(iter_cells(fa)), list(iter_cells(fb))
        keys_a = [(c.dataset, c.model, c.seed) for c in cells_a]
        keys_b = [(c.dataset, c.model, c.seed) for c in cells_b]
        if keys_a != keys_b:
            print(f"cells differ in number or order:\n  {a}: {keys_a}\n  {b}: {keys_b}")
            return 1
        for ca, cb in zip(cells_a, cells_b):
            xa, xb = content(ca.group), content(cb.group)
            if xa.keys() != xb.keys():
                print(f"{ca.group.name}: fields {sorted(xa.keys() ^ xb.keys())} in one file only")
                return 1
            for name in xa:
                if not same(xa[name], xb[name]):
                    print(f"{ca.group.name}/{name}: {xa[name]!r} in {a}, {xb[name]!r} in {b}")
                    return 1
        print(f"{len(keys_a)} cells identical (timings and artefact paths aside)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
