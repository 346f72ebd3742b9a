#!/usr/bin/env bash
# Two recbench runs on the same cores, against one alone, under each OpenMP waiting policy:
# libgomp's default spin (300,000 iterations), a short spin, and OMP_WAIT_POLICY=passive
# (recbench's default).
# Prints training examples/s of GRU4Rec (mean over its epochs) for each case.
# Usage: bench/concurrency/run.sh [RECBENCH_BINARY] [EPOCHS]   (docs/performance.md)
set -euo pipefail
bin=$(realpath "${1:-build/bin/recbench}")
epochs=${2:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat >exp.toml <<TOML
[experiment]
name = "concurrency"
seeds = [1]
log_level = "info"
[evaluation]
metrics = ["NDCG"]
topk = [10]
valid_metric = "NDCG@10"
[[datasets]]
recipe = "$(dirname "$bin")/../../datasets/synthetic.toml"
[[models]]
plugin = "gru4rec"
[models.params]
epochs = $epochs
TOML
"$bin" data prepare "$(dirname "$bin")/../../datasets/synthetic.toml" --cache-dir cache >/dev/null

# rate LOG: mean examples/s of the epochs' closing progress lines.
rate() { grep -o -E "[0-9]+ ex/s done" "$1" | awk '{s += $1; n++} END {printf "%.0f", s / n}'; }
# train NAME [ENV...]: one run in the background, its log in NAME.log.
train() {
  local name=$1
  shift
  env "$@" "$bin" run exp.toml --out "$name.h5" --set experiment.cache_dir=\"cache\" \
    >"$name.log" 2>&1 &
}

printf "%-34s %12s %16s %16s\n" policy "alone ex/s" "2 at once ex/s" "slowdown"
for policy in GOMP_SPINCOUNT=300000 GOMP_SPINCOUNT=10000 OMP_WAIT_POLICY=passive; do
  label=$policy
  rm -f ./*.h5 ./*.log
  train alone $policy && wait
  train a $policy && train b $policy && wait
  alone=$(rate alone.log)
  both=$(( ($(rate a.log) + $(rate b.log)) / 2 ))
  printf "%-34s %12s %16s %15.1fx\n" "$label" "$alone" "$both" "$(echo "$alone / $both" | bc -l)"
done
