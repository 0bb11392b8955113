# Shared by the shell tests: a temporary directory removed at exit, the
# counters, and the closing line 'N passed, N failed'.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1"; }
# check NAME 'shell condition'
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
