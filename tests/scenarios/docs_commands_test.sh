#!/usr/bin/env bash
# Runs every `recbench` / `build/bin/recbench` command line of the fenced code blocks of README.md
# and docs/**/*.md, so that a documented command that stops working fails the suite.
#
# - Commands run in document order, one scratch folder per document laid out like the project
#   (experiments/ and examples/ copied, datasets/ linked, results/ empty, one shared .cache/), so
#   `run` writes a fresh results file and the document's later `report`/`--resume` lines find it.
#   Trailing `# comments` are dropped; nothing else is changed.
# - Usage synopses (a line with placeholders such as FILE.h5 or `[--option ...]`) cannot run as
#   written: for them `recbench <command> --help` must succeed and name every `--option` shown.
# - `recbench run` of an experiment listed in `tiny` below gets those `--set` overrides appended
#   (fewer seeds and epochs, smaller data): the documented experiments take minutes to hours in
#   full, this test must take seconds. Every documented key and value is still parsed and checked.
# - A ```toml block that is a whole experiment file (README's) is written to experiments/ and run
#   with one seed, one epoch and max_len 5 per trained model.
# - A command listed in `setup` first gets its data made the way the document says.
# Usage: docs_commands_test.sh RECBENCH_BINARY PROJECT_DIR [DOC.md ...]
set -uo pipefail
bin=$1
project=$2
source "$(dirname "$0")/scenario_lib.sh"

# Overrides that make a documented experiment tiny, keyed by the experiment path as written.
# (A [[datasets]] entry given only by `recipe` cannot be addressed by --set, so the synthetic
# dataset keeps its size; one seed, one epoch and a history of 5 items make these runs short.)
declare -A tiny=(
  [experiments/quickstart.toml]="--set experiment.seeds=[1]
    --set models.gru4rec.params.epochs=1 --set models.gru4rec.params.max_len=5
    --set models.sasrec.params.epochs=1 --set models.sasrec.params.max_len=5"
  [experiments/baselines.toml]="--set experiment.seeds=[1]
    --set models.gru4rec.params.epochs=1 --set models.gru4rec.params.max_len=5
    --set models.sasrec.params.epochs=1 --set models.sasrec.params.max_len=5
    --set models.bert4rec.params.epochs=1 --set models.bert4rec.params.max_len=5
    --set models.caser.params.epochs=1 --set models.caser.params.max_len=5
    --set models.narm.params.epochs=1 --set models.narm.params.max_len=5"
  [examples/plugins/meanpool/experiment.toml]="--set models.meanpool.params.epochs=1"
  [experiments/rsllm_quick.toml]="--set experiment.seeds=[1] --set models.sasrec.params.epochs=1
    --set models.gru4rec.params.epochs=1 --set models.caser.params.epochs=1"
  [experiments/cprec_evidence.toml]="--set experiment.seeds=[1]
    --set models.cprec.params.pretrain_tokens=2000 --set models.cprec.params.epochs=1
    --set models.cprec_no_cpt.params.epochs=1 --set models.cprec_zero_shot.params.pretrain_tokens=2000"
  [experiments/cprec_budget.toml]="--set experiment.seeds=[1]
    --set models.cprec.params.pretrain_tokens=2000 --set models.cprec.params.epochs=1
    --set models.cprec_no_cpt.params.epochs=1 --set models.cprec_39_steps.params.epochs=1
    --set models.cprec_400_steps.params.pretrain_tokens=2000 --set models.cprec_400_steps.params.epochs=1
    --set models.cprec_likelihood.params.pretrain_tokens=2000 --set models.cprec_likelihood.params.epochs=1
    --set models.no_cpt_likelihood.params.epochs=1
    --set models.cprec_likelihood_zero_shot.params.pretrain_tokens=2000
    --set models.cprec_zero_shot.params.pretrain_tokens=2000"
  [experiments/rsllm.toml]="--set experiment.seeds=[1] --set models.sasrec.params.epochs=1"
  [experiments/reproduce/llara-lastfm.toml]="--set experiment.seeds=[1]
    --set models.gru4rec.params.epochs=1 --set models.caser.params.epochs=1
    --set models.sasrec.params.epochs=1"
  [experiments/reproduce/ml-100k-recbole.toml]="--set experiment.seeds=[1]
    --set models.sasrec.params.epochs=1"
  [experiments/reproduce/llara-lastfm-sasrec-bce.toml]="--set experiment.seeds=[1]
    --set models.sasrec-bce.params.epochs=1"
  [experiments/reproduce/llara-movielens.toml]="--set experiment.seeds=[1]
    --set models.gru4rec.params.epochs=1 --set models.caser.params.epochs=1
    --set models.sasrec.params.epochs=1"
  [experiments/reproduce/s3rec-beauty.toml]="--set experiment.seeds=[1]
    --set models.sasrec.params.epochs=1"
  [experiments/reproduce/s3rec-sports.toml]="--set experiment.seeds=[1]
    --set models.sasrec.params.epochs=1"
  [experiments/reproduce/s3rec-toys.toml]="--set experiment.seeds=[1]
    --set models.sasrec.params.epochs=1"
)

