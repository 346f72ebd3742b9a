#!/usr/bin/env bash
# Lays a folder of real downloads out as the recipes expect (datasets/raw/<folder>), with symlinks,
# converts LLaRA's pickled splits into the plain format of the `llara` reader and rebuilds LLaRA's
# MovieLens training rows from ml-100k.
#   scripts/link-real-data.sh [REAL_DIR [RAW_DIR]]
# REAL_DIR defaults to ../shared/data/real (the development copy; see its README), RAW_DIR to
# datasets/raw. Nothing is copied into the repository: datasets/raw is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
real="$(realpath "${1:-../shared/data/real}")"
raw="${2:-datasets/raw}"
[ -d "$real" ] || { echo "link-real-data: no folder $real" >&2; exit 1; }
mkdir -p "$raw"

# recipe folder under datasets/raw -> folder of the real copy
links=(ml-100k:ml-100k lastfm:lastfm-hetrec2011 s3rec:amazon-s3rec amazon2018:amazon2018-5core)
for pair in "${links[@]}"; do
  name="${pair%%:*}" target="$real/${pair#*:}"
  if [ -d "$target" ]; then
    ln -sfn "$target" "$raw/$name"
    echo "$raw/$name -> $target"
  else
    echo "link-real-data: skipped $raw/$name ($target is missing)" >&2
  fi
done

# fresh OUT_DIR SCRIPT: OUT_DIR's README.txt (written last by the converters) is newer than SCRIPT,
# so a second run skips the work.
fresh() { [ -f "$1/README.txt" ] && [ "$1/README.txt" -nt "$2" ]; }

# LLaRA ships pandas pickles: convert each split once (needs python3-pandas).
for name in lastfm movielens steam; do
  src="$real/llara/$name"
  [ -d "$src" ] || continue
  train=train_data.df
  [ -f "$src/$train" ] || train="$(cd "$src" && ls train_data.df* 2>/dev/null | head -1)"
  fresh "$raw/llara/$name" scripts/convert_llara.py ||
    "${PYTHON:-/usr/bin/python3}" scripts/convert_llara.py "$src" "$raw/llara/$name" --train "$train"
  [ ! -f "$src/id2name.txt" ] || ln -sfn "$src/id2name.txt" "$raw/llara/$name/id2name.txt"
done

# LLaRA's MovieLens training rows, rebuilt from ml-100k and checked against LLaRA's own files.
if [ -d "$real/ml-100k" ] && [ -d "$real/llara/movielens" ] &&
  ! fresh "$raw/llara/movielens-rebuilt" scripts/rebuild_llara_movielens.py; then
  "${PYTHON:-/usr/bin/python3}" scripts/rebuild_llara_movielens.py "$real/ml-100k" \
    "$real/llara/movielens" "$raw/llara/movielens-rebuilt"
fi
