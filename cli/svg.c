/* SPDX-License-Identifier: MIT */
/*
 * cli/svg.c - `scorch svg`: render a profile (native JSON or folded stacks,
 * from a file or stdin) as an SVG flame graph.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

static const char svg_usage[] =
	"usage: scorch svg INPUT [-o OUT.svg] [--title TEXT] [--subtitle TEXT]\n"
	"                  [--width PX] [--frame-height PX] [--font-size PX]\n"
	"                  [--min-width PX] [--count-name NAME]\n"
	"\n"
	"Render a profile as a flame graph. INPUT is a native profile (.json), a\n"
	"folded file from scorch or any FlameGraph-compatible collapser, or - for\n"
	"stdin. Without -o the SVG goes to stdout.\n"
	"\n"
	"EXAMPLES\n"
	"  scorch svg profile.json -o profile.svg\n"
	"  perf script | stackcollapse-perf.pl | scorch svg - -o perf.svg\n"
	"  scorch svg run.folded --title 'checkout service' --width 1600 > run.svg\n";

static int
svg_int_arg(const char *opt, const char *arg, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		cli_error("%s: '%s' is not a number from %d to %d", opt, arg,
			  lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
cmd_svg(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "subtitle", required_argument, NULL, 's' },
		{ "width", required_argument, NULL, 'w' },
		{ "frame-height", required_argument, NULL, 'H' },
		{ "font-size", required_argument, NULL, 'f' },
		{ "min-width", required_argument, NULL, 'm' },
		{ "count-name", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "-";
	struct flame_opts fo;
	struct scorch_err err;
	struct profile *p;
	char subtitle[512];
	int c, ret;

	flame_opts_init(&fo);
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			fo.title = optarg;
			break;
		case 's':
			fo.subtitle = optarg;
			break;
		case 'w':
			if (svg_int_arg("--width", optarg, 100, 100000,
					&fo.width) < 0)
				return EXIT_USAGE;
			break;
		case 'H':
			if (svg_int_arg("--frame-height", optarg, 4, 200,
					&fo.frame_height) < 0)
				return EXIT_USAGE;
			break;
		case 'f':
			if (svg_int_arg("--font-size", optarg, 4, 100,
					&fo.font_size) < 0)
				return EXIT_USAGE;
			break;
		case 'm':
			errno = 0;
			fo.min_width = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(fo.min_width >= 0) || fo.min_width > 10000) {
				cli_error("--min-width: '%s' is not a width "
					  "in pixels",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			fo.count_name = optarg;
			break;
		case 'h':
			fputs(svg_usage, stdout);
			return EXIT_OK;
		default:
			fputs(svg_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("svg: expected one INPUT");
		fputs(svg_usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(out, "-") && cli_out_format(out) != OUT_SVG) {
		cli_error("%s: the output of svg must end in .svg", out);
		return EXIT_USAGE;
	}
	p = profile_load(argv[optind], &err);
	if (!p) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	cli_flame_defaults(p, &fo, subtitle, sizeof(subtitle));
	ret = cli_write_profile(p, out, OUT_SVG, &fo) < 0 ? EXIT_USAGE
							  : EXIT_OK;
	profile_free(p);
	return ret;
}
