/* SPDX-License-Identifier: MIT */
/*
 * cli/report.c - `scorch report`: the top functions (or modules, or
 * threads) of a profile by self and by total samples, or the callers and
 * callees of functions matching a regex, as text for a terminal or a CI
 * log, markdown, or JSON. Input: a native profile or folded stacks.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

#define REPORT_MAX_INFO 32

static const char report_usage[] =
	"usage: scorch report INPUT [--top N] [--by function|module|thread]\n"
	"                     [--format text|markdown|json] [--focus REGEX]\n"
	"                     [--width COLUMNS] [--split thread|process]\n"
	"                     [--no-inline] [--value cpu|off-cpu|wall]\n"
	"                     [-o OUT]\n"
	"\n"
	"Summarize a profile (native .json, folded, or - for stdin): the top\n"
	"functions by self samples (the function itself was running) and by\n"
	"total samples (it was on the stack), with percentages of all samples;\n"
	"in milliseconds (per run of a merged profile) when the profile says\n"
	"how long a sample is.\n"
	"A function's inlined copies are part of it: their samples are its\n"
	"self time where they ran innermost, and its total.\n"
	"\n"
	"  -n, --top N           rows per table (default 20, 0 for all)\n"
	"      --by WHAT         function (default), module, or thread\n"
	"  -f, --format FMT      text (default), markdown (for a CI summary),\n"
	"                        or json\n"
	"      --focus REGEX     the callers and callees of the functions whose\n"
	"                        names match REGEX (POSIX extended), with shares\n"
	"  -w, --width COLUMNS   text line width (default: the terminal's, or 80)\n"
	"      --split WHAT      thread or process: the tables once per thread\n"
	"                        (or process), most samples first, with shares\n"
	"                        of its own samples\n"
	"      --value WHAT      cpu (samples), off-cpu or wall (on and off\n"
	"                        CPU: record --off-cpu); default wall for an\n"
	"                        off-CPU recording, else cpu\n" CLI_NO_INLINE_USAGE
	"  -o, --output OUT      write to OUT instead of stdout; without\n"
	"                        --format its name picks the format: .txt,\n"
	"                        .md or .markdown, .json\n"
	"\n"
	"Function names carry the folded suffixes _[k] kernel and _[j] JIT.\n"
	"Text is colored only on a terminal (not with NO_COLOR).\n"
	"\n"
	"EXAMPLES\n"
	"  scorch report profile.json\n"
	"  scorch report profile.json --top 10 --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n"
	"  scorch report profile.json --focus '^parse_' --format json -o focus.json\n"
	"  scorch report offcpu.json --value off-cpu --top 10\n"
	"  perf script | stackcollapse-perf.pl | scorch report - --by module\n";

struct report_opts {
	const char *input;
	size_t top;
	enum agg_by by;
	enum table_format format;
	bool format_given; /* --format, else -o's name picks the format */
	const char *focus;
	enum profile_split split;
	bool no_inline; /* --no-inline: the machine-code view */
	enum profile_value value; /* --value, when value_given */
	bool value_given;
	struct table_opts topts;
};

/*
 * With --split, the part whose tables are being made: its name and share,
 * put before every table's title ("worker-1-42/43, 120 samples (40.0%):
 * Top functions by self samples"). Empty otherwise.
 */
static char report_section[320];

/*
 * The tables' numbers: milliseconds per run when a count's time is known
 * (report_ms, a count's ms: profile_run_ms()), else samples; and what
 * they add up to ("CPU time", "off-CPU time", "wall time", "samples").
 * Set once per profile, before its tables.
 */
static double report_ms;
static const char *report_what = "samples";

static void
report_units(const struct profile *p)
{
	report_ms = profile_run_ms(p, 1);
	report_what = profile_value_label(p);
}

