/* pcie: see pcie.h. */
#include "pcie.h"
#include <math.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xbt/dynar.h>

/* ---- the platform's links (serial model) ---- */

struct pcie_net {
	double *free_at; /* per link of sg_link_list(), whose data points here */
	size_t n;
};

struct pcie_net *pcie_net_new(void)
{
	struct pcie_net *n = calloc(1, sizeof *n);
	if (!n)
		abort();
	n->n = sg_link_count();
	sg_link_t *links = sg_link_list();
	if (!(n->free_at = calloc(n->n ? n->n : 1, sizeof *n->free_at)))
		abort();
	for (size_t i = 0; i < n->n; i++)
		sg_link_set_data(links[i], &n->free_at[i]);
	free(links);
	return n;
}

void pcie_net_free(struct pcie_net *n)
{
	if (!n)
		return;
	free(n->free_at);
	free(n);
}

/* The time to send bytes at bandwidth bw (none where it is unbounded). */
static double send_time(long bytes, double bw) { return bw > 0 && isfinite(bw) ? (double)bytes / bw : 0; }

/* The route's links that serialize (a FATPIPE link gives every flow its
 * whole bandwidth) and each one's time to send a message, and the
 * transmission time at the route's smallest bandwidth. */
static void serial_route(struct pcie_chan *c, sg_host_t from, sg_host_t to)
{
	xbt_dynar_t route = xbt_dynar_new(sizeof(sg_link_t), NULL);
	sg_host_get_route(from, to, route);
	size_t n = xbt_dynar_length(route);
	if (!(c->link_free = calloc(n ? n : 1, sizeof *c->link_free)) || !(c->link_busy = calloc(n ? n : 1, sizeof *c->link_busy)))
		abort();
	for (size_t i = 0; i < n; i++) {
		sg_link_t l = xbt_dynar_get_as(route, i, sg_link_t);
		if (sg_link_is_shared(l) && sg_link_get_data(l)) {
			c->link_busy[c->n_links] = send_time(c->msg_bytes, sg_link_get_bandwidth(l));
			c->link_free[c->n_links++] = sg_link_get_data(l);
		}
	}
	xbt_dynar_free(&route);
	c->tx_time = send_time(c->msg_bytes, sg_host_get_route_bandwidth(from, to));
}

void pcie_chan_init(struct pcie_chan *c, const char *name, enum pcie_model model, long msg_bytes, sg_host_t from,
		    sg_host_t to, struct engine *engine)
{
	memset(c, 0, sizeof *c);
	c->model = model;
	snprintf(c->what, sizeof c->what, "a message on %s", name);
	c->msg_bytes = msg_bytes;
	c->latency = sg_host_get_route_latency(from, to);
	c->engine = engine;
	if (c->model == PCIE_SERIAL) {
		serial_route(c, from, to);
		waitq_init_idle(&c->arrived, engine, c->what); /* a receiver waits for work */
	} else {
		c->mailbox = sg_mailbox_by_name(name);
		c->engine_channel = engine_channel_new(engine);
	}
}

void pcie_chan_destroy(struct pcie_chan *c)
{
	for (size_t i = 0; i < c->n_held; i++)
		free(c->held[i]);
	free(c->held);
	free(c->sent_at);
	for (size_t i = 0; i < c->q_len; i++)
		free(c->queue[(c->q_head + i) % c->q_cap]);
	free(c->queue);
	free(c->link_free);
	free(c->link_busy);
	if (c->model == PCIE_SERIAL)
		waitq_destroy(&c->arrived);
}

/* ---- serial: transmitted in turn, received by a sleep ---- */

static void serial_send(struct pcie_chan *c, struct pcie_msg *m)
{
	double start = engine_now(c->engine);
	for (size_t i = 0; i < c->n_links; i++)
		if (*c->link_free[i] > start)
			start = *c->link_free[i];
	for (size_t i = 0; i < c->n_links; i++)
		*c->link_free[i] = start + c->link_busy[i];
	/* CM02's order: the latency, then the transfer */
	m->arrival = (start + c->latency) + c->tx_time;
	if (c->q_len == c->q_cap) {
		size_t cap = c->q_cap ? 2 * c->q_cap : 8;
		struct pcie_msg **q = malloc(cap * sizeof *q);
		if (!q)
			abort();
		for (size_t i = 0; i < c->q_len; i++)
			q[i] = c->queue[(c->q_head + i) % c->q_cap];
		free(c->queue);
		c->queue = q;
		c->q_cap = cap;
		c->q_head = 0;
	}
	c->queue[(c->q_head + c->q_len++) % c->q_cap] = m;
	waitq_wake_one(&c->arrived);
}

/* Messages of one channel arrive in send order: each begins no earlier than
 * the one before it, over the same route. */
static struct pcie_msg *serial_recv(struct pcie_chan *c)
{
	while (c->q_len == 0)
		waitq_wait(&c->arrived);
	struct pcie_msg *m = c->queue[c->q_head];
	engine_sleep_until(c->engine, m->arrival);
	c->q_head = (c->q_head + 1) % c->q_cap;
	c->q_len--;
	return m;
}

/* ---- fluid: SimGrid communications ---- */

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

static void fluid_send(struct pcie_chan *c, struct pcie_msg *copy)
{
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

static struct pcie_msg *fluid_recv(struct pcie_chan *c)
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

/* ---- either ---- */

void pcie_chan_bind_receiver(struct pcie_chan *c)
{
	if (c->model == PCIE_FLUID)
		sg_mailbox_set_receiver(sg_mailbox_get_name(c->mailbox));
}

void pcie_send(struct pcie_chan *c, const struct pcie_msg *m)
{
	struct pcie_msg *copy = malloc(sizeof *copy);
	if (!copy)
		abort();
	*copy = *m;
	if (c->model == PCIE_SERIAL)
		serial_send(c, copy);
	else
		fluid_send(c, copy);
}

struct pcie_msg *pcie_recv(struct pcie_chan *c)
{
	return c->model == PCIE_SERIAL ? serial_recv(c) : fluid_recv(c);
}
