/* progress: see progress.h. */
#include "progress.h"
#include "units.h"
#include <stdio.h>
#include <time.h>

static double wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void progress_init(struct progress *p, int on, uint64_t total, const char *label)
{
	*p = (struct progress){.on = on, .total = total};
	snprintf(p->label, sizeof p->label, "%s", label ? label : "");
	if (on)
		p->start = p->next = wall_now();
}

static const char *human(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

void progress_draw(struct progress *p, double sim_time)
{
	double now = wall_now();
	if (!p->on || now < p->next)
		return;
	p->next = now + 0.2;
	double el = now - p->start, rate = el > 0 ? (double)p->done / el : 0;
	char t[32], d[32], n[32], r[32], eta[48] = "";
	if (rate > 0 && p->total > p->done)
		snprintf(eta, sizeof eta, " · ETA %.0f s", (double)(p->total - p->done) / rate);
	fprintf(stderr, "\r%s%ssim %s · %s/%s events (%.0f %%) · %s events/s%s\033[K", p->label, p->label[0] ? " " : "",
		units_format_duration(sim_time, t, sizeof t), human((double)p->done, d, sizeof d), human((double)p->total, n, sizeof n),
		p->total ? 100.0 * (double)p->done / (double)p->total : 0, human(rate, r, sizeof r), eta);
	fflush(stderr);
	p->drawn = 1;
}

void progress_end(struct progress *p)
{
	if (p->on && p->drawn)
		fprintf(stderr, "\r\033[K");
	p->drawn = 0;
}
