#!/usr/bin/env bash
# Coalesced sleeps change nothing but the engine counters: every workload
# here gives the same result file, dataset for dataset and attribute for
# attribute, with coalesce_sleeps=1 (the default) and 0, and coalescing did
# happen.  Only the engine_* summary values and the setting itself differ.
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

same_both_ways() { # NAME TRACE POLICY
  local name=$1 trace=$2 policy=$3
  "$MNSIM" run -w "$trace" --policy "$policy" --set coalesce_sleeps=0 -o "$TMP/r.h5" >/dev/null &&
    dump "$TMP/r.h5" >"$TMP/off.txt" &&
    "$MNSIM" run -w "$trace" --policy "$policy" -o "$TMP/r.h5" >"$TMP/on.sum" &&
    dump "$TMP/r.h5" >"$TMP/on.txt" || { ko "$name: a run failed"; return; }
  local coalesced; coalesced=$(awk '$1 == "engine_coalesced" { print $2 }' "$TMP/on.sum")
  if [ "$(wc -l <"$TMP/on.txt")" -gt 100 ] && cmp -s "$TMP/off.txt" "$TMP/on.txt" && [ "${coalesced:-0}" -gt 0 ]; then
    ok "$name ($coalesced sleeps coalesced)"
  else
    ko "$name: coalesced=${coalesced:-none}; $(diff "$TMP/off.txt" "$TMP/on.txt" | head -5 | tr '\n' ' ')"
  fi
}

same_both_ways demo_double "$SRC/workloads/demo-mixed.trace" double
same_both_ways demo_only_end "$SRC/workloads/demo-mixed.trace" only_end
same_both_ways fork_cow "$SRC/workloads/fork-cow.trace" only_end
same_both_ways memory_pressure "$SRC/workloads/memory-pressure.trace" secondary_tlbs
same_both_ways litmus_seed_unsafe "$SRC/workloads/litmus/01-seed-cow-order.trace" unsafe_end
same_both_ways litmus_pri_faults "$SRC/workloads/litmus/11-device-pri-faults.trace" only_end
"$MNSIM" gen cpu_threads=1 cpu_ops=20 devices=2 device_threads=2 device_ops=5000 device_gap=100ns pages=32 pattern=zipf \
  -o "$TMP/atc.trace" >/dev/null
same_both_ways atc_hit_heavy "$TMP/atc.trace" only_end
"$MNSIM" gen cpu_threads=1 cpu_ops=20 devices=3 device_threads=2 device_ops=2000 device_gap=100ns -o "$TMP/xlate.trace" >/dev/null
same_both_ways translation_heavy "$TMP/xlate.trace" double
"$MNSIM" gen cpu_threads=8 cpu_ops=300 devices=1 device_ops=100 cpu_gap=1us -o "$TMP/cpu.trace" >/dev/null
same_both_ways cpu_op_heavy "$TMP/cpu.trace" only_end
finish
