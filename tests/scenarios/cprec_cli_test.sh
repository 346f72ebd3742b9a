#!/usr/bin/env bash
# CPRec end to end through the real `recbench` binary: [[corpora]] from one synthetic world split
# by domain, continual pre-training run once and reused by a second target and across --resume,
# and the up-front refusals (a target inside the corpus, a misspelt corpus name).
# Usage: cprec_cli_test.sh RECBENCH_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$(dirname "$0")/scenario_lib.sh"

"$bin" data synth --atomic --out world --seed 3 --users 60 --items 60 --domains 4 --seq-len 24 >/dev/null
/usr/bin/python3 "$src/bench/cprec/split_domains.py" world split --corpus books,movies \
  --targets games,music --name pre

write_experiment() {  # write_experiment FILE CORPUS_DOMAIN_FOLDER TARGET... (+ extra params)
  local file=$1 corpus=$2
  shift 2
  cat >"$file" <<TOML
[experiment]
seeds = [1]
threads = 1
cache_dir = "cache"
[evaluation]
metrics = ["HR", "NDCG"]
topk = [10]
[[corpora]]
name = "pre"
format = "atomic"
[corpora.files]
inter = "split/$corpus/$corpus.inter"
item = "split/$corpus/$corpus.item"
TOML
  for t in "$@"; do
    printf '[[datasets]]\nname = "%s"\nformat = "atomic"\n[datasets.files]\ninter = "split/%s/%s.inter"\nitem = "split/%s/%s.item"\n' \
      "$t" "$t" "$t" "$t" "$t" >>"$file"
  done
  cat >>"$file" <<TOML
[[models]]
plugin = "cprec"
[models.params]
pretrain_corpus = "pre"
pretrain_tokens = 4096
pretrain_seq_len = 64
pretrain_batch_size = 4
vocab_size = 400
epochs = 2
TOML
}

write_experiment one.toml pre games
write_experiment two.toml pre games music
check "first run succeeds" "$bin" run one.toml --out r.h5 >one.log 2>&1
check "first run pre-trains once" test "$(grep -c 'continual pre-training done' one.log)" -eq 1
check "resume succeeds" "$bin" run two.toml --out r.h5 --resume >two.log 2>&1
check "resume skips the complete cell" grep -q "games/cprec/seed_1 is complete; skipped" two.log
check "second target reuses the artefact" grep -q "reusing continual pre-training" two.log
check "second target does not pre-train" test "$(grep -c 'continual pre-training done' two.log)" -eq 0
check "report lists both targets" bash -c "'$bin' report r.h5 --format csv | grep -q '^NDCG@10,music,cprec'"
check "one shared artefact" test "$(ls r_artifacts/shared | grep -c '^cprec-[0-9a-f]*$')" -eq 1

sed 's/pretrain_corpus = "pre"/pretrain_corpus = "pree"/' one.toml >typo.toml
"$bin" run typo.toml --out typo.h5 >typo.log 2>&1
check "misspelt corpus exits 2" test $? -eq 2
check "misspelt corpus is named" grep -q "no \[\[corpora\]\] entry named 'pree' (known corpora: pre)" typo.log
check "nothing written for the typo" test ! -e typo.h5

write_experiment leak.toml games games
"$bin" run leak.toml --out leak.h5 >leak.log 2>&1
check "overlap exits 2" test $? -eq 2
check "overlap is named" grep -q "dataset 'games' overlaps pre-training corpus 'pre'" leak.log

finish "cprec cli"
