/* SPDX-License-Identifier: MIT */
/*
 * cli/fold.c - `scorch fold`: write a profile as FlameGraph-compatible
 * folded stacks ("comm;main;f;g COUNT"), for flamegraph.pl, inferno and
 * speedscope, or for grep and diff.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "cli.h"

static const char fold_usage[] =
	"usage: scorch fold INPUT [--split thread|process] "
	"[--value cpu|off-cpu|wall]\n"
	"                   [-o OUT.folded]\n"
	"\n"
	"Write a profile (native .json, folded, or - for stdin) as folded\n"
	"stacks, one 'frame;frame;... COUNT' line per unique stack, sorted.\n"
	"Kernel frames end in _[k]. Without -o the lines go to stdout.\n"
	"\n"
	"  --split thread    a root frame per thread, NAME-PID/TID, in place\n"
	"                    of the process name (stackcollapse-perf --tid)\n"
	"  --split process   a root frame per process, COMM-PID (--pid)\n"
	"  --value cpu       counts are CPU samples\n"
	"  --value off-cpu   counts are nanoseconds off CPU (record --off-cpu)\n"
	"  --value wall      counts are nanoseconds on and off CPU (samples\n"
	"                    times the period, plus off-CPU time); the default\n"
	"                    for a profile with off-CPU time, else cpu\n"
	"\n"
	"EXAMPLES\n"
	"  scorch fold profile.json > profile.folded\n"
	"  scorch fold profile.json | flamegraph.pl > profile.svg\n"
	"  scorch fold profile.json | grep -c parse_request\n"
	"  scorch fold profile.json --split thread | grep '^worker-'\n"
	"  scorch fold offcpu.json --value off-cpu | grep futex_wait\n";

int
cmd_fold(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "split", required_argument, NULL, 's' },
		{ "value", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_format *f;
	const char *out = "-";
	enum profile_split split = SPLIT_NONE;
	enum profile_value value, *vp = NULL;
	struct scorch_err err;
	struct profile *p;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			if (cli_split_arg(optarg, &split) < 0)
				return EXIT_USAGE;
			break;
		case 'v':
			if (cli_value_arg(optarg, &value) < 0)
				return EXIT_USAGE;
			vp = &value;
			break;
		case 'h':
			fputs(fold_usage, stdout);
			return EXIT_OK;
		default:
			usage_bad_option("fold", argv, c);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("fold: expected one INPUT");
		fputs(fold_usage, stderr);
		return EXIT_USAGE;
	}
	f = cli_format_pick("fold", out, NULL, CLI_FMT_FOLDED, CLI_FMT_FOLDED);
	if (!f || cli_check_output(out) < 0)
		return EXIT_USAGE;
	p = profile_load(argv[optind], &err);
	if (!p) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (cli_apply_value(&p, vp, argv[optind]) < 0) {
		profile_free(p);
		return EXIT_USAGE;
	}
	cli_apply_split(&p, split, argv[optind]);
	ret = cli_write_profile(p, out, f, NULL) < 0 ? EXIT_USAGE : EXIT_OK;
	profile_free(p);
	return ret;
}
