/* kernel_ops: the kernel memory operations of DESIGN.md section 2, each a
 * fixed program of steps (a table: one row per op and kernel change, chosen
 * by the run's kernel version, kversion.h) taken from the kernel source, run
 * by an interpreter on a CPU actor.  The places where Linux can
 * call invalidate_range are marked with a site class; the policy table
 * (policy.h) decides which of them notify.  Also here: CPU threads replaying
 * their trace stream, and handle_mm_fault for CPU and device (PRI) faults. */
#ifndef MNSIM_KERNEL_OPS_H
#define MNSIM_KERNEL_OPS_H
#include "optable.h"
#include "params.h"
#include "policy.h"
#include <simgrid/host.h>
#include <stdint.h>
#include <stdio.h>

struct sim;
struct mm;

enum fault_result { FAULT_RETRY, FAULT_SEGV };

/* Starts an actor on host replaying CPU trace stream `stream`. */
void kernel_start_cpu_thread(struct sim *s, int stream, sg_host_t host);
/* handle_mm_fault: first touch, write-protect fault (reuse, cow, zero_fault),
 * swap-in, NUMA hint, or a wait for a migration entry; cpu = -1 for a device's
 * page request.  The caller retries its access after FAULT_RETRY. */
enum fault_result kernel_handle_fault(struct sim *s, struct mm *mm, uint64_t va, int write, int cpu);
/* The kernel code op k follows under the (configured) parameters p: its
 * file and function, and the commit that made it so (*commit, NULL if the
 * code is as in v4.14); NULL if k is not a kernel op.  The IRs it makes are
 * measured by running it (tools/census.h, `mnsim policies`). */
const char *kernel_op_source(enum op_kind k, const struct params *p, const char **commit);

#endif
