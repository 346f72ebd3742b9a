#!/usr/bin/env bash
# `recbench run --shard` and `recbench merge` through the real binary: two shards merged equal a
# one-process run (every cell, the report); a shard resumes on its own; each bad input (shard
# spec, a part of another experiment, duplicate cells, a missing or non-results part, an
# existing --out) is one clear error line with exit 2.
# Usage: shard_test.sh RECBENCH_BINARY PROJECT_DIR
set -uo pipefail
bin=$1
project=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/scenario_lib.sh"
cp "$here/shard/experiment.toml" exp.toml
cache=(--set experiment.cache_dir=\"cache\")

for bad in 3/2 -1/2 a/b 0/0 2; do
  expect_error "^recbench run: --shard: expected i/N with whole numbers 0 <= i < N .*got '$bad'" \
    -- "$bin" run exp.toml --shard="$bad"
done

expect 0 "\| rsllm" -- "$bin" run exp.toml --out whole.h5 "${cache[@]}"
# Without --out, shard i of N writes results/<name>.shard-i-of-N.h5 (from experiment.output).
for i in 0 1; do
  expect 0 "\| (pop|rsllm)" -- "$bin" run exp.toml --shard $i/2 "${cache[@]}"
done
check "shard files named after experiment.output" \
  test -s results/tiny_sharded.shard-0-of-2.h5 -a -s results/tiny_sharded.shard-1-of-2.h5
expect 0 "skipped" -- "$bin" run exp.toml --shard 1/2 --resume "${cache[@]}" \
  --set experiment.log_level=\"info\"
expect_error "holds shard 1/2, but --shard 0/2 was given" \
  -- "$bin" run exp.toml --shard 0/2 --resume --out results/tiny_sharded.shard-1-of-2.h5 "${cache[@]}"

parts=(results/tiny_sharded.shard-1-of-2.h5 results/tiny_sharded.shard-0-of-2.h5)
expect 0 "merged 2 part\(s\): 12 cell\(s\) -> merged.h5" -- "$bin" merge "${parts[@]}" --out merged.h5
check "merged cells equal a one-process run's" \
  /usr/bin/python3 "$here/same_cells.py" whole.h5 merged.h5 "$project/python"
check "same report" diff <("$bin" report whole.h5) <("$bin" report merged.h5)
check "same csv report" diff <("$bin" report whole.h5 --format csv) \
  <("$bin" report merged.h5 --format csv)

# Refusals: one line each, naming the files.
expect_error "merged.h5: file exists; pass --force to replace it" \
  -- "$bin" merge "${parts[@]}" --out merged.h5
expect 0 "merged 2 part" -- "$bin" merge "${parts[@]}" --out merged.h5 --force
# Another experiment's part (one --set more; a shard with no cells, so nothing trains).
"$bin" run exp.toml --shard 39/40 --out other.h5 "${cache[@]}" --set models.sasrec.params.epochs=1 \
  >/dev/null 2>&1
expect_error "parts of different experiments: ${parts[0]} and other.h5 store different" \
  -- "$bin" merge "${parts[0]}" other.h5 --out m1.h5
expect_error "cell tiny_a/sasrec/seed_1 is in both whole.h5 and ${parts[1]}" \
  -- "$bin" merge whole.h5 "${parts[1]}" --out m2.h5
expect_error "missing.h5: results file not found" -- "$bin" merge "${parts[0]}" missing.h5 --out m3.h5
echo "not hdf5" >text.h5
expect_error "text.h5: not an HDF5 file" -- "$bin" merge "${parts[0]}" text.h5 --out m4.h5
expect_error "${parts[0]} and ${parts[0]} are the same file" \
  -- "$bin" merge "${parts[0]}" "${parts[1]}" "${parts[0]}" --out m5.h5
cp "${parts[0]}" copy.h5
expect_error "${parts[0]} and copy.h5 are both shard 1/2" -- "$bin" merge "${parts[0]}" copy.h5 --out m5.h5
expect 0 "warning: shard\(s\) 0/2 not among the parts" -- "$bin" merge "${parts[0]}" --out m6.h5
check "nothing written on refusal" test ! -e m1.h5 -a ! -e m2.h5 -a ! -e m3.h5 -a ! -e m4.h5

finish shard
