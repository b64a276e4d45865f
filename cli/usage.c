/* SPDX-License-Identifier: MIT */
/*
 * cli/usage.c - one table of a subcommand's options, for both its parser
 * (the getopt_long table) and its --help text; and the one-line message
 * for an option the parser refused.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "cli.h"

size_t
usage_count(const struct usage_opt *opts)
{
	size_t n = 0;

	while (opts[n].name)
		n++;
	return n;
}

struct option *
usage_longopts(const struct usage_opt *opts)
{
	size_t i, n = usage_count(opts);
	struct option *lo = xreallocarray(NULL, n + 1, sizeof(*lo));

	for (i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].arg ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = opts[i].val;
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	return lo;
}

void
usage_optstring(const struct usage_opt *opts, const char *prefix, char *buf,
		size_t size)
{
	size_t i, n = 0;

	n = (size_t)snprintf(buf, size, "%s", prefix);
	for (i = 0; opts[i].name && n + 3 <= size; i++) {
		if (opts[i].val <= ' ' || opts[i].val >= 127)
			continue;
		buf[n++] = (char)opts[i].val;
		if (opts[i].arg)
			buf[n++] = ':';
	}
	buf[n < size ? n : size - 1] = '\0';
}

/*
 * "  -p, --pid PID         help", the help's further lines (after '\n')
 * indented to its column; options without a short spelling line up too.
 */
void
usage_print(FILE *fp, const struct usage_opt *opts)
{
	const size_t col = 24;
	size_t i;

	for (i = 0; opts[i].name; i++) {
		const char *h = opts[i].help, *nl;
		int n;

		if (opts[i].val > ' ' && opts[i].val < 127)
			n = fprintf(fp, "  -%c, --%s", opts[i].val,
				    opts[i].name);
		else
			n = fprintf(fp, "      --%s", opts[i].name);
		if (opts[i].arg)
			n += fprintf(fp, " %s", opts[i].arg);
		if (n < 0)
			return;
		if ((size_t)n + 1 > col)
			fprintf(fp, "\n%*s", (int)col, "");
		else
			fprintf(fp, "%*s", (int)(col - (size_t)n), "");
		while ((nl = strchr(h, '\n'))) {
			fprintf(fp, "%.*s\n%*s", (int)(nl - h), h, (int)col,
				"");
			h = nl + 1;
		}
		fprintf(fp, "%s\n", h);
	}
}

void
usage_bad_option(const char *cmd, char **argv, int c)
{
	const char *word = argv[optind - 1];

	if (c == ':')
		cli_error("%s: option '%s' needs a value (see 'scorch %s "
			  "--help')",
			  cmd, word, cmd);
	else if (optopt)
		cli_error("%s: unknown option '-%c' (see 'scorch %s --help')",
			  cmd, optopt, cmd);
	else
		cli_error("%s: unknown option '%s' (see 'scorch %s --help')",
			  cmd, word, cmd);
}
