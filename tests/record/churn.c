/* churn: a small program that uses every memory call the importer turns
 * into an op, for the checked-in captures of tests/data/import/ (see the
 * README there): a thread, brk growing and shrinking, an mremap that grows
 * in place and one that moves, MAP_POPULATE, mprotect removing and adding
 * write, MADV_DONTNEED, and a fork whose child execs /bin/true. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

static void *worker(void *arg)
{
	char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 1, 8 * PAGE);
	munmap(p, 8 * PAGE);
	return arg;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 1;
	char *heap = sbrk(0);
	if (sbrk(16 * PAGE) == (void *)-1)
		return 1;
	memset(heap, 2, 16 * PAGE);
	if (sbrk(-(long)(8 * PAGE)) == (void *)-1)
		return 1;
	/* twelve pages, less the last eight: a hole after it to grow into in place */
	char *a = mmap(NULL, 12 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || munmap(a + 4 * PAGE, 8 * PAGE) != 0)
		return 1;
	memset(a, 3, 4 * PAGE);
	char *b = mremap(a, 4 * PAGE, 8 * PAGE, 0);
	memset(b + 4 * PAGE, 4, 4 * PAGE);
	char *blocker = mmap(b + 8 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *c = mremap(b, 8 * PAGE, 32 * PAGE, MREMAP_MAYMOVE);
	if (b == MAP_FAILED || c == MAP_FAILED || blocker == MAP_FAILED)
		return 1;
	c[20 * PAGE] = 5;
	char *pop = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pop == MAP_FAILED || mprotect(pop, 4 * PAGE, PROT_READ) != 0 || mprotect(pop, 4 * PAGE, PROT_READ | PROT_WRITE) != 0)
		return 1;
	pop[0] = 6;
	if (madvise(c, 8 * PAGE, MADV_DONTNEED) != 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int st;
	if (child < 0 || waitpid(child, &st, 0) != child)
		return 1;
	munmap(c, 32 * PAGE);
	munmap(pop, 4 * PAGE);
	printf("churn done\n");
	return 0;
}
