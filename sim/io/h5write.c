/* h5write: see h5write.h. */
#include "h5write.h"

hid_t h5write_string_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

static int scalar_attr(hid_t obj, const char *name, hid_t type, const void *value)
{
	hid_t space = H5Screate(H5S_SCALAR), a = -1;
	int rc = -1;
	if (type >= 0 && space >= 0 && (a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
		rc = H5Awrite(a, type, value) < 0 ? -1 : 0;
	if (a >= 0)
		H5Aclose(a);
	if (space >= 0)
		H5Sclose(space);
	return rc;
}

int h5write_string_attr(hid_t obj, const char *name, const char *value)
{
	hid_t t = h5write_string_type();
	int rc = scalar_attr(obj, name, t, &value);
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

int h5write_double_attr(hid_t obj, const char *name, double value) { return scalar_attr(obj, name, H5T_NATIVE_DOUBLE, &value); }
