#!/usr/bin/env bash
# Coalesced sleeps change nothing but the engine counters: every workload
# here gives the same result file, dataset for dataset and attribute for
# attribute, and the same printed summary, with coalesce_sleeps=1 (the
# default) and 0.  Only the engine_* summary values and the setting itself
# differ.  The workloads: every shipped workload (workloads/*.trace) under
# only_end (the demo under double too); every litmus trace under the first
# policy its header names; and generated stress-like traces (translation-heavy, ATC-hit-heavy,
# CPU-op-heavy, many CPUs and devices racing on a few pages, a full
# invalidation queue, a dead device timing out, two IOMMUs, the event
# log), on which coalescing must also have happened; two of them again
# with the fluid PCIe model.  Then the serial and fluid PCIe models agree
# on traces whose messages never contend.
# MNSIM_THOROUGH=1 runs every shipped workload and litmus trace under all
# five policies (about 5x longer).
# Usage: coalescing_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

# h5dump without the attributes that may differ
dump() {
  h5dump "$1" | awk '
    /ATTRIBUTE "(engine_[a-z_]*|coalesce_sleeps)"/ { skip = 1; match($0, /^ */); indent = RLENGTH; next }
    skip { match($0, /^ */); if (RLENGTH == indent && $0 ~ /^ *}/) skip = 0; next }
    { print }'
}

total_coalesced=0
same_both_ways() { # NAME MUST_COALESCE TRACE POLICY [RUN-ARGS...]
  local name=$1 must=$2 trace=$3 policy=$4
  shift 4
  "$MNSIM" run -w "$trace" --policy "$policy" "$@" --set coalesce_sleeps=0 -o "$TMP/r.h5" >"$TMP/off.sum" &&
    dump "$TMP/r.h5" >"$TMP/off.txt" &&
    "$MNSIM" run -w "$trace" --policy "$policy" "$@" -o "$TMP/r.h5" >"$TMP/on.sum" &&
    dump "$TMP/r.h5" >"$TMP/on.txt" || { ko "$name: a run failed"; return; }
  local coalesced; coalesced=$(awk '$1 == "engine_coalesced" { print $2 }' "$TMP/on.sum")
  total_coalesced=$((total_coalesced + ${coalesced:-0}))
  if [ "$(wc -l <"$TMP/on.txt")" -gt 100 ] && cmp -s "$TMP/off.txt" "$TMP/on.txt" &&
     cmp -s <(grep -v '^engine_' "$TMP/off.sum") <(grep -v '^engine_' "$TMP/on.sum") &&
     { [ "$must" = any ] || [ "${coalesced:-0}" -gt 0 ]; }; then
    ok "$name ($coalesced sleeps coalesced)"
  else
    ko "$name: coalesced=${coalesced:-none}; $(diff "$TMP/off.txt" "$TMP/on.txt" | head -5 | tr '\n' ' ')"
  fi
}

