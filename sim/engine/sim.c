/* sim: see sim.h. */
#include "sim.h"
#include "later.h"
#include <simgrid/actor.h>
#include <stdio.h>

void sim_fail(struct sim *s, const char *why)
{
	if (!s->failed)
		snprintf(s->failure, sizeof s->failure, "%s", why);
	s->failed = 1;
}

void sim_start_actor(const char *name, sg_host_t host, void (*code)(int, char **), void *data)
{
	sg_actor_t a = sg_actor_init(name, host);
	sg_actor_set_data(a, data);
	sg_actor_start_(a, code, 0, NULL);
}

double sim_now(const struct sim *s) { return engine_now(&s->engine); }

void sim_sleep(struct sim *s, double seconds) { engine_sleep(&s->engine, seconds); }

void sim_sleep_until(struct sim *s, double when) { engine_sleep_until(&s->engine, when); }

void sim_replay(struct sim *s, int stream, double lead_in, void (*on_event)(void *ctx, const struct trace_event *ev),
		void *ctx)
{
	char err[512];
	struct trace_cursor *cur = trace_cursor_open(s->trace, stream, err, sizeof err);
	struct trace_event ev;
	int rc = cur ? 1 : -1;
	/* a result file that cannot be written any more, or a failed run, ends the replay early */
	while (cur && !s->failed && !results_failed(s->results) && (rc = trace_cursor_next(cur, &ev, err, sizeof err)) == 1) {
		progress_tick(&s->progress, sim_now(s));
		/* the lead-in starts when the event does, which is later than its
		 * time stamp if the stream is behind */
		double lead = ev.op == OP_THINK ? 0 : lead_in;
		if (!ev.absolute)
			sim_sleep(s, ev.time + lead);
		else if (ev.time > sim_now(s))
			sim_sleep_until(s, ev.time + lead);
		else
			sim_sleep(s, lead);
		if (ev.op == OP_THINK)
			sim_sleep(s, ev.duration);
		else
			on_event(ctx, &ev);
	}
	if (rc < 0)
		sim_fail(s, err);
	trace_cursor_close(cur);
	s->streams_ended++;
	later_release(s->later);
	engine_exit(&s->engine); /* the stream ends at its own time */
}

double sim_preempt_window(struct sim *s, int has_window, double window)
{
	double mean = has_window ? window : s->p.preempt_window;
	return s->p.preempt_dist == 1 && mean > 0 ? rng_exponential(&s->rng, mean) : mean;
}

void sim_event(struct sim *s, int stream, enum event_type type, uint64_t va, int64_t op_id)
{
	if (!s->p.record_events)
		return;
	struct event_rec e = {sim_now(s), stream, type, va, op_id};
	results_event(s->results, &e);
}
