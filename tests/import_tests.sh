#!/usr/bin/env bash
# mnsim import on checked-in captures (tests/data/import/README.md says how
# each was made): both field layouts of perf script give the same trace; the
# counts of the header are the capture's own; the traces run with nothing
# skipped; memory does not grow with the length of a capture; the progress
# line shows on a terminal.
# Usage: import_tests.sh MNSIM SOURCE_DIR OPS_COUNT MAXRSS
set -u
MNSIM=$1 SRC=$2 OPS_COUNT=$3 MAXRSS=$4
D=$SRC/tests/data/import
. "$(dirname "$0")/lib.sh"

# the command lines
"$MNSIM" import --help | grep -q "usage: mnsim import"; check "import --help" '[ $? -eq 0 ]'
"$MNSIM" record --help | grep -q "usage: mnsim record"; check "record --help" '[ $? -eq 0 ]'
"$MNSIM" record --events | grep -q "exceptions:page_fault_user"; check "record --events lists the tracepoints" '[ $? -eq 0 ]'
out=$("$MNSIM" record -o "$TMP/x.trace" 2>&1); rc=$?
check "record without a command: usage error" '[ $rc -eq 2 ] && grep -q "missing -- COMMAND" <<<"$out"'
out=$("$MNSIM" record --pid 1 -o "$TMP/x.trace" 2>&1); rc=$?
check "record --pid without --seconds: usage error" '[ $rc -eq 2 ] && grep -q "needs --seconds" <<<"$out"'
out=$("$MNSIM" import -o "$TMP/x.trace" 2>&1); rc=$?
check "import without a capture: usage error" '[ $rc -eq 2 ] && grep -q "missing PERF_SCRIPT.txt" <<<"$out"'
out=$("$MNSIM" import "$D/churn.txt" --bind nobody -o "$TMP/x.trace" 2>&1); rc=$?
check "import --bind nobody: usage error" '[ $rc -eq 2 ] && grep -q "expected root, busiest or a process id" <<<"$out" && [ ! -e "$TMP/x.trace" ]'
out=$("$MNSIM" import "$D/churn.txt" frobnicate=3 -o "$TMP/x.trace" 2>&1); rc=$?
check "import with an unknown device key: usage error" '[ $rc -eq 2 ] && grep -q "unknown key .frobnicate." <<<"$out" && [ ! -e "$TMP/x.trace" ]'

"$MNSIM" import "$D/churn.txt" --maps "$D/churn.maps" --pages "$D/churn.pages" -o "$TMP/f.trace" >"$TMP/f.sum" 2>&1
check "import of the -F capture exits 0" '[ $? -eq 0 ]'
"$MNSIM" import "$D/churn-default.txt" --maps "$D/churn.maps" --pages "$D/churn.pages" -o "$TMP/d.trace" >"$TMP/d.sum" 2>&1
check "import of the default-fields capture exits 0" '[ $? -eq 0 ]'
check "both field layouts give the same trace" 'cmp -s <(grep -v "^capture source" "$TMP/f.trace") <(grep -v "^capture source" "$TMP/d.trace")'
cap() { sed -n "s/^capture $1 //p" "$TMP/f.trace"; }
# what tests/record/churn.c did: a thread, brk up twice and down once, an
# mremap in place and one that moves, MAP_POPULATE of 4 pages, mprotect off
# and on again, MADV_DONTNEED, fork + exec of /bin/true
for kv in ops_brk=3 ops_mremap=1 ops_mprotect_rw=2 ops_fork=1 ops_exit=3 ops_madv_dontneed=2 mapped_mremap_grown_in_place=1 \
          mapped_mremap_moved=1 mapped_map_populate_pages=4 mapped_clone_vm=1 mapped_exec=1 events_page_fault_user=168 faults=168 \
          faults_one_op=160 rule_cow=24 rule_reuse=9 rule_zero_fault=2; do
  check "header: $kv" '[ "$(cap "${kv%=*}")" = "${kv#*=}" ]'
done
check "header: the device side is said to be synthetic" 'grep -q "^capture device_side synthetic over [0-9]* pages" "$TMP/f.trace"'
check "import prints the same counts" 'grep -Eq "^  mremap_moved +1$" "$TMP/f.sum" && grep -q "faults mapped to exactly one op: 160 of 168" "$TMP/f.sum"'
check "the thread's stream is in the program's process, the exec'd child has its own" \
  '[ "$(grep -c "^cpu t[0-9]* process=p[0-9]*$" "$TMP/f.trace")" -ge 2 ] && grep -q "^process p[0-9]*\.1$" "$TMP/f.trace"'
for p in double only_end secondary_tlbs minimal unsafe_end; do
  "$MNSIM" run -w "$TMP/f.trace" --policy $p -o "$TMP/f.$p.h5" >"$TMP/run.$p" 2>&1
  check "churn runs under $p: nothing skipped, no SIGSEGV, no violation" '[ $? -eq 0 ] && grep -Eq "^ops_skipped +0$" "$TMP/run.$p" &&
    grep -Eq "^cpu_sigsegv +0$" "$TMP/run.$p" && grep -Eq "^violations +0$" "$TMP/run.$p"'
done
check "the result file records the capture" 'h5dump -a /capture/device_side "$TMP/f.double.h5" | grep -q synthetic'

# the known-answer program's capture (tests/record_tests.sh records it live where it can)
"$MNSIM" import "$D/known.txt" --maps "$D/known.maps" --pages "$D/known.pages" -o "$TMP/k.trace" >/dev/null 2>&1 &&
  "$MNSIM" run -w "$TMP/k.trace" -o "$TMP/k.h5" >/dev/null 2>&1
