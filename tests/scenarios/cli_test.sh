#!/usr/bin/env bash
# Drives the real `recbench` binary (plugins loaded from disk) through its user-facing contract.
# Usage: cli_test.sh RECBENCH_BINARY SCENARIO_DIR
set -uo pipefail
bin=$1
scenarios=$2
source "$(dirname "$0")/scenario_lib.sh"

expect 2 "unknown command 'frobnicate'" -- "$bin" frobnicate
expect 0 "recbench run EXPERIMENT.toml" -- "$bin" --help
expect 2 "missing.toml: cannot open experiment file" -- "$bin" run missing.toml
expect 2 "missing.h5" -- "$bin" report missing.h5
expect 0 "pop .*Most popular" -- "$bin" plugins
expect 0 "random" -- "$bin" plugins

# A typo in a plugin's table is refused before any training, naming file:line:column.
cp "$scenarios/tiny_pop_random.toml" exp.toml
cat >>exp.toml <<'TOML'
[models.params]
log_cuonts = true
TOML
expect 2 "exp.toml:[0-9]+:[0-9]+: models.pop.params.log_cuonts: unknown key; known keys: log_counts" \
  -- "$bin" run exp.toml --out typo.h5 --set experiment.cache_dir=\"cache\"
[ ! -e typo.h5 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: typo.h5 was written"; }

# A complete run, then a report in every format.
cp "$scenarios/tiny_pop_random.toml" exp.toml
expect 0 "\| pop" -- "$bin" run exp.toml --out full.h5 --set experiment.cache_dir=\"cache\"
expect 2 "full.h5: results file exists; pass --resume" -- "$bin" run exp.toml --out full.h5
expect 0 "skipped" -- "$bin" run exp.toml --out full.h5 --resume --set experiment.log_level=\"info\" --set experiment.cache_dir=\"cache\"
expect 0 "textbf" -- "$bin" report full.h5 --format latex
expect 0 "^metric,dataset,model,mean,std,n,failed,best" -- "$bin" report full.h5 --format csv
expect 2 "unknown report format .pdf. \\(known: md, latex, csv, html\\)" -- "$bin" report full.h5 --format pdf

# kill -9 in the middle of a run: finished cells survive, --resume completes the rest.
"$bin" run exp.toml --out killed.h5 --set experiment.seeds=[1,2,3,4,5,6] \
  --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\" >kill.log 2>&1 &
pid=$!
wait_for kill.log "test HR"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
expect 0 "random|pop" -- "$bin" report killed.h5
expect 0 "skipped" -- "$bin" run exp.toml --out killed.h5 --resume --set experiment.seeds=[1,2,3,4,5,6] \
  --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\"
expect 0 "^NDCG@10,tiny,pop,[^,]+,[^,]+,6,0,1$" -- "$bin" report killed.h5 --format csv --metric NDCG@10

# --model/--seed run only the cells they name; --resume without them completes the rest.
expect 0 "1 complete, 0 skipped" -- "$bin" run exp.toml --out some.h5 --model pop --seed 2 \
  --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\"
expect 0 "^NDCG@10,tiny,pop,[^,]+,,1,0," -- "$bin" report some.h5 --format csv --metric NDCG@10
expect_error "--model narm: not in the experiment \(it has random, pop\)" -- \
  "$bin" run exp.toml --out some.h5 --resume --model narm --set experiment.cache_dir=\"cache\"
expect 0 "3 complete, 1 skipped" -- "$bin" run exp.toml --out some.h5 --resume \
  --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\"

# A complete cell whose parameters changed is not skipped silently: refused, or retrained.
expect_error "some.h5: 2 complete cell\(s\) ran with settings other than the experiment's now: tiny/pop/seed_1 \(params.log_counts: false there, true now\), tiny/pop/seed_2 .*--rerun-changed" -- \
  "$bin" run exp.toml --out some.h5 --resume --set models.pop.params.log_counts=true \
  --set experiment.cache_dir=\"cache\"
expect 0 "2 complete, 2 skipped" -- "$bin" run exp.toml --out some.h5 --resume --rerun-changed \
  --set models.pop.params.log_counts=true --set experiment.cache_dir=\"cache\" \
  --set experiment.log_level=\"info\"
expect 0 "0 complete, 4 skipped" -- "$bin" run exp.toml --out some.h5 --resume \
  --set models.pop.params.log_counts=true --set experiment.cache_dir=\"cache\" \
  --set experiment.log_level=\"info\"
expect_error "--rerun-changed: it only applies to --resume" -- \
  "$bin" run exp.toml --out other.h5 --rerun-changed --set experiment.cache_dir=\"cache\"

# A file written before pop declared log_counts (its cells lack the key and the [defaults] table):
# the key at its default is no change; set otherwise, it is one.
expect 0 "1 complete, 0 skipped" -- "$bin" run exp.toml --out older.h5 --model pop --seed 1 \
  --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\"
/usr/bin/python3 - older.h5 <<'PY'
import re, sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    cell = f["runs/tiny/pop/seed_1"]
    config = cell.attrs["config"]
    config = config.decode() if isinstance(config, bytes) else config
    older = re.sub(r"\[defaults\]\n(?:[^\[\n].*\n|\n)*", "", config)
    older = re.sub(r"^log_counts = .*\n?", "", older, flags=re.M)
    assert older != config and "log_counts" not in older, config
    cell.attrs["config"] = older
PY
expect 0 "0 complete, 1 skipped" -- "$bin" run exp.toml --out older.h5 --resume --model pop \
  --seed 1 --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\"
expect_error "older.h5: 1 complete cell\(s\) ran with settings other than the experiment's now: tiny/pop/seed_1 \(params.log_counts: absent there, true now\)" -- \
  "$bin" run exp.toml --out older.h5 --resume --model pop --seed 1 \
  --set models.pop.params.log_counts=true --set experiment.cache_dir=\"cache\"

# Two files of one experiment, the second by a newer build: merged only when allowed.
for s in 1 2; do
  expect 0 "1 complete" -- "$bin" run exp.toml --out build-$s.h5 --model pop --seed $s \
    --set experiment.cache_dir=\"cache\" --set experiment.log_level=\"info\"
done
/usr/bin/python3 -c 'import h5py, sys; h5py.File(sys.argv[1], "r+").attrs["git_revision"] = "newer"' \
  build-2.h5
expect_error "build-1.h5 and build-2.h5 were written by different builds \(git revision .* vs newer; pass --allow-mixed-builds" \
  -- "$bin" merge build-1.h5 build-2.h5 --out builds.h5
expect 0 "merged 2 part\(s\): 2 cell\(s\)" -- "$bin" merge build-1.h5 build-2.h5 --out builds.h5 \
  --allow-mixed-builds
expect 0 "^NDCG@10,tiny,pop,[^,]+,[^,]+,2,0," -- "$bin" report builds.h5 --format csv --metric NDCG@10

finish cli
