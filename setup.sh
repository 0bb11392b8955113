#!/usr/bin/env bash
# Sets mnsim up on a Debian machine and runs the demo: installs the packages it
# needs (as root), builds it, then compares the notification policies on the
# seed's COW scenario and on a small mixed workload, printing each table and
# where the results and figures went, and writes the HTML report.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/common.sh
mnsim_install_deps
mnsim_build build
echo
echo "=== the seed's COW scenario (shared/seeds/mmu_notifier.rst): which policies are correct?"
./build/mnsim compare -w workloads/litmus/01-seed-cow-order.trace -o results/demo-seed
echo
echo "=== a small mixed workload: what does each policy cost?"
./build/mnsim compare -w workloads/demo-mixed.trace -o results/demo-mixed
echo
echo "=== the design-review report"
./build/mnsim report results/demo-mixed -o results/demo-report
