/* The raw SimGrid bounds bench/run compares mnsim with, on the same SimGrid
 * configuration mnsim uses:
 *   raw_bound PLATFORM sleep N     one actor sleeping N times;
 *   raw_bound PLATFORM message N   N messages between dev0 and iommu0, one
 *                                  at a time each way, sent as mnsim's PCIe
 *                                  channels send them (bound receivers,
 *                                  detached sends);
 *   raw_bound PLATFORM handoff N   N blocking waits: two actors wake each
 *                                  other in turn through semaphores, as
 *                                  mnsim's wait queues do.
 * Prints N; bench/run times the run. */
#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_BYTES 16

static long n_events;

static void sleeper(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (long i = 0; i < n_events; i++)
		sg_actor_sleep_for(1e-9);
}

static void send_one(const char *to)
{
	int *payload = malloc(sizeof *payload);
	if (!payload)
		abort();
	sg_comm_detach(sg_mailbox_put_init(sg_mailbox_by_name(to), payload, MSG_BYTES), free);
}

/* argv[1]: this actor's mailbox, argv[2]: the peer's; argv[3] "first" starts */
static void ping_pong(int argc, char **argv)
{
	(void)argc;
	sg_mailbox_set_receiver(argv[1]);
	sg_mailbox_t inbox = sg_mailbox_by_name(argv[1]);
	int first = strcmp(argv[3], "first") == 0;
	for (long i = first ? 0 : 1; i < n_events; i += 2) {
		if (!first || i > 0)
			free(sg_mailbox_get(inbox));
		send_one(argv[2]);
	}
	if (first == (n_events % 2 == 0))
		free(sg_mailbox_get(inbox)); /* the last message is ours to take */
}

static sg_sem_t turn[2];

/* argv[1]: "0" or "1", whose turn it is waited for; actor 0 starts */
static void hand_off(int argc, char **argv)
{
	(void)argc;
	int me = argv[1][0] - '0';
	for (long i = me; i < n_events; i += 2) {
		if (me == 0 && i == 0)
			sg_sem_release(turn[1]);
		else
			sg_sem_acquire(turn[me]), sg_sem_release(turn[1 - me]);
	}
	if (me == (int)(n_events % 2))
		sg_sem_acquire(turn[me]); /* the last wake-up is ours */
}

int main(int argc, char **argv)
{
	char *args[] = {argv[0], "--log=root.thres:warning", "--cfg=network/model:CM02", "--cfg=surf/precision:1e-13",
			"--cfg=maxmin/precision:1e-13", "--cfg=network/crosstraffic:0", NULL};
	int n = 6;
	if (argc < 4 || (strcmp(argv[2], "sleep") != 0 && strcmp(argv[2], "message") != 0 && strcmp(argv[2], "handoff") != 0)) {
		fprintf(stderr, "usage: raw_bound PLATFORM sleep|message|handoff N\n");
		return 2;
	}
	n_events = atol(argv[3]);
	simgrid_init(&n, args);
	simgrid_load_platform(argv[1]);
	if (strcmp(argv[2], "sleep") == 0) {
		sg_actor_create_("sleeper", sg_host_by_name("cpu0"), sleeper, 0, NULL);
	} else if (strcmp(argv[2], "handoff") == 0) {
		char *first[] = {"a", "0"}, *second[] = {"b", "1"};
		turn[0] = sg_sem_init(0);
		turn[1] = sg_sem_init(0);
		sg_actor_create("a", sg_host_by_name("cpu0"), hand_off, 2, first);
		sg_actor_create("b", sg_host_by_name("cpu1"), hand_off, 2, second);
	} else {
		char *dev[] = {"dev", "dev.inbox", "iommu.inbox", "first"};
		char *io[] = {"iommu", "iommu.inbox", "dev.inbox", "second"};
		sg_actor_create("dev", sg_host_by_name("dev0"), ping_pong, 4, dev);
		sg_actor_create("iommu", sg_host_by_name("iommu0"), ping_pong, 4, io);
	}
	simgrid_run();
	printf("%ld\n", n_events);
	return 0;
}
