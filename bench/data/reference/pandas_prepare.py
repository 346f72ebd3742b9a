#!/usr/bin/env python3
"""Reference for bench/data: the same preparation as bench/data/amazon-5m.toml, in pandas.

pandas.read_json(lines=True) + groupby on an Amazon 2018 review file: keep reviewerID, asin,
unixReviewTime; stable sort by user and time; drop repeated (user, item) pairs keeping the
earliest; 5-core on users and items to a fixpoint; one time-ordered sequence per user. Prints the
statistics, which must equal `recbench data prepare bench/data/amazon-5m.toml`'s.

The file is read in chunks of 500,000 lines (read_json(lines=True, chunksize=...)), keeping only
the three columns: reading 5 M lines in one piece needs more memory than the shared machine has.

usage: /usr/bin/python3 bench/data/reference/pandas_prepare.py FILE.json.gz
"""
import sys
import time

import pandas as pd

CORE = 5


def main(path):
    start = time.time()
    chunks = []
    with pd.read_json(path, lines=True, chunksize=500_000, compression="infer",
                      dtype=False, convert_dates=False) as reader:
        for chunk in reader:
            chunks.append(chunk[["reviewerID", "asin", "unixReviewTime"]])
    df = pd.concat(chunks, ignore_index=True)
    raw = len(df)
    read_s = time.time() - start
    df = df.sort_values(["reviewerID", "unixReviewTime"], kind="stable")
    df = df.drop_duplicates(["reviewerID", "asin"], keep="first")
    while True:
        users = df.groupby("reviewerID")["asin"].transform("size")
        items = df.groupby("asin")["reviewerID"].transform("size")
        keep = (users >= CORE) & (items >= CORE)
        if keep.all():
            break
        df = df[keep]
    sequences = df.groupby("reviewerID", sort=False)["asin"].agg(list)
    total_s = time.time() - start
    print(f"users        {len(sequences)}")
    print(f"items        {df['asin'].nunique()}")
    print(f"interactions {len(df)}")
    print(f"raw          {raw}")
    print(f"read_json    {read_s:.1f} s")
    print(f"total        {total_s:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
