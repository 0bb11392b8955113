#!/usr/bin/env bash
# The Python examples of analysis/examples/ (h5py and pandas from Debian)
# answer their questions on a real compare directory; each asserts what it
# relies on (one /ops row per op, descriptors joined to their calls, the
# windows see the queue's peak) and the test checks their answers.
# Usage: python_examples.sh MNSIM SOURCE_DIR
set -u
MNSIM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
PY=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import h5py, pandas' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  ko "python3 with h5py and pandas (Debian: python3-h5py python3-pandas; run-tests.sh installs them)"
  finish; exit
fi
EX=$SRC/analysis/examples
"$MNSIM" compare -w "$SRC/workloads/demo-mixed.trace" --policies double,only_end,unsafe_end -o "$TMP/cmp" >/dev/null
out=$("$PY" "$EX/ptl_hold_by_op.py" "$TMP/cmp" 2>&1); rc=$?
check ptl_hold_by_op "[ $rc -eq 0 ] && grep -qE '^cow +[0-9.]+ +[0-9.]+ +[0-9.]+' <<<\"\$out\" && head -1 <<<\"\$out\" | grep -q 'double.*only_end.*unsafe_end'"
out=$("$PY" "$EX/descriptors_per_ir.py" "$TMP/cmp" 2>&1); rc=$?
calls=$(h5dump -a /summary/notifications "$TMP/cmp/double.h5" | awk '/\(0\)/ {print $2}')
check descriptors_per_ir "[ $rc -eq 0 ] && grep -q '^double (seed 1): $calls calls' <<<\"\$out\" && grep -q 'under_ptl' <<<\"\$out\""
out=$("$PY" "$EX/qi_occupancy.py" "$TMP/cmp" 20 2>&1); rc=$?
peak=$(h5dump -a /summary/qi_max_used "$TMP/cmp/only_end.h5" | awk '/\(0\)/ {print $2}')
check qi_occupancy "[ $rc -eq 0 ] && grep -q '^only_end seed 1 iommu0: depth 256, peak $peak slots' <<<\"\$out\""
finish
