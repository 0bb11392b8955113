#!/usr/bin/env bash
# Command-line tests: exit codes, messages that name the file:line or the key,
# no result file left behind on bad input, and the HDF5 layout seen by h5dump.
# Usage: cli_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

# expect NAME EXIT_CODE FRAGMENT -- COMMAND...: runs COMMAND, checks its exit
# code and that stdout+stderr contain FRAGMENT.
expect() {
  local name=$1 code=$2 fragment=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -eq "$code" ] && grep -qF -- "$fragment" <<<"$out"; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name: exit $rc (expected $code), output:"; echo "$out" | head -20
  fi
}

# no_file NAME PATH: nothing named PATH or PATH.tmp.* exists
no_file() {
  if compgen -G "$2*" >/dev/null; then
    failed=$((failed + 1)); echo "FAIL $1: left behind: $(ls "$2"*)"
  else
    passed=$((passed + 1)); echo "ok   $1"
  fi
}

SEED=$SRC/workloads/litmus/01-seed-cow-order.trace
printf 'mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K\ncpu t0 process=p0\nt0 @1us write 0x1000 0x2000 0x3000\n' >"$TMP/bad.trace"
printf 'not a platform\n' >"$TMP/bad.xml"

expect no_args 2 "usage: mnsim COMMAND" -- "$MNSIM"
expect help 0 "commands:" -- "$MNSIM" --help
version=$("$MNSIM" --version | awk '{print $2; exit}')
expect version 0 "mnsim $version (SimGrid 3." -- "$MNSIM" --version
# every command's help: usage, the version, examples and the exit codes
for c in run compare check policies params gen plot report size-queue sweep; do
  out=$("$MNSIM" "$c" --help 2>&1); rc=$?
  check "help_$c" "[ $rc -eq 0 ] && grep -q 'usage: mnsim $c' <<<\"\$out\" && grep -q '(mnsim $version)' <<<\"\$out\" &&
    grep -q '^Examples' <<<\"\$out\" && grep -q '^Exit status: 0 done; 1 ' <<<\"\$out\""
  expect "version_$c" 0 "mnsim $version" -- "$MNSIM" "$c" --version
done
expect unknown_command 2 "unknown command 'frob'" -- "$MNSIM" frob
expect run_needs_output 2 "missing -o OUT.h5" -- "$MNSIM" run -w "$SEED"
expect run_needs_trace 2 "missing -w TRACE" -- "$MNSIM" run -o "$TMP/x.h5"
expect malformed_trace 1 "bad.trace:5: unexpected '0x2000'" -- "$MNSIM" run -w "$TMP/bad.trace" -o "$TMP/bad.h5"
no_file malformed_trace_leaves_nothing "$TMP/bad.h5"
expect missing_trace 1 "cannot open trace" -- "$MNSIM" run -w "$TMP/none.trace" -o "$TMP/none.h5"
no_file missing_trace_leaves_nothing "$TMP/none.h5"
expect unknown_parameter 2 "unknown parameter 'qi_dept'" -- "$MNSIM" run -w "$SEED" --set qi_dept=8 -o "$TMP/p.h5"
expect parameter_range 2 "parameter qi_depth='1': out of range" -- "$MNSIM" run -w "$SEED" --set qi_depth=1 -o "$TMP/p.h5"
expect unknown_policy 2 "unknown policy 'nope'" -- "$MNSIM" run -w "$SEED" --policy nope -o "$TMP/p.h5"
no_file bad_options_leave_nothing "$TMP/p.h5"
expect bad_platform 1 "bad.xml" -- "$MNSIM" run -w "$SEED" -p "$TMP/bad.xml" -o "$TMP/plat.h5"
no_file bad_platform_leaves_nothing "$TMP/plat.h5"
mkdir "$TMP/ro" && chmod 555 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
  expect unwritable_dir 1 "cannot create $TMP/ro/x.h5: Permission denied (EACCES" -- "$MNSIM" run -w "$SEED" -o "$TMP/ro/x.h5"
fi

# interrupted runs: exit 128+signal, a clear message, no file left.  The signal
# is sent once the run is known to be running (its temporary result file
# exists), on a workload that takes seconds: never after a fixed sleep, which
# a fast machine outruns.
"$MNSIM" gen cpu_ops=20000 device_ops=20000 -o "$TMP/long.trace" >/dev/null
"$MNSIM" gen cpu_ops=100000 device_ops=100000 -o "$TMP/longer.trace" >/dev/null
for sig in INT TERM; do
  "$MNSIM" run -w "$TMP/longer.trace" -o "$TMP/sig.h5" >"$TMP/sig.out" 2>&1 &
  pid=$!
  for _ in $(seq 2000); do compgen -G "$TMP/sig.h5.tmp.*" >/dev/null && break; sleep 0.01; done
  kill -$sig $pid
  wait $pid
  rc=$?
  want=$([ $sig = INT ] && echo 130 || echo 143)
  if [ $rc -eq "$want" ] && grep -q "interrupted by" "$TMP/sig.out"; then
    passed=$((passed + 1)); echo "ok   signal_$sig"
  else
    failed=$((failed + 1)); echo "FAIL signal_$sig: exit $rc (expected $want)"; cat "$TMP/sig.out"
  fi
  no_file "signal_${sig}_leaves_nothing" "$TMP/sig.h5"
