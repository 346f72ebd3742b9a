#!/usr/bin/env bash
# Data-parallel overhead on CPU: SASRec's training step in one process (1 and 2 threads) and in
# two Gloo processes (1 thread each), ROUNDS interleaved rounds, then dist_bench's all-reduce time
# for SASRec's parameter count. Prints "setting round ms/step"; `uptime` goes with every round
# (the machine may be shared). Usage: bench/dist/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
bin=$PWD/build/bin/recbench
exp=$PWD/bench/dist/sasrec_dp.toml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ms per batch of rank 0's (or the only process's) epoch: Progress's final line.
step_ms() { grep -o -E 'done in [^(]*\([0-9.]+ ms/batch\)' "$1" | grep -o -E '[0-9.]+ ms' | cut -d' ' -f1; }

for round in $(seq 1 "$rounds"); do
  echo "round $round: $(uptime)"
  for setting in "1proc-1thread" "1proc-2threads" "2proc-1thread"; do
    out=$work/$setting-$round.h5
    case $setting in
      1proc-1thread) args=(--set experiment.threads=1) ;;
      1proc-2threads) args=(--set experiment.threads=2) ;;
      2proc-1thread) args=(--nproc 2 --set experiment.threads=1) ;;
    esac
    "$bin" run "$exp" --out "$out" --set experiment.cache_dir=\""$work/cache"\" "${args[@]}" \
      >"$work/$setting-$round.log" 2>&1
    echo "$setting $round $(step_ms "$out.log")"
  done
done
# SASRec's parameters: the float32 storages in its saved model (archive/data/*), 4 bytes each.
params=$(/usr/bin/python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(sum(i.file_size for i in z.infolist() if "/data/" in i.filename) // 4)' \
  "$work/1proc-1thread-1_artifacts/synth/sasrec/seed_1/model/model.pt")
echo "sasrec parameters (and buffers): $params"
build/bin/dist_bench --params "$params" --tensors 20 --steps 300 --world 2
