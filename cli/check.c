/* SPDX-License-Identifier: MIT */
/*
 * cli/check.c - `scorch check --budget FILE PROFILE`: check a profile
 * against performance budgets (per-function limits on self or total share,
 * or on CPU milliseconds; docs/BUDGETS.md) and exit 1 when one is exceeded.
 * Input: a native profile or folded stacks, and a budget file (JSON).
 * Output: a table of every limit (text, markdown or JSON) on stdout and in
 * each --report file.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

#define CHECK_MAX_REPORTS 8

static const char check_usage[] =
	"usage: scorch check --budget FILE PROFILE [--format text|markdown|json]\n"
	"                    [--report FILE.txt|FILE.md|FILE.json]... [--width COLUMNS]\n"
	"                    [--no-inline]\n"
	"                    [--value cpu|off-cpu|wall]\n"
	"\n"
	"Check a profile (native .json, folded, or - for stdin) against the\n"
	"per-function limits of a budget file (docs/BUDGETS.md): the share of\n"
	"all samples a function may take as self (it was running) or total\n"
	"(it was on the stack), or the CPU milliseconds it may use in a run\n"
	"that does a fixed amount of work. Prints every limit with the\n"
	"profile's value. A function's inlined copies are part of it, as in\n"
	"`scorch report` and `scorch diff`.\n"
	"\n"
	"  -b, --budget FILE     the budget file (JSON)\n"
	"  -f, --format FMT      stdout as text (default), markdown or json\n"
	"  -r, --report FILE     also write the table to FILE, in the format its\n"
	"                        extension names (.txt, .md, .json); repeatable\n"
	"  -w, --width COLUMNS   text line width (default 80)\n"
	"      --value WHAT      what shares and milliseconds are of: cpu\n"
	"                        (samples), off-cpu or wall (record --off-cpu);\n"
	"                        default the budget file's \"value\", else wall\n"
	"                        for an off-CPU recording, else cpu\n" CLI_NO_INLINE_USAGE
	"\n"
	"Exit status: 0 every limit holds, 1 a limit is exceeded, 2 usage or\n"
	"input error (a bad budget file names the field), 125 the profile has\n"
	"fewer samples than the file's min_samples (so `git bisect run` skips).\n"
	"\n"
	"EXAMPLES\n"
	"  scorch check --budget budgets.json run.json\n"
	"  scorch record -o run.json -- ./bench && scorch check -b budgets.json run.json\n"
	"  scorch check -b budgets.json run.json --report check.md >/dev/null\n"
	"  scorch check -b waits.json offcpu.json --value off-cpu\n";

struct check_report {
	const char *path;
	enum table_format format;
};

struct check_opts {
	const char *budget;
	const char *input;
	enum table_format format;
	struct table_opts topts;
	struct check_report reports[CHECK_MAX_REPORTS];
	size_t nreports;
	bool no_inline; /* --no-inline: the machine-code view */
	enum profile_value value; /* --value, when value_given */
	bool value_given;
};

static int
check_parse_args(int argc, char **argv, struct check_opts *co)
{
	static const struct option longopts[] = {
		{ "budget", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "report", required_argument, NULL, 'r' },
		{ "width", required_argument, NULL, 'w' },
		CLI_NO_INLINE_LONGOPT,
		{ "value", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_format *f;
	int c, fmt;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:f:r:w:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'b':
			co->budget = optarg;
			break;
		case 'f':
			fmt = cli_table_format_arg("check", optarg);
			if (fmt < 0)
				return -1;
			co->format = (enum table_format)fmt;
			break;
		case 'r':
			f = cli_format_pick("check", optarg, NULL,
					    CLI_FMT_REPORTS, CLI_FMT_TEXT);
			if (!f)
				return -1;
			fmt = f->table;
			if (co->nreports == CHECK_MAX_REPORTS) {
				cli_error("--report: at most %d files",
					  CHECK_MAX_REPORTS);
				return -1;
			}
			co->reports[co->nreports++] =
				(struct check_report){ optarg,
						       (enum table_format)fmt };
			break;
		case 'w':
			if (cli_table_width_arg(optarg, &co->topts.width) < 0)
				return -1;
			break;
		case CLI_NO_INLINE_OPT:
			co->no_inline = true;
			break;
		case 'V':
			if (cli_value_arg(optarg, &co->value) < 0)
				return -1;
			co->value_given = true;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return 1;
		default:
			usage_bad_option("check", argv, c);
			return -1;
		}
	}
	if (!co->budget || optind != argc - 1) {
		cli_error("check: expected --budget FILE and one PROFILE");
		fputs(check_usage, stderr);
		return -1;
	}
	co->input = argv[optind];
	return 0;
}

