/* SPDX-License-Identifier: MIT */
/*
 * cli/merge.c - `scorch merge`: the sum of several profiles (runs of one
 * benchmark, shards of a fleet) as one profile, with the metadata the runs
 * share (profile_merge() in profile/profile.h; docs/FORMAT.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

static const char merge_usage[] =
	"usage: scorch merge INPUT... -o OUT\n"
	"\n"
	"Add up several profiles (native .json or folded; - for stdin once):\n"
	"every stack's samples are summed. OUT's name picks the format\n"
	"(.json native, .folded, .speedscope.json, .pb.gz or .pprof, .svg);\n"
	"-o - writes native JSON to stdout.\n"
	"Counters (samples, lost, duration_ms, ...) are summed, start_time is\n"
	"the earliest, merged_from counts the runs, and any other metadata,\n"
	"labels included, is kept only when every run agrees.\n"
	"\n"
	"EXAMPLES\n"
	"  scorch merge run1.json run2.json run3.json -o all.json\n"
	"  scorch merge shards/*.json -o fleet.svg\n"
	"  scorch merge base.json pr.folded -o - | scorch report -\n";

int
cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	struct profile **in = NULL, *m = NULL;
	struct scorch_err err;
	struct flame_opts fo;
	char subtitle[512];
	size_t n = 0, i;
	const struct cli_format *fmt;
	struct cli_out o = { NULL, "merged", NULL };
	int c, ret = EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(merge_usage, stdout);
			return EXIT_OK;
		default:
			usage_bad_option("merge", argv, c);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || !out) {
		cli_error("merge: expected INPUT... and -o OUT");
		fputs(merge_usage, stderr);
		return EXIT_USAGE;
	}
	/* A stream (-, a device, a FIFO) gets native JSON. */
	fmt = cli_format_pick("merge", out, NULL,
			      CLI_FMT_PROFILES | CLI_FMT_SVG, CLI_FMT_JSON);
	if (!fmt || cli_check_output(out) < 0)
		return EXIT_USAGE;
	in = xcalloc((size_t)(argc - optind), sizeof(*in));
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		in[n] = profile_load(argv[i], &err);
		if (!in[n]) {
			cli_error("%s", err.msg);
			goto out;
		}
		n++;
	}
	m = profile_merge(in, n, (const char *const *)argv + optind, &err);
	if (!m) {
		cli_error("%s", err.msg);
		goto out;
	}
	flame_opts_init(&fo);
	cli_flame_defaults(m, &fo, subtitle, sizeof(subtitle));
	o.fo = &fo;
	if (cli_write_profile(m, out, fmt, &o) == 0)
		ret = EXIT_OK;
out:
	for (i = 0; i < n; i++)
		profile_free(in[i]);
	free(in);
	profile_free(m);
	return ret;
}
