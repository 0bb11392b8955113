/* The raw SimGrid bound: one actor sleeping N times (argv[2]), on the same
 * SimGrid configuration mnsim uses.  Prints the number of events. */
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <stdio.h>
#include <stdlib.h>

static long n_sleeps;

static void sleeper(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (long i = 0; i < n_sleeps; i++)
		sg_actor_sleep_for(1e-9);
}

int main(int argc, char **argv)
{
	char *args[] = {argv[0], "--log=root.thres:warning", "--cfg=network/model:CM02", "--cfg=surf/precision:1e-13", NULL};
	int n = 4;
	if (argc < 3) {
		fprintf(stderr, "usage: raw_sleep PLATFORM N\n");
		return 2;
	}
	n_sleeps = atol(argv[2]);
	simgrid_init(&n, args);
	simgrid_load_platform(argv[1]);
	sg_actor_create_("sleeper", sg_host_by_name("cpu0"), sleeper, 0, NULL);
	simgrid_run();
	printf("%ld\n", n_sleeps);
	return 0;
}