/* A column of counts: "self" (samples) or "self_ms" ("self ms"). */
static void
report_add_value_column(struct table *t, const char *key, const char *heading)
{
	char k[64], h[64];

	if (!report_ms) {
		table_add_column(t, key, heading, TABLE_COL_COUNT);
		return;
	}
	snprintf(k, sizeof(k), "%s_ms", key);
	snprintf(h, sizeof(h), "%s ms", heading);
	table_add_column(t, k, h, TABLE_COL_DECIMAL);
}

static void
report_set_value(struct table *t, size_t col, uint64_t n)
{
	if (report_ms)
		table_set_decimal(t, col, (double)n * report_ms);
	else
		table_set_count(t, col, n);
}

static struct table *
report_table_new(const char *name, const char *title)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", report_section, title);
	return table_new(name, full);
}

static double
report_pct(uint64_t n, uint64_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

/* A function's name as folded stacks show it: with its kind suffix. */
static char *
report_fn_name(const char *name, enum frame_kind kind)
{
	return xasprintf("%s%s", name, frame_kind_suffix(kind));
}

/* "self self% total total% NAME [module]" columns. */
static struct table *
report_self_total_table(const char *name, const char *title, bool functions)
{
	struct table *t = report_table_new(name, title);

	report_add_value_column(t, "self", "self");
	table_add_column(t, "self_pct", "self%", TABLE_COL_PERCENT);
	report_add_value_column(t, "total", "total");
	table_add_column(t, "total_pct", "total%", TABLE_COL_PERCENT);
	if (functions) {
		table_add_column(t, "function", "function", TABLE_COL_NAME);
		table_add_column(t, "module", "module", TABLE_COL_NAME);
	} else {
		table_add_column(t, "module", "module", TABLE_COL_NAME);
	}
	return t;
}

static void
report_fill_self_total(struct table *t, const struct aggregate *a,
		       uint64_t total, size_t top, bool functions,
		       const char *what)
{
	size_t i, shown = 0, n = 0, nrows = aggregate_nrows(a);

	/* A function in no stack of this view (an off-CPU wait in the cpu
	 * view, a frame --focus left out) is not a row of zeros. */
	for (i = 0; i < nrows; i++)
		n += aggregate_row(a, i)->total > 0;
	for (i = 0; i < nrows && (!top || shown < top); i++) {
		const struct agg_row *r = aggregate_row(a, i);

		if (!r->total)
			continue;
		shown++;
		table_add_row(t);
		report_set_value(t, 0, r->self);
		table_set_percent(t, 1, report_pct(r->self, total));
		report_set_value(t, 2, r->total);
		table_set_percent(t, 3, report_pct(r->total, total));
		if (functions) {
			char *fn = report_fn_name(r->name, r->kind);

			table_set_str(t, 4, fn);
			table_set_str(t, 5, r->module);
			free(fn);
		} else {
			table_set_str(t, 4, r->name[0] ? r->name : "(unknown)");
		}
	}
	if (shown < n)
		table_add_note(t, "%zu more %s not shown (--top 0 shows all)",
			       n - shown, what);
}

/* Tables for --by function or module: top by self, top by total. */
static void
report_by_code(const struct profile *p, const struct report_opts *ro,
	       struct table **tables, size_t *ntables)
{
	bool functions = ro->by == AGG_FUNCTION;
	const char *what = functions ? "functions" : "modules";
	struct aggregate *a = aggregate_new(p, ro->by);
	uint64_t total = aggregate_total(a);
	char title[128];
	struct table *t;

	aggregate_sort(a, AGG_ORDER_SELF);
	snprintf(title, sizeof(title), "Top %s by self %s", what, report_what);
	t = report_self_total_table("by_self", title, functions);
	report_fill_self_total(t, a, total, ro->top, functions, what);
	tables[(*ntables)++] = t;
	aggregate_sort(a, AGG_ORDER_TOTAL);
	snprintf(title, sizeof(title), "Top %s by total %s", what, report_what);
	t = report_self_total_table("by_total", title, functions);
	report_fill_self_total(t, a, total, ro->top, functions, what);
	tables[(*ntables)++] = t;
	aggregate_free(a);
}

static void
report_by_thread(const struct profile *p, const struct report_opts *ro,
		 struct table **tables, size_t *ntables)
{
	struct aggregate *a = aggregate_new(p, AGG_THREAD);
	uint64_t total = aggregate_total(a);
	char title[64];
	struct table *t;
	size_t i, n = aggregate_nrows(a);

	snprintf(title, sizeof(title), "%s per thread",
		 report_ms ? report_what : "Samples");
	t = report_table_new("by_thread", title);
	if (report_ms)
		table_add_column(t, "ms", "ms", TABLE_COL_DECIMAL);
	else
		table_add_column(t, "samples", "samples", TABLE_COL_COUNT);
	table_add_column(t, "pct", "%", TABLE_COL_PERCENT);
	table_add_column(t, "pid", "pid", TABLE_COL_NAME);
	table_add_column(t, "tid", "tid", TABLE_COL_NAME);
	table_add_column(t, "thread", "thread", TABLE_COL_NAME);
	table_add_column(t, "process", "process", TABLE_COL_NAME);
	aggregate_sort(a, AGG_ORDER_TOTAL);
	for (i = 0; i < n && (!ro->top || i < ro->top); i++) {
		const struct agg_row *r = aggregate_row(a, i);
		const struct task *tk = profile_task(p, r->task);
		char num[32];

		table_add_row(t);
		report_set_value(t, 0, r->total);
		table_set_percent(t, 1, report_pct(r->total, total));
		if (!tk) {
			table_set_str(t, 4, "(no thread: folded input)");
			continue;
		}
		snprintf(num, sizeof(num), "%" PRId32, tk->pid);
		table_set_str(t, 2, num);
		snprintf(num, sizeof(num), "%" PRId32, tk->tid);
		table_set_str(t, 3, num);
		table_set_str(t, 4, tk->thread);
		table_set_str(t, 5, tk->comm);
	}
	if (i < n)
		table_add_note(t,
			       "%zu more threads not shown (--top 0 shows all)",
			       n - i);
	tables[(*ntables)++] = t;
	aggregate_free(a);
}

static bool
report_match(const struct frame *f, void *arg)
{
	return regex_match(arg, f->name);
}

/* "samples % function module" rows of callers or callees, plus one row
 * for the samples with no caller (or in the set itself). */
static struct table *
report_focus_table(const char *name, const char *title, struct aggregate *a,
		   uint64_t total, uint64_t extra, const char *extra_name,
		   size_t top)
{
	struct table *t = report_table_new(name, title);
	size_t i, n = aggregate_nrows(a);
	bool extra_done = !extra;

	if (report_ms)
		table_add_column(t, "ms", "ms", TABLE_COL_DECIMAL);
	else
		table_add_column(t, "samples", "samples", TABLE_COL_COUNT);
	table_add_column(t, "pct", "share", TABLE_COL_PERCENT);
	table_add_column(t, "function", "function", TABLE_COL_NAME);
	table_add_column(t, "module", "module", TABLE_COL_NAME);
	aggregate_sort(a, AGG_ORDER_TOTAL);
	for (i = 0; i <= n && (!top || i < top); i++) {
		const struct agg_row *r = i < n ? aggregate_row(a, i) : NULL;
		char *fn;

		/* The extra row takes its place by count. */
		if (!extra_done && (!r || extra >= r->total)) {
			table_add_row(t);
			report_set_value(t, 0, extra);
			table_set_percent(t, 1, report_pct(extra, total));
			table_set_str(t, 2, extra_name);
			extra_done = true;
			if (top && table_nrows(t) >= top)
				break;
		}
		if (!r)
			break;
		fn = report_fn_name(r->name, r->kind);
		table_add_row(t);
		report_set_value(t, 0, r->total);
		table_set_percent(t, 1, report_pct(r->total, total));
		table_set_str(t, 2, fn);
		table_set_str(t, 3, r->module);
		free(fn);
	}
	if (table_nrows(t) < n + !!extra)
		table_add_note(t, "%zu more not shown (--top 0 shows all)",
			       n + !!extra - table_nrows(t));
	return t;
}

static int
report_focus(const struct profile *p, const struct report_opts *ro,
	     struct table **tables, size_t *ntables, struct table_info *info,
	     size_t *ninfo, char *buf, size_t bufsize)
{
	struct agg_focus fo;
	struct scorch_err why;
	struct regex *re;

	/* Bounded: refused past the engine's size, matched in linear time. */
	re = regex_new(ro->focus, &why);
	if (!re) {
		cli_error("--focus: '%.64s%s': %s", ro->focus,
			  strlen(ro->focus) > 64 ? "..." : "", why.msg);
		return -1;
	}
	aggregate_focus(p, report_match, re, &fo);
	regex_free(re);
	if (!fo.nfunctions)
		cli_warn("--focus: no function matches '%s'", ro->focus);
	if (report_ms)
		snprintf(buf, bufsize,
			 "%.1f ms (%.1f%% of all), %zu function%s",
			 (double)fo.total * report_ms,
			 report_pct(fo.total, profile_total(p)), fo.nfunctions,
			 fo.nfunctions == 1 ? "" : "s");
	else
		snprintf(buf, bufsize,
			 "%" PRIu64 " (%.1f%% of all), %zu function%s",
			 fo.total, report_pct(fo.total, profile_total(p)),
			 fo.nfunctions, fo.nfunctions == 1 ? "" : "s");
	info[(*ninfo)++] =
		(struct table_info){ "focus", "focus", ro->focus, 0 };
	info[(*ninfo)++] =
		(struct table_info){ "focus_samples", "focus samples", buf, 0 };
	aggregate_sort(fo.functions, AGG_ORDER_TOTAL);
	tables[*ntables] = report_self_total_table(
		"functions", "Matching functions (shares of all samples)",
		true);
	report_fill_self_total(tables[*ntables], fo.functions, profile_total(p),
			       ro->top, true, "functions");
	(*ntables)++;
	tables[(*ntables)++] = report_focus_table(
		"callers", "Callers (shares of the focus samples)", fo.callers,
		fo.total, fo.no_caller, "(no caller)", ro->top);
	tables[(*ntables)++] = report_focus_table(
		"callees", "Callees (shares of the focus samples)", fo.callees,
		fo.total, fo.self, "(self)", ro->top);
	agg_focus_fini(&fo);
	return 0;
}

/* The document's "label: value" lines from the profile's metadata. */
static size_t
report_info(const struct profile *p, const struct report_opts *ro,
	    struct table_info *info, char *bufs, size_t bufsize)
{
	const char *event = profile_meta_str(p, "event");
	int64_t hz = profile_meta_int(p, "frequency_hz", 0);
	int64_t ms = profile_duration_ms(p);
	uint64_t runs = profile_runs(p);
	const char *by = ro->by == AGG_FUNCTION ? "function"
			 : ro->by == AGG_MODULE ? "module"
						: "thread";
	size_t n = 0, i;

	info[n++] = (struct table_info){ "input", "input", ro->input, 0 };
	if (cli_value_info(p, info, &n, bufs, bufsize))
		bufs += bufsize;
	if (event) {
		snprintf(bufs, bufsize, "%s at %" PRId64 " Hz", event, hz);
		info[n++] = (struct table_info){ "event", "event", bufs, 0 };
		bufs += bufsize;
	}
	if (ms >= 0) {
		snprintf(bufs, bufsize, "%.1f s", (double)ms / 1000.0);
		info[n++] =
			(struct table_info){ "duration", "duration", bufs, 0 };
		bufs += bufsize;
	}
	if (cli_stack_health(p, ro->input, bufs, bufsize)) {
		info[n++] = (struct table_info){ "stacks", "stacks", bufs, 0 };
		bufs += bufsize;
	}
	if (runs > 1)
		info[n++] = (struct table_info){ "merged_from", "merged runs",
						 NULL, runs };
	if (profile_meta_str(p, "cmdline"))
		info[n++] = (struct table_info){ "cmdline", "command",
						 profile_meta_str(p, "cmdline"),
						 0 };
	for (i = 0; i < profile_nmeta(p) && n < REPORT_MAX_INFO - 4; i++) {
		const struct meta *m = profile_meta(p, i);
		size_t plen = strlen(PROFILE_LABEL_PREFIX);

		if (strncmp(m->key, PROFILE_LABEL_PREFIX, plen) ||
		    m->type != META_STR)
			continue;
		info[n++] = (struct table_info){ m->key, m->key, m->str, 0 };
	}
	info[n++] = (struct table_info){ "by", "by", by, 0 };
	if (ro->no_inline)
		info[n++] =
			(struct table_info){ "view", "view",
					     "machine code (--no-inline)", 0 };
	if (ro->split != SPLIT_NONE)
		info[n++] = (struct table_info){
			"split", "split",
			ro->split == SPLIT_THREAD ? "thread" : "process", 0
		};
	return n;
}

static int
report_parse_args(int argc, char **argv, struct report_opts *ro,
		  const char **out)
{
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "focus", required_argument, NULL, 'F' },
		{ "width", required_argument, NULL, 'w' },
		{ "split", required_argument, NULL, 's' },
		CLI_NO_INLINE_LONGOPT,
		{ "value", required_argument, NULL, 'V' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:f:w:o:h", longopts, NULL)) !=
	       -1) {
		char *end;
		long v;

		switch (c) {
		case 'n':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 ||
			    v > 1000000) {
				cli_error("--top: '%s' is not a number of rows",
					  optarg);
				return -1;
			}
			ro->top = (size_t)v;
			break;
		case 'b':
			if (!strcmp(optarg, "function"))
				ro->by = AGG_FUNCTION;
			else if (!strcmp(optarg, "module"))
				ro->by = AGG_MODULE;
			else if (!strcmp(optarg, "thread"))
				ro->by = AGG_THREAD;
			else {
				cli_error(
					"--by: unknown '%s' (known: function, "
					"module, thread)",
					optarg);
				return -1;
			}
			break;
		case 'f': {
			int fmt = cli_table_format_arg("report", optarg);

			if (fmt < 0)
				return -1;
			ro->format = (enum table_format)fmt;
			ro->format_given = true;
			break;
		}
		case 'F':
			ro->focus = optarg;
			break;
		case 'w':
			if (cli_table_width_arg(optarg, &ro->topts.width) < 0)
				return -1;
			break;
		case 'o':
			*out = optarg;
			break;
		case 's':
			if (cli_split_arg(optarg, &ro->split) < 0)
				return -1;
			break;
		case CLI_NO_INLINE_OPT:
			ro->no_inline = true;
			break;
		case 'V':
			if (cli_value_arg(optarg, &ro->value) < 0)
				return -1;
			ro->value_given = true;
			break;
		case 'h':
			fputs(report_usage, stdout);
			return 1;
		default:
			usage_bad_option("report", argv, c);
			return -1;
		}
	}
	if (optind != argc - 1) {
		cli_error("report: expected one INPUT");
		fputs(report_usage, stderr);
		return -1;
	}
	ro->input = argv[optind];
	if (ro->split != SPLIT_NONE && ro->focus) {
		cli_error("report: --split and --focus: give one of them");
		return -1;
	}
	return 0;
}

