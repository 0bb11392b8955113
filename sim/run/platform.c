/* platform: see platform.h. */
#include "platform.h"
#include "textutil.h"
#include "xmlscan.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <simgrid/host.h>
#include <simgrid/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xbt/dict.h>
#include <xbt/dynar.h>
#include <xbt/sysdep.h>

/* A platform file larger than this is not a platform mnsim can simulate. */
#define MAX_PLATFORM_BYTES (64 << 20)
#define MAX_PROPS 64

struct host_decl { char *id, *role, *iommu; int line; };
struct link_decl { char *id; int line; };
struct prop { char key[256], value[256]; int line; };

struct platform {
	char *path;
	struct host_decl *hosts;
	size_t n_hosts, cap_hosts;
	struct link_decl *links;
	size_t n_links, cap_links;
	size_t *host_order, *link_order; /* indices sorted by id, for lookups */
};

/* ---- values with units, as SimGrid reads them (xbt/parse_units.cpp) ---- */

struct unit { const char *name; double scale; };

static const struct unit time_units[] = {{"w", 604800}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}, {"ms", 1e-3},
					 {"us", 1e-6}, {"ns", 1e-9}, {"ps", 1e-12}, {NULL, 0}};

/* A plain decimal number (no inf, nan or hex) followed by a suffix. */
static int parse_number(const char *text, double *v, const char **suffix)
{
	const char *c = text;
	if (*c == '-' || *c == '+')
		c++;
	int digits = 0;
	while (*c >= '0' && *c <= '9')
		c++, digits++;
	if (*c == '.')
		for (c++; *c >= '0' && *c <= '9'; c++)
			digits++;
	if (!digits)
		return -1;
	if ((*c == 'e' || *c == 'E') && ((c[1] >= '0' && c[1] <= '9') || ((c[1] == '-' || c[1] == '+') && c[2] >= '0' && c[2] <= '9'))) {
		c += 2;
		while (*c >= '0' && *c <= '9')
			c++;
	}
	char *end;
	errno = 0;
	*v = strtod(text, &end);
	if (end != c || errno == ERANGE || !isfinite(*v))
		return -1;
	*suffix = c;
	return 0;
}

