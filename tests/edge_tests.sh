#!/usr/bin/env bash
# Faults at the edges (issue 21): output targets that are not regular files,
# SIGKILL of parents and of their children (run, compare, sweep), a full
# disk, a FIFO and /dev/zero as a trace, too many actors for
# vm.max_map_count, an interrupted gen.  Each waits for the state it needs by
# polling /proc or a file, never for a fixed time; what needs root (device
# nodes, a tmpfs) prints a SKIP line without it.
# Usage: edge_tests.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
trap 'umount "$TMP/tfs" 2>/dev/null; rm -rf "$TMP"' EXIT
SEED=$SRC/workloads/litmus/01-seed-cow-order.trace
root=0; [ "$(id -u)" -eq 0 ] && root=1
skip() { echo "SKIP $1: $2"; }

# wait_for CONDITION: polls every 20 ms; the 60 s bound only keeps a broken
# build from hanging the suite
wait_for() { local i; for ((i = 0; i < 3000; i++)); do eval "$1" && return 0; sleep 0.02; done; return 1; }
child_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .; }
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null; }
has_open() { ls -l /proc/"$1"/fd 2>/dev/null | grep -q -- "$2"; }
# gone PID: no such process, or a zombie waiting for its (new) parent
gone() { [ ! -e /proc/"$1" ] || grep -q '^[0-9]* (.*) Z' /proc/"$1"/stat 2>/dev/null; }
# nothing NAME PATH: nothing named PATH or PATH.tmp.* exists
nothing() { check "$1" "! compgen -G '$2*' >/dev/null"; }

# a run of a few seconds, to be interrupted
"$MNSIM" gen cpu_ops=20000 device_ops=20000 -o "$TMP/long.trace" >/dev/null

# ---- targets that are not regular files are written into, never replaced
if [ $root -eq 0 ]; then
  NULLDEV=/dev/null FULLDEV=/dev/full
elif mknod "$TMP/null" c 1 3 2>/dev/null && mknod "$TMP/full" c 1 7 2>/dev/null; then
  NULLDEV=$TMP/null FULLDEV=$TMP/full # as root a broken build must not replace the real /dev/null
else
  NULLDEV=""
fi
if [ -n "$NULLDEV" ]; then
  "$MNSIM" run -w "$SEED" -o "$NULLDEV" >/dev/null 2>&1; rc=$?
  check run_into_null_device "[ $rc -eq 0 ] && [ -c $NULLDEV ]"
  "$MNSIM" gen -o "$NULLDEV" >/dev/null 2>&1; rc=$?
  check gen_into_null_device "[ $rc -eq 0 ] && [ -c $NULLDEV ]"
  out=$("$MNSIM" run -w "$SEED" -o "$FULLDEV" 2>&1); rc=$?
  check run_into_full_device "[ $rc -eq 1 ] && [ -c $FULLDEV ] && grep -qF 'cannot write $FULLDEV: disk full (ENOSPC' <<<\"\$out\""
  out=$("$MNSIM" gen -o "$FULLDEV" 2>&1); rc=$?
  check gen_into_full_device "[ $rc -eq 1 ] && [ -c $FULLDEV ] && grep -qF 'cannot write $FULLDEV: disk full (ENOSPC' <<<\"\$out\""
else
  skip device_targets "no device nodes can be made here (mknod), and as root the real /dev/null is not risked"
fi
mkfifo "$TMP/fifo"
timeout 60 cat "$TMP/fifo" >"$TMP/from-fifo" & reader=$!
"$MNSIM" run -w "$SEED" -o "$TMP/fifo" >/dev/null 2>&1; rc=$?
wait $reader
check run_into_fifo "[ $rc -eq 0 ] && [ -p $TMP/fifo ] && [ \"\$(head -c 4 $TMP/from-fifo | od -An -c | tr -d ' ')\" = '211HDF' ]"
timeout 60 cat "$TMP/fifo" >"$TMP/from-fifo" & reader=$!
"$MNSIM" gen -o "$TMP/fifo" >/dev/null 2>&1; rc=$?
wait $reader
check gen_into_fifo "[ $rc -eq 0 ] && [ -p $TMP/fifo ] && head -1 $TMP/from-fifo | grep -q '^mnsim-trace 1'"
"$MNSIM" run -w "$SEED" -o - >"$TMP/stdout.h5" 2>"$TMP/stdout.err"; rc=$?
check run_to_stdout "[ $rc -eq 0 ] && h5dump -a /summary/violations $TMP/stdout.h5 >/dev/null && grep -q 'results: standard output' $TMP/stdout.err"
touch "$TMP/real.h5" && ln -s real.h5 "$TMP/link.h5"
"$MNSIM" run -w "$SEED" -o "$TMP/link.h5" >/dev/null 2>&1; rc=$?
check symlink_target_replaced_link_kept "[ $rc -eq 0 ] && [ -L $TMP/link.h5 ] && h5dump -H $TMP/real.h5 >/dev/null"

