#!/usr/bin/env bash
# Sweeps: a grid runs in parallel, re-running skips finished points, a failed
# point is reported and retried, an interrupted sweep loses and duplicates
# nothing, the merge holds one row per point and a mean/CI row per point
# without its seed; Slurm's job script is written.
# Usage: sweep_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

cat >"$TMP/grid.sweep" <<SPEC
# 2 policies x 3 depths x 2 seeds = 12 points
workload = $SRC/workloads/demo-mixed.trace
policy = double, only_end
qi_depth = 8..32 *2
seeds = 2
SPEC
out=$("$MNSIM" sweep "$TMP/grid.sweep" -o "$TMP/s" -j 2 --csv 2>&1)
check sweep_runs "grep -q '12 points: 12 run now, 0 already done, 0 failed' <<<\"\$out\""
check sweep_files "[ \$(ls $TMP/s/points/*.h5 | wc -l) -eq 12 ]"
out=$("$MNSIM" sweep "$TMP/grid.sweep" -o "$TMP/s" -j 2 2>&1)
check sweep_resumes "grep -q '0 run now, 12 already done' <<<\"\$out\""
check merged_points "[ \$(tail -n +2 $TMP/s/sweep.csv | wc -l) -eq 12 ]"
check merged_aggregate "[ \$(tail -n +2 $TMP/s/sweep-aggregate.csv | wc -l) -eq 6 ]"
check merged_h5 "h5dump -H $TMP/s/sweep.h5 | grep -q 'op_latency_p99_ci95'"
check merged_columns "head -1 $TMP/s/sweep.csv | grep -q '^workload,policy,qi_depth,seed,'"
# the merge's mean equals the mean of the two seeds' rows
check merged_mean "awk -F, 'NR>1 && \$2==\"\\\"double\\\"\" && \$3==8 { s += \$NF; n++ } END { exit !(n == 2) }' $TMP/s/sweep.csv"

# a failing point (a platform that is not XML) is reported with its error and retried
cat >"$TMP/bad.sweep" <<SPEC
workload = $SRC/workloads/litmus/01-seed-cow-order.trace
platform = $SRC/platforms/vtd-like.xml, $SRC/tests/bad-inputs/not-xml.xml
SPEC
out=$("$MNSIM" sweep "$TMP/bad.sweep" -o "$TMP/b" -j 2 2>&1); rc=$?
check failed_point_reported "[ $rc -eq 1 ] && grep -q 'failed' <<<\"\$out\" && [ \$(ls $TMP/b/points/*.err | wc -l) -eq 1 ]"
out=$("$MNSIM" sweep "$TMP/bad.sweep" -o "$TMP/b" -j 2 2>&1)
check failed_point_retried "grep -q '1 run now, 1 already done, 1 failed\|0 run now, 1 already done, 1 failed' <<<\"\$out\""

