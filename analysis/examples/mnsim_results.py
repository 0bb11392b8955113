"""Reading mnsim result files with h5py and pandas (Debian: python3-h5py,
python3-pandas), shared by the examples here.  Nothing here needs mnsim:
the files describe themselves (results/README.md)."""
import glob
import os

import h5py
import pandas as pd


def table(f, name):
    """One dataset of a result file as a DataFrame: enumerations as
    categories with their names, strings as str."""
    ds = f[name]
    df = pd.DataFrame(ds[()])
    for field in ds.dtype.names:
        mapping = h5py.check_enum_dtype(ds.dtype[field])
        if mapping:
            names = {v: k for k, v in mapping.items()}
            df[field] = pd.Categorical(df[field].map(names), categories=list(mapping))
        elif ds.dtype[field].kind == 'S':
            df[field] = df[field].str.decode('utf-8')
    return df


def unit(f, dataset, field):
    """The unit of a field ('s', 'pages', 'slots' or '' for counts)."""
    return f[dataset].attrs[field]


def runs(path):
    """(policy, seed, open file) for a result file or every .h5 of a
    `mnsim compare` directory, in name order."""
    files = [path] if os.path.isfile(path) else sorted(glob.glob(os.path.join(path, '*.h5')))
    for p in files:
        f = h5py.File(p, 'r')
        yield f.attrs['policy'], int(f.attrs['seed']), f
