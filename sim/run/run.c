/* run: see run.h. */
#include "run.h"
#include "sim.h"
#include "textutil.h"
#include "digest.h"
#include "logspec.h"
#include "checker.h"
#include "policy.h"
#include "device.h"
#include "invariants.h"
#include "iommu.h"
#include "kernel_ops.h"
#include "kversion.h"
#include "later.h"
#include "mm.h"
#include "limits.h"
#include "outfile.h"
#include "physmem.h"
#include "platform.h"
#include <errno.h>
#include <signal.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/version.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xbt/config.h>
#include <xbt/log.h>

XBT_LOG_NEW_DEFAULT_CATEGORY(sim, "mnsim run set-up and summary");

/* SimGrid settings that would otherwise skew nanosecond-scale results
 * (DESIGN.md 8): LV08's TCP factors and a 1 ns clock precision. */
static const struct { const char *key, *value; } simgrid_settings[] = {
	{"network/model", "CM02"},
	{"surf/precision", "1e-13"}, /* engine.c's PRECISION and CLEARANCE assume it */
	{"maxmin/precision", "1e-13"},
	/* PCIe has no TCP ACK stream flowing back */
	{"network/crosstraffic", "0"},
#ifdef MNSIM_SANITIZE
	/* AddressSanitizer cannot follow SimGrid's stack switching; threads it can */
	{"contexts/factory", "thread"},
#endif
};

const char *sim_default_platform(void)
{
	const char *env = getenv("MNSIM_PLATFORM");
	return env && *env ? env : MNSIM_SOURCE_DIR "/platforms/vtd-like.xml";
}

/* ---- SimGrid and the platform ---- */

static void init_simgrid(const struct logspec *log)
{
	/* SimGrid keeps argv; the settings go in as --log= and --cfg= arguments */
	static char args[LOGSPEC_MAX + 8][128];
	static char *argv[LOGSPEC_MAX + 8];
	int argc = 0;
	snprintf(args[argc], sizeof args[0], "mnsim");
	argv[argc] = args[argc], argc++;
	for (int i = 0; i < log->n; i++) {
		snprintf(args[argc], sizeof args[0], "--log=%s", log->settings[i]);
		argv[argc] = args[argc], argc++;
	}
	for (size_t i = 0; i < sizeof simgrid_settings / sizeof simgrid_settings[0]; i++) {
		snprintf(args[argc], sizeof args[0], "--cfg=%s:%s", simgrid_settings[i].key, simgrid_settings[i].value);
		argv[argc] = args[argc], argc++;
	}
	argv[argc] = NULL;
	simgrid_init(&argc, argv);
}

static int host_cmp(const void *a, const void *b)
{
	return strcmp(sg_host_get_name(*(const sg_host_t *)a), sg_host_get_name(*(const sg_host_t *)b));
}

/* The platform has been checked (platform.h): these only build. */
static int build_iommus(struct sim *s, const struct platform *plat, sg_host_t *hosts, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(platform_role(hosts[i]), "iommu") == 0) {
			struct params p;
			if (platform_host_params(plat, hosts[i], PS_IOMMU, &s->trace->params, &s->sets, &p, err, errlen) != 0)
				return -1;
			kversion_configure_iommu(&p, &s->p);
			if (!(s->iommus = realloc(s->iommus, (s->n_iommus + 1) * sizeof *s->iommus)))
				abort();
			s->iommus[s->n_iommus] = iommu_new(s, (int)s->n_iommus, sg_host_get_name(hosts[i]), hosts[i], &p);
			s->n_iommus++;
		}
	}
	return 0;
}

static struct iommu *iommu_by_name(struct sim *s, const char *name)
{
	for (size_t i = 0; name && i < s->n_iommus; i++)
		if (strcmp(iommu_name(s->iommus[i]), name) == 0)
			return s->iommus[i];
	return NULL;
}

