#!/usr/bin/env bash
# compare and size-queue with -j: the runs (policies) go in parallel child
# processes through the worker pool sweep uses, and everything they write and
# print is the same as with -j 1; an interrupted compare leaves no temporary
# file behind.
# Usage: parallel_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

W=$SRC/workloads/demo-mixed.trace
"$MNSIM" compare -w "$W" -o "$TMP/c1" -j 1 >"$TMP/c1.out" 2>&1 || ko "compare -j 1 failed"
"$MNSIM" compare -w "$W" -o "$TMP/c2" -j 2 >"$TMP/c2.out" 2>&1 || ko "compare -j 2 failed"
same=1
for p in double only_end secondary_tlbs minimal unsafe_end; do cmp -s "$TMP/c1/$p.h5" "$TMP/c2/$p.h5" || same=0; done
check compare_files_same_at_j2 "[ $same -eq 1 ] && cmp -s $TMP/c1/compare.tsv $TMP/c2/compare.tsv"
check compare_table_same_at_j2 "diff <(sed 's#$TMP/c1#D#g' $TMP/c1.out) <(sed 's#$TMP/c2#D#g' $TMP/c2.out) >/dev/null && grep -q 'ratio to double' $TMP/c1.out"
"$MNSIM" compare -w "$W" -o "$TMP/c3" -j 0 >/dev/null 2>"$TMP/err"
check compare_bad_jobs "[ $? -eq 2 ] && grep -q 'expected 1 to 1024 parallel runs' $TMP/err"
"$MNSIM" run -w "$W" -j 2 >/dev/null 2>&1
check run_has_no_jobs "[ $? -eq 2 ]"

T=$SRC/tests/data/four-cpus.trace
"$MNSIM" size-queue -w "$T" --policy all --target 'notify_latency_p99<=2us' -o "$TMP/q1" -j 1 >"$TMP/q1.out" 2>&1
rc1=$?
"$MNSIM" size-queue -w "$T" --policy all --target 'notify_latency_p99<=2us' -o "$TMP/q2" -j 3 >"$TMP/q2.out" 2>&1
rc2=$?
check size_queue_same_at_j3 "[ $rc1 -eq $rc2 ] && diff <(sed 's#$TMP/q1#D#g' $TMP/q1.out) <(sed 's#$TMP/q2#D#g' $TMP/q2.out) >/dev/null && cmp -s $TMP/q1/size-queue.tsv $TMP/q2/size-queue.tsv && [ \$(grep -c 'qi_depth' $TMP/q1.out) -ge 5 ]"

# interrupted while the runs go: exit 130, no temporary result file left
"$MNSIM" gen cpu_ops=4000 device_ops=8000 -o "$TMP/long.trace" >/dev/null
"$MNSIM" compare -w "$TMP/long.trace" -o "$TMP/ci" -j 2 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do compgen -G "$TMP/ci/*.tmp.*" >/dev/null && break; sleep 0.05; done
kill -INT $pid
wait $pid; rc=$?
check compare_interrupted_exit "[ $rc -eq 130 ]"
check compare_interrupted_no_tmp "! compgen -G '$TMP/ci/*.tmp.*' >/dev/null"
finish
