#!/usr/bin/env bash
# Writes the CPRec evidence world: one synthetic multi-domain corpus (`recbench data synth`, 12
# domains sharing topic words) split into a 7-domain pre-training corpus and five target domains.
# Usage: bench/cprec/make_world.sh [RECBENCH_BINARY] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/bin/recbench}
out=${2:-datasets/raw/cprec-world}
rm -rf "$out"
"$bin" data synth --atomic --out "$out/world" --seed 1 --users 600 --items 1200 --domains 12 --seq-len 60 \
  --topics 10
/usr/bin/python3 bench/cprec/split_domains.py "$out/world" "$out" \
  --corpus books,movies,games,music,food,sports,travel \
  --targets fashion,domain8,domain9,domain10,domain11 --name corpus
echo "wrote $out/{corpus,fashion,domain8,domain9,domain10,domain11}"