static int build_devices(struct sim *s, const struct platform *plat, char *err, size_t errlen)
{
	const struct trace_header *t = s->trace;
	s->n_devices = t->n_devices;
	if (!(s->devices = calloc(t->n_devices + 1, sizeof *s->devices)))
		abort();
	for (size_t i = 0; i < t->n_devices; i++) {
		const struct trace_device *td = &t->devices[i];
		sg_host_t h = sg_host_by_name(td->name);
		struct iommu *io = iommu_by_name(s, sg_host_get_property_value(h, "iommu"));
		struct params p;
		if (platform_host_params(plat, h, PS_DEVICE, &s->trace->params, &s->sets, &p, err, errlen) != 0)
			return -1;
		struct mm *mm = s->mms[td->process];
		s->devices[i] = device_new(s, (int)i, td->name, h, io, mm, &p);
		if (!(mm->devices = realloc(mm->devices, (mm->n_devices + 1) * sizeof *mm->devices)))
			abort();
		mm->devices[mm->n_devices++] = (int)i;
	}
	return 0;
}

/* ---- processes and their initial memory ---- */

static void populate_page(struct sim *s, struct mm *mm, uint64_t va, int huge, enum populate how)
{
	struct pte *p = mm_entry(mm, va, huge, 1);
	p->state = PTE_PRESENT;
	if (how == POP_ZERO && !huge) {
		p->pfn = physmem_zero_pfn(s->mem);
		p->writable = 0;
		return;
	}
	p->pfn = physmem_alloc(s->mem, huge);
	if (how != POP_ZEROED) /* zeroed: private pages that all hold zeros */
		physmem_frame(s->mem, p->pfn)->token = physmem_new_token(s->mem);
	p->writable = how != POP_COW;
	if (how == POP_COW)
		physmem_get_external(s->mem, p->pfn); /* the parent's reference after fork */
}

static void build_processes(struct sim *s)
{
	const struct trace_header *t = s->trace;
	s->n_mms = t->n_processes;
	if (!(s->mms = calloc(t->n_processes + 1, sizeof *s->mms)))
		abort();
	for (size_t i = 0; i < t->n_processes; i++) {
		s->mms[i] = mm_new((int)i, t->processes[i].name, t->processes[i].pasid, (int)s->p.ptl_split, &s->engine);
		s->mms[i]->unborn = t->processes[i].forked;
	}
}

/* The mappings and their populated pages: the big part of the set-up,
 * done once the run's size has been checked (limits.h). */
static void populate_processes(struct sim *s)
{
	const struct trace_header *t = s->trace;
	for (size_t i = 0; i < t->n_maps; i++) {
		const struct trace_map *m = &t->maps[i];
		struct mm *mm = s->mms[m->process];
		mm_add_vma_prot(mm, m->start, m->start + m->size, m->huge, !m->ro, m->shared);
		uint64_t step = m->huge ? HUGE_SIZE : PAGE_SIZE;
		for (uint64_t va = m->start; m->populate != POP_NONE && va < m->start + m->size; va += step)
			populate_page(s, mm, va, m->huge, m->populate);
	}
	for (size_t i = 0; i < t->n_present; i++) {
		const struct trace_present *pr = &t->present[i];
		const struct vma *v = mm_find_vma(s->mms[pr->process], pr->start);
		for (uint64_t va = pr->start; va < pr->start + pr->size; va += PAGE_SIZE) {
			populate_page(s, s->mms[pr->process], va, 0, pr->populate);
			if (!v->writable) /* a page of a read-only mapping is mapped read-only */
				mm_entry(s->mms[pr->process], va, 0, 0)->writable = 0;
		}
	}
}

static void start_cpu_threads(struct sim *s, sg_host_t *hosts, size_t n)
{
	size_t next_core = 0;
	for (size_t k = 0; k < s->trace->n_streams; k++) {
		const struct trace_stream *st = &s->trace->streams[k];
		if (st->is_device)
			continue;
		sg_host_t h = st->core ? sg_host_by_name(st->core) : NULL;
		/* round robin over the cpu hosts, in name order */
		while (!h) {
			if (strcmp(platform_role(hosts[next_core % n]), "cpu") == 0)
				h = hosts[next_core % n];
			next_core++;
		}
		kernel_start_cpu_thread(s, (int)k, h);
	}
}

/* The SimGrid actors the run starts: the later actor, one per stream, two
 * per device (its port and the IOMMU's port for it), and per IOMMU its
 * queue, its watchdog and its walkers. */
