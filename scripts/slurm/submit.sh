#!/usr/bin/env bash
# Submits a recbench experiment to Slurm as N shards (one job array) and a merge job that runs
# once every shard succeeded; prints both job ids. See docs/cluster.md.
# Usage: submit.sh EXPERIMENT.toml N [--parts DIR] [--out MERGED.h5] [--run "OPTIONS"]
#                  [sbatch options...]
#   --parts DIR    where the part files and Slurm logs go (default: results/<name>.parts)
#   --out FILE     the merged results file (default: results/<name>.h5)
#   --run OPTIONS  extra `recbench run` options for every shard, e.g. --run "--set a.b=1"
#   the rest goes to both sbatch calls, e.g. --partition=gpu --time=12:00:00 --gres=gpu:1
# RECBENCH (default: recbench on PATH, else this checkout's build/bin/recbench) is the binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ $# -lt 2 ]; then
  sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
experiment=$1
shards=$2
shift 2
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then
  echo "submit.sh: N: expected a whole number >= 1, got '$shards'" >&2
  exit 2
fi
[ -f "$experiment" ] || { echo "submit.sh: $experiment: experiment file not found" >&2; exit 2; }
name=$(basename "$experiment" .toml)
parts=results/$name.parts
out=results/$name.h5
run_options=()
while [ $# -gt 0 ]; do
  case $1 in
    --parts) parts=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --run) read -r -a run_options <<<"$2"; shift 2 ;;
    *) break ;;
  esac
done
if [ -z "${RECBENCH:-}" ]; then
  RECBENCH=$(command -v recbench || echo "$here/../../build/bin/recbench")
fi
export RECBENCH
mkdir -p "$parts"

array=$(sbatch --parsable --array="0-$((shards - 1))" --output="$parts/slurm-%A_%a.out" "$@" \
  "$here/recbench-array.sbatch" "$experiment" "$shards" "$parts" "${run_options[@]}")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --output="$parts/slurm-merge-%j.out" "$@" \
  "$here/recbench-merge.sbatch" "$parts" "$shards" "$out")
merge=${merge%%;*}
echo "array job $array ($shards shards -> $parts/part-*.h5), merge job $merge -> $out"