# an output that is one of the inputs is refused: the input would be lost
cp "$SEED" "$TMP/own.trace" && printf 'pages = 64\n' >"$TMP/own.gen"
out=$("$MNSIM" run -w "$TMP/own.trace" -o "$TMP/own.trace" 2>&1); rc=$?
check run_output_is_its_trace "[ $rc -eq 2 ] && cmp -s $SEED $TMP/own.trace && grep -qF 'would replace an input' <<<\"\$out\""
out=$("$MNSIM" gen -s "$TMP/own.gen" -o "$TMP/own.gen" 2>&1); rc=$?
check gen_output_is_its_spec "[ $rc -eq 2 ] && [ \"\$(cat $TMP/own.gen)\" = 'pages = 64' ] && grep -qF 'would replace the spec' <<<\"\$out\""

# ---- inputs that are not regular files: read once, memory bounded
mkfifo "$TMP/trace-fifo"
timeout 60 cat "$SEED" >"$TMP/trace-fifo" &
out=$(timeout 60 "$MNSIM" run -w "$TMP/trace-fifo" -o "$TMP/f.h5" 2>&1); rc=$?
check fifo_trace_read_once "[ $rc -eq 0 ] && grep -q '^violations  *0' <<<\"\$out\""
out=$(timeout 60 "$MNSIM" run -w <(cat "$SEED") -o "$TMP/p.h5" 2>&1); rc=$?
check pipe_trace_read_once "[ $rc -eq 0 ] && [ -s $TMP/p.h5 ]"
if grep -q __asan_init "$MNSIM"; then
  skip dev_zero_in_1GB "AddressSanitizer cannot run under ulimit -v (the plain build runs this)"
else
  out=$( (ulimit -v 1000000; timeout 60 "$MNSIM" run -w /dev/zero -o "$TMP/z.h5") 2>&1); rc=$?
  check dev_zero_fails_at_its_first_line "[ $rc -eq 1 ] && grep -qF '/dev/zero:1: line longer than 4096 characters' <<<\"\$out\""
  nothing dev_zero_leaves_nothing "$TMP/z.h5"
fi

mkfifo "$TMP/platform-fifo"
out=$(timeout 60 "$MNSIM" run -w "$SEED" -p "$TMP/platform-fifo" -o "$TMP/pf.h5" 2>&1); rc=$?
check fifo_platform_refused_at_once "[ $rc -eq 1 ] && grep -qF 'is not a regular file (SimGrid reads it again)' <<<\"\$out\""
# specs are read with the same bound on a line
if ! grep -q __asan_init "$MNSIM"; then
  out=$( (ulimit -v 1000000; timeout 60 "$MNSIM" gen -s /dev/zero -o "$TMP/z.trace") 2>&1); rc=$?
  check gen_spec_dev_zero "[ $rc -eq 1 ] && grep -qF '/dev/zero:1: a NUL byte' <<<\"\$out\""
  out=$( (ulimit -v 1000000; timeout 60 "$MNSIM" sweep /dev/zero -o "$TMP/zs") 2>&1); rc=$?
  check sweep_spec_dev_zero "[ $rc -eq 1 ] && grep -qF '/dev/zero:1: a NUL byte' <<<\"\$out\""
fi

# ---- SIGKILL of a parent: its children die with it and leave nothing
# (a child that outlives its parent finishes its run and puts its file in place)
"$MNSIM" run -w "$TMP/long.trace" -o "$TMP/k1.h5" >/dev/null 2>&1 & pid=$!
wait_for 'c=$(child_of $pid); [ -n "$c" ] && has_open $c k1.h5'
kill -9 $pid; wait $pid 2>/dev/null
wait_for 'gone $c'
check run_child_dies_with_parent_leaving_nothing "gone $c && ! compgen -G '$TMP/k1.h5*' >/dev/null"

