/* engine: see engine.h. */
#include "engine.h"
#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* SimGrid ends together every action due within surf/precision (1e-13 s) of
 * the earliest one.  A coalesced sleep must end clear of every other actor's
 * next event, so that SimGrid could not have merged the two. */
#define CLEARANCE 1e-12
/* SimGrid cannot sleep less than its precision: such a sleep ends a whole
 * clock step (1e-13 s) later.  The engine sleeps it on the actor's clock
 * alone, with coalescing on or off alike (a sum of latencies that should be
 * 0 but is 1e-20 is one; so is the catch-up of such a clock). */
#define PRECISION 1e-13

void engine_init(struct engine *e, int coalescing)
{
	memset(e, 0, sizeof *e);
	e->coalescing = coalescing;
}

void engine_destroy(struct engine *e)
{
	free(e->due);
	free(e->pos);
	free(e->heap);
	free(e->client_of_pid);
	for (size_t c = 0; c < e->n_clients; c++)
		free(e->name[c]);
	free(e->name);
	free(e->blocked_on);
	free(e->blocked_idle);
	free(e->pid_of);
	free(e->blocked_since);
	memset(e, 0, sizeof *e);
}

/* ---- the min-heap of due times ---- */

static void heap_place(struct engine *e, size_t i, size_t client)
{
	e->heap[i] = client;
	e->pos[client] = i;
}

static void sift_up(struct engine *e, size_t i)
{
	size_t client = e->heap[i];
	while (i > 0 && e->due[e->heap[(i - 1) / 2]] > e->due[client]) {
		heap_place(e, i, e->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_place(e, i, client);
}

static void sift_down(struct engine *e, size_t i)
{
	size_t client = e->heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= e->n_clients)
			break;
		if (child + 1 < e->n_clients && e->due[e->heap[child + 1]] < e->due[e->heap[child]])
			child++;
		if (e->due[e->heap[child]] >= e->due[client])
			break;
		heap_place(e, i, e->heap[child]);
		i = child;
	}
	heap_place(e, i, client);
}

/* A new client, not due. */
static size_t add_client(struct engine *e)
{
	if (e->n_clients == e->cap_clients) {
		size_t n = e->cap_clients ? 2 * e->cap_clients : 64;
		if (!(e->due = realloc(e->due, n * sizeof *e->due)) || !(e->pos = realloc(e->pos, n * sizeof *e->pos)) ||
		    !(e->heap = realloc(e->heap, n * sizeof *e->heap)) || !(e->name = realloc(e->name, n * sizeof *e->name)) ||
		    !(e->blocked_on = realloc(e->blocked_on, n * sizeof *e->blocked_on)) ||
		    !(e->blocked_idle = realloc(e->blocked_idle, n * sizeof *e->blocked_idle)) ||
		    !(e->pid_of = realloc(e->pid_of, n * sizeof *e->pid_of)) ||
		    !(e->blocked_since = realloc(e->blocked_since, n * sizeof *e->blocked_since)))
			abort();
		e->cap_clients = n;
	}
	size_t c = e->n_clients++;
	e->due[c] = INFINITY;
	e->name[c] = NULL;
	e->blocked_on[c] = NULL;
	e->blocked_idle[c] = 0;
	e->pid_of[c] = 0;
	e->blocked_since[c] = 0;
	heap_place(e, c, c); /* the heap holds every client; INFINITY sorts last */
	return c;
}

static void set_due(struct engine *e, size_t client, double when)
{
	double was = e->due[client];
	e->due[client] = when;
	if (when < was)
		sift_up(e, e->pos[client]);
	else
		sift_down(e, e->pos[client]);
}

/* The calling actor's client, made on its first call (SimGrid numbers
 * actors from 1, so the number indexes an array). */
static size_t self_client(struct engine *e)
{
	size_t pid = (size_t)sg_actor_self_get_pid();
	if (pid >= e->n_pids) {
		size_t n = pid + 1 > 2 * e->n_pids ? pid + 1 : 2 * e->n_pids;
		if (!(e->client_of_pid = realloc(e->client_of_pid, n * sizeof *e->client_of_pid)))
			abort();
		for (size_t p = e->n_pids; p < n; p++)
			e->client_of_pid[p] = SIZE_MAX;
		e->n_pids = n;
	}
	if (e->client_of_pid[pid] == SIZE_MAX) {
		size_t c = e->client_of_pid[pid] = add_client(e);
		e->pid_of[c] = pid;
		if (!(e->name[c] = strdup(sg_actor_get_name(sg_actor_self()))))
			abort();
	}
	return e->client_of_pid[pid];
}

/* The earliest time an actor other than `me` can act.  The running actor's
 * own entry is left at the time it woke (no update on every wake-up), so it
 * is skipped: if it is the root, the answer is the smaller child. */
static double others_due(const struct engine *e, size_t me)
{
	if (e->runnable > 0)
		return -INFINITY;
	if (e->n_clients == 0)
		return INFINITY;
	if (e->heap[0] != me)
		return e->due[e->heap[0]];
	double left = e->n_clients > 1 ? e->due[e->heap[1]] : INFINITY;
	double right = e->n_clients > 2 ? e->due[e->heap[2]] : INFINITY;
	return left < right ? left : right;
}

/* ---- sleeping ---- */

/* SimGrid's clock after a sleep of d begun at `now`: the sleep ends at
 * now + d, and the clock moves by the difference between that and now. */
static double clock_after(double now, double d) { return now + ((now + d) - now); }

/* Whether a sleep until t, begun at SimGrid time `real`, ends exactly at t. */
static int reaches(double real, double t) { return clock_after(real, t - real) == t; }

