#!/usr/bin/env bash
# `recbench report --format html`: one self-contained page (tables, published numbers, figures,
# experiment, environment) that a real headless browser (Debian's chromium) renders without a
# script error and with every table cell laid out.
# Usage: html_report_test.sh RECBENCH_BINARY   (exit 77 = skipped: no chromium)
set -uo pipefail
bin=$1
source "$(dirname "$0")/scenario_lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIPPED: no chromium on PATH (scripts/install-deps.sh installs Debian's chromium)"
  exit 77
fi

cat >exp.toml <<'TOML'
[experiment]
name = "html <report> & test"
seeds = [1, 2]
threads = 1
log_level = "warn"

[evaluation]
metrics = ["HR", "NDCG"]
topk = [5, 10]
valid_metric = "NDCG@10"

[[datasets]]
name = "tiny"
format = "synthetic"
seed = 7
[datasets.options]
users = 200
items = 150

[[models]]
plugin = "pop"

[[models]]
plugin = "gru4rec"
[models.params]
epochs = 2
max_len = 5

[[reference]]
source = "A made-up paper, Table 1"
dataset = "tiny"
model = "gru4rec"
metric = "NDCG@10"
value = 0.05
TOML
check "the experiment runs" "$bin" run exp.toml --out r.h5
check "report --format html succeeds" \
  bash -c "\"$bin\" report r.h5 --format html --baseline pop >page.html"

# Self-contained: figures inline, nothing fetched from elsewhere.
figures=$(grep -o '<svg' page.html | wc -l)
if [ "$figures" -eq 3 ]; then ok; else fail "expected 3 inline figures, found $figures"; fi
if grep -q -E '(src|href)="(https?:)?//|@import|url\(https?:' page.html; then
  fail "the page refers to outside resources"
else ok; fi
check "the title is escaped" grep -q 'html &lt;report&gt; &amp; test' page.html
check "the published numbers are shown" grep -q 'A made-up paper, Table 1' page.html
check "the tests against the baseline have their legend" \
  grep -q '† the difference from pop is significant at 0.05' page.html
check "the experiment is shown" grep -q 'plugin = &quot;gru4rec&quot;' page.html

# A real browser: no script error, every cell laid out, every mean of the csv report shown.
"$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
  --dump-dom "file://$PWD/page.html" >dom.html 2>browser.log
if grep -q -E 'Uncaught|SyntaxError' browser.log; then
  fail "script error in the browser:"
  grep -E 'Uncaught|SyntaxError' browser.log | head -3
else ok; fi
cells=$(grep -o '<td>' page.html | wc -l)
rendered=$(grep -o 'data-rendered-cells="[0-9]*"' dom.html | grep -o '[0-9]*')
if [ -n "$rendered" ] && [ "$rendered" -eq "$cells" ] && [ "$cells" -gt 0 ]; then ok; else
  fail "the browser laid out ${rendered:-no} of $cells table cells"
fi
missing=0
while IFS=, read -r metric dataset model mean rest; do
  [ "$metric" = metric ] && continue
  value=$(printf '%.4f' "$mean")
  grep -q -- "$value" dom.html || { missing=$((missing + 1)); echo "not shown: $metric $model $value"; }
done < <("$bin" report r.h5 --format csv)
if [ "$missing" -eq 0 ]; then ok; else fail "$missing cell(s) of the csv report are not on the page"; fi

finish html_report_scenario
