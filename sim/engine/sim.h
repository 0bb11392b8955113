/* sim: the per-run context.  struct sim is the single context every actor
 * receives (no global mutable state): the resolved parameters, the policy,
 * physical memory, processes, IOMMUs, devices, the checker and the results;
 * and the helpers model code uses to act in time (sim_now, sim_sleep,
 * sim_replay, sim_start_actor).  It knows the model's parts only by name:
 * run.h builds a world in it from a trace and a platform and runs it. */
#ifndef MNSIM_SIM_H
#define MNSIM_SIM_H
#include "engine.h"
#include "params.h"
#include "progress.h"
#include "results.h"
#include "rng.h"
#include "stats.h"
#include "trace.h"
#include <simgrid/host.h>
#include <stdint.h>

struct run_config;
struct policy;
struct physmem;
struct mm;
struct iommu;
struct device;
struct checker;
struct later;

struct sim {
	const struct run_config *cfg;
	const struct trace_header *trace;
	struct params p;             /* kernel-scope values; IOMMUs and devices hold their own */
	struct param_settings sets;  /* the run's --set values, with MNSIM_SET's */
	const struct policy *policy;
	struct physmem *mem;
	struct mm **mms;
	size_t n_mms;
	struct iommu **iommus;
	size_t n_iommus;
	struct device **devices;
	size_t n_devices;
	struct checker *checker;
	struct pcie_net *pcie;       /* the PCIe links' state (pcie.h) */
	struct later *later;         /* deferred work (later.h) */
	struct results *results;
	struct rng rng;
	int64_t next_op_id, next_notification_id;
	/* run-wide counters and distributions */
	struct hist op_latency, ptl_hold, notify_latency;
	uint64_t notifications, notifications_under_ptl, notifications_range_end, notifications_gather,
		 descriptors, cpu_sigsegv, ops_skipped, kernel_ops, cpu_accesses;
	uint64_t ops_started;        /* kernel_ops counts them when they end */
	uint64_t wp_reuses, cpu_faults; /* in the summary of format-2 traces */
	/* migration entries of a page outside the migrating op's own mapping: a
	 * fork's copy, or the rmap walk's in another mapping (kernel_ops.c) */
	uint64_t other_migration_entries;
	double qi_stall_time;
	struct progress progress;    /* on stderr, when asked; reads counters only */
	/* the clock, sleeps, messages and waits (engine.h) */
	struct engine engine;
	size_t streams_ended;        /* replays that reached their stream's end */
	int failed;
	char failure[512];
};

/* A preemption window: the op's own if given, else the parameter's, drawn
 * from preempt_dist. */
double sim_preempt_window(struct sim *s, int has_window, double window);
/* Starts an actor running code on host; it gets data with sg_actor_self_get_data(). */
void sim_start_actor(const char *name, sg_host_t host, void (*code)(int, char **), void *data);
/* The calling actor's time, and its sleeps for a modelled latency / until a
 * time (engine.h: the clock may run ahead of SimGrid's). */
double sim_now(const struct sim *s);
void sim_sleep(struct sim *s, double seconds);
void sim_sleep_until(struct sim *s, double when);
/* Replays trace stream `stream` in the calling actor: waits for each event's
 * time, runs `think` itself and hands every other event to on_event.  A
 * trace error fails the run.  lead_in: a latency with which every event the
 * handler gets begins (nothing happening during it), counted from when the
 * event starts (its time stamp, or now if the stream is behind) and slept in
 * the same sleep as the wait for the event when there is one; on_event must
 * not sleep it again. */
void sim_replay(struct sim *s, int stream, double lead_in, void (*on_event)(void *ctx, const struct trace_event *ev),
		void *ctx);
/* Records an /events row when record_events=1 (stream: trace stream index). */
void sim_event(struct sim *s, int stream, enum event_type type, uint64_t va, int64_t op_id);
/* Marks the run failed (no result file); the first reason is kept. */
void sim_fail(struct sim *s, const char *why);

#endif
