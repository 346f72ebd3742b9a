#!/usr/bin/env bash
# The SASRec benchmark: writes the data once, then ROUNDS interleaved rounds of the PyTorch
# reference and recbench (default every_position training, and prefix training as the reference),
# logging `uptime` around every run; summarize.py prints the table. See README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/openmp_blas.sh  # the reference on the same BLAS as recbench

out="${OUT:-build/bench-results/sasrec}"
rounds="${ROUNDS:-2}"
ref_epochs="${REF_EPOCHS:-2}"        # reference epochs per round (each ~100k prefixes)
prefix_epochs="${PREFIX_EPOCHS:-1}"  # recbench prefix-mode epochs per round (same work)
threads="${THREADS:-2}"
bench=build/bin/sasrec_bench
mkdir -p "$out"

[ -f "$out/data/synthetic.inter" ] || "$bench" generate --out "$out/data" >/dev/null
log_load() { echo "$1 $(date -u +%H:%M:%S) $(uptime)" >>"$out/uptime.log"; }

target=""
for round in $(seq 1 "$rounds"); do
  log_load "round $round reference start"
  /usr/bin/python3 bench/sasrec/reference/sasrec_reference.py "$out/data/synthetic.inter" \
    --epochs "$ref_epochs" --threads "$threads" --seed "$round" >"$out/reference_$round.jsonl"
  log_load "round $round reference end"
  if [ -z "$target" ]; then  # the first round's best is the fixed target of every round
    target=$(tail -n 1 "$out/reference_$round.jsonl" |
      /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["best_valid_ndcg10"])')
    echo "$target" >"$out/target.txt"
  fi
  log_load "round $round recbench every_position start"
  "$bench" train --data "$out/data" --train-mode every_position --target "$target" \
    --max-epochs 200 --threads "$threads" --seed "$round" >"$out/recbench_every_$round.json"
  log_load "round $round recbench prefix start"
  "$bench" train --data "$out/data" --train-mode prefix --max-epochs "$prefix_epochs" \
    --target "$target" --threads "$threads" --seed "$round" >"$out/recbench_prefix_$round.json"
  log_load "round $round end"
done
/usr/bin/python3 bench/sasrec/summarize.py "$out"
