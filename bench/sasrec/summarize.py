#!/usr/bin/python3
"""Prints the SASRec benchmark table (markdown) from the files bench/sasrec/run.sh writes."""
import glob
import json
import os
import statistics
import sys


def first_reaching(curve, target, key="valid_ndcg10"):
    """Elapsed seconds and epoch of the first epoch at or above target, or (None, None)."""
    for c in curve:
        if c[key] >= target - 1e-12:
            return c["elapsed"], c["epoch"]
    return None, None


def fmt(x, spec=".1f"):
    return "—" if x is None else format(x, spec)


def main(out):
    target = float(open(os.path.join(out, "target.txt")).read())
    print(f"target validation NDCG@10 = {target:.4f} (the reference's best in round 1)\n")
    print("| round | run | epochs | train s/epoch (median) | best valid NDCG@10 | s to target "
          "| eval 943 users (s) |")
    print("|---|---|---|---|---|---|---|")
    ratios = []
    for path in sorted(glob.glob(os.path.join(out, "reference_*.jsonl"))):
        rnd = path.rsplit("_", 1)[1].split(".")[0]
        ref = json.loads(open(path).read().strip().splitlines()[-1])
        curve = ref["curve"]
        ref_s, _ = first_reaching(curve, target)
        per_epoch = statistics.median(c["train_seconds"] for c in curve)
        eval_s = statistics.median(c["eval_seconds"] for c in curve)
        best = max(c["valid_ndcg10"] for c in curve)
        print(f"| {rnd} | reference (prefix) | {len(curve)} | {per_epoch:.1f} | {best:.4f} "
              f"| {fmt(ref_s)} | {eval_s:.3f} |")
        for mode in ("every", "prefix"):
            p = os.path.join(out, f"recbench_{mode}_{rnd}.json")
            if not os.path.exists(p):
                continue
            r = json.load(open(p))
            ev = r["evaluation"]
            # From the curve, so runs made without --target (or with another) count the same way.
            r["seconds_to_target"], _ = first_reaching(r["curve"], target)
            print(f"| {rnd} | recbench {r['train_mode']} | {r['epochs_run']} "
                  f"| {r['train_seconds_per_epoch_median']:.1f} | {r['best_valid_ndcg10']:.4f} "
                  f"| {fmt(r['seconds_to_target'])} | {ev['eval_seconds_median']:.4f} "
                  f"(score_all {ev['score_all_seconds_median']:.4f}) |")
            if mode == "every" and ref_s and r["seconds_to_target"]:
                ratios.append(r["seconds_to_target"] / ref_s)
    if ratios:
        print(f"\nrecbench every_position time to target / reference time to target: "
              + ", ".join(f"{x:.3f}" for x in ratios))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/bench-results/sasrec")
