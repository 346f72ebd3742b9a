#!/usr/bin/env python3
"""Largest absolute difference between the tensors of two safetensors files (same names, shapes).

usage: safetensors_diff.py A B   prints the largest |a - b| over every tensor; exits 1 when the
files hold different tensor names or shapes. numpy only (the format: an 8-byte little-endian
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
    print(max(float(np.max(np.abs(a[k].astype(np.float64) - b[k]))) if a[k].size else 0.0
              for k in a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
