#!/usr/bin/env bash
# The known-answer test of mnsim record: tests/record/known.c does, in a
# region of its own, N first-touch writes, Z zero-page reads then writes, a
# fork, M COW writes while the child lives, K writes after it exits, an
# mprotect, a MADV_DONTNEED, a MADV_FREE and munmaps.  'mnsim record' of it
# must give exactly those ops in that region, and the run exactly M cow,
# Z zero_fault and K wp_reuse there.  Where recording cannot work (not root,
# no perf, no tracefs) it says why and exits 77: ctest counts it skipped.
# Usage: record_tests.sh MNSIM KNOWN OPS_COUNT
set -u
MNSIM=$1 KNOWN=$2 OPS_COUNT=$3
. "$(dirname "$0")/lib.sh"
if ! why=$("$MNSIM" record --check 2>&1); then
  echo "SKIP: $why"
  exit 77
fi
out=$("$MNSIM" record -o "$TMP/k.trace" --keep "$TMP/capture" -- "$KNOWN" 2>&1)
rc=$?
check "record exits 0 (got $rc)" '[ $rc -eq 0 ]'
known=$(grep '^known ' <<<"$out")
check "the program ran and said what it did: $known" '[ -n "$known" ]'
get() { sed -n "s/.* $1=\([0-9a-fx]*\).*/\1/p" <<<"$known"; }
N=$(get N) Z=$(get Z) M=$(get M) K=$(get K) BASE=$(get base) ZBASE=$(get zbase)
[ -n "$N" ] || { finish; exit 1; }
END=$(printf '%#x' $((ZBASE + Z * 4096)))
# ops of the trace in the region, by kind
trace_ops() {
  local stream time op va rest
  while read -r stream time op va rest; do
    [[ $time == @* && $va == 0x* ]] || continue
    (( va >= BASE && va < END )) && echo "$op"
  done <"$TMP/k.trace" | sort | uniq -c | awk '{ print $2, $1 }'
}
ops=$(trace_ops)
count() { awk -v k="$1" '$1 == k { print $2 }' <<<"$2"; }
check "trace: $((N + Z + M + K)) writes (N first touches + Z zero-page writes + M COW + K reuse writes)" \
  '[ "$(count write "$ops")" = $((N + Z + M + K)) ]'
check "trace: $Z reads (the zero-page reads)" '[ "$(count read "$ops")" = "$Z" ]'
for k in mmap:2 mprotect:1 madv_dontneed:1 madv_free:1 munmap:2; do
  check "trace: ${k%:*} x ${k#*:}" '[ "$(count "${k%:*}" "$ops")" = "${k#*:}" ]'
done
check "trace: one fork, two exits (the child's and the program's)" \
  '[ "$(grep -c " fork p" "$TMP/k.trace")" = 1 ] && [ "$(grep -c " exit$" "$TMP/k.trace")" = 2 ]'
check "trace: the child is a forked process" 'grep -q "^process p[0-9]* forked$" "$TMP/k.trace"'
check "trace header: the capture and the synthetic device side" \
  'grep -q "^capture command $KNOWN" "$TMP/k.trace" && grep -q "^capture kernel Linux" "$TMP/k.trace" && grep -q "^capture device_side synthetic" "$TMP/k.trace"'
"$MNSIM" run -w "$TMP/k.trace" -o "$TMP/k.h5" >"$TMP/run.txt" 2>&1
check "the trace runs" '[ $? -eq 0 ]'
res=$("$OPS_COUNT" "$TMP/k.h5" "$BASE" "$END")
check "run: $M cow (the writes while the child lives)" '[ "$(count cow "$res")" = "$M" ]'
check "run: $Z zero_fault (writes to zero-page reads)" '[ "$(count zero_fault "$res")" = "$Z" ]'
check "run: $K wp_reuse (the child's exit released its references)" '[ "$(count wp_reuse "$res")" = "$K" ]'
# The synthetic device side touches the program's own pages too: a CPU fault
# whose page the device's page request fixed first is given up, as the
# kernel's pte_same check gives it up.  Any other op given up is a bug.
summary=$(grep -E "^(cpu_sigsegv|ops_skipped|violations) " "$TMP/run.txt" | awk '{ printf "%s=%s ", $1, $2 }')
check "run: no CPU SIGSEGV, no violation, every op given up lost a race ($summary$(grep unraced <<<"$res"))" \
  'grep -Eq "^cpu_sigsegv +0$" "$TMP/run.txt" && grep -Eq "^violations +0$" "$TMP/run.txt" && [ "$(count unraced_skips "$res")" = 0 ]'
# the kept capture converts again to the same trace
"$MNSIM" import "$TMP/capture/perf.txt" --maps "$TMP/capture/maps" --pages "$TMP/capture/pages" -o "$TMP/again.trace" >/dev/null
check "import of the kept capture gives the same events" \
  'cmp -s <(grep -v "^capture\|^#" "$TMP/k.trace") <(grep -v "^capture\|^#" "$TMP/again.trace")'
finish