/* --split: the tables of --by once per part, titled with its name. */
static struct table **
report_split(const struct profile *p, const struct report_opts *ro,
	     size_t *ntables)
{
	struct profile_part *parts;
	size_t i, n = profile_split_parts(p, ro->split, &parts);
	struct table **tables = xcalloc(2 * n + 1, sizeof(*tables));

	if (!profile_ntasks(p))
		cli_warn("%s: no processes or threads recorded (folded "
			 "input): --split has nothing to split by",
			 strcmp(ro->input, "-") ? ro->input : "<stdin>");
	for (i = 0; i < n; i++) {
		if (report_ms)
			snprintf(report_section, sizeof(report_section),
				 "%s, %.1f ms (%.1f%%): ", parts[i].name,
				 (double)parts[i].total * report_ms,
				 report_pct(parts[i].total, profile_total(p)));
		else
			snprintf(report_section, sizeof(report_section),
				 "%s, %" PRIu64 " samples (%.1f%%): ",
				 parts[i].name, parts[i].total,
				 report_pct(parts[i].total, profile_total(p)));
		if (ro->by == AGG_THREAD)
			report_by_thread(parts[i].p, ro, tables, ntables);
		else
			report_by_code(parts[i].p, ro, tables, ntables);
	}
	report_section[0] = '\0';
	profile_parts_free(parts, n);
	return tables;
}