/* SimGrid's prefixed units: base with k M G T P E Z Y (x1000) and Ki Mi ... (x1024). */
static int prefixed_unit(const char *suffix, const char *base, double base_scale, double *scale)
{
	static const char *const dec[] = {"", "k", "M", "G", "T", "P", "E", "Z", "Y"};
	static const char *const bin[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
	size_t bl = strlen(base), sl = strlen(suffix);
	if (sl < bl || strcmp(suffix + sl - bl, base) != 0)
		return -1;
	size_t pl = sl - bl;
	double m = base_scale;
	for (int i = 0; i < 9; i++, m *= 1000)
		if (strlen(dec[i]) == pl && strncmp(suffix, dec[i], pl) == 0)
			return *scale = m, 0;
	m = base_scale * 1024;
	for (int i = 0; i < 8; i++, m *= 1024)
		if (strlen(bin[i]) == pl && strncmp(suffix, bin[i], pl) == 0)
			return *scale = m, 0;
	return -1;
}

enum quantity { Q_BANDWIDTH, Q_LATENCY, Q_SPEED };

static const struct { const char *attr; enum quantity q; } quantities[] = {
	{"bandwidth", Q_BANDWIDTH}, {"bw", Q_BANDWIDTH}, {"bw_in", Q_BANDWIDTH}, {"bw_out", Q_BANDWIDTH},
	{"bb_bw", Q_BANDWIDTH}, {"loopback_bw", Q_BANDWIDTH}, {"limiter_link", Q_BANDWIDTH},
	{"latency", Q_LATENCY}, {"lat", Q_LATENCY}, {"bb_lat", Q_LATENCY}, {"loopback_lat", Q_LATENCY},
	{"speed", Q_SPEED},
};

/* One value of a quantity; 0, or -1 with why. */
static int check_one(enum quantity q, const char *text, char *why, size_t len)
{
	double v, scale = -1;
	const char *suffix;
	static const char *const expected[] = {
		[Q_BANDWIDTH] = "a bandwidth with a unit, e.g. 7.88GBps (Bps, kBps, MBps, GBps, TBps, or bps for bits)",
		[Q_LATENCY] = "a duration with a unit, e.g. 250ns (ps, ns, us, ms, s); a bare number would be seconds",
		[Q_SPEED] = "a speed with a unit, e.g. 1Gf (f, kf, Mf, Gf)"};
	if (parse_number(text, &v, &suffix) != 0) {
		char *end;
		errno = 0;
		strtod(text, &end);
		return failf(why, len, "%s: expected %s", errno == ERANGE ? "a number out of range" : "not a number", expected[q]);
	}
	if (q == Q_LATENCY && v < 0)
		return failf(why, len, "a negative latency: expected at least 0");
	if (q != Q_LATENCY && v <= 0)
		return failf(why, len, "expected a %s above 0", q == Q_SPEED ? "speed" : "bandwidth");
	if (q == Q_LATENCY) {
		for (const struct unit *u = time_units; u->name; u++)
			if (strcmp(suffix, u->name) == 0)
				scale = u->scale;
	} else if (q == Q_BANDWIDTH) {
		if (prefixed_unit(suffix, "Bps", 1, &scale) != 0 && prefixed_unit(suffix, "bps", 0.125, &scale) != 0)
			scale = -1;
	} else if (prefixed_unit(suffix, "f", 1, &scale) != 0 && prefixed_unit(suffix, "flops", 1, &scale) != 0) {
		scale = -1;
	}
	if (!*suffix && v == 0 && q == Q_LATENCY)
		scale = 1; /* a latency of 0 needs no unit */
	if (scale < 0)
		return failf(why, len, "%s: expected %s", *suffix ? "unknown unit" : "no unit", expected[q]);
	v *= scale;
	if (q == Q_LATENCY && v > PLATFORM_MAX_LATENCY)
		return failf(why, len, "expected a latency of at most %gs", PLATFORM_MAX_LATENCY);
	if (q == Q_BANDWIDTH && v > PLATFORM_MAX_BANDWIDTH)
		return failf(why, len, "expected a bandwidth of at most %gTBps", PLATFORM_MAX_BANDWIDTH / 1e12);
	return 0;
}

/* A value that may be a list (pstates "1Gf,500Mf"; bandwidths "1GBps;2GBps"). */
static int check_quantity(enum quantity q, const char *text, char *why, size_t len)
{
	char buf[512];
	if (strlen(text) >= sizeof buf)
		return failf(why, len, "a value longer than %zu characters", sizeof buf - 1);
	snprintf(buf, sizeof buf, "%s", text);
	char *save = NULL;
	int n = 0;
	for (char *t = strtok_r(buf, q == Q_SPEED ? "," : ",;", &save); t; t = strtok_r(NULL, q == Q_SPEED ? "," : ",;", &save), n++)
		if (check_one(q, trim(t), why, len) != 0)
			return -1;
	return n ? 0 : check_one(q, "", why, len);
}

/* ---- reading the file ---- */

struct reader {
	struct platform *p;
	const char *stack[XML_MAX_DEPTH + 1];
	int depth;
	int host; /* index of the <host> being read, or -1 */
	struct prop props[MAX_PROPS];
	int n_props;
};

static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? 2 * *cap : 16;
	void *q = realloc(arr, *cap * elem);
	if (!q)
		abort();
	return q;
}

