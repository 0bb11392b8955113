/* Tests of the blocking primitives actors share (waitq.h, rwlock.h) and of
 * deferred work (later.h): who gets a lock in which order and at what
 * simulated time.  Each test runs its actors in a child process, because
 * SimGrid initialises once per process; the child's failed CHECKs come back
 * as its exit status. */
#include "check.h"
#include "later.h"
#include "rwlock.h"
#include "sim.h"
#include "waitq.h"
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS 1e-9
#define PLATFORM MNSIM_SOURCE_DIR "/tests/data/exact.xml"

/* Counts the blocking waits and sleeps; the test actors sleep with SimGrid
 * directly, so nothing may be coalesced. */
static struct engine eng;

/* What the actors did, in order: who, and when. */
static struct { char who; double when; } log_[32];
static int n_log;

static void note(char who)
{
	log_[n_log].who = who;
	log_[n_log++].when = simgrid_get_clock();
}

static const char *order(void)
{
	static char s[33];
	for (int i = 0; i < n_log; i++)
		s[i] = log_[i].who;
	s[n_log] = '\0';
	return s;
}

static void spawn(const char *name, void (*code)(int, char **), void *data)
{
	sim_start_actor(name, sg_host_by_name("cpu0"), code, data);
}

/* Runs setup's actors to the end of the simulation, then check(), in a child. */
static void simulate(void (*setup)(void), void (*check)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int argc = 2;
		char *argv[] = {"sync_tests", "--log=root.thres:critical", NULL};
		simgrid_init(&argc, argv);
		simgrid_load_platform(PLATFORM);
		engine_init(&eng, 0);
		setup();
		simgrid_run();
		check();
		_exit(check_failures);
	}
	int status;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- lock: free costs nothing, then FIFO hand-over ---- */

static struct lock the_lock;

struct locker { char who; double arrive, hold; int again; };

static void locker_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct locker *l = sg_actor_self_get_data();
	sg_actor_sleep_for(l->arrive);
	lock_acquire(&the_lock);
	note(l->who);
	sg_actor_sleep_for(l->hold);
	lock_release(&the_lock);
	if (l->again) { /* straight back: it must queue behind the waiters */
		lock_acquire(&the_lock);
		note(l->who);
		lock_release(&the_lock);
	}
}


static void lock_setup(void)
{
	/* A holds 10 ns then asks again at once; D, B, C arrive while it holds
	 * it, in that order */
	static struct locker ls[] = {{'A', 0, 10 * NS, 1}, {'B', 2 * NS, 5 * NS, 0}, {'C', 3 * NS, 1 * NS, 0}, {'D', 1 * NS, 2 * NS, 0}};
	lock_init(&the_lock, &eng, "the test lock");
	for (int i = 0; i < 4; i++)
		spawn("locker", locker_actor, &ls[i]);
}

static void lock_check(void)
{
	CHECK(strcmp(order(), "ADBCA") == 0);
	CHECK_EQ_DBL(log_[0].when, 0, 0);
	CHECK_EQ_DBL(log_[1].when, 10 * NS, 1e-18);
	CHECK_EQ_DBL(log_[2].when, 12 * NS, 1e-18);
	CHECK_EQ_DBL(log_[3].when, 17 * NS, 1e-18);
	CHECK_EQ_DBL(log_[4].when, 18 * NS, 1e-18);
	CHECK(!the_lock.held && the_lock.waiters.waiting == 0);
	CHECK(eng.waits == 4); /* D, B, C, and A's second time; not A's first */
	lock_destroy(&the_lock);
}

static void test_lock_fifo(void) { simulate(lock_setup, lock_check); }

/* ---- waitq: wake_all wakes those waiting then, not those who wait again ---- */

static struct waitq q;
static int rounds;

static void waiter_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char who = *(char *)sg_actor_self_get_data();
	int seen = 0;
	/* each waits for two wake-ups, re-waiting at once after the first */
	while (seen < 2) {
		int r = rounds;
		while (rounds == r)
			waitq_wait(&q);
		seen++;
		note(who);
	}
}

static void waker_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (int i = 0; i < 2; i++) {
		sg_actor_sleep_for(5 * NS);
		rounds++;
		waitq_wake_all(&q);
	}
	sg_actor_sleep_for(5 * NS);
	note('w');
}

static void waitq_setup(void)
{
	static char names[] = "xyz";
	waitq_init(&q, &eng, "the test queue");
	for (int i = 0; i < 3; i++)
		spawn("waiter", waiter_actor, &names[i]);
	spawn("waker", waker_actor, NULL);
}

static void waitq_check(void)
{
	/* FIFO both times; nobody slept through a wake-up or woke twice */
	CHECK(strcmp(order(), "xyzxyzw") == 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_DBL(log_[i].when, 5 * NS, 1e-18);
	for (int i = 3; i < 6; i++)
		CHECK_EQ_DBL(log_[i].when, 10 * NS, 1e-18);
	CHECK(q.waiting == 0);
	CHECK(eng.waits == 6);
	waitq_destroy(&q);
}

static void test_waitq_wake_all(void) { simulate(waitq_setup, waitq_check); }

/* ---- rwlock: a waiting writer holds back later readers, and goes first ---- */

static struct rwlock rw;

struct rw_user { char who; int writer; double arrive, hold; };

static void rw_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct rw_user *u = sg_actor_self_get_data();
	sg_actor_sleep_for(u->arrive);
	u->writer ? rwlock_write_lock(&rw) : rwlock_read_lock(&rw);
	note(u->who);
	sg_actor_sleep_for(u->hold);
	u->writer ? rwlock_write_unlock(&rw) : rwlock_read_unlock(&rw);
}

