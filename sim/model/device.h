/* device: a PCIe device bound to one process's PASID.  Its threads replay
 * access streams from the trace; with ATS each translation is looked up in
 * the device's ATC and a miss sends a translation request to its IOMMU;
 * without ATS every access is translated by the IOMMU.  A port actor
 * receives what the IOMMU sends (translation completions, ATS invalidation
 * requests) in link order, invalidates the ATC, waits for the accesses that
 * used the invalidated translations, and answers with a completion. */
#ifndef MNSIM_DEVICE_H
#define MNSIM_DEVICE_H
#include "params.h"
#include "pcie.h"
#include "results.h"
#include <simgrid/host.h>

struct sim;
struct iommu;
struct mm;
struct device;

struct device *device_new(struct sim *sim, int index, const char *name, sg_host_t host, struct iommu *iommu,
			  struct mm *mm, const struct params *p);
void device_free(struct device *d);
/* Starts the port actor; call before any actor can send to the device. */
void device_start_port(struct device *d);
/* Starts an actor replaying trace stream `stream` on this device. */
void device_start_thread(struct device *d, int stream);

const char *device_name(const struct device *d);
int device_has_ats(const struct device *d);
struct mm *device_mm(const struct device *d);
struct iommu *device_iommu(const struct device *d);
struct pcie_chan *device_up(struct device *d);   /* device -> IOMMU */
struct pcie_chan *device_down(struct device *d); /* IOMMU -> device */
void device_report(const struct device *d, struct device_rec *out);

#endif