static int bad(const struct reader *r, int line, char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int bad(const struct reader *r, int line, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", r->p->path, line, msg);
	return -1;
}

static enum param_scope scope_of_role(const char *role) { return strcmp(role, "iommu") == 0 ? PS_IOMMU : PS_DEVICE; }

/* At </host>: its role and properties. */
static int end_host(struct reader *r, char *err, size_t errlen)
{
	struct host_decl *h = &r->p->hosts[r->host];
	const struct prop *role = NULL;
	for (int i = 0; i < r->n_props; i++)
		if (strcmp(r->props[i].key, "role") == 0)
			role = &r->props[i];
	if (!role)
		return bad(r, h->line, err, errlen, "host '%s' has no property role: expected <prop id=\"role\" value=\"cpu|iommu|device\"/>", h->id);
	if (strcmp(role->value, "cpu") && strcmp(role->value, "iommu") && strcmp(role->value, "device"))
		return bad(r, role->line, err, errlen, "host '%s': property role='%s': expected cpu, iommu or device", h->id, role->value);
	h->role = strdup(role->value);
	for (int i = 0; i < r->n_props; i++) {
		const struct prop *pr = &r->props[i];
		char why[256];
		if (pr == role)
			continue;
		if (strcmp(pr->key, "iommu") == 0 && strcmp(h->role, "device") == 0) {
			h->iommu = strdup(pr->value);
			continue;
		}
		if (strcmp(h->role, "cpu") == 0)
			return bad(r, pr->line, err, errlen, "host '%s': property '%s': a cpu host takes no property but role", h->id, pr->key);
		const struct param_def *d = params_find(pr->key);
		if (!d || d->scope != scope_of_role(h->role))
			return bad(r, pr->line, err, errlen, "host '%s': property '%s' is not a%s %s parameter (see 'mnsim params')%s", h->id,
				   pr->key, strcmp(h->role, "iommu") == 0 ? "n" : "", h->role,
				   strcmp(pr->key, "iommu") == 0 ? ": only a device host names its IOMMU" : "");
		struct params scratch;
		params_defaults(&scratch);
		if (params_set(&scratch, pr->key, pr->value, why, sizeof why) != 0)
			return bad(r, pr->line, err, errlen, "host '%s': %s", h->id, why);
	}
	if (strcmp(h->role, "device") == 0 && !h->iommu)
		return bad(r, h->line, err, errlen, "device host '%s' needs a property iommu=NAME naming an IOMMU host", h->id);
	r->host = -1;
	return 0;
}

static int on_start(void *ctx, const struct xml_element *e, char *err, size_t errlen)
{
	struct reader *r = ctx;
	struct platform *p = r->p;
	if (e->depth == 0 && strcmp(e->name, "platform") != 0)
		return bad(r, e->line, err, errlen, "root element <%s>: expected <platform>", e->name);
	for (size_t i = 0; i < e->n_attrs; i++)
		for (size_t k = 0; k < sizeof quantities / sizeof quantities[0]; k++) {
			char why[256];
			const char *id = xml_attr(e, "id");
			if (strcmp(e->attrs[i].name, quantities[k].attr) == 0 && check_quantity(quantities[k].q, e->attrs[i].value, why, sizeof why) != 0)
				return bad(r, e->line, err, errlen, "<%s%s%s%s> %s='%s': %s", e->name, id ? " id='" : "", id ? id : "", id ? "'" : "",
					   e->attrs[i].name, e->attrs[i].value, why);
		}
	const char *id = xml_attr(e, "id");
	if (strcmp(e->name, "host") == 0) {
		if (!id || !*id)
			return bad(r, e->line, err, errlen, "<host> without an id");
		/* hosts declared twice are found once all are read (sort_ids) */
		p->hosts = grow(p->hosts, &p->cap_hosts, p->n_hosts, sizeof *p->hosts);
		p->hosts[p->n_hosts] = (struct host_decl){strdup(id), NULL, NULL, e->line};
		r->host = (int)p->n_hosts++;
		r->n_props = 0;
	} else if (strcmp(e->name, "link") == 0 && id) {
		p->links = grow(p->links, &p->cap_links, p->n_links, sizeof *p->links);
		p->links[p->n_links++] = (struct link_decl){strdup(id), e->line};
	} else if (strcmp(e->name, "prop") == 0 && r->depth > 0 && strcmp(r->stack[r->depth - 1], "host") == 0 && r->host >= 0) {
		const char *value = xml_attr(e, "value");
		if (!id || !value)
			return bad(r, e->line, err, errlen, "<prop> needs id=\"NAME\" and value=\"VALUE\"");
		for (int i = 0; i < r->n_props; i++)
			if (strcmp(r->props[i].key, id) == 0)
				return bad(r, e->line, err, errlen, "host '%s': property '%s' given twice (first at line %d)",
					   p->hosts[r->host].id, id, r->props[i].line);
		if (r->n_props == MAX_PROPS)
			return bad(r, e->line, err, errlen, "host '%s': more than %d properties", p->hosts[r->host].id, MAX_PROPS);
		if (strlen(id) >= sizeof r->props[0].key || strlen(value) >= sizeof r->props[0].value)
			return bad(r, e->line, err, errlen, "host '%s': property '%.40s...' is longer than 255 characters", p->hosts[r->host].id, id);
		struct prop *pr = &r->props[r->n_props++];
		snprintf(pr->key, sizeof pr->key, "%s", id);
		snprintf(pr->value, sizeof pr->value, "%s", value);
		pr->line = e->line;
	}
	/* the stack holds names owned by the scanner only during the callback:
	 * keep the few that matter */
	static const char *const kept[] = {"host", "other"};
	r->stack[r->depth++] = strcmp(e->name, "host") == 0 ? kept[0] : kept[1];
	return 0;
}

static int on_end(void *ctx, const char *name, int line, char *err, size_t errlen)
{
	(void)line;
	struct reader *r = ctx;
	r->depth--;
	if (strcmp(name, "host") == 0 && r->host >= 0)
		return end_host(r, err, errlen);
	return 0;
}

/* The hosts' and links' ids start their structs: one comparison for both. */
static int id_cmp(const void *a, const void *b, void *arr_elem)
{
	const char *base = ((const char *const *)arr_elem)[0];
	size_t elem = (size_t)((const char *const *)arr_elem)[1];
	const char *x = *(char *const *)(base + *(const size_t *)a * elem), *y = *(char *const *)(base + *(const size_t *)b * elem);
	return strcmp(x, y);
}

/* Sorts the indices of n elements by id; the first id found twice (by its
 * later line) is the error. */
static size_t *sort_ids(const void *arr, size_t n, size_t elem, int (*line_of)(const void *, size_t), int *dup_line,
			int *first_line, size_t *dup)
{
	size_t *order = malloc((n + 1) * sizeof *order);
	if (!order)
		abort();
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	const void *ctx[2] = {arr, (const void *)elem};
	qsort_r(order, n, sizeof *order, id_cmp, ctx);
	*dup_line = 0;
	for (size_t k = 1; k < n; k++)
		if (id_cmp(&order[k - 1], &order[k], ctx) == 0) {
			int a = line_of(arr, order[k - 1]), b = line_of(arr, order[k]);
			int later = a > b ? a : b;
			if (!*dup_line || later < *dup_line)
				*dup_line = later, *first_line = a > b ? b : a, *dup = order[k];
		}
	return order;
}

static int host_line(const void *arr, size_t i) { return ((const struct host_decl *)arr)[i].line; }
static int link_line(const void *arr, size_t i) { return ((const struct link_decl *)arr)[i].line; }

/* The element of arr (sorted by order) whose id is id, or NULL. */
static const void *find_id(const void *arr, size_t elem, const size_t *order, size_t n, const char *id)
{
	size_t lo = 0, hi = order ? n : 0;
	while (id && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const void *e = (const char *)arr + order[mid] * elem;
		int c = strcmp(*(char *const *)e, id);
		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct host_decl *find_host(const struct platform *p, const char *id)
{
	return find_id(p->hosts, sizeof *p->hosts, p->host_order, p->n_hosts, id);
}

static const struct link_decl *find_link(const struct platform *p, const char *id)
{
	return find_id(p->links, sizeof *p->links, p->link_order, p->n_links, id);
}

struct platform *platform_parse(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	struct platform *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->path = strdup(path);
	struct reader r = {.p = p, .host = -1};
	struct xml_handler h = {on_start, on_end, &r};
	char why[1024];
	int rc = xml_scan(text, len, &h, why, sizeof why);
	if (rc != 0) {
		/* the scanner's own errors are "LINE: why", the callbacks' are whole */
		if (why[0] >= '0' && why[0] <= '9')
			snprintf(err, errlen, "%s:%s", path, why);
		else
			snprintf(err, errlen, "%s", why);
	}
	int dup_line, first_line;
	size_t dup;
	if (rc == 0) {
		p->host_order = sort_ids(p->hosts, p->n_hosts, sizeof *p->hosts, host_line, &dup_line, &first_line, &dup);
		if (dup_line)
			rc = bad(&r, dup_line, err, errlen, "host '%s' declared twice (first at line %d)", p->hosts[dup].id, first_line);
	}
	if (rc == 0) {
		p->link_order = sort_ids(p->links, p->n_links, sizeof *p->links, link_line, &dup_line, &first_line, &dup);
		if (dup_line)
			rc = bad(&r, dup_line, err, errlen, "link '%s' declared twice (first at line %d)", p->links[dup].id, first_line);
	}
	/* every device names an IOMMU host of this file */
	for (size_t i = 0; rc == 0 && i < p->n_hosts; i++) {
		const struct host_decl *d = &p->hosts[i], *io;
		if (d->iommu && (!(io = find_host(p, d->iommu)) || strcmp(io->role, "iommu") != 0))
			rc = bad(&r, d->line, err, errlen, "device host '%s': property iommu='%s' %s", d->id, d->iommu,
				 io ? "is not a host with role=iommu" : "names no host of this file");
	}
	if (rc != 0) {
		platform_free(p);
		return NULL;
	}
	return p;
}

struct platform *platform_read(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		failf(err, errlen, "%s: cannot open platform: %s", path, strerror(errno));
		return NULL;
	}
	/* SimGrid reads the file again: it must be a regular file */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_PLATFORM_BYTES) {
		failf(err, errlen, "%s: %s", path,
		      S_ISDIR(st.st_mode) ? "is a directory: expected a platform file (XML)"
		      : !S_ISREG(st.st_mode) ? "not a regular file: expected a platform file (SimGrid reads it again)"
		      : "larger than 64 MiB: not a platform file");
		close(fd);
		return NULL;
	}
	char *text = malloc((size_t)st.st_size + 1);
	if (!text)
		abort();
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	struct platform *p = got == (size_t)st.st_size ? platform_parse(path, text, got, err, errlen) : NULL;
	if (got != (size_t)st.st_size)
		failf(err, errlen, "%s: cannot read the platform file", path);
	free(text);
	return p;
}

void platform_free(struct platform *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_hosts; i++) {
		free(p->hosts[i].id);
		free(p->hosts[i].role);
		free(p->hosts[i].iommu);
	}
	for (size_t i = 0; i < p->n_links; i++)
		free(p->links[i].id);
	free(p->hosts);
	free(p->links);
	free(p->host_order);
	free(p->link_order);
	free(p->path);
	free(p);
}

