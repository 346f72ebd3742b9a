#!/usr/bin/env python3
"""Rebuild LLaRA's MovieLens training rows (ljy0ustc/LLaRA data/ref/movielens/train_data.df, not
available here) from ml-100k u.data, and write them in scripts/convert_llara.py's format.

LLaRA's procedure, as found (evidence below):
 1. u.data's first line is lost (read as a CSV header): user 196, item 242, rating 3.
 2. Only ratings >= 3 are kept. LLaRA ids are u.data/u.item ids - 1; the padding is 1682.
 3. Users come in order of first appearance in the filtered u.data (groupby sort=False).
 4. A user's rows are ordered by timestamp with pandas' default sort_values(kind="quicksort"),
    i.e. numpy's introsort argsort over the rows in u.data order, so ties within a second come
    in that algorithm's order, not in file order. argsort_quick ports it: numpy >= 1.25 may
    sort with SIMD code and break ties differently.
 5. Validation/test users are those whose last row is in Val_data.df/Test_data.df; the other
    754 users are training users.
 6. Each training user gives one row per interaction, the first included (DROS convention):
    seq = the up to 10 earlier (item, rating) pairs, oldest first, padded with (1682, 0) to 10;
    len_seq = their number, 1 for an empty history; next = the (item, rating).
Evidence: all 189 Val/Test_data.df rows are their users' last rows under 2-6, in rule-3 order;
rows 0-99 equal train_data.df100; the whole frame, built with LLaRA's object layout (numpy int64
pairs, windows sharing tuples) and pickled (protocol 5, pandas 1.5.3), has the SHA-256 and size
of the Git LFS pointer of zhangt766/LLaRA_movie @8e62030c data/ref/movielens/train_data.df (whose
Val/Test SHA-256 equal ours): 68,388 rows. Without rule 1 (68,389 rows) neither matches.

id2name.txt follows data/movielens_data.py: u.item (Latin-1) title[:-7] (drops " (1995)"; id 266,
"unknown", becomes empty), then get_mv_title: the first of ", The" / ", A" / ", An" found is
deleted everywhere and put in front (so ", An" titles become "A ...n").

usage: rebuild_llara_movielens.py ML100K_DIR LLARA_MOVIELENS_DIR OUT_DIR
Writes train.tsv (rebuilt), valid.tsv, test.tsv (converted from Val/Test_data.df), id2name.txt
(id::title, UTF-8) and README.txt. Exits 1, writing nothing, if the Val/Test or the first-100-rows
check fails; the pickle check is only reported (the bytes depend on the pandas version).
"""
import argparse
import hashlib
import os
import pickle
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_llara import ConvertError, convert, load, write_tsv  # noqa: E402

PAD, WINDOW, FIRST100 = 1682, 10, "train_data.df100"
TRAIN_SHA256 = "a73b119dfc232ed9bd01c3aa35c27bcd1b34dfb241878e1530e1ace6bcc18aad"  # 9359325 B


def argsort_quick(v):
    """numpy's classic introsort argsort (npysort/quicksort.cpp aquicksort_, kind='quicksort')."""
    idx, stack = list(range(len(v))), []
    pl, pr, depth = 0, len(v) - 1, max(len(v).bit_length() - 1, 0) * 2
    while True:
        if depth < 0:  # does not happen for ml-100k
            raise RuntimeError("introsort would fall back to heapsort (not ported)")
        while pr - pl > 15:
            pm = pl + ((pr - pl) >> 1)
            for a, b in ((pm, pl), (pr, pm), (pm, pl)):  # median of 3
                if v[idx[a]] < v[idx[b]]:
                    idx[a], idx[b] = idx[b], idx[a]
            vp, pi, pj = v[idx[pm]], pl, pr - 1
            idx[pm], idx[pj] = idx[pj], idx[pm]
            while True:
                pi += 1
                while v[idx[pi]] < vp:
                    pi += 1
                pj -= 1
                while vp < v[idx[pj]]:
                    pj -= 1
                if pi >= pj:
                    break
                idx[pi], idx[pj] = idx[pj], idx[pi]
            idx[pi], idx[pr - 1] = idx[pr - 1], idx[pi]
            depth -= 1
            stack.append((pi + 1, pr, depth) if pi - pl < pr - pi else (pl, pi - 1, depth))
            pl, pr = (pl, pi - 1) if pi - pl < pr - pi else (pi + 1, pr)
        for i in range(pl + 1, pr + 1):  # insertion sort
            vi, j = idx[i], i
            while j > pl and v[vi] < v[idx[j - 1]]:
                idx[j], j = idx[j - 1], j - 1
            idx[j] = vi
        if not stack:
            return idx
        pl, pr, depth = stack.pop()


def user_sequences(ml_dir):
    """{user: [(LLaRA item id, rating), ...] in LLaRA's order}, users in LLaRA's order."""
    ud = pd.read_csv(os.path.join(ml_dir, "u.data"), sep="\t", skiprows=1,  # rule 1
                     names=["user", "item", "rating", "timestamp"])
    seqs = {}
    for user, g in ud[ud["rating"] >= 3].groupby("user", sort=False):
        pairs = list(zip(g["item"].tolist(), g["rating"].tolist()))
        order = argsort_quick(g["timestamp"].tolist())
        seqs[user] = [(pairs[k][0] - 1, pairs[k][1]) for k in order]
    return seqs


def rows_of(seq):
    """LLaRA's rows for one user: (padded seq, len_seq, next) with (item, rating) pairs."""
    return [(tuple(seq[max(0, k - WINDOW):k]) + ((PAD, 0),) * (WINDOW - min(k, WINDOW)),
             max(min(k, WINDOW), 1), target) for k, target in enumerate(seq)]


