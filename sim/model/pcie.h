/* pcie: one direction of a PCIe link between an IOMMU and a device, over the
 * platform's route.  Two models of the link (parameter pcie_model):
 *   serial (default): a message (a TLP) is transmitted when every link of
 *     its route is free, in the order messages were put on them: a link
 *     sends one TLP at a time and is busy for size / its own bandwidth, and
 *     a SHARED link serializes both directions (a FATPIPE one does not).  It
 *     arrives the route's latency plus size / the route's smallest
 *     bandwidth after its transmission began, so an uncontended message
 *     costs latency + size / bandwidth, as under CM02.
 *     The receiver sleeps until the arrival: no SimGrid communication.
 *   fluid: a SimGrid communication on a mailbox (CM02: messages that
 *     overlap share the links' bandwidth max-min fairly); each costs the
 *     engine a network action.
 * Either way delivery is in send order (PCIe posted ordering): in the fluid
 * model each message carries a sequence number and the receiver holds back
 * any message that overtook an earlier one; the engine is told when the
 * oldest one not yet received can arrive (sent + the route's latency), so
 * that it knows when the receiver can act. */
#ifndef MNSIM_PCIE_H
#define MNSIM_PCIE_H
#include "engine.h"
#include "waitq.h"
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <stddef.h>
#include <stdint.h>

enum pcie_msg_type { MSG_TRANSLATE_REQ, MSG_TRANSLATE_CPL, MSG_INV_REQ, MSG_INV_CPL };
enum xlate_status { XLATE_OK, XLATE_FAULT };
enum pcie_model { PCIE_SERIAL, PCIE_FLUID }; /* the names of parameter pcie_model */

struct pcie_msg {
	enum pcie_msg_type type;
	uint64_t seq;
	int thread;            /* requesting device thread (translations) */
	unsigned pasid;
	uint64_t va, start, end;
	int write;
	enum xlate_status status;
	uint64_t pfn, generation, vbase;
	uint8_t writable, huge;
	uint64_t qi_seq;       /* the device-TLB descriptor an invalidation answers */
	uint64_t ticket;       /* a translation for a device without ATS: its transaction (iommu.h) */
	double arrival;        /* serial: when it reaches the receiver */
};

/* The platform's links, for the serial model: when each is next free. */
struct pcie_net;
struct pcie_net *pcie_net_new(void); /* after the platform is loaded */
void pcie_net_free(struct pcie_net *n);

struct pcie_chan {
	enum pcie_model model;
	long msg_bytes;
	double latency;         /* of the route: no message arrives sooner */
	char what[64];          /* "a message on NAME", for a deadlock report */
	struct engine *engine;
	/* serial: the route's serializing links and how long a message keeps
	 * each busy, the transmission time at the route's smallest bandwidth,
	 * the messages sent and not yet received (a FIFO), the idle receiver */
	double **link_free, *link_busy;
	size_t n_links;
	double tx_time;
	struct pcie_msg **queue;
	size_t q_head, q_len, q_cap;
	struct waitq arrived;
	/* fluid */
	sg_mailbox_t mailbox;
	uint64_t next_send, next_recv;
	struct pcie_msg **held; /* arrived early, waiting for their turn */
	size_t n_held, cap_held;
	size_t engine_channel;
	double *sent_at;        /* send times of the messages not yet received, a ring */
	size_t cap_sent;
};

/* A channel named name from host `from` to host `to`; the serial model
 * finds its links' state through them (made by pcie_net_new first). */
void pcie_chan_init(struct pcie_chan *c, const char *name, enum pcie_model model, long msg_bytes, sg_host_t from,
		    sg_host_t to, struct engine *engine);
void pcie_chan_destroy(struct pcie_chan *c);
/* Sends a copy of *m; never blocks. */
void pcie_send(struct pcie_chan *c, const struct pcie_msg *m);
/* Blocks until the next message in send order; the caller frees it. */
struct pcie_msg *pcie_recv(struct pcie_chan *c);
/* Must be called by the receiving actor before any message is sent, so that
 * messages start crossing the link as soon as they are sent. */
void pcie_chan_bind_receiver(struct pcie_chan *c);

#endif
