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

# Slurm: the job array script, not submitted
out=$("$MNSIM" sweep "$TMP/grid.sweep" -o "$TMP/s" --slurm --partition debug --time 00:10:00 --chunks 4 --dry-run 2>&1)
check slurm_script "grep -q '#SBATCH --array=0-3' $TMP/s/sweep.sbatch && grep -q '#SBATCH --partition=debug' $TMP/s/sweep.sbatch && grep -q -- '--chunk \"\$SLURM_ARRAY_TASK_ID/4\"' $TMP/s/sweep.sbatch"
# the command an array task runs does its chunk only
out=$("$MNSIM" sweep "$TMP/s/sweep.spec" -o "$TMP/c" -j 1 --chunk 1/4 2>&1)
check chunk_runs_its_share "grep -q '3 points in this chunk: 3 run now' <<<\"\$out\""

finish
