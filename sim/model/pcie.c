/* pcie: see pcie.h. */
#include "pcie.h"
#include <math.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pcie_chan_init(struct pcie_chan *c, const char *name, long msg_bytes, double latency, struct engine *engine)
{
	memset(c, 0, sizeof *c);
	c->mailbox = sg_mailbox_by_name(name);
	snprintf(c->what, sizeof c->what, "a message on %s", name);
	c->msg_bytes = msg_bytes;
	c->latency = latency;
	c->engine = engine;
	c->engine_channel = engine_channel_new(engine);
}

void pcie_chan_destroy(struct pcie_chan *c)
{
	for (size_t i = 0; i < c->n_held; i++)
		free(c->held[i]);
	free(c->held);
	free(c->sent_at);
}

/* The ring of send times holds messages next_recv .. next_send - 1, the
 * one with sequence number q at index q % cap_sent. */
static void note_sent(struct pcie_chan *c, uint64_t seq, double when)
{
	if (seq - c->next_recv == c->cap_sent) {
		size_t cap = c->cap_sent ? 2 * c->cap_sent : 16;
		double *ring = malloc(cap * sizeof *ring);
		if (!ring)
			abort();
		for (uint64_t q = c->next_recv; q < seq; q++)
			ring[q % cap] = c->sent_at[q % c->cap_sent];
		free(c->sent_at);
		c->sent_at = ring;
		c->cap_sent = cap;
	}
	c->sent_at[seq % c->cap_sent] = when;
}

/* Tells the engine when the oldest message not yet received can arrive. */
static void update_due(struct pcie_chan *c)
{
	double due = c->next_recv < c->next_send ? c->sent_at[c->next_recv % c->cap_sent] + c->latency : INFINITY;
	engine_channel_due(c->engine, c->engine_channel, due);
}

/* The message the receiver takes now (the next in send order). */
static struct pcie_msg *taken(struct pcie_chan *c, struct pcie_msg *m)
{
	c->next_recv++;
	update_due(c);
	return m;
}

void pcie_chan_bind_receiver(struct pcie_chan *c)
{
	sg_mailbox_set_receiver(sg_mailbox_get_name(c->mailbox));
}

void pcie_send(struct pcie_chan *c, const struct pcie_msg *m)
{
	struct pcie_msg *copy = malloc(sizeof *copy);
	if (!copy)
		abort();
	*copy = *m;
	engine_call_begin(c->engine);
	c->engine->messages++;
	copy->seq = c->next_send;
	note_sent(c, c->next_send++, simgrid_get_clock());
	if (copy->seq == c->next_recv)
		update_due(c);
	sg_comm_t comm = sg_mailbox_put_init(c->mailbox, copy, c->msg_bytes);
	sg_comm_detach(comm, free);
	engine_call_end(c->engine);
}

struct pcie_msg *pcie_recv(struct pcie_chan *c)
{
	for (;;) {
		for (size_t i = 0; i < c->n_held; i++) {
			if (c->held[i]->seq == c->next_recv) {
				struct pcie_msg *m = c->held[i];
				c->held[i] = c->held[--c->n_held];
				return taken(c, m);
			}
		}
		engine_block(c->engine, c->what, 1); /* a receiver waits for work */
		struct pcie_msg *m = sg_mailbox_get(c->mailbox);
		engine_unblock(c->engine);
		if (m->seq == c->next_recv)
			return taken(c, m);
		if (c->n_held == c->cap_held) {
			c->cap_held = c->cap_held ? 2 * c->cap_held : 8;
			if (!(c->held = realloc(c->held, c->cap_held * sizeof *c->held)))
				abort();
		}
		c->held[c->n_held++] = m;
	}
}
