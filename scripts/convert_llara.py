#!/usr/bin/env python3
"""Convert LLaRA's pickled pandas DataFrames into plain TSV files.

Input: a folder with LLaRA's splits (github.com/ljy0ustc/LLaRA, data/ref/<dataset>/): pickled
DataFrames train_data.df, Val_data.df, Test_data.df (trusted files only: unpickling runs code)
with exactly the columns `seq` (10 item ids, oldest first, right-padded with the padding id = the
item count), `len_seq` (how many leading entries of `seq` are items) and `next` (the target id).
MovieLens stores (item, rating) pairs: ratings are dropped, padding pairs must be (padding id, 0).
An empty history has len_seq == 1 and `seq` all padding (the DROS convention LLaRA inherits).

Output folder:
  train.tsv, valid.tsv, test.tsv: UTF-8, LF. Line 1 is the header `history<TAB>next`, then one
    line per DataFrame row, in row order: `history` = the row's items without padding, LLaRA's
    0-based integer ids joined by single spaces, oldest first as in `seq` (empty if no history);
    `next` = the target id.
  README.txt: the source files, their SHA-256, row counts and the padding id.

The padding id is --pad, else the first entry past len_seq (train, then valid, then test). Every
entry past len_seq must be it and no item may be it; anything unexpected (missing or extra
columns, len_seq out of range, non-integer ids) stops with the file and row (0-based, index label).

usage: /usr/bin/python3 scripts/convert_llara.py IN OUT [--train F] [--valid F] [--test F] [--pad N]
"""
import argparse
import hashlib
import numbers
import os
import sys

import pandas as pd

COLUMNS = {"seq", "len_seq", "next"}
SPLITS = (("train", "train.tsv"), ("valid", "valid.tsv"), ("test", "test.tsv"))


class ConvertError(Exception):
    """Something in the input breaks the documented format."""


def is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def as_id(value, where, what):
    """(item, rating or None) from an integer id or an (item, rating) pair of integers."""
    pair = isinstance(value, (tuple, list)) and len(value) == 2
    item, rating = value if pair else (value, None)
    if not all(is_int(v) and v >= 0 for v in ((item, rating) if pair else (item,))):
        raise ConvertError(f"{where}: {what} {value!r} is not a non-negative integer id (or pair)")
    return int(item), int(rating) if pair else None


def load(path):
    try:
        df = pd.read_pickle(path)
    except Exception as e:  # missing, truncated or not a pickle
        raise ConvertError(f"{path}: cannot read a pickled DataFrame ({type(e).__name__}: {e})")
    if not isinstance(df, pd.DataFrame):
        raise ConvertError(f"{path}: holds a {type(df).__name__}, not a DataFrame")
    if set(df.columns) != COLUMNS:
        raise ConvertError(f"{path}: columns {sorted(map(str, df.columns))}, "
                           f"expected {sorted(COLUMNS)}")
    return df


def first_padding(df):
    """The first entry past len_seq, if any (convert() checks every row against it)."""
    for seq, n in zip(df["seq"], df["len_seq"]):
        if isinstance(seq, (list, tuple)) and is_int(n) and 0 <= n < len(seq):
            item = seq[n][0] if isinstance(seq[n], (tuple, list)) and seq[n] else seq[n]
            if is_int(item):
                return int(item)
    return None


def convert(path, df, pad):
    """[(history ids, next id)] in row order; enforces every rule of the module docstring."""
    rows, kinds = [], set()
    columns = zip(df.index, df["seq"], df["len_seq"], df["next"])
    for pos, (label, seq, n, nxt) in enumerate(columns):
        where = f"{path}: row {pos} (index {label})"
        if not isinstance(seq, (list, tuple)) or not seq:
            raise ConvertError(f"{where}: seq {seq!r} is not a non-empty list")
        if not is_int(n) or not 1 <= n <= len(seq):
            raise ConvertError(f"{where}: len_seq {n!r} is not an integer in 1..{len(seq)}")
        ids = [as_id(v, where, f"seq[{k}]") for k, v in enumerate(seq)]
        target, target_rating = as_id(nxt, where, "next")
        kinds |= {r is None for _, r in ids + [(target, target_rating)]}
        if len(kinds) > 1:
            raise ConvertError(f"{where}: plain ids and (item, rating) pairs are mixed")
        n = 0 if n == 1 and ids[0][0] == pad else int(n)  # len_seq 1 + all padding: no history
        for k, (item, rating) in enumerate(ids):
            if k >= n and (item != pad or rating not in (None, 0)):
                raise ConvertError(f"{where}: seq[{k}] = {seq[k]!r} past len_seq {n} "
                                   f"is not the padding id {pad}")
            if k < n and item == pad:
                raise ConvertError(f"{where}: seq[{k}] within len_seq {n} is the padding id {pad}")
        if target == pad:
            raise ConvertError(f"{where}: next is the padding id {pad}")
        rows.append(([item for item, _ in ids[:n]], target))
    return rows


def write_tsv(path, rows):
    """Writes [(history ids, next id)] as train/valid/test.tsv (format: module docstring)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("history\tnext\n")
        f.writelines(" ".join(map(str, h)) + f"\t{t}\n" for h, t in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("in_dir", help="folder with LLaRA's pickled DataFrames")
    ap.add_argument("out_dir", help="folder for train.tsv, valid.tsv, test.tsv, README.txt")
    ap.add_argument("--train", default="train_data.df", help="training file (train_data.df)")
    ap.add_argument("--valid", default="Val_data.df", help="validation file (Val_data.df)")
    ap.add_argument("--test", default="Test_data.df", help="test file (Test_data.df)")
    ap.add_argument("--pad", type=int, help="padding id (default: the first entry past len_seq)")
    args = ap.parse_args()

    paths = {s: os.path.join(args.in_dir, getattr(args, s)) for s, _ in SPLITS}
    frames = {s: load(p) for s, p in paths.items()}
    found = [p for p in (first_padding(frames[s]) for s, _ in SPLITS) if p is not None]
    pad = args.pad if args.pad is not None else found[0] if found else None
    if pad is None:
        raise ConvertError("no entry past len_seq in any file, no padding id to infer: use --pad")

    converted = {s: convert(paths[s], frames[s], pad) for s, _ in SPLITS}  # all checked first
    os.makedirs(args.out_dir, exist_ok=True)
    notes = []
    for split, name in SPLITS:
        rows = converted[split]
        write_tsv(os.path.join(args.out_dir, name), rows)
        with open(paths[split], "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        empty = sum(1 for h, _ in rows if not h)
        notes.append(f"{name}: {len(rows)} rows ({empty} with an empty history) from "
                     f"{getattr(args, split)}, SHA-256 {digest}")
        print(notes[-1])

    how = "given with --pad" if args.pad is not None else "found past len_seq"
    with open(os.path.join(args.out_dir, "README.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(f"Converted by scripts/convert_llara.py from {os.path.abspath(args.in_dir)}\n"
                "Format: see that script's docstring (header `history<TAB>next`; history = item\n"
                "ids without padding, oldest first, space-separated; LLaRA's own 0-based ids).\n\n"
                f"padding id: {pad} ({how}; removed)\n\n" + "\n".join(notes) + "\n")
    print(f"padding id: {pad} ({how})")


if __name__ == "__main__":
    try:
        main()
    except ConvertError as e:
        sys.exit(f"convert_llara: error: {e}")
