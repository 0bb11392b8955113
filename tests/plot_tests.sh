#!/usr/bin/env bash
# Figures and report: every figure kind is produced, as PNG and as SVG, from
# a small set of results, is a valid file of non-trivial size; the report is
# a page with its figures inlined; bad requests fail clearly.
# Usage: plot_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

"$MNSIM" compare -w "$SRC/workloads/litmus/01-seed-cow-order.trace" --set record_events=1 -o "$TMP/cmp" >/dev/null || ko compare
for kind in compare latency-cdf ptl-hold notifications qi-occupancy device-stall timeline; do
  input="$TMP/cmp"
  [ $kind = timeline ] && input="$TMP/cmp/unsafe_end.h5"
  for fmt in png svg; do
    out="$TMP/$kind.$fmt"
    if ! "$MNSIM" plot "$input" --kind $kind -o "$out" >/dev/null 2>"$TMP/err"; then ko "plot_${kind}_$fmt: $(cat "$TMP/err")"; continue; fi
    size=$(stat -c %s "$out")
    if [ $fmt = png ]; then valid=$(head -c 8 "$out" | od -An -c | tr -d ' ' | grep -c '211PNG'); else valid=$(grep -c '<svg' "$out"); fi
    if [ "$valid" -ge 1 ] && [ "$size" -gt 8000 ] && [ -s "$TMP/$kind.tsv" ]; then ok "plot_${kind}_$fmt ($size bytes)"; else ko "plot_${kind}_$fmt: valid=$valid size=$size"; fi
  done
done

"$MNSIM" report "$TMP/cmp" -o "$TMP/report" >/dev/null
page="$TMP/report/index.html"
if [ -s "$page" ] && [ "$(grep -c '<svg' "$page")" -ge 7 ] && grep -q '<h2>Violations</h2>' "$page" &&
   grep -q '<h2>Configuration</h2>' "$page" && grep -q 'unsafe_end: 2 violations' "$page"; then ok report_page; else ko report_page; fi
if grep -qE 'src="(http|//)' "$page"; then ko report_self_contained; else ok report_self_contained; fi

"$MNSIM" run -w "$SRC/workloads/litmus/01-seed-cow-order.trace" -o "$TMP/noev.h5" >/dev/null
out=$("$MNSIM" plot "$TMP/noev.h5" --kind timeline -o "$TMP/t.png" 2>&1)
if [ $? -eq 1 ] && grep -qF "record_events=1" <<<"$out"; then ok timeline_needs_events; else ko "timeline_needs_events: $out"; fi
out=$("$MNSIM" plot "$TMP/cmp" --kind pie -o "$TMP/p.png" 2>&1)
if [ $? -eq 1 ] && grep -qF "unknown figure kind 'pie'" <<<"$out"; then ok unknown_kind; else ko "unknown_kind: $out"; fi
out=$("$MNSIM" plot "$TMP/cmp" --kind compare -o "$TMP/p.jpg" 2>&1)
if [ $? -eq 1 ] && grep -qF "must end in .png or .svg" <<<"$out"; then ok bad_extension; else ko "bad_extension: $out"; fi
echo notanhdf5 >"$TMP/bad.h5"
out=$("$MNSIM" plot "$TMP/bad.h5" --kind compare -o "$TMP/p.png" 2>&1)
if [ $? -eq 1 ] && grep -qF "not an HDF5 result file" <<<"$out"; then ok not_hdf5; else ko "not_hdf5: $out"; fi

finish