done
# a full disk (a file-size limit): a clear message, no file left
( ulimit -f 64; "$MNSIM" run -w "$TMP/long.trace" -o "$TMP/full.h5" >"$TMP/full.out" 2>&1 ); rc=$?
if [ $rc -eq 1 ] && grep -q "disk full" "$TMP/full.out"; then
  passed=$((passed + 1)); echo "ok   disk_full"
else
  failed=$((failed + 1)); echo "FAIL disk_full: exit $rc"; cat "$TMP/full.out"
fi
no_file disk_full_leaves_nothing "$TMP/full.h5"

expect run_ok 0 "results: $TMP/seed.h5" -- "$MNSIM" run -w "$SEED" --policy unsafe_end -o "$TMP/seed.h5"
expect h5_datasets 0 'DATASET "violations"' -- h5dump -H "$TMP/seed.h5"
expect h5_ops 0 'DATASET "ops"' -- h5dump -H "$TMP/seed.h5"
expect h5_qi 0 'DATASET "qi_occupancy"' -- h5dump -H "$TMP/seed.h5"
expect h5_summary_violations 0 "(0): 2" -- h5dump -a /summary/violations "$TMP/seed.h5"
expect h5_policy_attr 0 '"unsafe_end"' -- h5dump -a /policy "$TMP/seed.h5"
expect h5_network_model 0 '"CM02"' -- h5dump -a /simgrid_config/network.model "$TMP/seed.h5"
# HDF5 stores each table's last, partial chunk whole: chunks must stay small
# enough that a short run writes a small file (4096-row chunks made it 2.6 MB)
check h5_short_run_file_is_small '[ "$(stat -c %s "$TMP/seed.h5")" -lt 1000000 ]'

expect compare_table 0 "ratio to double" -- "$MNSIM" compare -w "$SEED" -o "$TMP/cmp"
expect compare_rows 0 "unsafe_end" -- cat "$TMP/cmp/compare.tsv"
if [ -s "$TMP/cmp/compare.png" ] && head -c 8 "$TMP/cmp/compare.png" | grep -q PNG; then
  passed=$((passed + 1)); echo "ok   compare_figure"
else
  failed=$((failed + 1)); echo "FAIL compare_figure: no PNG at $TMP/cmp/compare.png"
fi
expect compare_bad_policy 2 "unknown policy 'x'" -- "$MNSIM" compare -w "$SEED" --policies double,x -o "$TMP/cmp2"

# queue sizing: 4 simultaneous submitters need 3 x 2 + 3 = 9 slots not to stall (tests/data/four-cpus.trace)
expect size_queue_pow2 0 "only_end        smallest qi_depth: 16" -- "$MNSIM" size-queue -w "$SRC/tests/data/four-cpus.trace" \
  -p "$SRC/tests/data/exact.xml" --target 'qi_stall_fraction<=0' -o "$TMP/sq"
check size_queue_answers "grep -qP '^only_end\tqi_stall_fraction<=0\t16\t' $TMP/sq/size-queue.answers.tsv"
# one name per metric: the summary's; the old name still works, with a warning
expect size_queue_summary_name 0 "smallest qi_depth" -- "$MNSIM" size-queue -w "$SRC/tests/data/four-cpus.trace" \
  -p "$SRC/tests/data/exact.xml" --target 'notify_latency_p99<=1 ms' -o "$TMP/sq2"
expect size_queue_old_name 0 "warning: 'p99_notify_latency' is now called 'notify_latency_p99'" -- "$MNSIM" size-queue \
  -w "$SRC/tests/data/four-cpus.trace" -p "$SRC/tests/data/exact.xml" --target 'p99_notify_latency<=1ms' -o "$TMP/sq2"
expect size_queue_exact 0 "only_end        smallest qi_depth: 9" -- "$MNSIM" size-queue -w "$SRC/tests/data/four-cpus.trace" \
  -p "$SRC/tests/data/exact.xml" --exact --target 'qi_stall_fraction<=0' -o "$TMP/sq"
