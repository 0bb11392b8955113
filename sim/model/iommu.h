/* iommu: an IOMMU with a per-PASID-tagged IOTLB, a page walker and an
 * invalidation queue (QI): a ring of qi_depth descriptor slots guarded by a
 * queue lock, processed in ring order by one engine.  An IOTLB descriptor
 * occupies the engine for its latency; a device-TLB descriptor for its issue
 * latency, then completes when the device's ATS completion comes back (at most
 * ats_max_outstanding at once); a wait descriptor completes once everything
 * before it has, without holding back what follows (no fence).  Submitters
 * are synchronous, as Linux's qi_submit_sync: they need n+2 free slots, spin
 * while there are fewer (a QI-full stall), and reclaim their slots when their
 * wait descriptor completes. */
#ifndef MNSIM_IOMMU_H
#define MNSIM_IOMMU_H
#include "params.h"
#include "results.h"
#include <simgrid/host.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
struct device;
struct iommu;

enum qi_type { QI_IOTLB_PSI, QI_IOTLB_PASID, QI_DEVTLB, QI_WAIT };

struct qi_request {
	enum qi_type type;
	unsigned pasid;
	uint64_t start, end; /* byte range; what the hardware invalidates */
	struct device *dev;  /* QI_DEVTLB */
	int64_t notification; /* the invalidate_range call it serves (/notifications id), -1 none */
};

struct iommu *iommu_new(struct sim *sim, int index, const char *name, sg_host_t host, const struct params *p);
void iommu_free(struct iommu *io);
/* Starts the queue engine. */
void iommu_start(struct iommu *io);
/* Starts the IOMMU end of d's link; call before d can send. */
void iommu_attach_device(struct iommu *io, struct device *d);
/* Submits n descriptors and a wait descriptor, and returns when the wait
 * completes.  Returns the time spent stalled on a full queue. */
double iommu_submit_sync(struct iommu *io, const struct qi_request *reqs, size_t n);
/* A translated access of a device without ATS is one transaction through the
 * IOMMU, from the translation to the memory access: the device calls this
 * when it has performed (or dropped) the access whose translation completion
 * carried `ticket` (non-zero).  An IOTLB invalidation completes only once
 * every such transaction on its range that began before it has (VT-d's
 * drain of reads and writes, SMMUv3's CMD_SYNC). */
void iommu_transaction_done(struct iommu *io, uint64_t ticket);
const struct params *iommu_params(const struct iommu *io);
const char *iommu_name(const struct iommu *io);
sg_host_t iommu_host(const struct iommu *io);
void iommu_report(const struct iommu *io, struct iommu_rec *out);
/* One /iotlb_pasid row per PASID the IOTLB has seen. */
void iommu_report_pasids(const struct iommu *io, struct results *r);

#endif
