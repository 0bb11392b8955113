/* engine: the model's one door to SimGrid's clock.  Every sleep, message and
 * blocking wait of the model goes through here, which counts them (the
 * summary's engine_* values) and coalesces the sleeps no other actor can
 * observe.
 *
 * Coalescing: while no other actor can act before time H (every other one
 * sleeps until H or later, or is blocked until someone wakes it, and no
 * message can arrive before H), an actor whose next sleep ends before H
 * would only wake up again with nobody else having run.  So it does not ask
 * SimGrid to wake it: it runs ahead on its own clock (engine_now), and
 * brings SimGrid's clock level (engine_catch_up, one real sleep) before it
 * does anything another actor can see: send a message, wake another
 * actor, end.  (When it blocks, whoever wakes it does so later than its
 * clock anyway.)  Its clock takes exactly the values SimGrid's would
 * have, and no other actor acts in between, so results are identical with
 * coalescing on and off; only the number of SimGrid sleeps drops.
 *
 * Ties: actors whose sleeps end at the same instant run in pid order (the
 * engine's, not SimGrid's timer heap, whose state coalescing changes).
 *
 * An actor's clock is engine_now(); model code must use it rather than
 * SimGrid's clock, and every actor must sleep, block and wake others
 * through the engine (waitq.h, pcie.h): an actor it does not know about
 * could act while another runs ahead. */
#ifndef MNSIM_ENGINE_H
#define MNSIM_ENGINE_H
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

struct engine {
	/* counters: SimGrid sleeps and messages (together, the engine events),
	 * times an actor blocked until another woke it, sleeps coalesced */
	uint64_t sleeps, messages, waits, coalesced;
	int coalescing;
	/* the running actor's own clock, when it is ahead of SimGrid's */
	int ahead;
	double now;
	/* actors made runnable at the current time and not yet resumed */
	unsigned runnable;
	/* when each actor and each channel's oldest message in flight can next
	 * act (its client's due time), and a min-heap of the clients by it */
	double *due;
	size_t *pos, *heap, *client_of_pid;
	/* for the deadlock report, per client: the actor's name (NULL for a
	 * channel), what it is blocked on (NULL: not blocked) and since when */
	char **name;
	const char **blocked_on;
	unsigned char *blocked_idle; /* a server waiting for work */
	size_t *pid_of;              /* an actor's SimGrid pid: the order of ties */
	uint64_t tie_yields;         /* yields to an actor due at the same instant */
	double *blocked_since;
	size_t n_clients, cap_clients, n_pids;
};

void engine_init(struct engine *e, int coalescing);
void engine_destroy(struct engine *e);
/* The calling actor's time. */
double engine_now(const struct engine *e);
/* Sleeps the calling actor for seconds / until a time (no-op if not later). */
void engine_sleep(struct engine *e, double seconds);
void engine_sleep_until(struct engine *e, double when);
/* Brings SimGrid's clock level with the calling actor's; call before any
 * SimGrid call other than a sleep, and before the actor ends. */
void engine_catch_up(struct engine *e);
/* When the calling actor ends: catches up, and it is never due again. */
void engine_exit(struct engine *e);

/* Before blocking until another actor wakes it (or a message comes): no
 * other actor acts before the caller's clock, so it need not catch up.
 * `what` names what it waits for (kept, not copied), for engine_blocked;
 * idle: a server waiting for work, not listed there.  engine_unblock when
 * it has it. */
void engine_block(struct engine *e, const char *what, int idle);
void engine_unblock(struct engine *e);
/* After SimGrid stopped with actors still blocked (a deadlock): prints one
 * line per thing waited for, with the actors waiting for it and since when
 * (idle servers only counted); returns how many actors are blocked, and in
 * *idle how many of them are idle servers. */
size_t engine_blocked(const struct engine *e, FILE *out, size_t *idle);
/* Around SimGrid calls that return at once but let the other actors due
 * now run first (a wake-up, a send): catches up, and counts the caller as
 * runnable meanwhile. */
void engine_call_begin(struct engine *e);
void engine_call_end(struct engine *e);
/* For wait queues: n actors were woken (made runnable now); one of them resumed. */
void engine_woke(struct engine *e, unsigned n);
void engine_resumed(struct engine *e);

/* For message channels: a new channel, and the earliest time its oldest
 * message not yet received can arrive (INFINITY: none in flight). */
size_t engine_channel_new(struct engine *e);
void engine_channel_due(struct engine *e, size_t channel, double earliest);

#endif
