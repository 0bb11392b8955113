#!/usr/bin/env bash
# Records the real workloads of workloads/real/ (README.md there says what
# each is and what it showed).  As root, on a machine with perf (linux-perf),
# redis-server + redis-tools, stress-ng, gcc and make:
#   workloads/real/record.sh [MNSIM] [OUTDIR]      (default: ./build/mnsim, workloads/real)
# Each trace gets the same synthetic device side: one ATS device (dev0 of
# platforms/vtd-like.xml), 20000 accesses, uniform over the pages the bound
# process touched, 30 % writes.  The captures are kept in OUTDIR/capture-NAME
# (not checked in: perf.data and perf.txt are large).
set -eu
MNSIM=$(realpath "${1:-./build/mnsim}")
OUT=$(realpath "${2:-workloads/real}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DEV="devices=1 device_hosts=dev0 device_ops=20000 pattern=uniform write_ratio=0.3 seed=1"
WORK=$(mktemp -d)
trap 'redis-cli -p 7379 shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

# 1. Redis BGSAVE under a write load: a 100000-key, 512-byte-value dataset
#    (about 60 MB), then BGSAVE while redis-benchmark overwrites keys.  The
#    recording attaches to the running server for 6 s (--pid), so it sees the
#    fork, the parent's copy-on-write faults, the child's, the child's exit
#    and the parent's reuses after it.
redis-server --port 7379 --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" --daemonize yes
sleep 1
redis-benchmark -p 7379 -t set -r 100000 -n 200000 -d 512 -q >/dev/null
PID=$(redis-cli -p 7379 info server | sed -n 's/^process_id:\([0-9]*\).*/\1/p')
"$MNSIM" record --pid "$PID" --seconds 6 --keep "$OUT/capture-redis-bgsave" -o "$OUT/redis-bgsave.trace" $DEV \
  >"$OUT/redis-bgsave.summary" &
REC=$!
sleep 1.5
redis-cli -p 7379 bgsave
redis-benchmark -p 7379 -t set -r 100000 -n 20000 -d 512 -q >/dev/null
while redis-cli -p 7379 info persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.2; done
wait $REC
{ echo "# redis INFO after the BGSAVE:"; redis-cli -p 7379 info persistence | grep -E 'rdb_last_cow_size|rdb_last_bgsave'; \
  grep 'Fork CoW' "$WORK/redis.log"; } >>"$OUT/redis-bgsave.summary"
redis-cli -p 7379 shutdown nosave >/dev/null 2>&1 || true

# 2. A compiler build: make compiles two of mnsim's own sources (trace.c,
#    units.c) with gcc -O2 and archives them (make, gcc, cc1, as, ar: forks,
#    vforks, execs).  The devices are bound to the address space that made
#    the most ops (the cc1 of trace.c).
mkdir -p "$WORK/build"
cp "$SRC"/sim/io/*.[ch] "$SRC"/sim/io/params.def "$WORK/build/"
printf 'libdemo.a: trace.o units.o\n\tar rcs $@ $^\n%%.o: %%.c\n\tgcc -O2 -c $< -o $@\n' >"$WORK/build/Makefile"
"$MNSIM" record --bind busiest --keep "$OUT/capture-gcc-build" -o "$OUT/gcc-build.trace" $DEV -- make -s -C "$WORK/build" \
  >"$OUT/gcc-build.summary"

# 3. stress-ng's mmap stressor: a worker that maps, touches, mprotects,
#    madvises and unmaps 4 MiB, 4 times (allocator-like churn of whole
#    mappings).  The devices are bound to the worker.
"$MNSIM" record --bind busiest --keep "$OUT/capture-stress-ng-mmap" -o "$OUT/stress-ng-mmap.trace" $DEV -- \
  stress-ng --mmap 1 --mmap-bytes 4M --mmap-ops 4 >"$OUT/stress-ng-mmap.summary"
