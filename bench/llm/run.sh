#!/usr/bin/env bash
# Interleaved recbench-vs-PyTorch-eager runs of the LLM benchmark; prints medians per workload.
# Usage: bench/llm/run.sh [WORKLOAD ...]   (default: all; names below). Env: REPS (2), THREADS (1),
# BIN (build/bin/recbench_llm_bench), OUT (build/bench_llm). Needs /usr/bin/python3 + python3-torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/openmp_blas.sh  # the reference on the same BLAS as recbench
bin=${BIN:-build/bin/recbench_llm_bench}
reps=${REPS:-2}
threads=${THREADS:-1}
out=${OUT:-build/bench_llm}
mkdir -p "$out"
log="$out/results-$(date +%Y%m%d-%H%M%S).jsonl"

# name: size and the flags both implementations get.
declare -A workloads=(
  [tiny_train]="tiny --task train --batch 8 --seq-len 128 --steps 10 --warmup 2"
  [tiny_score]="tiny --task score --batch 32 --prompt-len 128 --candidates 64 --candidate-len 8 --steps 10 --warmup 2"
  [100m_train]="100m --task train --batch 2 --seq-len 64 --steps 2 --warmup 1"
  [100m_score]="100m --task score --batch 32 --prompt-len 64 --candidates 32 --candidate-len 8 --steps 2 --warmup 1"
)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(tiny_train tiny_score 100m_train 100m_score)

for name in "${names[@]}"; do
  read -r size flags <<<"${workloads[$name]}"
  model="$out/model_$size"
  [ -f "$model/model.safetensors" ] || "$bin" --write-model "$model" --size "$size" >/dev/null
  for rep in $(seq 1 "$reps"); do
    # Alternate which side runs first, so drifting machine load hits both alike.
    order=(recbench python)
    [ $((rep % 2)) -eq 0 ] && order=(python recbench)
    for impl in "${order[@]}"; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      if [ "$impl" = recbench ]; then
        line=$(OMP_NUM_THREADS=$threads "$bin" --model "$model" --threads "$threads" $flags)
      else
        line=$(OMP_NUM_THREADS=$threads /usr/bin/python3 bench/llm/reference/llm_reference.py \
          --model "$model" --threads "$threads" $flags)
      fi
      echo "{\"workload\":\"$name\",\"rep\":$rep,\"load1\":$load,\"result\":$line}" | tee -a "$log"
    done
  done
done

# Medians per workload and implementation (wall clock and process CPU time), recbench / eager.
/usr/bin/python3 - "$log" "${names[@]}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"\n{'workload':<11} {'unit':<11} {'recbench':>9} {'eager':>9} {'ratio':>5} "
      f"{'rb/cpu-s':>9} {'eager/cpu-s':>11} {'ratio':>5}  n  load1")
for name in sys.argv[2:]:
    got = {}
    for r in rows:
        if r["workload"] == name:
            got.setdefault(r["result"]["impl"], []).append(r)
    if len(got) < 2:
        continue
    unit = "tokens" if "tokens_per_s" in got["recbench"][0]["result"] else "candidates"
    med = lambda impl, key: statistics.median(r["result"][f"{unit}_{key}"] for r in got[impl])
    a, b = med("recbench", "per_s"), med("pytorch-eager", "per_s")
    ca, cb = med("recbench", "per_cpu_s"), med("pytorch-eager", "per_cpu_s")
    loads = [r["load1"] for rs in got.values() for r in rs]
    print(f"{name:<11} {unit + '/s':<11} {a:>9.1f} {b:>9.1f} {a / b:>5.2f} {ca:>9.1f} {cb:>11.1f} "
          f"{ca / cb:>5.2f} {len(got['recbench']):>2}  {min(loads):.1f}-{max(loads):.1f}")
PY
