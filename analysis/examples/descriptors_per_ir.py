#!/usr/bin/env python3
"""Question 2: how many invalidation descriptors does one invalidate_range
call cost, and of which types?  /qi_descriptors joined to /notifications on
the call's id.

    analysis/examples/descriptors_per_ir.py results/cmp
"""
import sys

import pandas as pd

from mnsim_results import runs, table

for policy, seed, f in runs(sys.argv[1]):
    calls, descs = table(f, 'notifications'), table(f, 'qi_descriptors')
    f.close()
    if calls.empty:
        print(f'{policy}: no invalidate_range call')
        continue
    per_call = descs.groupby('notification').size()
    joined = calls.set_index('id').join(per_call.rename('rows'))
    # the join is exact: each call has as many descriptor rows as it counted
    assert (joined.rows.fillna(0) == joined.descriptors).all(), 'descriptors joined to their calls'
    types = descs.type.value_counts().reindex(descs.type.cat.categories, fill_value=0)
    print(f'{policy} (seed {seed}): {len(calls)} calls, {joined.descriptors.mean():.2f} descriptors per call; '
          + ', '.join(f'{t} {n}' for t, n in types.items()))
    by_where = joined.groupby('where', observed=True).descriptors.agg(['count', 'mean'])
    print(by_where.rename(columns={'count': 'calls', 'mean': 'descriptors per call'}).round(2).to_string())