all_policies="double only_end secondary_tlbs minimal unsafe_end"
for w in "$SRC"/workloads/*.trace; do
  policies=only_end
  [ "${MNSIM_THOROUGH:-0}" = 1 ] && policies=$all_policies
  for p in $policies; do
    same_both_ways "$(basename "$w" .trace)_$p" coalesce "$w" "$p"
  done
done
[ "${MNSIM_THOROUGH:-0}" = 1 ] || same_both_ways demo-mixed_double coalesce "$SRC/workloads/demo-mixed.trace" double

for w in "$SRC"/workloads/litmus/*.trace; do
  if [ "${MNSIM_THOROUGH:-0}" = 1 ]; then
    policies=$all_policies
  else
    policies=$(awk '$1 == "expect" { print $2; exit }' "$w")
  fi
  for p in $policies; do
    same_both_ways "litmus_$(basename "$w" .trace | cut -c1-2)_$p" any "$w" "$p"
  done
done

gen() { # NAME GEN-ARGS...
  local name=$1; shift
  "$MNSIM" gen "$@" -o "$TMP/$name.trace" >/dev/null || ko "gen $name"
}
gen atc cpu_threads=1 cpu_ops=20 devices=2 device_threads=2 device_ops=5000 device_gap=100ns pages=32 pattern=zipf
same_both_ways atc_hit_heavy coalesce "$TMP/atc.trace" only_end
gen xlate cpu_threads=1 cpu_ops=20 devices=3 device_threads=2 device_ops=2000 device_gap=100ns
same_both_ways translation_heavy coalesce "$TMP/xlate.trace" double
gen cpu cpu_threads=8 cpu_ops=300 devices=1 device_ops=100 cpu_gap=1us
same_both_ways cpu_op_heavy coalesce "$TMP/cpu.trace" only_end
# many CPUs and devices racing on 16 pages, with every op kind and PRI faults
gen race processes=2 cpu_threads=16 cpu_ops=60 cpu_gap=500ns devices=6 device_threads=2 device_ops=400 device_gap=50ns \
  pages=16 huge_pages=2 write_ratio=0.5
same_both_ways race_unsafe_end coalesce "$TMP/race.trace" unsafe_end -p "$SRC/platforms/many-devices.xml"
same_both_ways race_secondary_tlbs coalesce "$TMP/race.trace" secondary_tlbs -p "$SRC/platforms/many-devices.xml"
# a queue of 8 slots: QI-full stalls
same_both_ways qi_full coalesce "$TMP/cpu.trace" double --set qi_depth=8
# a device that never answers an ATS invalidation: time-outs (ITE) and retries
same_both_ways dead_device coalesce "$TMP/cpu.trace" only_end --set ats_inv_responds=0 --set ats_inv_timeout=20us
# two IOMMUs, a slow walker (translations racing invalidations), the event log
gen race2 processes=2 cpu_threads=8 cpu_ops=60 cpu_gap=500ns devices=2 device_hosts=devA,devB device_threads=2 device_ops=400 \
  device_gap=50ns pages=16 huge_pages=2 write_ratio=0.5
same_both_ways two_iommus coalesce "$TMP/race2.trace" double -p "$SRC/tests/data/two-iommus.xml" --set walk_latency=2us
same_both_ways event_log coalesce "$TMP/race.trace" minimal -p "$SRC/platforms/many-devices.xml" --set record_events=1
# the fluid PCIe model (SimGrid communications) coalesces as exactly
same_both_ways translation_heavy_fluid coalesce "$TMP/xlate.trace" double --set pcie_model=fluid
same_both_ways race_fluid coalesce "$TMP/race.trace" secondary_tlbs -p "$SRC/platforms/many-devices.xml" --set pcie_model=fluid
check some_sleeps_coalesced "[ $total_coalesced -gt 100000 ]"

# The two PCIe models differ only in when contending messages arrive (a
# few nanoseconds at the presets' bandwidths): on every litmus trace they
# give the same counts (every summary value that is not a time), and the
# same times wherever no two messages overlap on a link.
same_counts=0 same_all=0 litmus_n=0
for w in "$SRC"/workloads/litmus/*.trace; do
  p=$(awk '$1 == "expect" { print $2; exit }' "$w")
  litmus_n=$((litmus_n + 1))
  for m in serial fluid; do
    "$MNSIM" run -w "$w" --policy "$p" --set pcie_model=$m -o "$TMP/m.h5" | grep -v '^engine_\|^results' >"$TMP/$m.sum"
  done
  cmp -s "$TMP/serial.sum" "$TMP/fluid.sum" && same_all=$((same_all + 1))
  cmp -s <(grep -v ' s$' "$TMP/serial.sum") <(grep -v ' s$' "$TMP/fluid.sum") && same_counts=$((same_counts + 1))
done
check "serial and fluid PCIe: the same counts on all $litmus_n litmus traces (got $same_counts)" "[ $same_counts = $litmus_n ] && [ $litmus_n -gt 40 ]"
check "serial and fluid PCIe: the same times too on most litmus traces ($same_all of $litmus_n)" "[ $same_all -ge $((litmus_n - 5)) ]"
finish