static void rwlock_setup(void)
{
	/* readers r and s overlap; writer W arrives while they read; reader t
	 * arrives after W and must wait for it; writer V arrives after t but
	 * still goes before it; readers u and t then read together */
	static struct rw_user us[] = {{'r', 0, 0, 10 * NS}, {'s', 0, 1 * NS, 4 * NS}, {'W', 1, 2 * NS, 3 * NS},
				      {'t', 0, 3 * NS, 1 * NS}, {'V', 1, 4 * NS, 3 * NS}, {'u', 0, 5 * NS, 2 * NS}};
	rwlock_init(&rw, &eng, "the test lock for reading", "the test lock for writing");
	for (int i = 0; i < 6; i++)
		spawn("rw", rw_actor, &us[i]);
}

static void rwlock_check(void)
{
	CHECK(strcmp(order(), "rsWVtu") == 0);
	CHECK_EQ_DBL(log_[1].when, 1 * NS, 1e-18);
	CHECK_EQ_DBL(log_[2].when, 10 * NS, 1e-18);
	CHECK_EQ_DBL(log_[3].when, 13 * NS, 1e-18);
	for (int i = 4; i < 6; i++)
		CHECK_EQ_DBL(log_[i].when, 16 * NS, 1e-18);
	CHECK(rw.readers == 0 && !rw.writer);
	CHECK(eng.waits == 4); /* W, t, V, u: nobody woke to find it taken */
	rwlock_destroy(&rw);
}

static void test_rwlock_writer_first(void) { simulate(rwlock_setup, rwlock_check); }

/* ---- later: requests run at their due times, and the run waits for them ---- */

static struct later *lt;

static void run_note(void *who) { note(*(char *)who); }

static void requester_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static char names[] = "abc";
	for (int i = 0; i < 3; i++) {
		sg_actor_sleep_for(1 * NS);
		later_run(lt, 20 * NS, run_note, &names[i]);
	}
	note('R'); /* leaves at 3 ns; the requests run at 21, 22 and 23 ns */
	later_release(lt);
}

static void later_setup(void)
{
	lt = later_new(&eng, 1);
	later_start(lt, sg_host_by_name("cpu0"));
	spawn("requester", requester_actor, NULL);
}

static void later_check(void)
{
	CHECK(strcmp(order(), "Rabc") == 0);
	for (int i = 1; i < 4; i++)
		CHECK_EQ_DBL(log_[i].when, (20 + i) * NS, 1e-18);
	CHECK_EQ_DBL(simgrid_get_clock(), 23 * NS, 1e-18);
	CHECK(eng.sleeps == 3); /* the later actor's; the requester sleeps by itself */
	later_free(lt);
}

static void test_later_runs_due_requests(void) { simulate(later_setup, later_check); }

/* ---- a deadlock: the engine names who waits for what, and since when ---- */

static struct lock lock_a, lock_b;
static struct waitq work;

/* Takes its first lock, sleeps, then wants the other: the classic ABBA. */
static void abba_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int first_a = *(char *)sg_actor_self_get_data() == 'A';
	lock_acquire(first_a ? &lock_a : &lock_b);
	sg_actor_sleep_for((first_a ? 3 : 7) * NS);
	lock_acquire(first_a ? &lock_b : &lock_a);
	note('!'); /* never */
}

static void server_actor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	waitq_wait(&work);
}

static void deadlock_setup(void)
{
	static char names[] = "AB";
	lock_init(&lock_a, &eng, "lock a");
	lock_init(&lock_b, &eng, "lock b");
	waitq_init_idle(&work, &eng, "work");
	spawn("ab", abba_actor, &names[0]);
	spawn("ba", abba_actor, &names[1]);
	spawn("server", server_actor, NULL);
}

static void deadlock_check(void)
{
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	CHECK(f != NULL);
	size_t idle, blocked = engine_blocked(&eng, f, &idle);
	fclose(f);
	CHECK(n_log == 0);
	CHECK(blocked == 3 && idle == 1);
	/* ab holds a and waits for b from 3 ns; ba the reverse from 7 ns; the idle server is not listed */
	CHECK(strstr(buf, "waiting for lock b: ab (since 0.000000003 s)") != NULL);
	CHECK(strstr(buf, "waiting for lock a: ba (since 0.000000007 s)") != NULL);
	CHECK(strstr(buf, "server") == NULL && strstr(buf, "work") == NULL);
}

static void test_deadlock_report(void) { simulate(deadlock_setup, deadlock_check); }

int main(int argc, char **argv)
{
	static const struct test_case tests[] = {
		{"lock_fifo", test_lock_fifo},
		{"waitq_wake_all", test_waitq_wake_all},
		{"rwlock_writer_first", test_rwlock_writer_first},
		{"later_runs_due_requests", test_later_runs_due_requests},
		{"deadlock_report", test_deadlock_report},
		{NULL, NULL},
	};
	return run_tests(tests, argc, argv);
}
