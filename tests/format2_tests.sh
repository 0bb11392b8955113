#!/usr/bin/env bash
# The ops of trace format 2 in the model: tests/data/format2.trace does each
# once (a zero_fault, a fork, a COW in the parent and one in the child, the
# child's exit, then writes that reuse their pages, mmap, mremap, madv_dontneed,
# brk up and down, mprotect off and on, munmap) with a device bound to the
# parent.  The invalidate_range calls per policy, added up from the op
# programs of sim/model/kernel_ops.c at each policy's default kernel (the
# census of `mnsim policies` measures each op alone):
#   op             double only_end secondary minimal unsafe
#   zero_fault        2      1        1        1       1
#   fork (1 COW vma)  1      1        1        1       1
#   cow (parent)      2      1        1        1       1
#   cow (child), exit 0      0        0        0       0   (no device on the child)
#   mmap, brk grow    0      0        0        0       0
#   mremap            2      2        1        1       2   (minimal: the second, empty pair needs none)
#   madv_dontneed     2      2        1        1       1
#   brk shrink        2      2        1        1       1
#   mprotect          1      1        1        1       1
#   mprotect_rw       1      1        0        1       1   (6.6: an upgrade, no flush)
#   munmap            2      2        1        1       1
#   total            15     13        8        9      10
# and 3 reuses (two pages the child's exit gave back, one after mprotect_rw;
# 6.6's mprotect_rw makes that page writable at once: 2).
# Usage: format2_tests.sh MNSIM SOURCE_DIR OPS_COUNT
set -u
MNSIM=$1 SRC=$2 OPS_COUNT=$3
. "$(dirname "$0")/lib.sh"
T=$SRC/tests/data/format2.trace
for pe in double:15:3 only_end:13:3 secondary_tlbs:8:2 minimal:9:3 unsafe_end:10:3; do
  p=${pe%%:*} rest=${pe#*:} n=${rest%:*} r=${rest#*:}
  "$MNSIM" run -w "$T" --policy "$p" -o "$TMP/$p.h5" >"$TMP/$p.txt" 2>&1
  check "$p: exit 0, $n notifications, $r wp_reuses, 13 kernel ops, nothing skipped, no violation" \
    '[ $? -eq 0 ] && grep -Eq "^notifications +$n$" "$TMP/$p.txt" && grep -Eq "^wp_reuses +$r$" "$TMP/$p.txt" &&
     grep -Eq "^kernel_ops +13$" "$TMP/$p.txt" && grep -Eq "^ops_skipped +0$" "$TMP/$p.txt" && grep -Eq "^violations +0$" "$TMP/$p.txt"'
done
res=$("$OPS_COUNT" "$TMP/double.h5" 0 0x800000000000)
count() { awk -v k="$1" '$1 == k { print $2 }' <<<"$res"; }
check "/ops rows: 3 wp_reuse, 1 fork, 1 exit, 1 mremap, 2 brk, 1 mprotect_rw, 2 cow, 1 zero_fault" \
  '[ "$(count wp_reuse)" = 3 ] && [ "$(count fork)" = 1 ] && [ "$(count exit)" = 1 ] && [ "$(count mremap)" = 1 ] &&
   [ "$(count brk)" = 2 ] && [ "$(count mprotect_rw)" = 1 ] && [ "$(count cow)" = 2 ] && [ "$(count zero_fault)" = 1 ]'
check "the capture lines are in /capture" 'h5dump -a /capture/command "$TMP/double.h5" | grep -q "hand-written test"'
"$MNSIM" run -w "$SRC/workloads/litmus/01-seed-cow-order.trace" -o "$TMP/v1.h5" >"$TMP/v1.txt" 2>&1
check "a format-1 result has no /capture, no wp_reuses or cpu_faults summary" \
  '! grep -q "wp_reuses\|cpu_faults" "$TMP/v1.txt" && ! h5ls "$TMP/v1.h5" | grep -q capture'
finish
