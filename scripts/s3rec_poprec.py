#!/usr/bin/env python3
"""PopRec on S3-Rec sequence files, counted two ways (docs/reproductions.md, section 2).

    python3 scripts/s3rec_poprec.py datasets/raw/s3rec/Beauty.txt [more files]

Each line of a file is `user item item ...` in time order; the test target is the last item and,
as in S3-Rec's evaluation, the user's earlier items never compete. Popularity is counted once
over every interaction of the file (validation and test items included) and once over the
training part only (each sequence without its last two items, what recbench's Pop reads). Prints
HR@10, NDCG@10 and NDCG@20 for each, with ties ranked optimistically and pessimistically.
"""
import sys

import numpy as np


def metrics(sequences, counts, ties_first):
    hr10 = ndcg10 = ndcg20 = 0.0
    for seq in sequences:
        target = seq[-1]
        competing = counts.copy()
        competing[0] = -1  # item ids start at 1
        competing[[i for i in seq[:-1] if i != target]] = -1
        above = int((competing > counts[target]).sum())
        tied = int((competing == counts[target]).sum()) - 1
        rank = above + (0 if ties_first else tied) + 1
        gain = 1.0 / np.log2(rank + 1)
        hr10 += rank <= 10
        ndcg10 += gain if rank <= 10 else 0.0
        ndcg20 += gain if rank <= 20 else 0.0
    n = len(sequences)
    return f"HR@10 {hr10 / n:.4f}  NDCG@10 {ndcg10 / n:.4f}  NDCG@20 {ndcg20 / n:.4f}"


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            sequences = [[int(x) for x in line.split()[1:]] for line in f if line.strip()]
        num_items = max(max(s) for s in sequences) + 1
        everything = np.zeros(num_items)
        training = np.zeros(num_items)
        for seq in sequences:
            np.add.at(everything, seq, 1)
            np.add.at(training, seq[:-2], 1)
        print(path)
        for name, counts in (("all interactions", everything), ("training only", training)):
            for ties, first in (("optimistic", True), ("pessimistic", False)):
                print(f"  {name:16s} ties {ties:11s} {metrics(sequences, counts, first)}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
