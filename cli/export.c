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
	"usage: scorch export INPUT [--format speedscope|pprof|json|folded] [-o "
	"OUT]\n"
	"                    [--value cpu|off-cpu|wall]\n"
	"\n"
	"Write a profile (native .json, folded, or - for stdin) for other tools:\n"
	"  speedscope   speedscope's JSON file format (open it at speedscope.app\n"
	"               or with the speedscope npm package)\n"
	"  pprof        profile.proto, gzipped: go tool pprof, Pyroscope, Parca\n"
	"  json, folded scorch's own formats (as fold and merge write them)\n"
	"Without --format, OUT's name picks it: *.speedscope.json is speedscope,\n"
	"*.pb.gz and *.pprof are pprof, *.json native, *.folded folded. Without\n"
	"-o (or with -o -) the output goes to stdout, and --format is needed.\n"
	"\n"
	"--value picks what is written (record --off-cpu recordings hold CPU\n"
	"samples and off-CPU time; default wall, their sum, else cpu): speedscope\n"
	"weighs stacks by it in nanoseconds, json and folded hold it as counts;\n"
	"pprof holds every value as a sample type (samples/count,\n"
	"cpu/nanoseconds, off-cpu/nanoseconds, wall/nanoseconds) and --value\n"
	"picks the default one.\n"
	"\n"
	"EXAMPLES\n"
	"  scorch export profile.json --format speedscope -o profile.speedscope.json\n"
	"  scorch export profile.json -o profile.pb.gz && go tool pprof -top profile.pb.gz\n"
	"  scorch export run.folded --format pprof > run.pprof\n"
	"  scorch export offcpu.json --value off-cpu -o waits.speedscope.json\n";

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "value", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "-", *name = NULL;
	const struct cli_format *fmt;
	struct scorch_err err;
	struct profile *p;
	enum profile_value value, *vp = NULL;
	struct cli_out o = { 0 };
	int c, ret = EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			name = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'V':
			if (cli_value_arg(optarg, &value) < 0)
				return EXIT_USAGE;
			vp = &value;
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
	fmt = cli_format_pick("export", out, name, CLI_FMT_PROFILES, 0);
	if (!fmt || cli_check_output(out) < 0)
		return EXIT_USAGE;
	p = profile_load(argv[optind], &err);
	if (!p) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	/* pprof holds every value; the other formats one, as counts. */
	if (fmt->id == CLI_FMT_PPROF)
		o.value = vp;
	else if (cli_apply_value(&p, vp, argv[optind]) < 0) {
		profile_free(p);
		return EXIT_USAGE;
	}
	o.name = argv[optind];
	if (cli_write_profile(p, out, fmt, &o) == 0)
		ret = EXIT_OK;
	profile_free(p);
	return ret;
}