static long count_actors(const struct sim *s)
{
	long n = 1 + (long)s->trace->n_streams + 2 * (long)s->n_devices;
	for (size_t i = 0; i < s->n_iommus; i++)
		n += 2 + (long)iommu_params(s->iommus[i])->max_walks;
	return n;
}

static void start_actors(struct sim *s)
{
	for (size_t i = 0; i < s->n_iommus; i++)
		iommu_start(s->iommus[i]);
	for (size_t i = 0; i < s->n_devices; i++) {
		iommu_attach_device(device_iommu(s->devices[i]), s->devices[i]);
		device_start_port(s->devices[i]);
	}
	for (size_t k = 0; k < s->trace->n_streams; k++)
		if (s->trace->streams[k].is_device)
			device_start_thread(s->devices[s->trace->streams[k].owner], (int)k);
}

/* ---- results ---- */

static void write_streams(struct sim *s)
{
	for (size_t k = 0; k < s->trace->n_streams; k++) {
		struct stream_rec r = {.is_device = s->trace->streams[k].is_device};
		snprintf(r.name, sizeof r.name, "%s", s->trace->streams[k].name);
		results_stream(s->results, &r);
	}
}

/* A CHOICE is written as its name ("6.6", "arm-smmu-v3"), the rest as numbers. */
static void write_param(struct sim *s, const char *group, const struct param_def *d, const struct params *p)
{
	char buf[64];
	if (d->type == PT_CHOICE)
		results_attr_string(s->results, group, d->name, params_format(p, d, buf, sizeof buf));
	else
		results_attr_double(s->results, group, d->name, params_get(p, d));
}

static void write_config(struct sim *s)
{
	char buf[64];
	results_attr_string(s->results, NULL, "mnsim_version", MNSIM_VERSION);
	int major, minor, patch;
	sg_version_get(&major, &minor, &patch);
	snprintf(buf, sizeof buf, "%d.%d.%d", major, minor, patch);
	results_attr_string(s->results, NULL, "simgrid_version", buf);
	results_attr_string(s->results, NULL, "trace", s->cfg->trace_path);
	results_attr_string(s->results, NULL, "platform", s->cfg->platform_path);
	/* the trace as it was read (a FIFO's is its copy), the platform file */
	char hex[65], why[256];
	if (digest_fd_sha256(s->trace->fd, s->cfg->trace_path, hex, why, sizeof why) == 0)
		results_attr_string(s->results, NULL, "trace_sha256", hex);
	else
		sim_fail(s, why);
	if (digest_file_sha256(s->cfg->platform_path, hex, why, sizeof why) == 0)
		results_attr_string(s->results, NULL, "platform_sha256", hex);
	else
		sim_fail(s, why);
	results_attr_string(s->results, NULL, "policy", s->policy->name);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)s->cfg->seed);
	results_attr_string(s->results, NULL, "seed", buf);
	for (size_t i = 0; i < sizeof simgrid_settings / sizeof simgrid_settings[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s", simgrid_settings[i].key);
		for (char *c = name; *c; c++)
			if (*c == '/')
				*c = '.'; /* "network/model" would read as an HDF5 path */
		results_attr_string(s->results, "simgrid_config", name, simgrid_settings[i].value);
	}
	for (size_t i = 0; i < params_count(); i++)
		write_param(s, "config", params_def(i), &s->p);
	/* a recorded trace's capture lines (format 2), e.g. that the device side is synthetic */
	for (size_t i = 0; i < s->trace->n_captures; i++)
		results_attr_string(s->results, "capture", s->trace->captures[i].key, s->trace->captures[i].value);
	for (size_t i = 0; i < s->n_iommus; i++) {
		char group[96];
		snprintf(group, sizeof group, "config_%s", iommu_name(s->iommus[i]));
		for (size_t k = 0; k < params_count(); k++)
			if (params_def(k)->scope == PS_IOMMU)
				write_param(s, group, params_def(k), iommu_params(s->iommus[i]));
	}
}