/* The short name of a limit in the table's "limit" column. */
static const char *
check_metric_label(enum budget_metric m)
{
	switch (m) {
	case BUDGET_SELF_PERCENT:
		return "self%";
	case BUDGET_TOTAL_PERCENT:
		return "total%";
	case BUDGET_SELF_MS:
		return "self ms";
	case BUDGET_TOTAL_MS:
		return "total ms";
	case BUDGET_NMETRICS:
		break;
	}
	return "?";
}

static struct table *
check_table(const struct budget_result *res, size_t n, int exceeded,
	    uint64_t runs, enum profile_unit unit)
{
	struct table *t = table_new("limits", "Budgets");
	size_t i;

	/* The function first: the first name column gets the most room. */
	table_add_column(t, "function", "function", TABLE_COL_NAME);
	table_add_column(t, "module", "module", TABLE_COL_NAME);
	table_add_column(t, "limit", "limit", TABLE_COL_NAME);
	table_add_column(t, "max", "max", TABLE_COL_DECIMAL);
	table_add_column(t, "actual", "actual", TABLE_COL_DECIMAL);
	if (unit == PROFILE_UNIT_NS)
		table_add_column(t, "ns", "ns", TABLE_COL_COUNT);
	else
		table_add_column(t, "samples", "samples", TABLE_COL_COUNT);
	table_add_column(t, "status", "status", TABLE_COL_NAME);
	for (i = 0; i < n; i++) {
		const struct budget_result *r = &res[i];
		char *fn;

		table_add_row(t);
		fn = r->regex ? xasprintf("/%s/", r->function)
			      : xstrdup(r->function);
		table_set_str(t, 0, fn);
		free(fn);
		table_set_str(t, 1, r->module);
		table_set_str(t, 2, check_metric_label(r->metric));
		table_set_decimal(t, 3, r->limit);
		table_set_decimal(t, 4, r->actual);
		table_set_count(t, 5, r->samples);
		table_set_str(t, 6, r->exceeded ? "EXCEEDED" : "ok");
	}
	if (exceeded)
		table_add_note(t, "%d of %zu limits exceeded", exceeded, n);
	else
		table_add_note(t, "all %zu limits hold", n);
	if (runs > 1)
		table_add_note(t,
			       "milliseconds are per run: the profile merges "
			       "%" PRIu64 " runs",
			       runs);
	return t;
}

struct check_write_args {
	const struct table_doc *doc;
	const struct check_report *r;
	const struct table_opts *o;
};

static int
check_write_cb(FILE *fp, void *arg)
{
	const struct check_write_args *a = arg;

	return table_write_doc(a->doc, a->r->format, a->o, fp);
}

static int
check_write(const struct table_doc *doc, const struct check_report *r,
	    const struct table_opts *o)
{
	struct check_write_args a = { doc, r, o };

	return cli_write_file(r->path, check_write_cb, &a);
}

/* A budget entry that matched nothing: say so, and why when it can tell. */
static void
check_warn_unmatched(const struct check_opts *co, const struct budget_result *r)
{
	size_t len = strlen(r->function);
	const char *why = "";

	if (!r->regex && len > 4 && !strcmp(r->function + len - 4, "_[i]"))
		why = " (an inlined copy is part of its function: name the "
		      "function without _[i])";
	else if (co->no_inline)
		why = " (with --no-inline, inlined code counts as the "
		      "function it was compiled into)";
	cli_warn("%s: budgets[%zu]: %s'%s'%s%s matches no function in %s%s",
		 co->budget, r->entry, r->regex ? "regex " : "", r->function,
		 r->module[0] ? " in " : "", r->module, co->input, why);
}

