/* optable: see optable.h. */
#include "optable.h"
#include <string.h>

static const struct op_info ops[OP_COUNT] = {
	[OP_READ] = {"read", ARGS_VA, 1, 1, 0, 0, 1, "CPU or device load"},
	[OP_WRITE] = {"write", ARGS_VA, 1, 1, 0, 0, 1, "CPU or device store"},
	[OP_THINK] = {"think", ARGS_DURATION, 1, 1, 0, 0, 1, "busy time"},
	[OP_COW] = {"cow", ARGS_VA, 1, 0, 0, 1, 1, "mm/memory.c wp_page_copy"},
	[OP_ZERO_FAULT] = {"zero_fault", ARGS_VA, 1, 0, 0, 1, 1, "mm/memory.c wp_page_copy (zero page)"},
	[OP_THP_COW] = {"thp_cow", ARGS_VA, 1, 0, 1, 1, 1, "mm/huge_memory.c do_huge_pmd_wp_page"},
	[OP_HUGETLB_COW] = {"hugetlb_cow", ARGS_VA, 1, 0, 1, 1, 1, "mm/hugetlb.c hugetlb_cow"},
	[OP_REPLACE_PAGE] = {"replace_page", ARGS_VA, 1, 0, 0, 1, 1, "kernel/events/uprobes.c __replace_page"},
	[OP_MUNMAP] = {"munmap", ARGS_VA_SIZE, 1, 0, 0, 1, 1, "mm/memory.c unmap_vmas, zap_pte_range, mmu_gather", 1},
	[OP_MADV_FREE] = {"madv_free", ARGS_VA_SIZE, 1, 0, 0, 1, 1, "mm/madvise.c madvise_free_single_vma"},
	[OP_RECLAIM] = {"reclaim", ARGS_VA, 1, 0, 0, 1, 1, "mm/rmap.c try_to_unmap_one (anon swap-out)"},
	[OP_MIGRATE] = {"migrate", ARGS_VA, 1, 0, 0, 1, 1, "mm/migrate.c try_to_unmap + remove_migration_ptes"},
	[OP_NUMA_HINT] = {"numa_hint", ARGS_VA, 1, 0, 1, 1, 1, "mm/mprotect.c change_prot_numa -> change_huge_pmd"},
	[OP_THP_MIGRATE] = {"thp_migrate", ARGS_VA, 1, 0, 1, 1, 1, "mm/migrate.c migrate_misplaced_transhuge_page"},
	[OP_MPROTECT] = {"mprotect", ARGS_VA_SIZE, 1, 0, 0, 1, 1, "mm/mprotect.c change_protection"},
	[OP_FORK_WP] = {"fork_wp", ARGS_VA_SIZE, 1, 0, 0, 1, 1, "mm/memory.c copy_page_range"},
	[OP_KSM_MERGE] = {"ksm_merge", ARGS_VA_VA, 1, 0, 0, 1, 1, "mm/ksm.c write_protect_page + replace_page"},
	[OP_THP_SPLIT] = {"thp_split", ARGS_VA, 1, 0, 1, 1, 1, "mm/huge_memory.c __split_huge_pmd"},
	[OP_MMAP] = {"mmap", ARGS_VA_SIZE, 1, 0, 0, 1, 2, "mm/mmap.c mmap_region (munmap of what it covers first)", 1},
	[OP_BRK] = {"brk", ARGS_BRK, 1, 0, 0, 1, 2, "mm/mmap.c brk: do_brk_flags, or do_munmap when it shrinks", 1},
	[OP_MREMAP] = {"mremap", ARGS_MREMAP, 1, 0, 0, 1, 2, "mm/mremap.c move_vma: move_page_tables + do_munmap", 1},
	[OP_MADV_DONTNEED] = {"madv_dontneed", ARGS_VA_SIZE, 1, 0, 0, 1, 2, "mm/madvise.c madvise_dontneed_single_vma -> zap_page_range", 1},
	[OP_MPROTECT_RW] = {"mprotect_rw", ARGS_VA_SIZE, 1, 0, 0, 1, 2, "mm/mprotect.c change_protection (adding write)"},
	[OP_FORK] = {"fork", ARGS_PROCESS, 1, 0, 0, 1, 2, "kernel/fork.c dup_mmap -> mm/memory.c copy_page_range"},
	[OP_EXIT] = {"exit", ARGS_NONE, 1, 0, 0, 1, 2, "mm/mmap.c exit_mmap (mmu_notifier_release, unmap_vmas)", 1},
	[OP_WP_REUSE] = {"wp_reuse", ARGS_VA, 0, 0, 0, 1, 2, "mm/memory.c do_wp_page -> wp_page_reuse"},
};

const struct op_info *op_info(enum op_kind k) { return &ops[k]; }

int op_by_name(const char *name)
{
	for (int k = 0; k < OP_COUNT; k++)
		if (strcmp(ops[k].name, name) == 0)
			return k;
	return -1;
}
