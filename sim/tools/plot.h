/* plot: renders figures by running one of the gnuplot scripts in analysis/
 * on data files mnsim wrote, passing the file names as gnuplot variables. */
#ifndef MNSIM_PLOT_H
#define MNSIM_PLOT_H
#include <stddef.h>

/* Runs `gnuplot -e "datafile='DATA'; outfile='OUT'; VARS" analysis/SCRIPT`
 * (VARS: more gnuplot assignments, or ""). Returns 0, or -1 with the reason
 * in err (gnuplot missing or failed). */
int plot_render(const char *script, const char *data, const char *out, const char *vars, char *err, size_t errlen);

#endif
