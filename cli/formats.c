/* SPDX-License-Identifier: MIT */
/*
 * cli/formats.c - the one table of file formats: each format's name (for
 * --format), the name endings that pick it for -o, what reads it (the
 * format profile_load() detects from the content, never from the name)
 * and what writes it. Every subcommand picks its output here, from the
 * formats it can write (a mask of CLI_FMT_* bits), so one output name
 * means one format everywhere, and a name no format has, or a format the
 * command cannot write, is refused with the list of what it writes.
 *
 * The table sits in cli/ because its writers live in two rooms that may
 * not include each other (profile/ for profiles, render/ for the SVG and
 * the report tables); the readers are all profile/'s, behind
 * profile_load().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

static int
formats_write_json(const struct profile *p, const struct cli_out *o, FILE *fp)
{
	(void)o;
	return profile_write_json(p, fp);
}

static int
formats_write_folded(const struct profile *p, const struct cli_out *o, FILE *fp)
{
	(void)o;
	return profile_write_folded(p, fp);
}

/* speedscope names the profile: the command recorded, else the input. */
static int
formats_write_speedscope(const struct profile *p, const struct cli_out *o,
			 FILE *fp)
{
	const char *cmd = profile_meta_str(p, "cmdline");
	const char *name = cmd && *cmd	  ? cmd
			   : o && o->name ? o->name
					  : "scorch";
	struct scorch_err err;
	struct profile *q;
	int ret;

	/* One weight a stack: an off-CPU recording's is its default value's
	 * (wall), as a graph's width. */
	if (!profile_total_off_cpu(p) ||
	    profile_meta_str(p, PROFILE_META_VALUE))
		return profile_write_speedscope(p, name, fp);
	q = profile_view(p, profile_value_default(p), &err);
	if (!q) {
		errno = EOVERFLOW;
		return -1;
	}
	ret = profile_write_speedscope(q, name, fp);
	profile_free(q);
	return ret;
}

static int
formats_write_pprof(const struct profile *p, const struct cli_out *o, FILE *fp)
{
	if (o && o->value)
		return profile_write_pprof_value(p, *o->value, fp);
	return profile_write_pprof(p, fp);
}

static int
formats_write_svg(const struct profile *p, const struct cli_out *o, FILE *fp)
{
	struct flame_opts fo;

	if (o && o->fo)
		return flame_write_svg(p, o->fo, fp);
	flame_opts_init(&fo);
	return flame_write_svg(p, &fo, fp);
}

/*
 * Endings are matched longest first across the formats a command writes,
 * so x.speedscope.json is speedscope's and y.json native JSON (or a JSON
 * report, for the commands that write reports and no profiles).
 */
static const struct cli_format formats[] = {
	{ CLI_FMT_JSON,
	  "json",
	  "native profile",
	  { ".json" },
	  PROFILE_READ_JSON,
	  PROFILE_FMT_JSON,
	  formats_write_json,
	  -1 },
	{ CLI_FMT_FOLDED,
	  "folded",
	  "folded stacks",
	  { ".folded" },
	  PROFILE_READ_FOLDED,
	  PROFILE_FMT_FOLDED,
	  formats_write_folded,
	  -1 },
	{ CLI_FMT_SPEEDSCOPE,
	  "speedscope",
	  "speedscope JSON",
	  { ".speedscope.json" },
	  -1,
	  PROFILE_FMT_SPEEDSCOPE,
	  formats_write_speedscope,
	  -1 },
	{ CLI_FMT_PPROF,
	  "pprof",
	  "pprof, gzipped protobuf",
	  { ".pb.gz", ".pprof" },
	  -1,
	  PROFILE_FMT_PPROF,
	  formats_write_pprof,
	  -1 },
	{ CLI_FMT_SVG,
	  "svg",
	  "flame graph",
	  { ".svg" },
	  -1,
	  -1,
	  formats_write_svg,
	  -1 },
	{ CLI_FMT_TEXT,
	  "text",
	  "text report",
	  { ".txt" },
	  -1,
	  -1,
	  NULL,
	  TABLE_TEXT },
	{ CLI_FMT_MARKDOWN,
	  "markdown",
	  "markdown report",
	  { ".md", ".markdown" },
	  -1,
	  -1,
	  NULL,
	  TABLE_MARKDOWN },
	{ CLI_FMT_REPORT_JSON,
	  "json",
	  "JSON report",
	  { ".json" },
	  -1,
	  -1,
	  NULL,
	  TABLE_JSON },
	{ CLI_FMT_PERF_SCRIPT,
	  "perf-script",
	  "perf script text",
	  { NULL },
	  PROFILE_READ_PERF_SCRIPT,
	  -1,
	  NULL,
	  -1 },
};

