/* known: a small program whose memory operations have known answers, for
 * the record test (tests/record_tests.sh).  In a region of its own at a
 * fixed address it does, in this order:
 *   N first-touch writes                       (N write faults, new pages)
 *   Z zero-page reads, then writes to them      (Z read faults, Z zero_faults)
 *   a fork; the child waits without touching the region
 *   M writes to pages the child shares          (M COWs)
 *   the child exits
 *   K writes to other shared pages              (K reuses: wp_page_reuse)
 *   an mprotect (read-only) of P pages, a MADV_DONTNEED of D pages,
 *   a MADV_FREE of F pages, and munmaps of both mappings.
 * It prints the counts it used ("known N=... Z=..."), so the test does not
 * repeat them. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define BASE ((char *)0x300000000000UL)   /* the written region */
#define ZBASE ((char *)0x300040000000UL)  /* the zero-page region */
enum { N = 64, Z = 16, M = 24, K = 20, P = 8, D = 4, F = 4 };

int main(void)
{
	char *a = mmap(BASE, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *z = mmap(ZBASE, Z * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (a != BASE || z != ZBASE) {
		perror("mmap");
		return 1;
	}
	volatile char *va = a, *vz = z;
	for (int i = 0; i < N; i++)
		va[i * PAGE] = 1;
	int sum = 0;
	for (int i = 0; i < Z; i++)
		sum += vz[i * PAGE];
	for (int i = 0; i < Z; i++)
		vz[i * PAGE] = 2;
	int go[2], done[2];
	if (pipe(go) != 0 || pipe(done) != 0)
		return 1;
	fflush(stdout);
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		char c;
		/* wait until the parent has made its copy-on-write faults */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	for (int i = 0; i < M; i++)
		va[i * PAGE] = 3;
	if (write(go[1], "x", 1) != 1)
		return 1;
	int status;
	if (waitpid(child, &status, 0) != child || status != 0)
		return 1;
	for (int i = M; i < M + K; i++)
		va[i * PAGE] = 4;
	if (mprotect(a + (N - P) * PAGE, P * PAGE, PROT_READ) != 0 || madvise(a, D * PAGE, MADV_DONTNEED) != 0 ||
	    madvise(a + D * PAGE, F * PAGE, MADV_FREE) != 0 || munmap(a, N * PAGE) != 0 || munmap(z, Z * PAGE) != 0)
		return 1;
	printf("known base=%#lx zbase=%#lx N=%d Z=%d M=%d K=%d P=%d D=%d F=%d sum=%d\n", (unsigned long)BASE, (unsigned long)ZBASE,
	       N, Z, M, K, P, D, F, sum);
	return 0;
}