/* ---- what SimGrid loaded ---- */

const char *platform_role(sg_host_t h)
{
	const char *r = sg_host_get_property_value(h, "role");
	return r ? r : "";
}

/* "FILE:LINE: " for an element the file declares, else "FILE: ". */
static void where(const struct platform *p, const char *host, const char *link, char *buf, size_t len)
{
	int line = 0;
	const struct host_decl *h = find_host(p, host);
	const struct link_decl *l = find_link(p, link);
	if (h)
		line = h->line;
	if (l)
		line = l->line;
	if (line)
		snprintf(buf, len, "%s:%d: ", p->path, line);
	else
		snprintf(buf, len, "%s: ", p->path);
}

int platform_host_params(const struct platform *p, sg_host_t h, enum param_scope scope, const struct param_settings *trace,
			 const struct param_settings *sets, struct params *out, char *err, size_t errlen)
{
	char why[256], at[4200];
	params_defaults(out);
	xbt_dict_t props = sg_host_get_properties(h);
	xbt_dict_cursor_t cursor = NULL;
	char *key, *value;
	int rc = 0;
	where(p, sg_host_get_name(h), NULL, at, sizeof at);
	xbt_dict_foreach (props, cursor, key, value) {
		if (rc || strcmp(key, "role") == 0 || (scope == PS_DEVICE && strcmp(key, "iommu") == 0))
			continue;
		const struct param_def *d = params_find(key);
		if (!d || d->scope != scope)
			rc = failf(err, errlen, "%shost '%s': property '%s' is not a%s %s parameter (see 'mnsim params')", at,
				   sg_host_get_name(h), key, scope == PS_IOMMU ? "n" : "", params_scope_name(scope));
		else if (params_set(out, key, value, why, sizeof why) != 0)
			rc = failf(err, errlen, "%shost '%s': %s", at, sg_host_get_name(h), why);
	}
	xbt_dict_free(&props);
	if (rc)
		return -1;
	if (param_settings_apply(trace, out, why, sizeof why) != 0 || param_settings_apply(sets, out, why, sizeof why) != 0)
		return failf(err, errlen, "%s", why);
	return 0;
}