/* Whether the heap below node i holds an actor other than me, due by now,
 * with a lower pid than mine: only the nodes due by now are visited. */
static int lower_pid_due(const struct engine *e, size_t me, size_t i, double now)
{
	if (i >= e->n_clients || e->due[e->heap[i]] > now)
		return 0;
	size_t c = e->heap[i];
	if (c != me && e->name[c] && e->pid_of[c] < e->pid_of[me])
		return 1;
	return lower_pid_due(e, me, 2 * i + 1, now) || lower_pid_due(e, me, 2 * i + 2, now);
}

/* Actors whose sleeps end at the same instant: SimGrid resumes them in the
 * order of its timer heap, which depends on everything that was ever in it
 * (so on whether other sleeps were coalesced), not on the model.  The engine
 * makes the order its own: an actor that wakes at t first lets every actor
 * with a lower pid that is due by t run (it yields until none is left; "by":
 * SimGrid ends together the sleeps due within its precision).  Channels are
 * not ordered so: a message and a sleep ending together are SimGrid's to
 * order.  The guard only bounds a loop the due times should never make. */
static void settle_ties(struct engine *e, size_t me)
{
	double now = simgrid_get_clock();
	for (int guard = 0; guard < 4096; guard++) {
		if (others_due(e, me) > now)
			return;
		if (!lower_pid_due(e, me, 0, now))
			return;
		e->tie_yields++;
		sg_actor_yield();
	}
}

static void real_sleep(struct engine *e, double real, double d)
{
	e->sleeps++;
	size_t me = self_client(e);
	set_due(e, me, clock_after(real, d));
	sg_actor_sleep_for(d);
	settle_ties(e, me);
}

double engine_now(const struct engine *e) { return e->ahead ? e->now : simgrid_get_clock(); }

void engine_catch_up(struct engine *e)
{
	double real = simgrid_get_clock();
	if (!e->ahead || e->now - real < PRECISION)
		return;
	e->ahead = 0;
	real_sleep(e, real, e->now - real);
}

/* A sleep of d from the actor's clock.  Nothing is coalesced at time 0,
 * when actors that have not run yet could still act. */
static void sleep_for(struct engine *e, double d)
{
	double real = simgrid_get_clock(), now = e->ahead ? e->now : real, end = clock_after(now, d);
	if (end - real < PRECISION) {
		e->ahead = 1;
		e->now = end;
		return;
	}
	if (e->coalescing && real > 0 && end < others_due(e, self_client(e)) - CLEARANCE && reaches(real, end)) {
		e->ahead = 1;
		e->now = end;
		e->coalesced++;
		return;
	}
	/* ahead: one sleep to the end, when SimGrid reaches it exactly or the
	 * actor is too little ahead to catch up first */
	if (e->ahead && (reaches(real, end) || e->now - real < PRECISION)) {
		e->ahead = 0;
		real_sleep(e, real, end - real);
		return;
	}
	engine_catch_up(e); /* then SimGrid's clock is `now` */
	real_sleep(e, now, d);
}

/* SimGrid returns at once from a sleep that ends now or earlier: that is no
 * engine event, and is not counted as one. */
void engine_sleep(struct engine *e, double seconds)
{
	if (seconds > 0)
		sleep_for(e, seconds);
}

void engine_sleep_until(struct engine *e, double when)
{
	double now = engine_now(e);
	if (when > now)
		sleep_for(e, when - now);
}

void engine_exit(struct engine *e)
{
	engine_catch_up(e);
	engine_block(e, NULL, 0);
}

/* ---- wake-ups and messages ---- */

void engine_block(struct engine *e, const char *what, int idle)
{
	size_t me = self_client(e);
	e->blocked_on[me] = what;
	e->blocked_idle[me] = (unsigned char)idle;
	e->blocked_since[me] = engine_now(e);
	e->ahead = 0;
	set_due(e, me, INFINITY);
}

void engine_unblock(struct engine *e) { e->blocked_on[self_client(e)] = NULL; }

size_t engine_blocked(const struct engine *e, FILE *out, size_t *idle)
{
	size_t n_blocked = 0;
	*idle = 0;
	for (size_t c = 0; c < e->n_clients; c++)
		if (e->blocked_on[c] && e->blocked_idle[c])
			(*idle)++, n_blocked++;
	/* one line per thing waited for, in the order its first waiter was seen */
	for (size_t c = 0; c < e->n_clients; c++) {
		const char *what = e->blocked_on[c];
		int first = what != NULL && !e->blocked_idle[c];
		for (size_t k = 0; k < c && first; k++)
			first = !(e->blocked_on[k] && !e->blocked_idle[k] && strcmp(e->blocked_on[k], what) == 0);
		if (!first)
			continue;
		fprintf(out, "  waiting for %s:", what);
		for (size_t k = c; k < e->n_clients; k++) {
			if (!e->blocked_on[k] || e->blocked_idle[k] || strcmp(e->blocked_on[k], what) != 0)
				continue;
			n_blocked++;
			fprintf(out, " %s (since %.9f s)", e->name[k] ? e->name[k] : "?", e->blocked_since[k]);
		}
		fputc('\n', out);
	}
	return n_blocked;
}

void engine_call_begin(struct engine *e)
{
	engine_catch_up(e);
	e->runnable++;
}

void engine_call_end(struct engine *e) { e->runnable--; }

void engine_woke(struct engine *e, unsigned n) { e->runnable += n; }

void engine_resumed(struct engine *e) { e->runnable--; }

size_t engine_channel_new(struct engine *e) { return add_client(e); }

void engine_channel_due(struct engine *e, size_t channel, double earliest) { set_due(e, channel, earliest); }
