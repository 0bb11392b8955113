#!/usr/bin/env python3
"""Question 3: how full is the invalidation queue over time?  The windowed
maximum and time-weighted mean of the slots in use, per IOMMU (the step
function /qi_occupancy records), for each run.

    analysis/examples/qi_occupancy.py results/cmp [WINDOW_US]
"""
import sys

import numpy as np
import pandas as pd

from mnsim_results import runs, table

window = float(sys.argv[2]) * 1e-6 if len(sys.argv) > 2 else 50e-6
for policy, seed, f in runs(sys.argv[1]):
    occ, iommus = table(f, 'qi_occupancy'), table(f, 'iommus')
    end = f['summary'].attrs['sim_time']
    f.close()
    for io, steps in occ.groupby('iommu'):
        t = np.append(steps.time.to_numpy(), end)
        used = steps.used.to_numpy()
        edges = np.arange(0, end + window, window)
        rows = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            # the steps that overlap [lo, hi): each holds used[i] from t[i] to t[i+1]
            # (before the first row the queue is empty)
            overlap = np.clip(t[1:], lo, hi) - np.clip(t[:-1], lo, hi)
            live = overlap > 0
            rows.append({'from_us': lo * 1e6, 'max': used[live].max() if live.any() else 0,
                         'mean': np.sum(used * overlap) / (hi - lo)})
        df = pd.DataFrame(rows)
        name = iommus.name[io]
        assert df['max'].max() == steps.used.max() == iommus.qi_max_used[io], 'the windows see the peak'
        print(f'{policy} seed {seed} {name}: depth {iommus.qi_depth[io]}, peak {int(df["max"].max())} slots, '
              f'busiest window from {df.loc[df["mean"].idxmax(), "from_us"]:.0f} us (mean {df["mean"].max():.2f})')