static void summarize(struct sim *s, struct summary *sum)
{
	memset(sum, 0, sizeof *sum);
	for (int t = 0; t < V_TYPES; t++)
		summary_set(sum, violation_names[t], (double)checker_count(s->checker, (enum violation_type)t), "");
	summary_set(sum, "violations", (double)checker_total(s->checker), "");
	summary_set(sum, "notifications", (double)s->notifications, "");
	summary_set(sum, "notifications_under_ptl", (double)s->notifications_under_ptl, "");
	summary_set(sum, "notifications_range_end", (double)s->notifications_range_end, "");
	summary_set(sum, "notifications_gather", (double)s->notifications_gather, "");
	summary_set(sum, "descriptors", (double)s->descriptors, "");
	summary_set(sum, "kernel_ops", (double)s->kernel_ops, "");
	summary_set(sum, "ops_skipped", (double)s->ops_skipped, "");
	summary_set(sum, "cpu_accesses", (double)s->cpu_accesses, "");
	summary_set(sum, "cpu_sigsegv", (double)s->cpu_sigsegv, "");
	if (s->trace->version >= 2) { /* format-1 results stay as they always were */
		summary_set(sum, "cpu_faults", (double)s->cpu_faults, "");
		summary_set(sum, "wp_reuses", (double)s->wp_reuses, "");
	}
	summary_set(sum, "sim_time", simgrid_get_clock(), "s");
	summary_set(sum, "op_latency_mean", hist_mean(&s->op_latency), "s");
	summary_set(sum, "op_latency_p50", hist_quantile(&s->op_latency, 0.5), "s");
	summary_set(sum, "op_latency_p99", hist_quantile(&s->op_latency, 0.99), "s");
	summary_set(sum, "op_latency_max", s->op_latency.count ? s->op_latency.max : 0, "s");
	summary_set(sum, "ptl_hold_mean", hist_mean(&s->ptl_hold), "s");
	summary_set(sum, "ptl_hold_p50", hist_quantile(&s->ptl_hold, 0.5), "s");
	summary_set(sum, "ptl_hold_p99", hist_quantile(&s->ptl_hold, 0.99), "s");
	summary_set(sum, "notify_latency_mean", hist_mean(&s->notify_latency), "s");
	summary_set(sum, "notify_latency_p99", hist_quantile(&s->notify_latency, 0.99), "s");
	summary_set(sum, "notify_latency_p999", hist_quantile(&s->notify_latency, 0.999), "s");
	/* the share of the time CPUs spent in invalidate_range that was spent
	 * waiting for free queue slots */
	summary_set(sum, "qi_stall_fraction", s->notify_latency.sum > 0 ? s->qi_stall_time / s->notify_latency.sum : 0, "");
	summary_set(sum, "qi_stall_time", s->qi_stall_time, "s");
	double dev[7] = {0};
	for (size_t i = 0; i < s->n_devices; i++) {
		struct device_rec r;
		device_report(s->devices[i], &r);
		results_device(s->results, &r);
		dev[0] += (double)r.accesses, dev[1] += r.stall_time, dev[2] += (double)r.fault_errors;
		dev[3] += (double)r.dropped, dev[4] += (double)r.atc_hits, dev[5] += (double)r.atc_misses;
		dev[6] += (double)r.page_requests;
	}
	summary_set(sum, "device_accesses", dev[0], "");
	summary_set(sum, "device_stall_time", dev[1], "s");
	summary_set(sum, "device_fault_errors", dev[2], "");
	summary_set(sum, "device_dropped", dev[3], "");
	summary_set(sum, "device_discard_races", (double)checker_discard_races(s->checker), "");
	summary_set(sum, "device_page_requests", dev[6], "");
	summary_set(sum, "atc_hits", dev[4], "");
	summary_set(sum, "atc_misses", dev[5], "");
	double io[6] = {0};
	for (size_t i = 0; i < s->n_iommus; i++) {
		struct iommu_rec r;
		iommu_report(s->iommus[i], &r);
		results_iommu(s->results, &r);
		iommu_report_pasids(s->iommus[i], s->results);
		io[0] += (double)r.qi_full_stalls, io[1] += (double)r.iotlb_hits, io[2] += (double)r.iotlb_misses;
		io[4] += (double)r.ite, io[5] += (double)r.ite_giveups;
		if (r.qi_max_used > io[3])
			io[3] = r.qi_max_used;
	}
	summary_set(sum, "qi_full_stalls", io[0], "");
	summary_set(sum, "iotlb_hits", io[1], "");
	summary_set(sum, "iotlb_misses", io[2], "");
	summary_set(sum, "qi_max_used", io[3], "slots");
	summary_set(sum, "ite", io[4], "");
	summary_set(sum, "ite_giveups", io[5], "");
	summary_set(sum, "frames_in_use", (double)physmem_frames_in_use(s->mem), "");
	summary_set(sum, "engine_events", (double)(s->engine.sleeps + s->engine.messages), "");
	summary_set(sum, "engine_messages", (double)s->engine.messages, "");
	summary_set(sum, "engine_waits", (double)s->engine.waits, "");
	summary_set(sum, "engine_coalesced", (double)s->engine.coalesced, "");
}

