#!/usr/bin/env bash
# CPRec budget study (issue 18): writes the world, runs experiments/cprec_budget.toml (one
# continual pre-training of thousands of steps shared by 3 seeds, 5 few-shot targets, with and
# without it) and prints NDCG@10 / HR@10.
# Usage: bench/cprec/run_budget.sh [extra `recbench run` arguments, e.g. --resume]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/bin/recbench
[ -f datasets/raw/cprec-world/corpus/corpus.inter ] || bench/cprec/make_world.sh "$bin"
/usr/bin/time -f "wall %e s" nice -n 5 "$bin" run experiments/cprec_budget.toml "$@"
"$bin" report results/cprec_budget.h5 --metric NDCG@10 --baseline cprec_no_cpt
"$bin" report results/cprec_budget.h5 --metric HR@10 --baseline cprec_no_cpt
