/* pcie: one direction of a PCIe link between an IOMMU and a device, as a
 * SimGrid mailbox whose messages cross the platform's route (so they cost the
 * link's latency and bandwidth).  Delivery is in send order (PCIe posted
 * ordering): each message carries a sequence number and the receiver holds
 * back any message that overtook an earlier one, instead of relying on the
 * order in which SimGrid completes two equal communications.  The engine is
 * told when the oldest message not yet received can arrive at the earliest
 * (sent + the route's latency), so that it knows when the receiver can act. */
#ifndef MNSIM_PCIE_H
#define MNSIM_PCIE_H
#include "engine.h"
#include <simgrid/mailbox.h>
#include <stddef.h>
#include <stdint.h>

enum pcie_msg_type { MSG_TRANSLATE_REQ, MSG_TRANSLATE_CPL, MSG_INV_REQ, MSG_INV_CPL };
enum xlate_status { XLATE_OK, XLATE_FAULT };

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
};

struct pcie_chan {
	sg_mailbox_t mailbox;
	long msg_bytes;
	double latency;         /* of the route: no message arrives sooner */
	char what[64];          /* "a message on NAME", for a deadlock report */
	uint64_t next_send, next_recv;
	struct pcie_msg **held; /* arrived early, waiting for their turn */
	size_t n_held, cap_held;
	struct engine *engine;
	size_t engine_channel;
	double *sent_at;        /* send times of the messages not yet received, a ring */
	size_t cap_sent;
};

void pcie_chan_init(struct pcie_chan *c, const char *name, long msg_bytes, double latency, struct engine *engine);
void pcie_chan_destroy(struct pcie_chan *c);
/* Sends a copy of *m; never blocks. */
void pcie_send(struct pcie_chan *c, const struct pcie_msg *m);
/* Blocks until the next message in send order; the caller frees it. */
struct pcie_msg *pcie_recv(struct pcie_chan *c);
/* Must be called by the receiving actor before any message is sent, so that
 * messages start crossing the link as soon as they are sent. */
void pcie_chan_bind_receiver(struct pcie_chan *c);

#endif
