#!/usr/bin/env bash
# Workload tests: `mnsim gen` is deterministic and the committed library
# traces are what their specs generate; spec errors name file:line; every
# library workload runs with zero violations under the correct policies.
# Usage: workload_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

for spec in "$SRC"/workloads/specs/*.gen; do
  name=$(basename "$spec" .gen)
  if "$MNSIM" gen -s "$spec" -o "$TMP/$name.trace" && cmp -s "$TMP/$name.trace" "$SRC/workloads/$name.trace"; then
    ok "gen_reproduces_$name"
  else
    ko "gen_reproduces_$name: regenerate with: mnsim gen -s workloads/specs/$name.gen -o workloads/$name.trace"
  fi
done

"$MNSIM" gen seed=7 cpu_ops=50 device_ops=100 -o "$TMP/a.trace"
"$MNSIM" gen seed=7 cpu_ops=50 device_ops=100 -o "$TMP/b.trace"
"$MNSIM" gen seed=8 cpu_ops=50 device_ops=100 -o "$TMP/c.trace"
if cmp -s "$TMP/a.trace" "$TMP/b.trace" && ! cmp -s "$TMP/a.trace" "$TMP/c.trace"; then ok gen_seeded; else ko gen_seeded; fi

for pattern in sequential uniform zipf strided; do
  if "$MNSIM" gen pattern=$pattern cpu_ops=20 device_ops=200 -o "$TMP/p.trace" &&
     "$MNSIM" run -w "$TMP/p.trace" -o "$TMP/p.h5" >/dev/null; then ok "gen_pattern_$pattern"; else ko "gen_pattern_$pattern"; fi
done

printf 'cpu_threads = 2\npages = 64\nfrobnicate = 3\n' >"$TMP/bad.gen"
out=$("$MNSIM" gen -s "$TMP/bad.gen" -o "$TMP/bad.trace" 2>&1)
if [ $? -eq 1 ] && grep -qF "bad.gen:3: unknown key 'frobnicate'" <<<"$out" && [ ! -e "$TMP/bad.trace" ]; then ok gen_bad_key; else ko "gen_bad_key: $out"; fi
printf 'pages = 64\npages = 128\n' >"$TMP/dup.gen"
out=$("$MNSIM" gen -s "$TMP/dup.gen" -o "$TMP/dup.trace" 2>&1)
if [ $? -eq 1 ] && grep -qF "dup.gen:2: key 'pages' set twice" <<<"$out"; then ok gen_duplicate_key; else ko "gen_duplicate_key: $out"; fi
out=$("$MNSIM" gen pages=3 -o "$TMP/x.trace" 2>&1)
if [ $? -eq 2 ] && grep -qF "pages='3': out of range" <<<"$out"; then ok gen_range; else ko "gen_range: $out"; fi

for t in "$SRC"/workloads/*.trace; do
  name=$(basename "$t" .trace)
  for policy in double only_end secondary_tlbs minimal; do
    v=$("$MNSIM" run -w "$t" --policy $policy -o "$TMP/run.h5" | awk '$1 == "violations" { print $2 }')
    if [ "$v" = "0" ]; then ok "clean_${name}_$policy"; else ko "clean_${name}_$policy: violations=$v"; fi
  done
done

finish
