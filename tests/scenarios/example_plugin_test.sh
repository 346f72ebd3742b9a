#!/usr/bin/env bash
# The plugin guide's example (examples/plugins/meanpool) as a user meets it: loaded from disk by
# the real `recbench`, run on its experiment file, reported; it must beat Pop on NDCG@10.
# Usage: example_plugin_test.sh RECBENCH_BINARY PROJECT_DIR
set -uo pipefail
bin=$1
project=$2
source "$(dirname "$0")/scenario_lib.sh"
experiment=$project/examples/plugins/meanpool/experiment.toml

expect 0 "^meanpool +1\.0 +MeanPool: " -- "$bin" plugins
expect 2 "models\.meanpool\.params\.embedding_sise: unknown key; known keys: .*embedding_size" \
  -- "$bin" run "$experiment" --out typo.h5 --set models.meanpool.params.embedding_sise=32
expect 0 "\| meanpool" -- "$bin" run "$experiment" --out meanpool.h5 \
  --set experiment.cache_dir=\"cache\"
check "meanpool wrote its item embeddings" \
  test -s meanpool_artifacts/synthetic/meanpool/seed_1/item_embeddings.safetensors

# NDCG@10 rows of the csv report: metric,dataset,model,mean,std,n,failed,best
"$bin" report meanpool.h5 --format csv --metric NDCG@10 >report.csv 2>&1
ndcg() { awk -F, -v m="$1" '$1 == "NDCG@10" && $3 == m && $6 == 1 && $7 == 0 { print $4 }' report.csv; }
pop=$(ndcg pop)
mean=$(ndcg meanpool)
if [ -n "$pop" ] && [ -n "$mean" ] && awk -v a="$mean" -v b="$pop" 'BEGIN { exit !(a > b) }'; then
  ok
else
  fail "meanpool NDCG@10 '$mean' does not beat pop's '$pop':"
  cat report.csv
fi

finish example_plugin