# Experiments whose LLM rows (or five neural baselines) take minutes even when tiny: they run (with the overrides above)
# until their output matches this pattern, then get Ctrl-C (exit 130, finished cells kept, as the
# user guide says). Everything before the first cell is still checked for real: the file, every
# key, plugin loading, dataset preparation and the construction of every model on every dataset.
declare -A stop=(
  [experiments/rsllm_quick.toml]="  test [A-Z]"  # the first newly finished cell (an ID baseline)
  [experiments/cprec_evidence.toml]="info cell domain8/"  # every model on the first dataset
  [experiments/cprec_budget.toml]="info cell fashion/cprec_39_steps/"  # cprec, cprec_no_cpt done
  [experiments/rsllm.toml]="info cell "  # validation only: a SASRec epoch on a stand-in is minutes
  [experiments/baselines.toml]="info cell synthetic/sasrec/"  # Pop and GRU4Rec done
  # Full ranking on the S3-Rec files: Pop's cells finish, a SASRec epoch takes a minute.
  [experiments/reproduce/s3rec-beauty.toml]="info cell s3rec-beauty/sasrec/"
  [experiments/reproduce/s3rec-sports.toml]="info cell s3rec-sports/sasrec/"
  [experiments/reproduce/s3rec-toys.toml]="info cell s3rec-toys/sasrec/"
  # A SASRec epoch over ml-100k's 98k prefixes is a minute: stopped at its first cell.
  [experiments/reproduce/ml-100k-recbole.toml]="info cell ml-100k/sasrec/"
)
# A `report` of a results file that a stopped run wrote only checks the command line (the cells
# it names may be missing).
declare -A partial_results=([results/rsllm.h5]=1 [results/reproduce/ml-100k-recbole.h5]=1)

# Commands to run once before a document's first command naming the key (a path it uses).
# The reproductions read the real data: the development copy beside the project (CI has it), laid
# out by scripts/link-real-data.sh as docs/reproductions.md says.
link_real="bash $project/scripts/link-real-data.sh $project/../shared/data/real \$PWD/datasets/raw"
declare -A setup=(
  # bench/cprec/run_evidence.sh makes the world first (docs/methods/cprec.md says so).
  [experiments/cprec_evidence.toml]="bash $project/bench/cprec/make_world.sh $bin \$PWD/datasets/raw/cprec-world"
  [experiments/cprec_budget.toml]="bash $project/bench/cprec/make_world.sh $bin \$PWD/datasets/raw/cprec-world"
  [experiments/reproduce/llara-lastfm.toml]="$link_real"
  [experiments/reproduce/ml-100k-recbole.toml]="$link_real"
  [experiments/reproduce/llara-movielens.toml]="$link_real"
  [experiments/reproduce/llara-lastfm-sasrec-bce.toml]="$link_real"
  [experiments/reproduce/s3rec-beauty.toml]="$link_real"
  [experiments/reproduce/s3rec-sports.toml]="$link_real"
  [experiments/reproduce/s3rec-toys.toml]="$link_real"
)

