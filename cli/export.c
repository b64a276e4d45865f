/* SPDX-License-Identifier: MIT */
/*
 * cli/export.c - `scorch export`: write a profile (native or folded) in
 * another tool's format: speedscope's JSON, or pprof's gzipped protobuf for
 * `go tool pprof`, Grafana Pyroscope and Parca.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "cli.h"

static const char export_usage[] =
	"usage: scorch export INPUT --format speedscope|pprof [-o OUT]\n"
	"\n"
	"Write a profile (native .json, folded, or - for stdin) for other tools:\n"
	"  speedscope   speedscope's JSON file format (open it at speedscope.app\n"
	"               or with the speedscope npm package)\n"
	"  pprof        profile.proto, gzipped: go tool pprof, Pyroscope, Parca\n"
	"Without --format, OUT's name picks it: *.speedscope.json is speedscope,\n"
	"*.pb.gz and *.pprof are pprof. Without -o (or with -o -) the output goes\n"
	"to stdout.\n"
	"\n"
	"EXAMPLES\n"
	"  scorch export profile.json --format speedscope -o profile.speedscope.json\n"
	"  scorch export profile.json -o profile.pb.gz && go tool pprof -top profile.pb.gz\n"
	"  scorch export run.folded --format pprof > run.pprof\n";

enum export_format { EXPORT_NONE, EXPORT_SPEEDSCOPE, EXPORT_PPROF };

static bool
export_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static enum export_format
export_format_of(const char *path)
{
	if (export_ends_with(path, ".speedscope.json"))
		return EXPORT_SPEEDSCOPE;
	if (export_ends_with(path, ".pb.gz") ||
	    export_ends_with(path, ".pprof"))
		return EXPORT_PPROF;
	return EXPORT_NONE;
}

static int
export_emit(const struct profile *p, enum export_format fmt, const char *name,
	    FILE *fp)
{
	if (fmt == EXPORT_SPEEDSCOPE)
		return profile_write_speedscope(p, name, fp);
	return profile_write_pprof(p, fp);
}

struct export_args {
	const struct profile *p;
	enum export_format fmt;
	const char *name;
};

static int
export_emit_cb(FILE *fp, void *arg)
{
	const struct export_args *a = arg;

	return export_emit(a->p, a->fmt, a->name, fp);
}

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum export_format fmt = EXPORT_NONE;
	const char *out = "-", *cmd;
	struct export_args a;
	struct scorch_err err;
	struct profile *p;
	int c, ret = EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "speedscope"))
				fmt = EXPORT_SPEEDSCOPE;
			else if (!strcmp(optarg, "pprof"))
				fmt = EXPORT_PPROF;
			else {
				cli_error("--format: unknown '%s' (known: "
					  "speedscope, pprof)",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return EXIT_OK;
		default:
			usage_bad_option("export", argv, c);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error("export: expected one INPUT");
		fputs(export_usage, stderr);
		return EXIT_USAGE;
	}
	if (fmt == EXPORT_NONE)
		fmt = export_format_of(out);
	if (fmt == EXPORT_NONE) {
		cli_error("export: give --format speedscope or pprof (or an "
			  "OUT ending in .speedscope.json or .pb.gz)");
		return EXIT_USAGE;
	}
	if (cli_check_output(out) < 0)
		return EXIT_USAGE;
	p = profile_load(argv[optind], &err);
	if (!p) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	cmd = profile_meta_str(p, "cmdline");
	a.p = p;
	a.fmt = fmt;
	a.name = cmd && *cmd ? cmd : argv[optind];
	/* pprof's values are signed, speedscope's numbers doubles. */
	if (profile_check(p,
			  fmt == EXPORT_SPEEDSCOPE ? PROFILE_FMT_SPEEDSCOPE
						   : PROFILE_FMT_PPROF,
			  strcmp(out, "-") ? out : "<stdout>", &err) < 0)
		cli_error("%s", err.msg);
	else if (cli_write_file(out, export_emit_cb, &a) == 0)
		ret = EXIT_OK;
	profile_free(p);
	return ret;
}
