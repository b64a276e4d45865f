/* SPDX-License-Identifier: MIT */
/*
 * cli/svg.c - `scorch svg`: render a profile (native JSON or folded stacks
 * from any FlameGraph-compatible collapser, from a file or stdin) as an
 * interactive SVG flame graph.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

#define SVG_OPT_SKIP_BAD 0x2000
#define SVG_OPT_SPLIT 0x2001
#define SVG_OPT_VALUE 0x2002

static const char svg_usage[] =
	"usage: scorch svg INPUT [-o OUT.svg] [--skip-bad] "
	"[--split thread|process]\n"
	"                  [--value cpu|off-cpu|wall] [flame graph options]\n"
	"\n"
	"Render a profile as an interactive flame graph: hover for details,\n"
	"click to zoom, Ctrl-F to search by regular expression, Esc to reset.\n"
	"INPUT is a native profile (.json), a folded file from scorch or any\n"
	"FlameGraph-compatible collapser, perf script text (told by its\n"
	"content), or - for stdin. Without -o the SVG\n"
	"goes to stdout. A malformed folded line is an error naming the line;\n"
	"with --skip-bad it is skipped and counted instead. --split thread\n"
	"gives each thread a root frame of its own (NAME-PID/TID), --split\n"
	"process each process (COMM-PID); click one to see its graph alone.\n"
	"--value picks what a frame's width is: cpu (samples), off-cpu\n"
	"(nanoseconds off CPU, from record --off-cpu) or wall (both, in\n"
	"nanoseconds); the default is wall for a profile with off-CPU time.\n"
	"\n" CLI_FLAME_USAGE "\n"
	"EXAMPLES\n"
	"  scorch svg profile.json -o profile.svg\n"
	"  perf script | scorch svg - -o perf.svg\n"
	"  scorch svg run.folded --title 'checkout service' --width 1600 > "
	"run.svg\n"
	"  scorch svg allocs.folded --palette mem --count-name bytes -o a.svg\n"
	"  scorch svg run.folded --inverted --reverse -o callers.svg\n"
	"  scorch svg offcpu.json --value off-cpu -o waits.svg\n";

int
cmd_svg(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "skip-bad", no_argument, NULL, SVG_OPT_SKIP_BAD },
		{ "split", required_argument, NULL, SVG_OPT_SPLIT },
		{ "value", required_argument, NULL, SVG_OPT_VALUE },
		{ "help", no_argument, NULL, 'h' },
		CLI_FLAME_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct profile_read_opts ro = { 0 };
	const struct cli_format *f;
	const char *out = "-";
	struct cli_out o;
	enum profile_split split = SPLIT_NONE;
	enum profile_value value, *vp = NULL;
	struct flame_opts fo;
	struct scorch_err err;
	struct profile *p;
	char subtitle[512], hbuf[128];
	int c, ret;

	flame_opts_init(&fo);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		ret = cli_flame_option(c, optarg, &fo);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret > 0)
			continue;
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case SVG_OPT_SKIP_BAD:
			ro.skip_bad = 1;
			break;
		case SVG_OPT_SPLIT:
			if (cli_split_arg(optarg, &split) < 0)
				return EXIT_USAGE;
			break;
		case SVG_OPT_VALUE:
			if (cli_value_arg(optarg, &value) < 0)
				return EXIT_USAGE;
			vp = &value;
			break;
		case 'h':
			fputs(svg_usage, stdout);
			return EXIT_OK;
		default:
			usage_bad_option("svg", argv, c);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("svg: expected one INPUT");
		fputs(svg_usage, stderr);
		return EXIT_USAGE;
	}
	f = cli_format_pick("svg", out, NULL, CLI_FMT_SVG, CLI_FMT_SVG);
	if (!f || cli_check_output(out) < 0)
		return EXIT_USAGE;
	p = profile_load_opts(argv[optind], &ro, &err);
	if (!p) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (ro.skipped)
		cli_warn("%s: skipped %lu malformed line%s (the first: %s)",
			 strcmp(argv[optind], "-") ? argv[optind] : "<stdin>",
			 ro.skipped, ro.skipped == 1 ? "" : "s", ro.first_bad);
	if (cli_apply_value(&p, vp, argv[optind]) < 0) {
		profile_free(p);
		return EXIT_USAGE;
	}
	cli_apply_split(&p, split, argv[optind]);
	cli_flame_value(p, &fo);
	cli_flame_defaults(p, &fo, subtitle, sizeof(subtitle));
	cli_stack_health(p, argv[optind], hbuf, sizeof(hbuf));
	o.fo = &fo;
	o.name = argv[optind];
	ret = cli_write_profile(p, out, f, &o) < 0 ? EXIT_USAGE : EXIT_OK;
	profile_free(p);
	return ret;
}
