# Sourced by the scenario scripts: a scratch folder to run in, and pass/fail bookkeeping.
# The caller sets `set -uo pipefail`; `finish NAME` prints the tally and sets the exit status.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then ok; else fail "$what"; fi
}

# expect STATUS PATTERN -- COMMAND...: the command exits with STATUS and its output matches.
expect() {
  local status=$1 pattern=$2
  shift 3
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -eq "$status" ] && grep -q -E -- "$pattern" <<<"$out"; then
    ok
  else
    fail "$* -> exit $got (want $status), output:"
    echo "$out" | tail -5
    echo "  (wanted /$pattern/)"
  fi
}

# expect_error PATTERN -- COMMAND...: exit 2 with exactly one line on stderr matching PATTERN.
expect_error() {
  local pattern=$1
  shift 2
  local err
  err=$("$@" 2>&1 >/dev/null)
  local got=$?
  if [ "$got" -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q -E -- "$pattern" <<<"$err"; then
    ok
  else
    fail "$* -> exit $got, stderr:"
    echo "$err" | head -5
    echo "  (wanted one line /$pattern/ and exit 2)"
  fi
}

# wait_for FILE PATTERN [SECONDS]: until FILE has a line matching the extended regex PATTERN
# (polled every 0.05 s, at most SECONDS, default 30); fails when it never does.
wait_for() {
  local polls=$(((${3:-30}) * 20))
  for _ in $(seq 1 "$polls"); do
    grep -q -E -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# finish NAME: the tally; the script's status is 0 only when nothing failed.
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
