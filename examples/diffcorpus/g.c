/* SPDX-License-Identifier: MIT */
/*
 * examples/diffcorpus/g.c - class g: a new function. The PR adds
 * audit_log (8000 steps a round, about 9% of the time). Culprit:
 * audit_log, new in the PR.
 *
 *   main - round - read_request   30000 steps
 *                |- route         20000
 *                |- respond       25000
 *                |- log_line      10000
 *                `- audit_log      8000, PR only
 */
#include "work.h"

DC_FRAME static void
read_request(void)
{
	DC_WORK(30000);
}

DC_FRAME static void
route(void)
{
	DC_WORK(20000);
}

DC_FRAME static void
respond(void)
{
	DC_WORK(25000);
}

DC_FRAME static void
log_line(void)
{
	DC_WORK(10000);
}

#if PR
DC_FRAME static void
audit_log(void)
{
	DC_WORK(8000);
}
#endif

int
main(int argc, char **argv)
{
	long i, n = dc_rounds(argc, argv, 2800);

	for (i = 0; i < n; i++) {
		read_request();
		route();
		respond();
		log_line();
#if PR
		audit_log();
#endif
	}
	return dc_done("diffcorpus-g");
}