static void teardown(struct sim *s)
{
	for (size_t i = 0; i < s->n_devices; i++)
		device_free(s->devices[i]);
	for (size_t i = 0; i < s->n_iommus; i++)
		iommu_free(s->iommus[i]);
	for (size_t i = 0; i < s->n_mms; i++)
		mm_free(s->mms[i]);
	free(s->devices);
	free(s->iommus);
	free(s->mms);
	checker_free(s->checker);
	later_free(s->later);
	physmem_free_all(s->mem);
	pcie_net_free(s->pcie);
	engine_destroy(&s->engine);
}

/* SimGrid stopped with trace streams unfinished: every actor left is
 * blocked, waiting for something no one will do.  The run has failed. */
static void fail_deadlock(struct sim *s)
{
	fprintf(stderr, "mnsim: deadlock: the blocked actors and what they wait for:\n");
	size_t idle, blocked = engine_blocked(&s->engine, stderr, &idle);
	char why[512];
	snprintf(why, sizeof why,
		 "model deadlock: at simulated time %.9f s nothing was left to do, with %zu of %zu trace streams "
		 "unfinished: %zu actors wait for something (listed above, with the times they blocked) and %zu idle "
		 "servers (queue engines, walkers, ports) for work",
		 simgrid_get_clock(), s->trace->n_streams - s->streams_ended, s->trace->n_streams, blocked - idle, idle);
	sim_fail(s, why);
}

/* The run's --set values: MNSIM_SET's ("name=value,..."; as --set on every
 * run, which the test suite uses to turn check_invariants on), then the
 * command's own, which win over them. */
