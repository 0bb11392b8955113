#!/usr/bin/env bash
# Figures and report: every figure kind is produced, as PNG and as SVG, from
# a small set of results, is a valid file of non-trivial size; the report is
# a page with its figures inlined; bad requests fail clearly; figures and
# reports are written whole or not at all, and stay small on big runs.
# Usage: plot_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
SEED=$SRC/workloads/litmus/01-seed-cow-order.trace

"$MNSIM" compare -w "$SEED" --set record_events=1 -o "$TMP/cmp" >/dev/null || ko compare
for kind in compare per-op latency-cdf ptl-hold notifications qi-occupancy device-stall timeline; do
  for fmt in png svg; do
    out="$TMP/$kind.$fmt"
    if ! "$MNSIM" plot "$TMP/cmp" --kind $kind -o "$out" >/dev/null 2>"$TMP/err"; then ko "plot_${kind}_$fmt: $(cat "$TMP/err")"; continue; fi
    size=$(stat -c %s "$out")
    if [ $fmt = png ]; then valid=$(head -c 8 "$out" | od -An -c | tr -d ' ' | grep -c '211PNG'); else valid=$(grep -c '</svg>' "$out"); fi
    if [ "$valid" -ge 1 ] && [ "$size" -gt 8000 ] && [ -s "$TMP/$kind.tsv" ]; then ok "plot_${kind}_$fmt ($size bytes)"; else ko "plot_${kind}_$fmt: valid=$valid size=$size"; fi
  done
done
check plots_leave_no_temporary_files '! compgen -G "$TMP/*.tmp.*" >/dev/null'
# the timeline shows unsafe_end's violations (the first run with any) and, with events, range_start marks
check timeline_of_the_violations "grep -q 'violations: time' $TMP/timeline.tsv && [ \$(awk '/^# violations/ {on=1; next} on && /^[0-9]/ {n++} END {print n+0}' $TMP/timeline.tsv) -eq 2 ]"
# the compare figure says 0 violations (labels), never an empty panel
check compare_labels_zero "awk -F'\t' 'NR > 1 && \$1 == \"double\"' $TMP/compare.tsv | grep -q ."

"$MNSIM" report "$TMP/cmp" -o "$TMP/report" >/dev/null
page="$TMP/report/index.html"
if [ -s "$page" ] && [ "$(grep -c '<svg' "$page")" -ge 7 ] && grep -q '<h2>Violations</h2>' "$page" &&
   grep -q '<h2>Configuration</h2>' "$page" && grep -q 'unsafe_end: 1 stale_read, 1 order_violation' "$page"; then ok report_page; else ko report_page; fi
check report_headline "grep -q 'Correct on this workload:</b> double, only_end, secondary_tlbs, minimal' $page && grep -q 'Not correct:</b> unsafe_end: 2 violations' $page"
check report_per_op "grep -q 'Per op: which op pays' $page && grep -q '<b>cow</b>' $page"
check report_config_units "grep -q '<code>qi_iotlb_latency</code></td><td>100 ns</td>' $page && grep -q 'class=\"prov cited\"' $page"
check report_nondefault_highlighted "grep -q '<tr class=changed><td class=l><code>record_events</code>' $page"
# choices are in the table too, by name: the kernel replayed, the window distribution
check report_config_choices "grep -q '<code>kernel</code></td><td>4.14</td><td>auto</td>' $page && grep -q '<code>preempt_dist</code></td><td>const</td>' $page"
if grep -qE 'src="(http|//)' "$page"; then ko report_self_contained; else ok report_self_contained; fi
check report_no_empty_section "! grep -qE '<h2>[^<]*</h2>[[:space:]]*<h2>' $page"

# no violations: no Violations section, the headline says so
"$MNSIM" compare -w "$SEED" --policies double,only_end -o "$TMP/clean" >/dev/null
"$MNSIM" report "$TMP/clean" -o "$TMP/clean-report" >/dev/null
check report_without_violations "! grep -q '<h2>Violations' $TMP/clean-report/index.html && grep -q 'no violation' $TMP/clean-report/index.html"

# a queue that changes occupancy many thousand times: the figure's data stay
# bounded and the plot ends (it used to step backwards and grow without end)
"$MNSIM" gen cpu_ops=4000 device_ops=4000 -o "$TMP/busy.trace" >/dev/null
"$MNSIM" run -w "$TMP/busy.trace" -o "$TMP/busy.h5" >/dev/null
changes=$(h5dump -H "$TMP/busy.h5" | awk '/DATASET "qi_occupancy"/ {on=1} on && /DATASPACE/ {gsub(/[^0-9 ]/, " "); print $1; exit}')
timeout 60 "$MNSIM" plot "$TMP/busy.h5" --kind qi-occupancy -o "$TMP/busy.png" >/dev/null 2>&1; rc=$?
check qi_occupancy_many_changes "[ ${changes:-0} -gt 5000 ] && [ $rc -eq 0 ] && [ \$(stat -c %s $TMP/busy.tsv) -lt 100000 ]"
timeout 120 "$MNSIM" report "$TMP/busy.h5" -o "$TMP/busy-report" >/dev/null 2>&1; rc=$?
check report_many_changes "[ $rc -eq 0 ] && [ -s $TMP/busy-report/index.html ]"

