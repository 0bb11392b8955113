#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (as root), builds mnsim
# twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs every test (ctest) on both builds, then valgrind memcheck on the litmus
# suite and a short fuzzing run of every parser (FUZZ_SECONDS, default 60).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/common.sh
mnsim_install_deps "$MNSIM_PACKAGES $MNSIM_TEST_PACKAGES"
jobs=$(nproc)
status=0
step() { echo; echo "=== $*"; }

step "plain build"
mnsim_build build
ctest --test-dir build --output-on-failure -j "$jobs" || status=1

step "valgrind memcheck on the litmus suite"
# each litmus file in its own valgrind, two at a time; a memcheck error fails its runs
if ! ls workloads/litmus/*.trace | xargs -P "$jobs" -n 1 \
     valgrind -q --error-exitcode=99 --trace-children=yes ./build/mnsim check >build/valgrind.log 2>&1; then
  status=1
  grep -vE '^PASS' build/valgrind.log | head -40
fi
grep -cE '^PASS' build/valgrind.log | sed 's/$/ litmus cases clean under valgrind/'

step "fuzzing smoke run"
fuzz/run "${FUZZ_SECONDS:-60}" || status=1

step "sanitizer build (-fsanitize=address,undefined)"
mnsim_build build-sanitize -DMNSIM_SANITIZE=ON
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs" || status=1
exit $status