/* A device's routes to and from its IOMMU, as SimGrid has them: how many
 * links each (their values are checked with every link's). */
struct route_rec { int links[2]; };

static int route_links(sg_host_t a, sg_host_t b)
{
	xbt_dynar_t l = xbt_dynar_new(sizeof(sg_link_t), NULL);
	sg_host_get_route(a, b, l);
	int n = (int)xbt_dynar_length(l);
	xbt_dynar_free(&l);
	return n;
}

/* Asks SimGrid for the n routes in a child process, which may crash:
 * returns how many it answered before it did (n if all). */
static size_t probe_routes(sg_host_t *dev, sg_host_t *io, size_t n, struct route_rec *out)
{
	int fds[2];
	if (n == 0 || pipe(fds) != 0)
		return 0;
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(fds[0]);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2); /* SimGrid's backtrace of a missing route is noise here */
		for (size_t i = 0; i < n; i++) {
			struct route_rec r;
			r.links[0] = route_links(dev[i], io[i]);
			r.links[1] = route_links(io[i], dev[i]);
			if (write(fds[1], &r, sizeof r) != sizeof r)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fds[0], &out[got], sizeof out[got]);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != sizeof out[got])
			break;
		got++;
	}
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return got;
}

static int check_links(const struct platform *p, char *err, size_t errlen)
{
	size_t n = sg_link_count();
	sg_link_t *links = sg_link_list();
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *name = sg_link_get_name(links[i]);
		double bw = sg_link_get_bandwidth(links[i]), lat = sg_link_get_latency(links[i]);
		char at[4200];
		where(p, NULL, name, at, sizeof at);
		if (!(bw > 0 && bw <= PLATFORM_MAX_BANDWIDTH))
			rc = failf(err, errlen, "%slink '%s': bandwidth %g B/s: expected above 0 and at most %gTBps", at, name, bw,
				   PLATFORM_MAX_BANDWIDTH / 1e12);
		else if (!(lat >= 0 && lat <= PLATFORM_MAX_LATENCY))
			rc = failf(err, errlen, "%slink '%s': latency %gs: expected at least 0 and at most %gs", at, name, lat, PLATFORM_MAX_LATENCY);
	}
	xbt_free(links);
	return rc;
}