# Prints "DOC:LINE<TAB>COMMAND" for each recbench command line of DOC's fenced blocks, with
# backslash continuations joined and a synopsis's indented "[--option ...]" lines appended.
extract() {
  awk -v doc="$1" '
    function trim(s) { sub(/^[[:space:]]+/, "", s); sub(/[[:space:]]+$/, "", s); return s }
    function emit() { if (cmd != "") print doc ":" start "\t" cmd; cmd = "" }
    /^[[:space:]]*```/ { emit(); inblock = !inblock; joining = 0; next }
    !inblock { next }
    {
      text = trim($0)
      if (joining) cmd = cmd " " text
      else if (cmd != "" && text ~ /^\[/) { cmd = cmd " " text; next }
      else if (text ~ /^(build\/bin\/)?recbench /) { emit(); cmd = text; start = FNR }
      else { emit(); next }
      joining = sub(/[[:space:]]*\\$/, "", cmd)
      if (!joining && cmd !~ /^(build\/bin\/)?recbench /) emit()
    }
    END { emit() }
  ' "$project/$1"
}

# Writes each ```toml block of DOC that is a whole experiment (it has an [experiment] table) to
# OUT_DIR/LINE.toml and prints "LINE<TAB>--set overrides": one seed, one epoch per trained model.
extract_experiments() {
  awk -v out="$2" '
    function finish() {
      if (file == "") return
      close(file)
      if (is_experiment) {
        if (id != "") sets = sets model_set(id, plugin)
        print start "\t--set experiment.seeds=[1]" sets
      }
      file = ""
    }
    function model_set(id, plugin) {
      if (plugin == "pop" || plugin == "random") return ""
      return " --set models." id ".params.epochs=1 --set models." id ".params.max_len=5"
    }
    /^```toml/ { start = FNR; file = out "/" FNR ".toml"; printf "" > file
                 is_experiment = 0; sets = ""; id = ""; plugin = ""; next }
    /^```/ { finish(); next }
    file == "" { next }
    { print > file }
    /^\[experiment\]/ { is_experiment = 1 }
    /^\[\[models\]\]/ { if (id != "") sets = sets model_set(id, plugin); id = ""; plugin = "" }
    /^label *=/ { split($0, q, "\""); id = q[2] }
    /^plugin *=/ { split($0, q, "\""); plugin = q[2]; if (id == "") id = plugin }
  ' "$project/$1"
}

# A usage synopsis: placeholders in capitals (FILE.h5, DIR) or optional groups ([--out ...]).
is_synopsis() { grep -q -E '(^| )[A-Z][A-Z_]*(\.[a-z0-9]+)?( |$)|\[-|\.\.\.' <<<"$1"; }

# check_synopsis WHERE LINE: `recbench <command> --help` succeeds and names each --option.
check_synopsis() {
  local where=$1 line=$2 all words=() word help option
  read -r -a all <<<"${line#build/bin/}"
  for word in "${all[@]:1}"; do
    [[ $word =~ ^[a-z]+$ ]] || break
    words+=("$word")
  done
  if ! help=$("$bin" "${words[@]}" --help 2>&1); then
    fail "$where: recbench ${words[*]} --help failed: $help"
    return
  fi
  for option in $(grep -o -E -- '--[a-z][a-z-]*' <<<"$line" | sort -u); do
    if grep -q -E -- "(^|[ ,])$option( |$)" <<<"$help"; then ok; else
      fail "$where: '$option' is documented but recbench ${words[*]} --help does not list it"
    fi
  done
}

# A scratch folder laid out like the project, for one document's commands.
make_scratch() {
  local dir=$1 entry
  mkdir -p "$dir/datasets/raw" "$dir/results" "$work/cache"
  cp -r "$project/experiments" "$dir/experiments"
  cp -r "$project/examples" "$dir/examples"
  for entry in "$project"/datasets/*; do
    [ "$(basename "$entry")" = raw ] || ln -s "$entry" "$dir/datasets/"
  done
  ln -s "$work/cache" "$dir/.cache"
}

# run_until PATTERN COMMAND: runs COMMAND (recbench ...) until its output matches PATTERN, then
# sends SIGINT twice (stop now); returns its exit status.
run_until() {
  local pattern=$1 cmd=$2 pid
  : >run_until.log
  (eval "exec \"\$bin\" ${cmd#recbench }") >run_until.log 2>&1 &
  pid=$!
  while kill -0 $pid 2>/dev/null && ! grep -q -E -- "$pattern" run_until.log; do sleep 0.1; done
  kill -INT $pid 2>/dev/null && sleep 0.5 && kill -INT $pid 2>/dev/null
  wait $pid
}

# run_documented WHERE COMMAND: runs one runnable command (comment dropped) in the current folder.
run_documented() {
  local where=$1 cmd=$2 key extra="" out status
  cmd=$(sed -E 's/[[:space:]]+#.*$//; s|^(build/bin/)?recbench |recbench |' <<<"$cmd")
  for key in "${!setup[@]}"; do
    if [[ " $cmd " == *" $key "* ]] && [ ! -e ".setup_${key//\//_}" ]; then
      echo "setup for $key: ${setup[$key]}"
      if ! (eval "${setup[$key]}") >setup.log 2>&1; then
        fail "$where: setup for $key failed:"
        tail -5 setup.log
        return
      fi
      touch ".setup_${key//\//_}"
    fi
  done
  read -r -a words <<<"$cmd"
  if [ "${words[1]}" = run ] && [ -n "${tiny[${words[2]}]:-}" ]; then
    extra=$(tr '\n' ' ' <<<"${tiny[${words[2]}]}")
    echo "adapted: $cmd  +  $extra"
  else
    echo "as written: $cmd"
  fi
  local start=$SECONDS
  if [ "${words[1]}" = run ] && [ -n "${stop[${words[2]}]:-}" ]; then
    run_until "${stop[${words[2]}]}" "$cmd $extra"
    status=$?
    out=$(cat run_until.log)
    echo "  stopped with Ctrl-C at /${stop[${words[2]}]}/ (exit $status)"
    [ $status -eq 130 ] && status=0
  elif [ "${words[1]}" = report ] && [ -n "${partial_results[${words[2]}]:-}" ]; then
    echo "  results of a stopped run: checking the options only"
    out=$(eval "\"\$bin\" ${cmd#recbench } --help" 2>&1)
    status=$?
  else
    out=$(recbench() { "$bin" "$@"; }; eval "$cmd $extra" 2>&1)
    status=$?
  fi
  if [ $status -eq 0 ]; then ok; else
    fail "$where: exit $status: $cmd $extra"
    tail -8 <<<"$out"
  fi
  echo "  ($((SECONDS - start)) s)"
}

shift 2
docs=("$@")  # default: README.md and every docs/**/*.md
if [ ${#docs[@]} -eq 0 ]; then
  docs=(README.md)
  while IFS= read -r f; do docs+=("${f#"$project"/}"); done < <(find "$project/docs" -name '*.md' | sort)
fi

total=0
for doc in "${docs[@]}"; do
  dir=$work/${doc//\//_}
  while IFS=$'\t' read -r where cmd; do
    total=$((total + 1))
    plain=$(sed -E 's/[[:space:]]+#.*$//' <<<"$cmd")
    if is_synopsis "$plain"; then
      echo "synopsis: $plain"
      check_synopsis "$where" "$plain"
      continue
    fi
    [ -d "$dir" ] || make_scratch "$dir"
    cd "$dir" || exit 1
    run_documented "$where" "$cmd"
    cd "$work" || exit 1
  done < <(extract "$doc")

  mkdir -p "$work/snippets/${doc//\//_}"
  while IFS=$'\t' read -r line sets; do
    total=$((total + 1))
    [ -d "$dir" ] || make_scratch "$dir"
    name=snippet_$line
    cp "$work/snippets/${doc//\//_}/$line.toml" "$dir/experiments/$name.toml"
    cd "$dir" || exit 1
    echo "experiment file $doc:$line, adapted: $sets"
    run_documented "$doc:$line" "recbench run experiments/$name.toml --out results/$name.h5 $sets"
    cd "$work" || exit 1
  done < <(extract_experiments "$doc" "$work/snippets/${doc//\//_}")
done
[ "$total" -gt 0 ] && ok || fail "found only $total documented commands; is the extraction broken?"

finish docs_commands
