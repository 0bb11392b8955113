#!/usr/bin/env bash
# A run ends with the model's answer or fails (issue 16): the generated
# workloads that deadlocked the invalidation queue now finish, under every
# policy that deadlocked; what cannot finish is refused or fails with a
# message and no result file; the model's own invariant check is on and
# quiet on large racing runs.  The random search for more is tests/stress.
# Usage: correctness_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# 1. fork-cow, 8 CPU threads: double stopped at 908 of its kernel ops with the
# queue stuck at 254 of 256 slots, "deadlock detected" at 90 s, exit 0.
"$MNSIM" gen -s workloads/specs/fork-cow.gen cpu_threads=8 cpu_ops=1000 device_ops=2500 seed=1 -o "$TMP/dl.trace" >/dev/null
for p in double only_end; do
  "$MNSIM" run -w "$TMP/dl.trace" --policy "$p" -o "$TMP/dl-$p.h5" >"$TMP/dl-$p.sum" 2>"$TMP/dl-$p.err"
  rc=$?
  ops=$(val kernel_ops "$TMP/dl-$p.sum"); t=$(val sim_time "$TMP/dl-$p.sum"); q=$(val qi_max_used "$TMP/dl-$p.sum")
  check "fork-cow x8 under $p finishes (exit $rc, $ops ops, sim_time $t s, queue peak $q slots)" \
    "[ $rc -eq 0 ] && [ \"\${ops:-0}\" -ge 6000 ] && awk 'BEGIN { exit !(${t:-99} < 1) }' && [ \"\${q:-999}\" -lt 64 ] && ! grep -q -i deadlock '$TMP/dl-$p.err'"
done

# 2. ksm-host, 10 CPU threads, eight ATS devices: only_end and minimal
# deadlocked the same way (1,350 ops run, sim_time 90 s, exit 0).
"$MNSIM" gen -s workloads/specs/ksm-host.gen cpu_threads=10 cpu_ops=300 device_ops=1500 seed=102 -o "$TMP/ksm.trace" >/dev/null
for p in only_end minimal double; do
  "$MNSIM" run -w "$TMP/ksm.trace" --platform platforms/many-devices.xml --policy "$p" -o "$TMP/ksm-$p.h5" >"$TMP/ksm-$p.sum" 2>"$TMP/ksm-$p.err"
  rc=$?
  ops=$(val kernel_ops "$TMP/ksm-$p.sum"); t=$(val sim_time "$TMP/ksm-$p.sum")
  check "ksm-host x10 on many-devices under $p finishes (exit $rc, $ops ops, sim_time $t s)" \
    "[ $rc -eq 0 ] && [ \"\${ops:-0}\" -ge 3000 ] && awk 'BEGIN { exit !(${t:-99} < 1) }' && [ \"\$(val violations '$TMP/ksm-$p.sum')\" = 0 ]"
done

# 3. Every /qi_descriptors row starts after it is submitted and completes after it starts.
if command -v h5dump >/dev/null; then
  h5dump -d /qi_descriptors "$TMP/dl-double.h5" >"$TMP/qd.txt" 2>/dev/null
  rows=$(grep -c '^ *(' "$TMP/qd.txt")
  bad=$(awk '/^ *\(/ { getline s; getline st; getline d; gsub(/[ ,]/, "", s); gsub(/[ ,]/, "", st); gsub(/[ ,]/, "", d);
                      if (st + 0 < s + 0 || d + 0 < st + 0) n++ } END { print n + 0 }' "$TMP/qd.txt")
  check "queue descriptors in time order ($rows rows, $bad out of order)" "[ \"$rows\" -gt 1000 ] && [ \"$bad\" = 0 ]"
fi

# 4. What can never finish is refused before it runs: a cycle of forks.
cat >"$TMP/cycle.trace" <<'EOF'
mnsim-trace 2
process p0
map p0 0x10000000 8K populate=write
process a forked
process b forked
cpu t0 process=p0
cpu ta process=a
cpu tb process=b
ta @1us fork b
tb @1us fork a
t0 @1us write 0x10000000
EOF
"$MNSIM" run -w "$TMP/cycle.trace" -o "$TMP/cycle.h5" >/dev/null 2>"$TMP/cycle.err"
rc=$?
check "a fork cycle is refused with file:line (exit $rc)" \
  "[ $rc -eq 1 ] && grep -q 'cycle.trace:10: fork a: .b. descends from .a. itself' '$TMP/cycle.err' && [ ! -e '$TMP/cycle.h5' ]"

# 5. MNSIM_SET: as --set on every run; --set wins; a bad setting is an error.
MNSIM_SET=qi_depth=8 "$MNSIM" run -w workloads/litmus/01-seed-cow-order.trace -o "$TMP/env.h5" >/dev/null 2>&1
h5dump -a /config/iommu0/qi_depth "$TMP/env.h5" 2>/dev/null | grep -q '(0): 8' && ok "MNSIM_SET reaches the IOMMUs" ||
  { h5dump -A "$TMP/env.h5" 2>/dev/null | grep -A8 '"qi_depth"' | grep -q '(0): 8' && ok "MNSIM_SET reaches the IOMMUs" || ko "MNSIM_SET reaches the IOMMUs"; }
MNSIM_SET=qi_depth=8 "$MNSIM" run -w workloads/litmus/01-seed-cow-order.trace --set qi_depth=16 -o "$TMP/env2.h5" >/dev/null 2>&1
check "--set wins over MNSIM_SET" "h5dump -A '$TMP/env2.h5' | grep -A8 '\"qi_depth\"' | grep -q '(0): 16'"
MNSIM_SET=check_invariants=7 "$MNSIM" run -w workloads/litmus/01-seed-cow-order.trace -o "$TMP/env3.h5" >/dev/null 2>"$TMP/env3.err"
rc=$?
check "a bad MNSIM_SET value fails the run (exit $rc)" "[ $rc -ne 0 ] && grep -q MNSIM_SET '$TMP/env3.err' && [ ! -e '$TMP/env3.h5' ]"

# 6. The invariant check on a long racing run of every policy: quiet, and the same numbers as without it.
"$MNSIM" gen -s workloads/specs/mixed.gen cpu_threads=16 processes=3 pages=64 cpu_ops=300 device_ops=1000 seed=5 -o "$TMP/mix.trace" >/dev/null
for p in double only_end secondary_tlbs minimal unsafe_end; do
  "$MNSIM" run -w "$TMP/mix.trace" --policy "$p" --set check_invariants=1 -o "$TMP/inv.h5" >"$TMP/inv.sum" 2>"$TMP/inv.err"
  rc=$?
  "$MNSIM" run -w "$TMP/mix.trace" --policy "$p" --set check_invariants=0 -o "$TMP/noinv.h5" >"$TMP/noinv.sum" 2>/dev/null
  check "check_invariants=1 on 16 racing threads under $p: exit $rc, summary unchanged" \
    "[ $rc -eq 0 ] && cmp -s <(grep -v '^results' '$TMP/inv.sum') <(grep -v '^results' '$TMP/noinv.sum')"
done

# 7. gen device_hosts=PREFIX* names PREFIX0, PREFIX1, ...
"$MNSIM" gen devices=3 device_hosts='dev*' -o "$TMP/star.trace" >/dev/null 2>"$TMP/star.err"
check "gen device_hosts=dev* binds dev0, dev1, dev2" \
  "[ \"\$(grep -c '^device dev[012] ' '$TMP/star.trace')\" = 3 ]"

finish