int
cmd_check(int argc, char **argv)
{
	struct check_opts co = { .format = TABLE_TEXT };
	struct budget_result *res = NULL;
	struct table_info info[9];
	struct table *table = NULL;
	struct table_doc doc = { 0 };
	struct profile *p = NULL;
	struct budget *b = NULL;
	struct scorch_err err;
	char cpu[64], result[96], title[256];
	uint64_t runs;
	size_t ninfo = 0, i, n;
	int ret = EXIT_USAGE, rc, exceeded;

	rc = check_parse_args(argc, argv, &co);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	if (!co.topts.width)
		co.topts.width = 80;
	for (i = 0; i < co.nreports; i++)
		if (cli_check_output(co.reports[i].path) < 0)
			return EXIT_USAGE;
	b = budget_load(co.budget, &err);
	if (!b) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	p = profile_load(co.input, &err);
	if (!p) {
		cli_error("%s", err.msg);
		goto out;
	}
	/* --value, else the budget file's "value", else the profile's own */
	if (!co.value_given)
		co.value_given = budget_value(b, &co.value);
	if (cli_apply_value(&p, co.value_given ? &co.value : NULL, co.input) <
	    0)
		goto out;
	cli_apply_no_inline(&p, co.no_inline);
	/* Off-CPU time is measured, not sampled: min_samples counts samples. */
	if (profile_unit(p) == PROFILE_UNIT_SAMPLES &&
	    profile_total(p) < budget_min_samples(b)) {
		cli_error("%s: %" PRIu64 " samples, fewer than the %" PRIu64
			  " min_samples of %s: no verdict",
			  co.input, profile_total(p), budget_min_samples(b),
			  co.budget);
		ret = EXIT_UNUSABLE;
		goto out;
	}
	n = budget_nlimits(b);
	res = xcalloc(n, sizeof(*res));
	exceeded = budget_check(b, p, co.input, res, &err);
	if (exceeded < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!res[i].nfunctions &&
		    (i == 0 || res[i - 1].entry != res[i].entry))
			check_warn_unmatched(&co, &res[i]);

	runs = profile_runs(p);
	info[ninfo++] =
		(struct table_info){ "profile", "profile", co.input, 0 };
	info[ninfo++] = (struct table_info){ "budget", "budget", co.budget, 0 };
	cli_value_info(p, info, &ninfo, cpu, sizeof(cpu));
	if (runs > 1)
		info[ninfo++] =
			(struct table_info){ "merged_from", "merged runs", NULL,
					     runs };
	if (co.no_inline)
		info[ninfo++] =
			(struct table_info){ "view", "view",
					     "machine code (--no-inline)", 0 };
	snprintf(result, sizeof(result), "%s",
		 exceeded ? "over budget" : "within budget");
	info[ninfo++] = (struct table_info){ "result", "result", result, 0 };
	info[ninfo++] = (struct table_info){ "exceeded", "limits exceeded",
					     NULL, exceeded };
	table = check_table(res, n, exceeded, runs, profile_unit(p));
	snprintf(title, sizeof(title), "scorch check: %s", co.input);
	doc.title = title;
	doc.info = info;
	doc.ninfo = ninfo;
	doc.tables = &table;
	doc.ntables = 1;
	for (i = 0; i < co.nreports; i++)
		if (check_write(&doc, &co.reports[i], &co.topts) < 0)
			goto out;
	{
		struct check_report to_stdout = { "-", co.format };

		if (check_write(&doc, &to_stdout, &co.topts) < 0)
			goto out;
	}
	ret = exceeded ? EXIT_REGRESSION : EXIT_OK;
out:
	table_free(table);
	free(res);
	profile_free(p);
	budget_free(b);
	return ret;
}