expect size_queue_figure 0 "PNG" -- head -c 8 "$TMP/sq/size-queue.png"
expect size_queue_unmet 3 "target not met" -- "$MNSIM" size-queue -w "$SRC/tests/data/four-cpus.trace" \
  -p "$SRC/tests/data/exact.xml" --target 'p99_notify_latency<=1ns' -o "$TMP/sq"
expect size_queue_bad_target 2 "unknown metric 'p98'" -- "$MNSIM" size-queue -w "$SEED" --target 'p98<=1us'

expect params_table 0 "qi_depth" -- "$MNSIM" params
expect params_units 0 "gather_batch             kernel  9698      pages" -- "$MNSIM" params
expect policies_thp_cow_6_6 0 "thp_cow        2=2+0+0    2=2+0+0" -- "$MNSIM" policies
expect check_one_file 0 "5 passed, 0 failed" -- "$MNSIM" check "$SEED"
# a verdict that differs is an answer (3), not an error (1)
sed 's/^expect unsafe_end order_violation>=1/expect unsafe_end order_violation=0/' "$SEED" >"$TMP/wrong.trace"
expect check_verdict_differs 3 "4 passed, 1 failed" -- "$MNSIM" check "$TMP/wrong.trace"

# the same exit code for the same kind of error in every command
expect unknown_policy_compare 2 "unknown policy 'nope'" -- "$MNSIM" compare -w "$SEED" --policies nope -o "$TMP/cmpx"
expect unknown_policy_size_queue 2 "unknown policy 'nope'" -- "$MNSIM" size-queue -w "$SEED" --policy nope --target 'qi_stall_fraction<=0'
expect unknown_option_plot 2 "unknown or incomplete option" -- "$MNSIM" plot --frob
expect unknown_option_sweep 2 "unknown or incomplete option" -- "$MNSIM" sweep --frob
expect missing_trace_compare 1 "cannot open trace" -- "$MNSIM" compare -w "$TMP/none.trace" -o "$TMP/cmpy"

# durations as people type them, in --set
expect set_duration_blank 0 "results:" -- "$MNSIM" run -w "$SEED" --set "walk_latency=80 ns" --set ir_overhead=1e-7s --set "qi_wait_latency=0.05µs" -o "$TMP/dur.h5"
"$MNSIM" run -w "$SEED" -o "$TMP/dur0.h5" >/dev/null
check set_duration_same_value "h5dump -a /config/walk_latency $TMP/dur.h5 | grep -q '8e-08' && h5dump -a /config/ir_overhead $TMP/dur.h5 | grep -q '1e-07'"

# MNSIM_LOG: per-category levels; a wrong value is a clear usage error, before any run
out=$(MNSIM_LOG=iommu:debug,checker:verbose "$MNSIM" run -w "$SEED" --policy unsafe_end -o "$TMP/log.h5" 2>&1); rc=$?
out2=$(MNSIM_LOG=iommu:verbose "$MNSIM" run -w "$SEED" --policy unsafe_end -o "$TMP/log.h5" 2>&1)
check log_per_category "[ $rc -eq 0 ] && grep -q 'checker/VERBOSE.*stale_read' <<<\"\$out\" && ! grep -q 'checker/' <<<\"\$out2\""
expect log_bad_category 2 "MNSIM_LOG='frob:debug': unknown category 'frob'" -- env MNSIM_LOG=frob:debug "$MNSIM" run -w "$SEED" -o "$TMP/log2.h5"
expect log_bad_level 2 "unknown level 'loud'" -- env MNSIM_LOG=iommu:loud "$MNSIM" compare -w "$SEED" -o "$TMP/log3"
no_file log_bad_leaves_nothing "$TMP/log2.h5"

# progress: on a terminal (here forced with --progress) a line with simulated time,
# events, rate; -q none; the result files are the same bit for bit
"$MNSIM" run -w "$TMP/long.trace" --progress -o "$TMP/prog.h5" >/dev/null 2>"$TMP/prog.err"
"$MNSIM" run -w "$TMP/long.trace" -q -o "$TMP/quiet.h5" >/dev/null 2>"$TMP/quiet.err"
check progress_shown "grep -q 'events/s' $TMP/prog.err && grep -q 'ETA' $TMP/prog.err && grep -q 'sim ' $TMP/prog.err"
check progress_quiet "[ ! -s $TMP/quiet.err ]"
check progress_same_results "cmp -s $TMP/prog.h5 $TMP/quiet.h5"
"$MNSIM" run -w "$TMP/long.trace" -o "$TMP/notty.h5" >/dev/null 2>"$TMP/notty.err"
check progress_not_on_a_pipe "[ ! -s $TMP/notty.err ]"

finish