def df_rows(df):
    return [(tuple((int(i), int(r)) for i, r in s), int(n), (int(t[0]), int(t[1])))
            for s, n, t in zip(df["seq"], df["len_seq"], df["next"])]


def llara_pickle(users, seqs):
    """The training frame with LLaRA's object layout, pickled as pandas.to_pickle does."""
    seq, len_seq, nxt = [], [], []
    for u in users:
        hist = []
        for item, rating in seqs[u]:
            n = len(hist)
            seq.append(hist[-WINDOW:] if n >= WINDOW else hist + [(PAD, 0)] * (WINDOW - n))
            len_seq.append(min(max(n, 1), WINDOW))
            nxt.append((np.int64(item), np.int64(rating)))
            hist.append((np.int64(item), np.int64(rating)))
    return pickle.dumps(pd.DataFrame({"seq": seq, "len_seq": len_seq, "next": nxt}), protocol=5)


def llara_title(s):
    for sub in (", The", ", A", ", An"):  # data/movielens_data.py get_mv_title, bugs included
        if sub in s:
            return sub[2:] + " " + s.replace(sub, "")
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ml100k_dir", help="folder with u.data and u.item")
    ap.add_argument("llara_dir", help=f"folder with Val_data.df, Test_data.df, {FIRST100}")
    ap.add_argument("out_dir")
    args = ap.parse_args()
    seqs, last = user_sequences(args.ml100k_dir), {}
    for u, s in seqs.items():
        last.setdefault(rows_of(s)[-1], []).append(u)
    report, ok, held_out, frames = [], True, set(), {}
    for split, name in (("valid", "Val_data.df"), ("test", "Test_data.df")):
        path = os.path.join(args.llara_dir, name)
        frames[split] = (path, load(path))
        users = [last.get(r, []) for r in df_rows(frames[split][1])]
        found = [u[0] for u in users if len(u) == 1]
        held_out |= set(found)
        ok &= len(found) == len(users)
        in_order = found == sorted(found, key=list(seqs).index)
        report.append(f"{name}: {len(found)} of {len(users)} rows = the last row of exactly one "
                      f"user; file order = first-appearance order: {in_order}")
    users = [u for u in seqs if u not in held_out]
    train = [r for u in users for r in rows_of(seqs[u])]
    first = df_rows(pd.read_pickle(os.path.join(args.llara_dir, FIRST100)))
    same = sum(a == b for a, b in zip(first, train))
    ok100 = same == len(first) == 100
    report.append(f"{FIRST100}: {same} of {len(first)} rows equal rebuilt rows 0-99 "
                  f"(seq, len_seq, next; ratings and padding included): {ok100}")
    blob = llara_pickle(users, seqs)
    digest = hashlib.sha256(blob).hexdigest()
    report.append(f"pickled as LLaRA's frame (pandas {pd.__version__}): {len(blob)} bytes, SHA-256 "
                  f"{digest} {'=' if digest == TRAIN_SHA256 else '!='} LLaRA's train_data.df")
    print("\n".join(report))
    if not (ok and ok100):
        sys.exit("rebuild_llara_movielens: verification FAILED, nothing written")
    os.makedirs(args.out_dir, exist_ok=True)
    out = lambda name: os.path.join(args.out_dir, name)  # noqa: E731
    write_tsv(out("train.tsv"), [([i for i, _ in s if i != PAD], t[0]) for s, _, t in train])
    counts = [f"train.tsv: {len(train)} rows from {len(users)} users ({len(users)} with an "
              f"empty history, {sum(n >= 3 for _, n, _ in train)} with len_seq >= 3)"]
    for split, (path, df) in frames.items():
        rows = convert(path, df, PAD)
        write_tsv(out(f"{split}.tsv"), rows)
        counts.append(f"{split}.tsv: {len(rows)} rows converted from {os.path.basename(path)}")
    with open(os.path.join(args.ml100k_dir, "u.item"), encoding="ISO-8859-1") as f:
        names = {int(ll[0]) - 1: llara_title(ll[1][:-7])
                 for ll in (line.strip("\n").split("|") for line in f.readlines())}
    with open(out("id2name.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{i}::{t}\n" for i, t in names.items())
    counts.append(f"id2name.txt: {len(names)} titles (ids {min(names)}-{max(names)})")
    sums = []
    for d, name in [(args.ml100k_dir, "u.data"), (args.ml100k_dir, "u.item")] + [
            (args.llara_dir, n) for n in ("Val_data.df", "Test_data.df", FIRST100)]:
        with open(os.path.join(d, name), "rb") as f:
            sums.append(f"{name}: SHA-256 {hashlib.sha256(f.read()).hexdigest()}")
    with open(out("README.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("By scripts/rebuild_llara_movielens.py (see its docstring): train.tsv rebuilt\n"
                "from u.data as LLaRA built it; valid/test.tsv converted from LLaRA's own .df;\n"
                "id2name.txt from u.item as LLaRA names movies. Format: convert_llara.py.\n\n"
                "Verification:\n" + "".join(f"  {r}\n" for r in report) + "\nRows:\n"
                + "".join(f"  {c}\n" for c in counts) + "\nSources:\n"
                + "".join(f"  {s}\n" for s in sums))
    print("\n".join(counts))


if __name__ == "__main__":
    try:
        main()
    except ConvertError as e:
        sys.exit(f"rebuild_llara_movielens: error: {e}")
