/* h5write: the small HDF5 writing helpers result files (results.c) and
 * sweep merges (sweep.c) share: scalar attributes, strings as
 * variable-length UTF-8 (h5py reads them as str). */
#ifndef MNSIM_H5WRITE_H
#define MNSIM_H5WRITE_H
#include <hdf5.h>

/* A variable-length UTF-8 string type (to close), or -1. */
hid_t h5write_string_type(void);
/* Scalar attributes of obj; 0 or -1. */
int h5write_string_attr(hid_t obj, const char *name, const char *value);
int h5write_double_attr(hid_t obj, const char *name, double value);

#endif
