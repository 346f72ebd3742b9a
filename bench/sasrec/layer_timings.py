#!/usr/bin/env python3
"""Times each operation of one SASRec encoder layer at the evaluation shapes of the benchmark
(943 users x 50 positions, hidden 64, 2 heads, inner 256) with Debian's python3-torch, and the
sgemm throughput at 1 and 2 threads, and the matrix products of one scoring chunk (128 histories,
as SequentialModel::score_all runs them): the bounds behind the full-ranking evaluation figures
in docs/performance.md.   Run: /usr/bin/python3 bench/sasrec/layer_timings.py"""
import time

import torch

USERS, LEN, HIDDEN, HEADS, INNER, ITEMS, CHUNK = 943, 50, 64, 2, 256, 1671, 128


def seconds(fn, repeats=5):
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main():
    torch.manual_seed(0)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
        print(f"threads={threads} sgemm 2048^3: {2 * 2048**3 / seconds(lambda: a @ b) / 1e9:.1f} GFLOP/s")
    torch.set_num_threads(2)
    x = torch.randn(USERS, LEN, HIDDEN)
    qkv_proj, ff1, ff2 = (torch.nn.Linear(HIDDEN, 3 * HIDDEN), torch.nn.Linear(HIDDEN, INNER),
                          torch.nn.Linear(INNER, HIDDEN))
    mask = torch.zeros(USERS, 1, LEN, LEN)
    with torch.no_grad():
        qkv = qkv_proj(x).view(USERS, LEN, 3, HEADS, HIDDEN // HEADS).permute(2, 0, 3, 1, 4)
        scores = qkv[0] @ qkv[1].transpose(-1, -2)
        probs = torch.softmax(scores + mask, -1)
        ops = {
            "qkv": lambda: qkv_proj(x),
            "attention scores": lambda: qkv[0] @ qkv[1].transpose(-1, -2),
            "softmax": lambda: torch.softmax(scores + mask, -1),
            "context": lambda: (probs @ qkv[2]).permute(0, 2, 1, 3).reshape(USERS, LEN, -1),
            "feed-forward": lambda: ff2(torch.nn.functional.gelu(ff1(x))),
        }
        total = 0.0
        for name, fn in ops.items():
            s = seconds(fn)
            total += s
            print(f"{name}: {s * 1e3:.1f} ms")
        print(f"one layer (these ops): {total * 1e3:.1f} ms")
        # The feed-forward's first product by kernel: OpenBLAS fp32, oneDNN fp32 (operands kept in
        # oneDNN's layout), and bf16 (AMX where the CPU has it; changes scores, so not the default).
        rows = x.reshape(-1, HIDDEN)
        flops = 2 * rows.size(0) * HIDDEN * INNER
        w, bias = ff1.weight.to_mkldnn(), ff1.bias.to_mkldnn()
        rows_mkldnn, ff1_bf16, rows_bf16 = rows.to_mkldnn(), torch.nn.Linear(HIDDEN, INNER).bfloat16(), rows.bfloat16()
        kernels = {
            "openblas fp32": lambda: ff1(rows),
            "onednn fp32": lambda: torch._C._nn.mkldnn_linear(rows_mkldnn, w, bias),
            "bf16": lambda: ff1_bf16(rows_bf16),
        }
        for name, fn in kernels.items():
            print(f"[{rows.size(0)} x {HIDDEN}] x [{HIDDEN} x {INNER}] {name}: {flops / seconds(fn) / 1e9:.1f} GFLOP/s")
        chunk_products()  # under no_grad too


def chunk_products():
    """Every matrix product of scoring one chunk of CHUNK histories in fp32, at the shapes
    SequentialModel::score_all runs (first layer at all positions; last layer's keys and values
    at all positions, its query, attention, output and feed-forward at the last one; the final
    product with the item table), then the chunk's other operations, both scaled to all USERS."""
    rows, head = CHUNK * LEN, HIDDEN // HEADS
    def linear(m, k, n):
        a, layer = torch.randn(m, k), torch.nn.Linear(k, n)
        return 2 * m * k * n, lambda: layer(a)
    def batched(b, m, k, n):
        a, c = torch.randn(b, m, k), torch.randn(b, k, n)
        return 2 * b * m * k * n, lambda: a @ c
    products = {
        "layer 1 qkv": linear(rows, HIDDEN, 3 * HIDDEN),
        "layer 1 scores": batched(CHUNK * HEADS, LEN, head, LEN),
        "layer 1 context": batched(CHUNK * HEADS, LEN, LEN, head),
        "layer 1 out": linear(rows, HIDDEN, HIDDEN),
        "layer 1 ff1": linear(rows, HIDDEN, INNER),
        "layer 1 ff2": linear(rows, INNER, HIDDEN),
        "layer 2 kv": linear(rows, HIDDEN, 2 * HIDDEN),
        "layer 2 q": linear(CHUNK, HIDDEN, HIDDEN),
        "layer 2 scores": batched(CHUNK * HEADS, 1, head, LEN),
        "layer 2 context": batched(CHUNK * HEADS, 1, LEN, head),
        "layer 2 out": linear(CHUNK, HIDDEN, HIDDEN),
        "layer 2 ff1": linear(CHUNK, HIDDEN, INNER),
        "layer 2 ff2": linear(CHUNK, INNER, HIDDEN),
        "item table": linear(CHUNK, HIDDEN, ITEMS),
    }
    scale = USERS / CHUNK
    total_s = total_flops = 0.0
    for name, (flops, fn) in products.items():
        s = seconds(fn, repeats=50)
        total_s, total_flops = total_s + s, total_flops + flops
        print(f"chunk {name}: {s * 1e3:.3f} ms, {flops / s / 1e9:.1f} GFLOP/s")
    print(f"products of a whole pass ({USERS} users): {total_flops * scale / 1e9:.2f} GFLOP in "
          f"{total_s * scale * 1e3:.1f} ms ({total_flops / total_s / 1e9:.1f} GFLOP/s)")
    # The first layer's element-wise work, which no faster product removes.
    scores, inner, hidden = torch.randn(CHUNK, HEADS, LEN, LEN), torch.randn(rows, INNER), torch.randn(rows, HIDDEN)
    norm = torch.nn.LayerNorm(HIDDEN)
    others = {
        "softmax": lambda: torch.softmax(scores, -1),
        "gelu": lambda: torch.nn.functional.gelu(inner),
        "layer norm": lambda: norm(hidden),
    }
    for name, fn in others.items():
        print(f"chunk {name}: {seconds(fn, repeats=50) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