int platform_check_loaded(const struct platform *p, const struct trace_header *t, char *err, size_t errlen)
{
	char at[4200];
	size_t n_hosts = sg_host_count();
	sg_host_t *hosts = sg_host_list();
	int rc = 0, n_cpus = 0;
	for (size_t i = 0; rc == 0 && i < n_hosts; i++) {
		const char *role = platform_role(hosts[i]);
		where(p, sg_host_get_name(hosts[i]), NULL, at, sizeof at);
		if (strcmp(role, "cpu") && strcmp(role, "iommu") && strcmp(role, "device"))
			rc = failf(err, errlen, "%shost '%s': property role='%s': expected cpu, iommu or device", at, sg_host_get_name(hosts[i]), role);
		n_cpus += strcmp(role, "cpu") == 0;
	}
	xbt_free(hosts);
	if (rc == 0)
		rc = check_links(p, err, errlen);
	/* the trace's CPU streams and their cores */
	for (size_t k = 0; rc == 0 && k < t->n_streams; k++) {
		const struct trace_stream *st = &t->streams[k];
		sg_host_t h;
		if (st->is_device)
			continue;
		if (st->core && (!(h = sg_host_by_name(st->core)) || strcmp(platform_role(h), "cpu") != 0))
			rc = failf(err, errlen, "%s:%d: core '%s' is not a host with role=cpu in platform %s", t->path, st->line, st->core, p->path);
		else if (!st->core && n_cpus == 0)
			rc = failf(err, errlen, "%s: no host with role=cpu to run CPU stream '%s'", p->path, st->name);
	}
	/* the trace's devices, their IOMMUs, and the routes between them */
	sg_host_t *dev = calloc(t->n_devices + 1, sizeof *dev), *io = calloc(t->n_devices + 1, sizeof *io);
	struct route_rec *routes = calloc(t->n_devices + 1, sizeof *routes);
	if (!dev || !io || !routes)
		abort();
	for (size_t i = 0; rc == 0 && i < t->n_devices; i++) {
		const struct trace_device *td = &t->devices[i];
		const char *name;
		dev[i] = sg_host_by_name(td->name);
		if (!dev[i] || strcmp(platform_role(dev[i]), "device") != 0) {
			rc = failf(err, errlen, "%s:%d: device '%s' is not a host with role=device in platform %s", t->path, td->line, td->name, p->path);
			break;
		}
		where(p, td->name, NULL, at, sizeof at);
		name = sg_host_get_property_value(dev[i], "iommu");
		io[i] = name ? sg_host_by_name(name) : NULL;
		if (!io[i] || strcmp(platform_role(io[i]), "iommu") != 0)
			rc = failf(err, errlen, "%sdevice host '%s' needs a property iommu=NAME naming an IOMMU host", at, td->name);
	}
	size_t answered = rc == 0 ? probe_routes(dev, io, t->n_devices, routes) : t->n_devices;
	for (size_t i = 0; rc == 0 && i < t->n_devices; i++) {
		const char *d = sg_host_get_name(dev[i]), *m = sg_host_get_name(io[i]);
		where(p, d, NULL, at, sizeof at);
		if (i >= answered)
			rc = failf(err, errlen, "%sno route between device '%s' and its IOMMU '%s' (SimGrid fails looking for one): "
						"expected <route src=\"%s\" dst=\"%s\"> in the zone that holds both", at, d, m, d, m);
		else if (routes[i].links[0] == 0 || routes[i].links[1] == 0)
			rc = failf(err, errlen, "%sno route from %s '%s' to %s '%s': expected a <route> with at least one link (its PCIe link)", at,
				   routes[i].links[0] == 0 ? "device" : "IOMMU", routes[i].links[0] == 0 ? d : m,
				   routes[i].links[0] == 0 ? "IOMMU" : "device", routes[i].links[0] == 0 ? m : d);
	}
	free(dev);
	free(io);
	free(routes);
	return rc;
}