"$MNSIM" compare -w "$TMP/long.trace" --policies double,only_end -o "$TMP/cmpk" >/dev/null 2>&1 & pid=$!
wait_for 'c=$(child_of $pid); [ -n "$c" ] && has_open $c double.h5'
w=$(children_of $pid) # every policy's child: with -j, more than one runs
kill -9 $pid; wait $pid 2>/dev/null
for k in $w; do wait_for "gone $k"; done
alive=""; for k in $w; do gone "$k" || alive="$alive $k"; done
check compare_child_dies_with_parent "gone $c && [ -z '$alive' ] && ! compgen -G '$TMP/cmpk/*.h5*' >/dev/null"

cat >"$TMP/k.spec" <<SPEC
workload = $TMP/long.trace
qi_depth = 8, 16
SPEC
"$MNSIM" sweep "$TMP/k.spec" -o "$TMP/ks" -j 2 >/dev/null 2>&1 & pid=$!
wait_for 'w=$(children_of $pid); [ -n "$w" ] && compgen -G "$TMP/ks/points/*.tmp.*" >/dev/null'
w=$(children_of $pid)
kill -9 $pid; wait $pid 2>/dev/null
for c in $w; do wait_for "gone $c"; done
alive=""; for c in $w; do gone "$c" || alive="$alive $c"; done
check sweep_workers_die_with_parent "[ -z '$alive' ] && ! compgen -G '$TMP/ks/points/*' >/dev/null"
# debris of killed workers of this host (a temporary whose process is gone,
# an old ID.log) goes at the next run; a live process's stays
pid_max=$(cat /proc/sys/kernel/pid_max)
dead=$TMP/ks/points/pt-0000000000000000.h5.tmp.$(hostname).$((pid_max + 1))
live=$TMP/ks/points/pt-0000000000000001.h5.tmp.$(hostname).$$
: >"$dead"; : >"$live"; : >"$TMP/ks/points/pt-0000000000000002.log"
out=$("$MNSIM" sweep "$TMP/k.spec" -o "$TMP/ks" -j 2 2>&1); rc=$?
check sweep_resume_removes_debris "[ $rc -eq 0 ] && [ ! -e $dead ] && [ -e $live ] && ! compgen -G '$TMP/ks/points/*.log' >/dev/null && grep -q '2 points: 2 run now, 0 already done, 0 failed' <<<\"\$out\""
: >"$dead"; : >"$TMP/ks/points/pt-0000000000000003.log"
"$MNSIM" sweep --merge "$TMP/ks" >/dev/null 2>&1; rc=$?
check sweep_merge_removes_debris "[ $rc -eq 0 ] && [ ! -e $dead ] && [ -e $live ] && ! compgen -G '$TMP/ks/points/*.log' >/dev/null"
rm -f "$live"
# the same for a run killed with its parent (both by SIGKILL): the next run to that file removes it
: >"$TMP/k4.h5.tmp.$(hostname).$((pid_max + 1))"
"$MNSIM" run -w "$SEED" -o "$TMP/k4.h5" >/dev/null 2>&1; rc=$?
check run_removes_stale_temporary "[ $rc -eq 0 ] && [ -s $TMP/k4.h5 ] && ! compgen -G '$TMP/k4.h5.tmp.*' >/dev/null"