# interrupted: nothing half-written, nothing lost, nothing duplicated
"$MNSIM" gen cpu_ops=3000 device_ops=3000 -o "$TMP/long.trace" >/dev/null
cat >"$TMP/long.sweep" <<SPEC
workload = $TMP/long.trace
qi_depth = 8..128 *2
seeds = 4
SPEC
"$MNSIM" sweep "$TMP/long.sweep" -o "$TMP/l" -j 2 >/dev/null 2>&1 &
pid=$!
# interrupt once the first point is done (not after a fixed time: machines differ)
for _ in $(seq 600); do compgen -G "$TMP/l/points/*.h5" >/dev/null && break; sleep 0.05; done
kill -INT $pid
wait $pid; rc=$?
check interrupted_exit "[ $rc -eq 130 ]"
check interrupted_no_tmp "! compgen -G '$TMP/l/points/*.tmp.*' >/dev/null"
before=$(ls "$TMP"/l/points/*.h5 2>/dev/null | wc -l)
out=$("$MNSIM" sweep "$TMP/long.sweep" -o "$TMP/l" -j 2 2>&1)
check interrupted_resumes "[ $before -ge 1 ] && [ $before -lt 20 ] && grep -q \"20 points: \$((20 - before)) run now, $before already done, 0 failed\" <<<\"\$out\""
check interrupted_no_duplicates "[ \$(ls $TMP/l/points/*.h5 | wc -l) -eq 20 ]"

# spec errors and a directory that holds another sweep
printf 'workload = %s\nqi_dept = 8\n' "$SRC/workloads/demo-mixed.trace" >"$TMP/e.sweep"
out=$("$MNSIM" sweep "$TMP/e.sweep" -o "$TMP/e" 2>&1); rc=$?
check spec_unknown_key "[ $rc -eq 1 ] && grep -qF 'e.sweep:2: unknown key' <<<\"\$out\""
printf 'workload = %s\nqi_depth = 8..4 *2\n' "$SRC/workloads/demo-mixed.trace" >"$TMP/r.sweep"
out=$("$MNSIM" sweep "$TMP/r.sweep" -o "$TMP/e" 2>&1); rc=$?
check spec_bad_range "[ $rc -eq 1 ] && grep -qF 'r.sweep:2: qi_depth: expected a range' <<<\"\$out\""
out=$("$MNSIM" sweep "$TMP/bad.sweep" -o "$TMP/s" 2>&1); rc=$?
check other_sweep_refused "[ $rc -eq 1 ] && grep -qF 'holds another sweep' <<<\"\$out\""

# the sweep figure: one line per policy, from /aggregate
out=$("$MNSIM" plot "$TMP/s" --kind sweep --x qi_depth --metric op_latency_p99 -o "$TMP/sweep.png" 2>&1)
check sweep_figure "[ -s $TMP/sweep.png ] && [ \$(grep -c '^# ' $TMP/sweep.tsv) -eq 2 ] && [ \$(grep -cE '^[0-9]' $TMP/sweep.tsv) -eq 6 ]"
# without --x: the only swept number is the x axis (it segfaulted); without --metric: a usage error
out=$("$MNSIM" plot "$TMP/s" --kind sweep --metric op_latency_p99 -o "$TMP/sweep2.png" 2>&1); rc=$?
check sweep_figure_default_x "[ $rc -eq 0 ] && cmp -s $TMP/sweep.tsv $TMP/sweep2.tsv"
out=$("$MNSIM" plot "$TMP/s" --kind sweep -o "$TMP/sweep3.png" 2>&1); rc=$?
check sweep_figure_needs_metric "[ $rc -eq 2 ] && grep -q 'give --metric' <<<\"\$out\""
out=$("$MNSIM" plot "$TMP/s" --kind sweep --x qi_dept --metric op_latency_p99 -o "$TMP/sweep3.png" 2>&1); rc=$?
check sweep_figure_unknown_axis "[ $rc -eq 1 ] && grep -q 'not a swept axis' <<<\"\$out\" && grep -q 'qi_depth' <<<\"\$out\""
# the merge's confidence interval uses the exact t quantile (t(0.975, 1) = 12.7062047)
cat >"$TMP/ci.sweep" <<SPEC
workload = $SRC/workloads/litmus/02-munmap-gather-reuse.trace
policy = unsafe_end
preempt_dist = exp
preempt_window = 2us
seeds = 2
SPEC
"$MNSIM" sweep "$TMP/ci.sweep" -o "$TMP/ci" -j 2 --csv >/dev/null 2>&1
col() { head -1 "$1" | tr , '\n' | grep -nx "$2" | cut -d: -f1; }
a=$(awk -F, -v c="$(col $TMP/ci/sweep.csv sim_time)" 'NR == 2 { print $c }' $TMP/ci/sweep.csv)
b=$(awk -F, -v c="$(col $TMP/ci/sweep.csv sim_time)" 'NR == 3 { print $c }' $TMP/ci/sweep.csv)
ci=$(awk -F, -v c="$(col $TMP/ci/sweep-aggregate.csv sim_time_ci95)" 'NR == 2 { print $c }' $TMP/ci/sweep-aggregate.csv)
# a swept duration is merged in seconds, as the run used it ("2us" is 2e-06, not 2)
check merged_duration_in_seconds "awk -F, -v c=\$(col $TMP/ci/sweep-aggregate.csv preempt_window) 'NR == 2 { exit !(\$c == 2e-06) }' $TMP/ci/sweep-aggregate.csv"
check merged_ci_student_t "awk -v a=$a -v b=$b -v ci=$ci 'BEGIN { d = a - b; if (d < 0) d = -d; want = 12.706204736174696 * d / 2;
  exit !(d > 0 && (ci - want) / want < 1e-9 && (want - ci) / want < 1e-9) }'"
check merged_attributes "h5dump -A $TMP/s/sweep.h5 | grep -q 'ATTRIBUTE \"spec\"' && h5dump -a /points_merged $TMP/s/sweep.h5 | grep -q '(0): 12' && h5dump -a /aggregate/op_latency_p99_mean $TMP/s/sweep.h5 | grep -q '\"s\"'"

# two workloads and two policies: one panel per workload, one line per policy, nothing left out
cat >"$TMP/two.sweep" <<SPEC
workload = $SRC/workloads/litmus/01-seed-cow-order.trace, $SRC/workloads/litmus/02-munmap-gather-reuse.trace
policy = double, unsafe_end
qi_depth = 8, 16
SPEC
"$MNSIM" sweep "$TMP/two.sweep" -o "$TMP/two" -j 2 >/dev/null 2>&1
out=$("$MNSIM" plot "$TMP/two" --kind sweep --metric violations -o "$TMP/two.png" 2>&1)
check sweep_figure_panel_per_workload "[ \$(grep -c \"^# panel 'workload=01-seed-cow-order.trace'\" $TMP/two.tsv) -eq 2 ] && [ \$(grep -c \"^# panel 'workload=02-munmap-gather-reuse.trace'\" $TMP/two.tsv) -eq 2 ] && [ \$(grep -cE '^[0-9]' $TMP/two.tsv) -eq 8 ]"
# the sweep report: figures against qi_depth with a panel per workload, the merged table
"$MNSIM" report "$TMP/two" -o "$TMP/two-report" >/dev/null 2>&1
page=$TMP/two-report/index.html
check sweep_report "[ \$(grep -c '<svg' $page) -ge 3 ] && grep -q 'Merged table' $page && grep -q 'Violations:</b> unsafe_end at 4 of 4 points' $page && ! grep -q 'policy ?' $page"
mkdir -p "$TMP/junk" && echo junk >"$TMP/junk/a.h5"
out=$("$MNSIM" report "$TMP/junk" -o "$TMP/bad-report" 2>&1); rc=$?
check report_refuses_non_results "[ $rc -eq 1 ] && grep -q 'not an HDF5 result file' <<<\"\$out\" && [ ! -e $TMP/bad-report/index.html ]"
# generator and sweep specs are not mistaken for each other
out=$("$MNSIM" sweep "$SRC/workloads/specs/mixed.gen" -o "$TMP/x" 2>&1); rc=$?
check sweep_refuses_gen_spec "[ $rc -eq 2 ] && grep -q 'generator spec' <<<\"\$out\""
out=$("$MNSIM" gen -s "$SRC/sweeps/queue-depth.sweep" -o "$TMP/x.trace" 2>&1); rc=$?
check gen_refuses_sweep_spec "[ $rc -eq 2 ] && grep -q 'sweep spec' <<<\"\$out\""

# the shipped example sweeps run (from the repository root, as documented) and report
for spec in "$SRC"/sweeps/*.sweep; do
  name=$(basename "$spec" .sweep)
  out=$(cd "$SRC" && "$MNSIM" sweep "sweeps/$name.sweep" -o "$TMP/ex-$name" -j 2 2>&1); rc=$?
  check "example_sweep_$name" "[ $rc -eq 0 ] && grep -q ' 0 failed' <<<\"\$out\" && [ -s $TMP/ex-$name/sweep.h5 ]"
  "$MNSIM" report "$TMP/ex-$name" -o "$TMP/ex-$name-report" >/dev/null 2>&1
  check "example_sweep_${name}_report" "[ \$(grep -c '<svg' $TMP/ex-$name-report/index.html) -ge 3 ]"
done

# Slurm: the job array script, not submitted
out=$("$MNSIM" sweep "$TMP/grid.sweep" -o "$TMP/s" --slurm --partition debug --time 00:10:00 --chunks 4 --dry-run 2>&1)
check slurm_script "grep -q '#SBATCH --array=0-3' $TMP/s/sweep.sbatch && grep -q '#SBATCH --partition=debug' $TMP/s/sweep.sbatch && grep -q -- '--chunk \"\$SLURM_ARRAY_TASK_ID/4\"' $TMP/s/sweep.sbatch"
# the command an array task runs does its chunk only
out=$("$MNSIM" sweep "$TMP/s/sweep.spec" -o "$TMP/c" -j 1 --chunk 1/4 2>&1)
check chunk_runs_its_share "grep -q '3 points in this chunk: 3 run now' <<<\"\$out\""

finish
