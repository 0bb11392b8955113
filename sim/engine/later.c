/* later: see later.h. */
#include "later.h"
#include "waitq.h"
#include <simgrid/actor.h>
#include <stdlib.h>
#include <xbt/asserts.h>

struct request {
	double due;
	void (*fn)(void *);
	void *arg;
	struct request *next;
};

struct later {
	struct request *head, *tail;
	int holders;
	struct waitq changed; /* a request came, or the last holder left */
	struct engine *engine;
};

struct later *later_new(struct engine *engine, int holders)
{
	struct later *l = calloc(1, sizeof *l);
	if (!l)
		abort();
	waitq_init_idle(&l->changed, engine, "deferred work");
	l->engine = engine;
	l->holders = holders;
	return l;
}

void later_free(struct later *l)
{
	if (!l)
		return;
	for (struct request *r = l->head, *next; r; r = next) {
		next = r->next;
		free(r);
	}
	waitq_destroy(&l->changed);
	free(l);
}

static void later_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct later *l = sg_actor_self_get_data();
	for (;;) {
		while (!l->head && l->holders)
			waitq_wait(&l->changed);
		struct request *r = l->head;
		if (!r) {
			engine_exit(l->engine);
			return; /* nothing left and nobody to ask */
		}
		engine_sleep_until(l->engine, r->due);
		l->head = r->next;
		if (!l->head)
			l->tail = NULL;
		r->fn(r->arg);
		free(r);
	}
}

void later_start(struct later *l, sg_host_t host)
{
	sg_actor_t a = sg_actor_init("later", host);
	sg_actor_set_data(a, l);
	sg_actor_start_(a, later_actor, 0, NULL);
}

void later_release(struct later *l)
{
	if (--l->holders == 0)
		waitq_wake_all(&l->changed);
}

void later_run(struct later *l, double delay, void (*fn)(void *arg), void *arg)
{
	struct request *r = malloc(sizeof *r);
	if (!r)
		abort();
	*r = (struct request){engine_now(l->engine) + delay, fn, arg, NULL};
	xbt_assert(!l->tail || l->tail->due <= r->due, "later: requests out of due-time order");
	if (l->tail)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
	waitq_wake_all(&l->changed);
}
