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
summary=""
step() { echo; echo "=== $*"; }
# stage NAME OK|FAILED: remembered for the summary at the end
stage() { summary="$summary
  $1: $2"; [ "$2" = ok ] || status=1; }
trap 'echo; echo "=== summary$summary"; [ $status -eq 0 ] && echo "  all stages passed" || echo "  FAILED"' EXIT

step "plain build"
mnsim_build build || { stage "plain build" FAILED; exit 1; }
if ctest --test-dir build --output-on-failure -j "$jobs"; then stage "plain ctest" ok; else stage "plain ctest" FAILED; fi

step "valgrind memcheck on the litmus suite"
# each litmus file in its own valgrind, two at a time; a memcheck error fails its runs
if ls workloads/litmus/*.trace | xargs -P "$jobs" -n 1 \
     valgrind -q --error-exitcode=99 --trace-children=yes ./build/mnsim check >build/valgrind.log 2>&1; then
  stage valgrind ok
else
  stage valgrind FAILED
  grep -vE '^PASS' build/valgrind.log | head -40 || true
fi
# (grep -c exits 1 when it counts 0: under set -e and pipefail that must not end the script)
echo "$(grep -cE '^PASS' build/valgrind.log || true) litmus cases clean under valgrind"

step "fuzzing smoke run"
if fuzz/run "${FUZZ_SECONDS:-60}"; then stage fuzzing ok; else stage fuzzing FAILED; fi

step "sanitizer build (-fsanitize=address,undefined)"
mnsim_build build-sanitize -DMNSIM_SANITIZE=ON || { stage "sanitizer build" FAILED; exit 1; }
if ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"; then stage "sanitizer ctest" ok; else stage "sanitizer ctest" FAILED; fi
exit $status
