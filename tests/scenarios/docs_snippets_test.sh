#!/usr/bin/env bash
# Checks that the code blocks of README.md and docs/**/*.md marked `<!-- snippet: PATH -->` (the
# line before the opening fence) are the file PATH: the marked blocks of one file, in document
# order and joined by one blank line, must equal it exactly. docs/writing-a-plugin.md shows the
# example plugin this way, so the guide cannot drift from code that is built and tested.
# Usage: docs_snippets_test.sh PROJECT_DIR
set -uo pipefail
project=$1
source "$(dirname "$0")/scenario_lib.sh"

# Writes each marked block to pieces/<n>.<path with / as %>, numbered in document order.
extract() {
  awk -v out="$work/pieces" '
    /^<!-- snippet: .* -->$/ { path = $3; next }
    /^[[:space:]]*```/ {
      if (inblock) { inblock = 0; path = ""; close(file); next }
      inblock = 1
      if (path != "") { n++; p = path; gsub("/", "%", p); file = sprintf("%s/%04d.%s", out, n, p) }
      else file = ""
      if (file != "") printf "" > file
      next
    }
    inblock && file != "" { print > file }
    { if (!inblock) path = "" }
  ' "$@"
}

mkdir -p pieces
cd "$project" || exit 1
docs=(README.md)
while IFS= read -r f; do docs+=("$f"); done < <(find docs -name '*.md' | sort)
for doc in "${docs[@]}"; do extract "$doc"; done
cd "$work" || exit 1

paths=$(ls pieces | sed 's/^[0-9]*\.//' | sort -u)
[ -n "$paths" ] && ok || fail "no <!-- snippet: PATH --> blocks found in README.md or docs/"
for p in $paths; do
  file=${p//%//}
  joined=$work/joined
  : >"$joined"
  first=1
  for piece in pieces/*."$p"; do
    [ $first -eq 1 ] || echo >>"$joined"
    cat "$piece" >>"$joined"
    first=0
  done
  if diff -u "$project/$file" "$joined" >diff.txt; then
    ok
  else
    fail "the snippets of $file differ from the file (- file, + docs):"
    head -40 diff.txt
  fi
done

finish docs_snippets