# ---- SIGKILL of a child: the parent says what killed it, nothing is left
"$MNSIM" run -w "$TMP/long.trace" -o "$TMP/k2.h5" >/dev/null 2>"$TMP/k.err" & pid=$!
wait_for 'c=$(child_of $pid); [ -n "$c" ] && has_open $c k2.h5'
kill -9 "$c"; wait $pid; rc=$?
check run_child_killed_is_out_of_memory "[ $rc -eq 1 ] && grep -qF 'died of signal 9 (Killed)' $TMP/k.err && grep -qF 'out of memory (killed, probably by the OOM killer' $TMP/k.err && ! grep -q 'platform' $TMP/k.err"
nothing run_child_killed_leaves_nothing "$TMP/k2.h5"
"$MNSIM" run -w "$TMP/long.trace" -o "$TMP/k3.h5" >/dev/null 2>"$TMP/k.err" & pid=$!
wait_for 'c=$(child_of $pid); [ -n "$c" ] && has_open $c k3.h5'
kill -SEGV "$c"; wait $pid; rc=$?
check run_child_crash_is_a_crash "[ $rc -eq 1 ] && grep -qF 'died of signal 11 (Segmentation fault)' $TMP/k.err && grep -qF ': a crash' $TMP/k.err && ! grep -q 'platform' $TMP/k.err"
nothing run_child_crash_leaves_nothing "$TMP/k3.h5"
rm -rf "$TMP/ks"
"$MNSIM" sweep "$TMP/k.spec" -o "$TMP/ks" -j 2 >/dev/null 2>"$TMP/ks.err" & pid=$!
wait_for 'c=$(child_of $pid); [ -n "$c" ] && compgen -G "$TMP/ks/points/*.tmp.*" >/dev/null'
kill -9 "$c"; wait $pid; rc=$?
check sweep_worker_killed_is_reported "[ $rc -eq 1 ] && grep -qF 'out of memory (killed, probably by the OOM killer' $TMP/ks/points/*.err && grep -q 'point .* failed' $TMP/ks.err"
out=$("$MNSIM" sweep "$TMP/k.spec" -o "$TMP/ks" -j 2 2>&1)
check sweep_worker_killed_is_retried "grep -q '2 points: 1 run now, 1 already done, 0 failed' <<<\"\$out\" && ! compgen -G '$TMP/ks/points/*.err' >/dev/null"

# ---- an interrupted gen leaves no partial trace (unnamed temporary, or
# the named one removed by its handler where there is no O_TMPFILE)
for sig in INT TERM; do
  for named in 0 1; do
    # about 300 MB if it is not stopped
    MNSIM_NO_TMPFILE=$named "$MNSIM" gen cpu_ops=0 devices=1 device_threads=1 device_ops=10000000 -o "$TMP/g.trace" 2>/dev/null & pid=$!
    wait_for "[ \$(awk '/^wchar/ { print \$2 }' /proc/$pid/io 2>/dev/null || echo 0) -gt 1000000 ]"
    kill -$sig $pid; wait $pid; rc=$?
    left=$(compgen -G "$TMP/g.trace*")
    rm -f "$TMP"/g.trace* # a gen that ignored the signal (a background job ignores SIGINT) finishes
    want=$([ $sig = INT ] && echo 130 || echo 143)
    check "gen_${sig}_named=${named}_leaves_nothing" "[ $rc -eq $want ] && [ -z '$left' ]"
  done
done

# ---- a full disk: said, and nothing left
if [ $root -eq 1 ] && mkdir -p "$TMP/tfs" && mount -t tmpfs -o size=1m tmpfs "$TMP/tfs" 2>/dev/null; then
  out=$("$MNSIM" run -w "$TMP/long.trace" -o "$TMP/tfs/x.h5" 2>&1); rc=$?
  check run_on_full_disk "[ $rc -eq 1 ] && grep -qF 'disk full (ENOSPC: No space left on device)' <<<\"\$out\" && [ -z \"\$(ls -A $TMP/tfs)\" ]"
  out=$("$MNSIM" gen cpu_ops=100000 -o "$TMP/tfs/x.trace" 2>&1); rc=$?
  check gen_on_full_disk "[ $rc -eq 1 ] && grep -qF 'cannot write $TMP/tfs/x.trace: disk full (ENOSPC' <<<\"\$out\" && [ -z \"\$(ls -A $TMP/tfs)\" ]"
  umount "$TMP/tfs"
else
  skip full_disk "mounting a small tmpfs needs root"
fi

# ---- more actors than vm.max_map_count allows: refused before SimGrid starts them
max=$(cat /proc/sys/vm/max_map_count)
if [ "$max" -le 300000 ]; then
  n=$((max / 2 + 100))
  awk -v n=$n 'BEGIN { print "mnsim-trace 1\nprocess p0\nmap p0 0x1000 4K"; for (i = 0; i < n; i++) print "cpu t" i " process=p0" }' >"$TMP/many.trace"
  out=$("$MNSIM" run -w "$TMP/many.trace" -o "$TMP/m.h5" 2>&1); rc=$?
  check too_many_actors_for_max_map_count "[ $rc -eq 1 ] && grep -qF 'more than vm.max_map_count=$max allows' <<<\"\$out\""
  nothing too_many_actors_leaves_nothing "$TMP/m.h5"
else
  skip too_many_actors "vm.max_map_count is $max: the trace would be too large for the suite"
fi

finish
