/* optable: the names and argument shapes of every trace operation, CPU
 * (kernel memory operations of DESIGN.md section 2, plus plain accesses) and
 * device (translated accesses).  The trace parser validates against it; the
 * kernel-op interpreter and the policy table index their rows by enum op_kind. */
#ifndef MNSIM_OPTABLE_H
#define MNSIM_OPTABLE_H

enum op_kind {
	OP_READ, OP_WRITE, OP_THINK,
	OP_COW, OP_ZERO_FAULT, OP_THP_COW, OP_HUGETLB_COW, OP_REPLACE_PAGE,
	OP_MUNMAP, OP_MADV_FREE, OP_RECLAIM, OP_MIGRATE, OP_NUMA_HINT, OP_THP_MIGRATE,
	OP_MPROTECT, OP_FORK_WP, OP_KSM_MERGE, OP_THP_SPLIT,
	/* format 2: what real programs do (workloads/README.md) */
	OP_MMAP, OP_BRK, OP_MREMAP, OP_MADV_DONTNEED, OP_MPROTECT_RW, OP_FORK, OP_EXIT,
	OP_WP_REUSE, /* not a trace op: a write fault that reused its page (recorded for format-2 traces) */
	OP_COUNT
};

/* What follows the op name on a trace line. */
enum op_args {
	ARGS_VA,       /* VA (page aligned; 2 MiB aligned for huge ops) */
	ARGS_VA_SIZE,  /* VA SIZE (a range) */
	ARGS_VA_VA,    /* VA OTHER_VA (ksm_merge: merge VA's page into OTHER_VA's) */
	ARGS_DURATION, /* think */
	ARGS_BRK,      /* FROM TO: the heap's end moves from FROM to TO */
	ARGS_MREMAP,   /* OLD_VA OLD_SIZE NEW_VA NEW_SIZE */
	ARGS_PROCESS,  /* a declared process (fork: the child) */
	ARGS_NONE,     /* exit */
};

struct op_info {
	const char *name;
	enum op_args args;
	unsigned cpu : 1;    /* allowed in CPU streams */
	unsigned device : 1; /* allowed in device streams */
	unsigned huge : 1;   /* works on a 2 MiB PMD */
	unsigned kernel : 1; /* a kernel memory operation recorded in /ops */
	unsigned version : 2; /* the first trace format version that has it */
	const char *source;  /* where the step sequence comes from */
	/* takes its range's content away (unmaps or zaps it): until the call
	 * returns, what a concurrent access sees there is the application's own
	 * race, which the kernel orders no more than for its CPUs (checker.h) */
	unsigned discards : 1;
};

const struct op_info *op_info(enum op_kind k);
/* Returns the op with that name, or -1. */
int op_by_name(const char *name);

#define PAGE_SIZE 4096ULL
#define HUGE_SIZE (2ULL << 20)
#define HUGE_PAGES 512ULL

#endif
