#!/usr/bin/env bash
# CPRec evidence (issue 6 item 6): writes the world, runs experiments/cprec_evidence.toml (3 seeds,
# 5 targets, CPRec with and without continual pre-training, few-shot) and prints NDCG@10 / HR@10.
# Usage: bench/cprec/run_evidence.sh [extra `recbench run` arguments, e.g. --resume]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/bin/recbench
[ -f datasets/raw/cprec-world/corpus/corpus.inter ] || bench/cprec/make_world.sh "$bin"
/usr/bin/time -f "wall %e s" "$bin" run experiments/cprec_evidence.toml "$@"
"$bin" report results/cprec_evidence.h5 --metric NDCG@10 --baseline cprec_no_cpt
"$bin" report results/cprec_evidence.h5 --metric HR@10 --baseline cprec_no_cpt
