#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (as root), builds mnsim
# twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs every test (ctest) on both builds.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/common.sh
mnsim_install_deps
jobs=$(nproc)
status=0
echo "=== plain build"
mnsim_build build
ctest --test-dir build --output-on-failure -j "$jobs" || status=1
echo "=== sanitizer build (-fsanitize=address,undefined)"
mnsim_build build-sanitize -DMNSIM_SANITIZE=ON
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs" || status=1
exit $status
