#!/usr/bin/env bash
# A run stopped by SIGTERM in the middle of an epoch (as Slurm does before preemption or the time
# limit) writes a checkpoint at the next batch, and `--resume` continues that cell from it to the
# same results as an uninterrupted run. One writer per results file: a second run is refused
# naming the first one's pid; a killed run's lock is taken over.
# Usage: preemption_test.sh RECBENCH_BINARY PYTHON3
set -uo pipefail
bin=$1
python=$2
source "$(dirname "$0")/scenario_lib.sh"

cat >exp.toml <<'TOML'
[experiment]
name = "preemption"
seeds = [1]
threads = 1
log_level = "info"

[evaluation]
metrics = ["HR", "NDCG"]
topk = [10]
valid_metric = "NDCG@10"

[[datasets]]
name = "small"
format = "synthetic"
seed = 7
[datasets.options]
users = 3000
items = 300

[[models]]
plugin = "sasrec"
[models.params]
epochs = 3
batch_size = 16
hidden_size = 32
TOML
run() { "$bin" run exp.toml --set experiment.cache_dir=\"cache\" "$@"; }
# In the background the binary itself, not a shell function's subshell, must get the signals.
start() { exec "$bin" run exp.toml --set experiment.cache_dir=\"cache\" "$@"; }

check "uninterrupted run" run --out ref.h5 >ref.log 2>&1 || tail -5 ref.log

(start --out stopped.h5 >stopped.log 2>&1) &
pid=$!
# Epoch 1 has started once epoch 0's validation is logged; the signal lands among its batches.
check "epoch 0 validated" wait_for stopped.log "epoch 0 loss .* valid NDCG@10"
expect 2 "stopped.h5 is being written by another recbench run \\(pid $pid on " -- \
  run --out stopped.h5 --resume
sleep 0.3
kill -TERM $pid
wait $pid
status=$?
[ "$status" -eq 130 ] && ok || fail "SIGTERM: exit $status, want 130"
check "stopped within an epoch after the first" grep -q -E "stopped in epoch [1-9][0-9]* after batch [0-9]+/[0-9]+" stopped.log
check "checkpoint written" grep -q "checkpoint written" stopped.log
[ ! -e stopped.h5.lock ] && ok || fail "the lock file outlived its run"
if grep -q -E "after batch ([0-9]+)/\1$" stopped.log; then fail "the stop was not mid-epoch"; fi

check "resumed run" run --out stopped.h5 --resume >resumed.log 2>&1
check "resumed from the checkpoint" grep -q "resuming from its checkpoint" resumed.log
check "epoch 0 not retrained" bash -c '! grep -q "epoch 0 loss" resumed.log'

# Every stored number of the cell except timings equals the uninterrupted run's.
check "same cell as uninterrupted" "$python" - ref.h5 stopped.h5 <<'PY'
import sys, h5py, numpy as np
def cell(path):
    with h5py.File(path, "r") as f:
        g = f["runs/small/sasrec/seed_1"]
        keys = ["rank_greater", "rank_ties", "curve_epoch", "curve_train_loss", "curve_valid_metric"]
        out = {k: np.array(g[k]) for k in keys}
        out.update({"metrics/" + k: m[()] for k, m in g["metrics"].items()})
        return out
a, b = cell(sys.argv[1]), cell(sys.argv[2])
assert a.keys() == b.keys(), (a.keys(), b.keys())
for k in a:
    assert np.array_equal(a[k], b[k]), (k, a[k], b[k])
PY

# A run killed with -9 leaves its lock file behind; the next run takes it over.
(start --out killed.h5 >killed.log 2>&1) &
pid=$!
check "killed run started" wait_for killed.log "epoch 0 batch|epoch 0 loss"
kill -9 $pid
wait $pid 2>/dev/null
check "lock left by a killed run" test -e killed.h5.lock
check "stale lock taken over" run --out killed.h5 --resume >taken.log 2>&1

[ "$failed" -eq 0 ] || tail -n 4 ./*.log
finish preemption_scenario