struct report_write_args {
	const struct table_doc *doc;
	enum table_format format;
	const struct table_opts *topts;
};

static int
report_write_cb(FILE *fp, void *arg)
{
	const struct report_write_args *a = arg;

	return table_write_doc(a->doc, a->format, a->topts, fp);
}

int
cmd_report(int argc, char **argv)
{
	struct report_opts ro = { .top = 20, .by = AGG_FUNCTION };
	struct table *fixed[4] = { NULL }, **tables = fixed;
	struct table_info info[REPORT_MAX_INFO];
	char bufs[4][96], focus_buf[128], title[256];
	struct table_doc doc = { 0 };
	struct report_write_args wa;
	const char *out = "-";
	struct scorch_err err;
	struct profile *p = NULL;
	size_t ntables = 0, ninfo, i;
	int ret = EXIT_USAGE, rc;

	ro.topts.width = 0;
	rc = report_parse_args(argc, argv, &ro, &out);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	if (!ro.format_given) {
		const struct cli_format *f = cli_format_pick(
			"report", out, NULL, CLI_FMT_REPORTS, CLI_FMT_TEXT);

		if (!f)
			return EXIT_USAGE;
		ro.format = (enum table_format)f->table;
	}
	if (strcmp(out, "-") && cli_check_output(out) < 0)
		return EXIT_USAGE;
	if (!strcmp(out, "-") && isatty(STDOUT_FILENO)) {
		struct winsize ws;
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

		if (!ro.topts.width &&
		    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col >= 40)
			ro.topts.width = ws.ws_col;
		ro.topts.color =
			!(nc && *nc) && !(term && !strcmp(term, "dumb"));
	}
	if (!ro.topts.width)
		ro.topts.width = 80;

	p = profile_load(ro.input, &err);
	if (!p) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (cli_apply_value(&p, ro.value_given ? &ro.value : NULL, ro.input) <
	    0)
		goto out;
	cli_apply_no_inline(&p, ro.no_inline);
	report_units(p);
	ninfo = report_info(p, &ro, info, bufs[0], sizeof(bufs[0]));
	if (ro.focus) {
		if (report_focus(p, &ro, tables, &ntables, info, &ninfo,
				 focus_buf, sizeof(focus_buf)) < 0)
			goto out;
	} else if (ro.split != SPLIT_NONE) {
		tables = report_split(p, &ro, &ntables);
	} else if (ro.by == AGG_THREAD) {
		report_by_thread(p, &ro, tables, &ntables);
	} else {
		report_by_code(p, &ro, tables, &ntables);
	}
	snprintf(title, sizeof(title), "scorch report: %s", ro.input);
	doc.title = title;
	doc.info = info;
	doc.ninfo = ninfo;
	doc.tables = tables;
	doc.ntables = ntables;
	wa = (struct report_write_args){ &doc, ro.format, &ro.topts };
	if (cli_write_file(out, report_write_cb, &wa) < 0)
		goto out;
	ret = EXIT_OK;
out:
	for (i = 0; i < ntables; i++)
		table_free(tables[i]);
	if (tables != fixed)
		free(tables);
	profile_free(p);
	return ret;
}
