#!/usr/bin/env python3
"""Question 1: which op holds the page-table lock longest, under which
policy?  The p99 of the ptl hold time per op kind and policy, in µs.

    analysis/examples/ptl_hold_by_op.py results/cmp
"""
import sys

import pandas as pd

from mnsim_results import runs, table, unit

rows = []
for policy, seed, f in runs(sys.argv[1]):
    ops = table(f, 'ops')
    assert unit(f, 'ops', 'ptl_hold') == 's'
    # every op is a row, whether it held a ptl or not: the counts must match the summary
    assert len(ops) == f['summary'].attrs['kernel_ops'], 'one /ops row per kernel op'
    held = ops[(ops.ptl_hold > 0) & (ops.skipped == 0)]
    for kind, g in held.groupby('kind', observed=True):
        rows.append({'op': kind, 'policy': policy, 'ops': len(g), 'ptl_hold_p99_us': g.ptl_hold.quantile(0.99) * 1e6})
    f.close()
df = pd.DataFrame(rows)
print(df.pivot_table(index='op', columns='policy', values='ptl_hold_p99_us', observed=True).round(3).to_string())
