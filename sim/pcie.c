/* pcie: see pcie.h. */
#include "pcie.h"
#include <simgrid/comm.h>
#include <stdlib.h>
#include <string.h>

void pcie_chan_init(struct pcie_chan *c, const char *name, long msg_bytes)
{
	memset(c, 0, sizeof *c);
	c->mailbox = sg_mailbox_by_name(name);
	c->msg_bytes = msg_bytes;
}

void pcie_chan_destroy(struct pcie_chan *c)
{
	for (size_t i = 0; i < c->n_held; i++)
		free(c->held[i]);
	free(c->held);
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
	copy->seq = c->next_send++;
	if (c->sent)
		(*c->sent)++;
	sg_comm_t comm = sg_mailbox_put_init(c->mailbox, copy, c->msg_bytes);
	sg_comm_detach(comm, free);
}

struct pcie_msg *pcie_recv(struct pcie_chan *c)
{
	for (;;) {
		for (size_t i = 0; i < c->n_held; i++) {
			if (c->held[i]->seq == c->next_recv) {
				struct pcie_msg *m = c->held[i];
				c->held[i] = c->held[--c->n_held];
				c->next_recv++;
				return m;
			}
		}
		struct pcie_msg *m = sg_mailbox_get(c->mailbox);
		if (m->seq == c->next_recv) {
			c->next_recv++;
			return m;
		}
		if (c->n_held == c->cap_held) {
			c->cap_held = c->cap_held ? 2 * c->cap_held : 8;
			if (!(c->held = realloc(c->held, c->cap_held * sizeof *c->held)))
				abort();
		}
		c->held[c->n_held++] = m;
	}
}
