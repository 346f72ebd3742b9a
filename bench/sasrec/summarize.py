#!/usr/bin/python3
"""Prints the SASRec benchmark table (markdown) from the files bench/sasrec/run.sh writes.

Each file holds one JSON line per epoch and, when the run completed, a final summary line. Time to
target is read from the curves, so runs with any --target (or an interrupted run) count alike.
"""
import glob
import json
import os
import statistics
import sys


def read_run(path):
    """(curve, summary or None) of one output file."""
    curve, summary = [], None
    for line in open(path):
        if line.strip():
            record = json.loads(line)
            if "curve" in record:
                summary = record
            else:
                curve.append(record)
    return curve, summary


def first_reaching(curve, target):
    """Elapsed seconds of the first epoch at or above target, or None."""
    for c in curve:
        if c["valid_ndcg10"] >= target - 1e-12:
            return c["elapsed"]
    return None


def fmt(x, spec=".1f"):
    return "—" if x is None else format(x, spec)


def row(name, path, curve, summary, target):
    per_epoch = statistics.median(c["train_seconds"] for c in curve)
    eval_s = statistics.median(c["eval_seconds"] for c in curve)
    best = max(c["valid_ndcg10"] for c in curve)
    reached = first_reaching(curve, target)
    timed = ""
    if summary and "evaluation" in summary:
        ev = summary["evaluation"]
        timed = (f"{ev['eval_seconds_median']:.3f} (score_all {ev['score_all_seconds_median']:.3f})")
    print(f"| {os.path.basename(path)} | {name} | {len(curve)} | {per_epoch:.1f} | {best:.4f} "
          f"| {fmt(reached)} | {eval_s:.3f} | {timed or '—'} |")
    return reached


def main(out):
    target = float(open(os.path.join(out, "target.txt")).read())
    print(f"target validation NDCG@10 = {target:.4f} (the reference's best)\n")
    print("| file | run | epochs | train s/epoch | best valid NDCG@10 | s to target "
          "| eval s/epoch | eval after training, median s |")
    print("|---|---|---|---|---|---|---|---|")
    ref_times, rec_times = [], []
    for path in sorted(glob.glob(os.path.join(out, "reference_*.jsonl"))):
        curve, summary = read_run(path)
        t = row("reference (prefix)", path, curve, summary, target)
        if t is not None:
            ref_times.append(t)
    for path in sorted(glob.glob(os.path.join(out, "recbench_*.json"))):
        curve, summary = read_run(path)
        if not curve:
            continue
        mode = "every_position" if "_every_" in path else "prefix"
        t = row(f"recbench {mode}", path, curve, summary, target)
        if t is not None and mode == "every_position":
            rec_times.append(t)
    if ref_times and rec_times:
        ref = statistics.median(ref_times)
        print("\nrecbench every_position time to target / reference time to target: " +
              ", ".join(f"{t / ref:.3f}" for t in rec_times))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/bench-results/sasrec")