const struct cli_format *
cli_format_get(unsigned id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i].id == id)
			return &formats[i];
	return NULL;
}

static bool
formats_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix) && s[n - m - 1] != '/';
}

/* The length of the longest ending of f that path ends in, 0 if none. */
static size_t
formats_match(const struct cli_format *f, const char *path)
{
	size_t j, m, best = 0;

	for (j = 0; j < CLI_FMT_MAX_EXTS && f->exts[j]; j++) {
		m = strlen(f->exts[j]);
		if (m > best && formats_ends_with(path, f->exts[j]))
			best = m;
	}
	return best;
}

/*
 * The format path's longest matching ending names, preferring one in mask
 * among the formats that share that ending (.json: a native profile, or a
 * JSON report). *in_mask says whether it is one cmd writes.
 */
static const struct cli_format *
formats_by_path(const char *path, unsigned mask, bool *in_mask)
{
	const struct cli_format *best = NULL;
	size_t i, m, best_len = 0;

	*in_mask = false;
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		m = formats_match(&formats[i], path);
		if (!m || m < best_len ||
		    (m == best_len && (*in_mask || !(formats[i].id & mask))))
			continue;
		best = &formats[i];
		best_len = m;
		*in_mask = (formats[i].id & mask) != 0;
	}
	return best;
}

static const struct cli_format *
formats_by_name(const char *name, unsigned mask)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if ((formats[i].id & mask) && !strcmp(formats[i].name, name))
			return &formats[i];
	if ((mask & CLI_FMT_MARKDOWN) && !strcmp(name, "md"))
		return cli_format_get(CLI_FMT_MARKDOWN);
	return NULL;
}

/* "CMD writes: json (.json), ..." into sb. */
static void
formats_writes(struct strbuf *sb, const char *cmd, unsigned mask)
{
	size_t i, j;

	strbuf_addf(sb, "%s writes ", cmd);
	for (i = 0, j = 0; i < ARRAY_SIZE(formats); i++) {
		const struct cli_format *f = &formats[i];

		if (!(f->id & mask) || !f->exts[0])
			continue;
		strbuf_addf(sb, "%s%s (%s%s%s)", j++ ? ", " : "", f->name,
			    f->exts[0], f->exts[1] ? " " : "",
			    f->exts[1] ? f->exts[1] : "");
	}
}

const struct cli_format *
cli_format_pick(const char *cmd, const char *path, const char *name,
		unsigned mask, unsigned dflt)
{
	const struct cli_format *f;
	struct strbuf sb;
	bool in_mask;

	strbuf_init(&sb);
	if (name) {
		f = formats_by_name(name, mask);
		if (f)
			goto out;
		formats_writes(&sb, cmd, mask);
		f = formats_by_name(name, CLI_FMT_WRITTEN);
		if (f)
			cli_error("--format: unknown '%s' for %s, a %s (%s)",
				  name, cmd, f->desc, sb.buf);
		else
			cli_error("--format: unknown '%s' (%s)", name, sb.buf);
		f = NULL;
		goto out;
	}
	f = formats_by_path(path, mask, &in_mask);
	if (f && in_mask)
		goto out;
	formats_writes(&sb, cmd, mask);
	if (cli_out_is_stream(path)) {
		f = dflt ? cli_format_get(dflt) : NULL;
		if (!f)
			cli_error("%s: give --format for %s (%s)", cmd,
				  strcmp(path, "-") ? path : "stdout", sb.buf);
		goto out;
	}
	if (f)
		cli_error("%s: %s cannot write %s (%s)", path, cmd, f->desc,
			  sb.buf);
	else
		cli_error("%s: unknown %s format (%s)", path,
			  (mask & ~CLI_FMT_REPORTS) ? "output" : "report",
			  sb.buf);
	f = NULL;
out:
	strbuf_fini(&sb);
	return f;
}

int
cli_table_format_arg(const char *cmd, const char *arg)
{
	const struct cli_format *f =
		cli_format_pick(cmd, "-", arg, CLI_FMT_REPORTS, 0);

	return f ? f->table : -1;
}