static int settings_with_env(struct param_settings *out, const struct param_settings *sets, char *err, size_t errlen)
{
	const char *env = getenv("MNSIM_SET");
	char buf[1024];
	if (env && strlen(env) >= sizeof buf) {
		snprintf(err, errlen, "MNSIM_SET: longer than %zu characters", sizeof buf - 1);
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", env ? env : "");
	char *save = NULL;
	for (char *item = strtok_r(buf, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '=');
		if (!eq) {
			snprintf(err, errlen, "MNSIM_SET: '%s': expected name=value", item);
			return -1;
		}
		*eq = 0;
		int overridden = 0;
		for (size_t i = 0; i < sets->n && !overridden; i++)
			overridden = strcmp(sets->names[i], item) == 0;
		char why[400];
		if (!overridden && param_settings_add(out, item, eq + 1, why, sizeof why) != 0) {
			snprintf(err, errlen, "MNSIM_SET: %s", why);
			return -1;
		}
	}
	for (size_t i = 0; i < sets->n; i++)
		if (param_settings_add(out, sets->names[i], sets->values[i], err, errlen) != 0)
			return -1;
	return 0;
}

static void set_phase(const struct run_config *cfg, enum run_phase phase)
{
	if (cfg->state)
		cfg->state->phase = phase;
}

int sim_run(const struct run_config *cfg, struct summary *out, char *err, size_t errlen)
{
	static struct sim s; /* one per process: SimGrid runs once per process */
	struct trace_header trace;
	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	struct logspec log;
	set_phase(cfg, RUN_TRACE);
	if (logspec_parse(getenv("MNSIM_LOG"), &log, err, errlen) != 0 || trace_load(cfg->trace_path, &trace, err, errlen) != 0)
		return -1;
	s.trace = &trace;
	char why[512];
	params_defaults(&s.p);
	int rc = -1;
	struct platform *plat = NULL;
	struct outfile *of = NULL;
	sg_host_t *hosts = NULL;
	if (settings_with_env(&s.sets, &cfg->sets, why, sizeof why) != 0 || param_settings_apply(&trace.params, &s.p, why, sizeof why) != 0 ||
	    param_settings_apply(&s.sets, &s.p, why, sizeof why) != 0) {
		failf(err, errlen, "%s", why);
		goto out_trace;
	}
	if (!(s.policy = policy_by_name(cfg->policy))) {
		failf(err, errlen, "unknown policy '%s' (see 'mnsim policies')", cfg->policy);
		goto out_trace;
	}
	if (kversion_configure(&s.p, s.policy, why, sizeof why) != 0) {
		failf(err, errlen, "%s", why);
		goto out_trace;
	}
	if (!(plat = platform_read(cfg->platform_path, err, errlen)))
		goto out_trace;
	s.rng.state = cfg->seed;
	engine_init(&s.engine, (int)s.p.coalesce_sleeps);
	hist_init(&s.op_latency);
	hist_init(&s.ptl_hold);
	hist_init(&s.notify_latency);
	set_phase(cfg, RUN_PLATFORM);
	init_simgrid(&log);
	simgrid_load_platform(cfg->platform_path);
	set_phase(cfg, RUN_SETUP);
	s.mem = physmem_new();
	s.pcie = pcie_net_new();
	if (platform_check_loaded(plat, &trace, err, errlen) != 0)
		goto out_sim;
	size_t n_hosts = sg_host_count();
	hosts = sg_host_list();
	qsort(hosts, n_hosts, sizeof *hosts, host_cmp);
	build_processes(&s);
	if (build_iommus(&s, plat, hosts, n_hosts, err, errlen) != 0 || build_devices(&s, plat, err, errlen) != 0)
		goto out_sim;
	long actors = count_actors(&s);
	if (cfg->state)
		cfg->state->actors = (sig_atomic_t)actors;
	if (limits_check(&trace, actors, sg_cfg_get_int("contexts/stack-size"), err, errlen) != 0)
		goto out_sim;
	populate_processes(&s);
	if (cfg->out_path && !(of = outfile_open(cfg->out_path, OUTFILE_BINARY, err, errlen)))
		goto out_sim;
	/* the names of /notifications' site values (policy.h; -1: change_pte) */
	struct results_label sites[SITE_COUNT + 1] = {{-1, "change_pte"}};
	for (int i = 0; i < SITE_COUNT; i++)
		sites[i + 1] = (struct results_label){i, site_name((enum ir_site)i)};
	struct results_labels labels = {sites, SITE_COUNT + 1};
	if (!(s.results = results_open(of ? outfile_path(of) : NULL, &labels, why, sizeof why))) {
		failf(err, errlen, "cannot create result file %s: %s", cfg->out_path, why);
		goto out_sim;
	}
	s.checker = checker_new(s.mem, s.results, s.n_devices);
	write_config(&s);
	write_streams(&s);
	s.later = later_new(&s.engine, (int)s.trace->n_streams); /* every replay holds it */
	later_start(s.later, hosts[0]);
	start_cpu_threads(&s, hosts, n_hosts);
	start_actors(&s);
	progress_init(&s.progress, cfg->progress, trace.n_events, cfg->progress_label);
	set_phase(cfg, RUN_MODEL);
	simgrid_run();
	set_phase(cfg, RUN_RESULTS);
	progress_end(&s.progress);
	if (!s.failed && s.streams_ended < trace.n_streams)
		fail_deadlock(&s);
	invariants_at_end(&s);
	if (s.failed) {
		failf(err, errlen, "%s", s.failure);
		goto out_sim;
	}
	summarize(&s, out);
	rc = results_close(s.results, out, NULL, why, sizeof why);
	s.results = NULL;
	if (rc != 0)
		failf(err, errlen, "cannot write result file %s: %s", cfg->out_path, why);
	else if (of)
		rc = outfile_commit(of, err, errlen);
	of = NULL;
out_sim:
	if (s.results)
		results_abort(s.results);
	outfile_abort(of);
	teardown(&s);
	free(hosts);
out_trace:
	param_settings_free(&s.sets);
	platform_free(plat);
	trace_free(&trace);
	return rc;
}