# a full disk (a file-size limit, SIGXFSZ ignored so that writes fail):
# report and plot say so, exit 1, and leave no index.html or partial figure
( trap '' XFSZ; ulimit -f 40; exec "$MNSIM" report "$TMP/cmp" -o "$TMP/full-report" ) >"$TMP/full.out" 2>&1; rc=$?
check report_disk_full "[ $rc -eq 1 ] && grep -q 'disk full' $TMP/full.out && [ ! -e $TMP/full-report/index.html ] && ! compgen -G '$TMP/full-report/*.tmp.*' >/dev/null"
( trap '' XFSZ; ulimit -f 8; exec "$MNSIM" plot "$TMP/busy.h5" --kind latency-cdf -o "$TMP/full.svg" ) >"$TMP/full.out" 2>&1; rc=$?
check plot_disk_full "[ $rc -eq 1 ] && grep -q 'disk full' $TMP/full.out && [ ! -e $TMP/full.svg ] && ! compgen -G '$TMP/full.*.tmp.*' >/dev/null"

# an interrupted compare: the report says the set is incomplete and what is
# missing, and leaves out the files of an earlier compare in the directory
mkdir -p "$TMP/part"
"$MNSIM" run -w "$SEED" --policy double -o "$TMP/part/double.h5" >/dev/null
"$MNSIM" run -w "$SEED" --policy minimal -o "$TMP/part/minimal.h5" >/dev/null
printf '# mnsim compare\ntrace = %s\nseeds = 1\npolicies = double, only_end\ndone = double 1 double.h5\n' "$SEED" >"$TMP/part/compare.manifest"
"$MNSIM" report "$TMP/part" -o "$TMP/part-report" >/dev/null 2>&1
check report_incomplete_set "grep -q 'Incomplete set' $TMP/part-report/index.html && grep -q 'missing: <b>only_end</b>' $TMP/part-report/index.html && grep -q 'left out): minimal.h5' $TMP/part-report/index.html"
check report_incomplete_excludes_stale "! grep -q '<td class=l><b>minimal</b>' $TMP/part-report/index.html"
# a compare interrupted before any run finished: its manifest has no status
"$MNSIM" gen cpu_ops=100000 device_ops=100000 -o "$TMP/longer.trace" >/dev/null
"$MNSIM" compare -w "$TMP/longer.trace" --policies double,only_end -o "$TMP/int" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 2000); do compgen -G "$TMP/int/double.h5.tmp.*" >/dev/null && break; sleep 0.01; done
kill -INT $pid; wait $pid; rc=$?
out=$("$MNSIM" report "$TMP/int" -o "$TMP/int-report" 2>&1); rc2=$?
check compare_interrupted_marked "[ $rc -eq 130 ] && ! grep -q '^status' $TMP/int/compare.manifest && [ $rc2 -eq 1 ] && grep -q 'none finished' <<<\"\$out\""

# seeds: mean and 95 % CI (Student t) in the table, the files, the report
out=$("$MNSIM" compare -w "$SRC/workloads/litmus/02-munmap-gather-reuse.trace" --policies double,unsafe_end --seeds 3 \
      --set preempt_dist=exp --set preempt_window=2us -o "$TMP/seeds" 2>&1)
check compare_seeds_files "[ -s $TMP/seeds/double.seed3.h5 ] && [ -s $TMP/seeds/unsafe_end.seed1.h5 ] && grep -q '95% confidence interval over 3 seeds' <<<\"\$out\""
"$MNSIM" report "$TMP/seeds" -o "$TMP/seeds-report" >/dev/null
check report_seeds "grep -q 'Means over 3 seeds' $TMP/seeds-report/index.html && grep -q ' ± ' $TMP/seeds-report/index.html"

"$MNSIM" run -w "$SEED" -o "$TMP/noev.h5" >/dev/null
out=$("$MNSIM" plot "$TMP/noev.h5" --kind timeline -o "$TMP/t.png" 2>&1)
check timeline_without_events "[ $? -eq 0 ] && grep -q '^# ops' $TMP/t.tsv"
out=$("$MNSIM" plot "$TMP/cmp" --kind pie -o "$TMP/p.png" 2>&1)
if [ $? -eq 2 ] && grep -qF "unknown figure kind 'pie'" <<<"$out"; then ok unknown_kind; else ko "unknown_kind: $out"; fi
out=$("$MNSIM" plot "$TMP/cmp" --kind compare -o "$TMP/p.jpg" 2>&1)
if [ $? -eq 2 ] && grep -qF "must end in .png or .svg" <<<"$out"; then ok bad_extension; else ko "bad_extension: $out"; fi
echo notanhdf5 >"$TMP/bad.h5"
out=$("$MNSIM" plot "$TMP/bad.h5" --kind compare -o "$TMP/p.png" 2>&1)
if [ $? -eq 1 ] && grep -qF "not an HDF5 result file" <<<"$out"; then ok not_hdf5; else ko "not_hdf5: $out"; fi
mkdir -p "$TMP/empty"
out=$("$MNSIM" report "$TMP/empty" -o "$TMP/empty-report" 2>&1)
check report_not_results "[ $? -eq 1 ] && grep -q 'no result file' <<<\"\$out\" && [ ! -e $TMP/empty-report/index.html ]"

finish
