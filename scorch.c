/* SPDX-License-Identifier: MIT */
/* scorch.c - main(): the table of subcommands and nothing else. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "sample running processes or a command" },
	{ "svg", cmd_svg, "render a profile as an SVG flame graph" },
	{ "fold", cmd_fold, "write a profile as folded stacks" },
	{ "report", cmd_report, "top functions, modules or threads; --focus" },
	{ "merge", cmd_merge, "sum several profiles into one" },
	{ "diff", cmd_diff, "name the functions a PR made slower, or none" },
	{ "check", cmd_check, "check a profile against performance budgets" },
	{ "export", cmd_export, "write a profile for speedscope or pprof" },
	{ "addr2line", cmd_addr2line, "name addresses of an ELF file" },
};

static void
usage(FILE *fp)
{
	size_t i;

	fputs("usage: scorch COMMAND [ARGS...]\n\n"
	      "scorch is a sampling profiler for Linux.\n\ncommands:\n",
	      fp);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n'scorch COMMAND --help' describes one command.\n"
	      "\nEXAMPLES\n"
	      "  scorch record -p $(pidof myserver) -d 30 -o profile.svg\n"
	      "  scorch record -o run.json -- ./bench\n"
	      "  scorch svg run.json -o run.svg\n"
	      "  scorch report run.json --top 10\n"
	      "  scorch export run.json -o run.pb.gz\n",
	      fp);
}

int
main(int argc, char **argv)
{
	size_t i;
	int ret;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("scorch " SCORCH_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		ret = commands[i].fn(argc - 1, argv + 1);
		/* A write error on stdout is an error, even at the end
		 * (said once: a command may have said it already). */
		if (cli_flush_stdout() < 0)
			return ret ? ret : EXIT_USAGE;
		return ret;
	}
	fprintf(stderr, "scorch: '%s' is not a command (see 'scorch help')\n",
		argv[1]);
	return EXIT_USAGE;
}
