#!/usr/bin/env python3
"""Largest absolute difference between the tensors of two safetensors files (same names, shapes).

usage: safetensors_diff.py A B [Q]   prints the largest |a - b| over every tensor (or, with Q,
the Q-quantile of |a - b| over all values); exits 1 when the files hold different tensor names or
shapes. numpy only (the format: an 8-byte little-endian
header length, a JSON header of name -> dtype, shape, data_offsets, then the raw data).
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        out[name] = np.frombuffer(data[begin:end], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
    return out


def main():
    a, b = read(sys.argv[1]), read(sys.argv[2])
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
        print("different tensors")
        return 1
    diffs = [np.abs(a[k].astype(np.float64) - b[k]).ravel() for k in a if a[k].size]
    every = np.concatenate(diffs) if diffs else np.zeros(1)
    print(float(np.quantile(every, float(sys.argv[3]))) if len(sys.argv) > 3 else float(every.max()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
