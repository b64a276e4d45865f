/* SPDX-License-Identifier: MIT */
/* cli/output.c - diagnostics and writing profiles in any output format. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

static void
cli_vmessage(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage("scorch: ", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage("scorch: warning: ", fmt, ap);
	va_end(ap);
}

int
cli_table_format_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return -1;
	if (!strcmp(dot, ".txt"))
		return TABLE_TEXT;
	if (!strcmp(dot, ".md") || !strcmp(dot, ".markdown"))
		return TABLE_MARKDOWN;
	if (!strcmp(dot, ".json"))
		return TABLE_JSON;
	return -1;
}

int
cli_table_format_arg(const char *arg)
{
	if (!strcmp(arg, "text"))
		return TABLE_TEXT;
	if (!strcmp(arg, "markdown") || !strcmp(arg, "md"))
		return TABLE_MARKDOWN;
	if (!strcmp(arg, "json"))
		return TABLE_JSON;
	cli_error("--format: unknown '%s' (known: text, markdown, json)", arg);
	return -1;
}

int
cli_table_width_arg(const char *arg, int *width)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 40 || v > 10000) {
		cli_error("--width: '%s' is not a width from 40 to 10000", arg);
		return -1;
	}
	*width = (int)v;
	return 0;
}

int
cli_out_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return -1;
	if (!strcmp(dot, ".json"))
		return OUT_JSON;
	if (!strcmp(dot, ".folded") || !strcmp(dot, ".txt"))
		return OUT_FOLDED;
	if (!strcmp(dot, ".svg"))
		return OUT_SVG;
	return -1;
}

static int
cli_emit(const struct profile *p, FILE *fp, enum out_format fmt,
	 const struct flame_opts *fo)
{
	switch (fmt) {
	case OUT_JSON:
		return profile_write_json(p, fp);
	case OUT_FOLDED:
		return profile_write_folded(p, fp);
	case OUT_SVG:
		return flame_write_svg(p, fo, fp);
	}
	return -1;
}

int
cli_write_file(const char *path, int (*write)(FILE *fp, void *arg), void *arg)
{
	struct atomic_file af;
	struct scorch_err err;

	if (!strcmp(path, "-")) {
		if (write(stdout, arg) < 0 || fflush(stdout) ||
		    ferror(stdout)) {
			cli_error("stdout: write error");
			return -1;
		}
		return 0;
	}
	if (atomic_open(&af, path, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (write(af.fp, arg) < 0) {
		cli_error("%s: write error", path);
		atomic_abort(&af);
		return -1;
	}
	if (atomic_commit(&af, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

struct cli_emit_args {
	const struct profile *p;
	enum out_format fmt;
	const struct flame_opts *fo;
};

static int
cli_emit_cb(FILE *fp, void *arg)
{
	const struct cli_emit_args *a = arg;

	return cli_emit(a->p, fp, a->fmt, a->fo);
}

int
cli_write_profile(const struct profile *p, const char *path,
		  enum out_format fmt, const struct flame_opts *fo)
{
	struct cli_emit_args a = { p, fmt, fo };
	struct scorch_err err;

	/* A stack folded lines cannot hold: said before any file is made. */
	if (fmt == OUT_FOLDED && profile_folded_check(p, &err) < 0) {
		cli_error("%s: %s", strcmp(path, "-") ? path : "<stdout>",
			  err.msg);
		return -1;
	}
	return cli_write_file(path, cli_emit_cb, &a);
}

void
cli_flame_defaults(const struct profile *p, struct flame_opts *fo, char *buf,
		   unsigned long bufsize)
{
	const char *event = profile_meta_str(p, "event");
	const char *cmd = profile_meta_str(p, "cmdline");
	int64_t hz = profile_meta_int(p, "frequency_hz", 0);
	int64_t ms = profile_meta_int(p, "duration_ms", 0);

	struct stack_health h;
	char health[128];
	int len = 0;

	profile_stack_health(p, &h);
	if (fo->subtitle)
		len = snprintf(buf, bufsize, "%s", fo->subtitle);
	else if (event)
		len = snprintf(buf, bufsize, "%s%s%s at %lld Hz for %.1f s",
			       cmd ? cmd : "", cmd ? ": " : "", event,
			       (long long)hz, (double)ms / 1000.0);
	if (len < 0 || (unsigned long)len >= bufsize)
		len = 0;
	/* Incomplete stacks are said in the graph itself, so a flame graph
	 * of mostly-broken stacks never looks fine. */
	if (h.known && (h.broken || h.truncated || h.lost)) {
		bool warn = stack_health_describe(&h, health, sizeof(health));

		snprintf(buf + len, bufsize - (unsigned long)len,
			 "%sstacks: %s%s", len ? "; " : "", health,
			 warn ? " (WARNING: incomplete stacks)" : "");
		len = 1;
	}
	if (len)
		fo->subtitle = buf;
}

int
cli_out_is_stream(const char *path)
{
	return !strcmp(path, "-") || atomic_in_place(path);
}

bool
cli_stack_health(const struct profile *p, const char *input, char *buf,
		 unsigned long bufsize)
{
	struct stack_health h;

	profile_stack_health(p, &h);
	if (!h.known)
		return false;
	if (stack_health_describe(&h, buf, bufsize))
		cli_warn("%s: more than %.0f%% of the stacks are incomplete "
			 "(%s): callers' shares are low",
			 input, STACK_HEALTH_WARN_PCT, buf);
	return true;
}

int
cli_check_output(const char *path)
{
	struct scorch_err err;

	if (!strcmp(path, "-"))
		return 0;
	if (atomic_check(path, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}