check "known capture imports and runs" '[ $? -eq 0 ]'
res=$("$OPS_COUNT" "$TMP/k.h5" 0x300000000000 0x300040010000)
count() { awk -v k="$1" '$1 == k { print $2 }' <<<"$res"; }
check "known: 24 cow, 16 zero_fault, 20 wp_reuse in its region" \
  '[ "$(count cow)" = 24 ] && [ "$(count zero_fault)" = 16 ] && [ "$(count wp_reuse)" = 20 ]'

# flat memory: a 20x longer capture over the same pages holds no more memory
gen() {
  awk -v n="$1" 'BEGIN {
    print "            big  100/100   [000]  1000.000000000:     syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00400000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000"
    print "            big  100/100   [000]  1000.000000100:      syscalls:sys_exit_mmap: 0x7f0000000000"
    for (i = 0; i < n; i++) {
      p = (i * 7) % 1024
      printf "            big  100/100   [000]  %d.%09d:  exceptions:page_fault_user: address=0x7f00%08x ip=0x401000 error_code=0x%d\n",
        1001 + int(i / 1000000), (i % 1000000) * 1000, p * 4096, (i < 1024 ? 6 : 7)
    }
  }' >"$2"
}
gen 20000 "$TMP/small.txt"
gen 400000 "$TMP/large.txt"
small=$("$MAXRSS" "$MNSIM" import "$TMP/small.txt" devices=0 -o "$TMP/small.trace" 2>&1 >/dev/null | sed -n 's/^maxrss //p')
large=$("$MAXRSS" "$MNSIM" import "$TMP/large.txt" devices=0 -o "$TMP/large.trace" 2>&1 >/dev/null | sed -n 's/^maxrss //p')
check "memory does not grow with the capture: ${small} KiB for 20k events, ${large} KiB for 400k" \
  '[ -n "$small" ] && [ -n "$large" ] && [ "$large" -lt $((small + 2048)) ] && [ "$(grep -c " write " "$TMP/large.trace")" = 400000 ]'
# progress on a terminal (script gives the command one)
if command -v script >/dev/null; then
  script -qec "$MNSIM import $TMP/large.txt devices=0 -o $TMP/tty.trace" /dev/null >"$TMP/tty.out" 2>&1
  check "progress is shown on a terminal" 'grep -q "import: pass 2 of 2: 400002 lines (100%)" "$TMP/tty.out"'
fi
check "no progress when the output is not a terminal" '! grep -q "import: pass" "$TMP/f.sum"'

# ats=0: the devices without ATS, whatever the platform says
"$MNSIM" import "$D/churn.txt" ats=0 -o "$TMP/ats.trace" >/dev/null 2>&1
check "ats=0 writes 'param ats 0' and says so" 'grep -q "^param ats 0$" "$TMP/ats.trace" && grep -q "^capture device_side .* ats=0$" "$TMP/ats.trace"'

# what record says when it cannot record: not root, no perf (the Debian package), no tracefs (mounted for it)
if [ "$(id -u)" -ne 0 ]; then
  out=$("$MNSIM" record --check 2>&1); rc=$?
  check "record --check as a user: needs root" '[ $rc -eq 1 ] && grep -q "needs root" <<<"$out"'
else
  if command -v setpriv >/dev/null; then
    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$MNSIM" record --check 2>&1); rc=$?
    check "record --check as a user: needs root" '[ $rc -eq 1 ] && grep -q "recording needs root" <<<"$out"'
  fi
  out=$(env PATH=/nonexistent "$MNSIM" record -o "$TMP/np.trace" -- /bin/true 2>&1); rc=$?
  check "record without perf on the PATH: says so, names linux-perf, leaves nothing" \
    '[ $rc -eq 1 ] && grep -q "install the Debian package linux-perf" <<<"$out" && [ ! -e "$TMP/np.trace" ]'
  if command -v unshare >/dev/null && command -v perf >/dev/null && "$MNSIM" record --check >/dev/null 2>&1; then
    # in a mount namespace of its own, so that nothing else loses tracefs
    out=$(unshare -m --propagation private sh -c 'umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null;
      if [ -e /sys/kernel/tracing/events ]; then echo still-mounted; exit 0; fi; "$1" record --check && test -e /sys/kernel/tracing/events' sh "$MNSIM" 2>&1)
    rc=$?
    if grep -q still-mounted <<<"$out"; then echo "(tracefs could not be unmounted here: mount test not run)"; else
      check "record mounts tracefs when it is not mounted" '[ $rc -eq 0 ] && grep -q "every required tracepoint" <<<"$out"'
    fi
  fi
fi

# the shipped real workloads: each says its device side is synthetic and runs clean (one policy each)
for tp in redis-bgsave:only_end gcc-build:double stress-ng-mmap:secondary_tlbs; do
  t=$SRC/workloads/real/${tp%:*}.trace
  "$MNSIM" run -w "$t" --policy "${tp#*:}" -o "$TMP/real.h5" >"$TMP/real.txt" 2>&1
  check "workloads/real/${tp%:*} runs under ${tp#*:}: nothing skipped, no SIGSEGV, no violation, device side synthetic" \
    '[ $? -eq 0 ] && grep -Eq "^ops_skipped +0$" "$TMP/real.txt" && grep -Eq "^cpu_sigsegv +0$" "$TMP/real.txt" &&
     grep -Eq "^violations +0$" "$TMP/real.txt" && grep -q "^capture device_side synthetic" "$t"'
done
finish
