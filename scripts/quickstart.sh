#!/usr/bin/env bash
# Installs what is missing, builds, and runs experiments/quickstart.toml on the built-in
# synthetic data, printing the results table (a second run resumes and just prints it).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
out=results/quickstart.h5
resume=()
[ -f "$out" ] && resume=(--resume)
build/bin/recbench run experiments/quickstart.toml --out "$out" "${resume[@]}"
echo
echo "results: $out   (recbench report $out --format latex, for a paper table)"
