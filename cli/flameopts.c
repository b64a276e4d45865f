/* SPDX-License-Identifier: MIT */
/*
 * cli/flameopts.c - the flame graph options, parsed in one place for every
 * subcommand that draws one (svg; diff will take the same). A subcommand
 * puts CLI_FLAME_LONGOPTS in its getopt_long table and hands each option
 * it does not know to cli_flame_option().
 */
#include <errno.h>
#include <stdlib.h>

#include "../render/render.h"
#include "cli.h"

static int
cli_flame_int(const char *opt, const char *arg, int lo, int hi, int *out)
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
cli_flame_option(int c, const char *arg, struct flame_opts *fo)
{
	char *end;
	double v;
	int pct;

	switch (c) {
	case CLI_FLAME_TITLE:
		fo->title = arg;
		return 1;
	case CLI_FLAME_SUBTITLE:
		fo->subtitle = arg;
		return 1;
	case CLI_FLAME_COUNT_NAME:
		fo->count_name = arg;
		return 1;
	case CLI_FLAME_WIDTH:
		return cli_flame_int("--width", arg, 100, 100000, &fo->width)
			       ? -1
			       : 1;
	case CLI_FLAME_FRAME_HEIGHT:
		return cli_flame_int("--frame-height", arg, 4, 200,
				     &fo->frame_height)
			       ? -1
			       : 1;
	case CLI_FLAME_FONT_SIZE:
		return cli_flame_int("--font-size", arg, 4, 100, &fo->font_size)
			       ? -1
			       : 1;
	case CLI_FLAME_MIN_WIDTH:
		/* Pixels, or a percentage of all samples with a '%'. */
		errno = 0;
		v = strtod(arg, &end);
		pct = *end == '%';
		if (errno || end == arg || end[pct] || !(v >= 0) ||
		    v > (pct ? 100 : 10000)) {
			cli_error("--min-width: '%s' is not a width in pixels "
				  "or a percentage",
				  arg);
			return -1;
		}
		fo->min_width = pct ? 0 : v;
		fo->min_width_pct = pct ? v : 0;
		return 1;
	case CLI_FLAME_PALETTE:
		if (flame_palette_parse(arg, &fo->palette) < 0) {
			cli_error("--palette: unknown palette '%s' (one of %s)",
				  arg, flame_palette_names());
			return -1;
		}
		return 1;
	case CLI_FLAME_INVERTED:
		fo->inverted = 1;
		return 1;
	case CLI_FLAME_REVERSE:
		fo->reverse = 1;
		return 1;
	}
	return 0;
}
