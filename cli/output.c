/* SPDX-License-Identifier: MIT */
/* cli/output.c - diagnostics and writing profiles in any output format. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

/* A diagnostic quotes input (file names, lines, names from profiles): it
 * reaches the terminal only through common/escape.c, as every output. */
static void
cli_vmessage(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf msg, out;

	strbuf_init(&msg);
	strbuf_init(&out);
	strbuf_vaddf(&msg, fmt, ap);
	strbuf_addstr(&out, prefix);
	escape_text(&out, msg.buf, msg.len);
	strbuf_addch(&out, '\n');
	fflush(stdout);
	fwrite(out.buf, 1, out.len, stderr);
	strbuf_fini(&out);
	strbuf_fini(&msg);
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
cli_info(const char *fmt, ...)
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

/* Set once a write error on stdout has been said, so it is said once. */
static bool cli_stdout_failed;

/* Flush stdout: 0, or -1 with err saying why it cannot be written. */
static int
cli_stdout_check(struct scorch_err *err)
{
	int saved;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	/* A failed write keeps its bytes: the flush fails again, and why. */
	saved = fflush(stdout) != 0 ? errno : EIO;
	err_set(err, "stdout: write error: %s", strerror(saved));
	return -1;
}

/*
 * write(fp, arg) to stdout through an atomic_stream(), which keeps why a
 * write failed. Returns 0, or -1 with err saying why.
 */
static int
cli_write_stdout(int (*write)(FILE *fp, void *arg), void *arg,
		 struct scorch_err *err)
{
	int werr, rc;
	FILE *fp;

	/* What stdio holds for stdout goes first. */
	if (cli_stdout_check(err) < 0)
		return -1;
	fp = atomic_stream(STDOUT_FILENO, false, &werr);
	if (!fp) {
		err_set(err, "stdout: %s", strerror(errno));
		return -1;
	}
	rc = write(fp, arg);
	if (fflush(fp) != 0 || ferror(fp) || rc < 0) {
		err_set(err, "stdout: write error%s%s", werr ? ": " : "",
			werr ? strerror(werr) : "");
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

int
cli_flush_stdout(void)
{
	struct scorch_err err;

	if (cli_stdout_check(&err) == 0)
		return 0;
	if (!cli_stdout_failed)
		cli_error("%s", err.msg);
	cli_stdout_failed = true;
	return -1;
}

/*
 * Write the opened af with write(fp, arg) and commit it, fsync'd first
 * when durable. Returns 0, or -1 with err naming the file and the reason.
 */
static int
cli_write_af(struct atomic_file *af, int (*write)(FILE *fp, void *arg),
	     void *arg, bool durable, struct scorch_err *err)
{
	af->durable = durable;
	if (write(af->fp, arg) < 0 && !ferror(af->fp)) {
		/* The writer failed, not the stream (an encoder error). */
		err_set(err, "%s: cannot write output file", af->path);
		atomic_abort(af);
		return -1;
	}
	/* A stream error fails the commit, which says why. */
	return atomic_commit(af, err);
}

static int
cli_write_to(const char *path, int (*write)(FILE *fp, void *arg), void *arg,
	     bool durable, struct scorch_err *err)
{
	struct atomic_file af;

	if (atomic_open(&af, path, err) < 0)
		return -1;
	return cli_write_af(&af, write, arg, durable, err);
}

int
cli_write_file(const char *path, int (*write)(FILE *fp, void *arg), void *arg)
{
	struct scorch_err err;

	if (!strcmp(path, "-")) {
		if (cli_write_stdout(write, arg, &err) < 0) {
			if (!cli_stdout_failed)
				cli_error("%s", err.msg);
			cli_stdout_failed = true;
			return -1;
		}
		return 0;
	}
	if (cli_write_to(path, write, arg, false, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	return 0;
}

struct cli_emit_args {
	const struct profile *p;
	const struct cli_format *fmt;
	const struct cli_out *o;
};

static int
cli_emit_cb(FILE *fp, void *arg)
{
	const struct cli_emit_args *a = arg;

	return a->fmt->write(a->p, a->o, fp);
}

/* Never write a file scorch (or the format's own tools) would refuse. */
static int
cli_check_profile(const struct profile *p, const char *path,
		  const struct cli_format *fmt, struct scorch_err *err)
{
	if (fmt->check < 0)
		return 0;
	return profile_check(p, (enum profile_format)fmt->check,
			     strcmp(path, "-") ? path : "<stdout>", err);
}

int
cli_write_profile(const struct profile *p, const char *path,
		  const struct cli_format *fmt, const struct cli_out *o)
{
	struct cli_emit_args a = { p, fmt, o };
	struct scorch_err err;

	if (cli_check_profile(p, path, fmt, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	return cli_write_file(path, cli_emit_cb, &a);
}

/*
 * Keep the recording in the first fallback directory that takes it: a new
 * native JSON file, fsync'd. Returns its name (malloc'd), or NULL with why
 * every directory failed appended to tries.
 */
static char *
cli_keep_recording(const struct profile *p, struct strbuf *tries)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *dirs[3];
	struct cli_emit_args a = { p, cli_format_get(CLI_FMT_JSON), NULL };
	struct scorch_err err;
	struct atomic_file af;
	char *tried[3] = { NULL }, *name = NULL;
	size_t n = 0, i, j;

	if (tmpdir && *tmpdir)
		dirs[n++] = tmpdir;
	dirs[n++] = P_tmpdir;
	dirs[n++] = ".";
	for (i = 0; i < n && !name; i++) {
		/* An absolute name, so the message says where it is. */
		tried[i] = realpath(dirs[i], NULL);
		if (!tried[i]) {
			strbuf_addf(tries, "; %s: %s", dirs[i],
				    strerror(errno));
			continue;
		}
		for (j = 0; j < i; j++)
			if (tried[j] && !strcmp(tried[j], tried[i]))
				break;
		if (j < i)
			continue; /* $TMPDIR is /tmp, or we are in it */
		if (atomic_open_new(&af, tried[i], "scorch-record-", ".json",
				    &err) == 0) {
			name = xstrdup(af.path);
			if (cli_write_af(&af, cli_emit_cb, &a, true, &err) <
			    0) {
				free(name);
				name = NULL;
			}
		}
		if (!name)
			strbuf_addf(tries, "; %s", err.msg);
	}
	for (i = 0; i < n; i++)
		free(tried[i]);
	return name;
}

int
cli_write_recording(const struct profile *p, const char *path,
		    const struct cli_format *fmt, const struct cli_out *o,
		    char **kept)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct cli_emit_args a = { p, fmt, o };
	struct scorch_err err;
	struct strbuf tries;
	sigset_t block, saved;
	size_t i;
	int rc;

	/* A second Ctrl-C must not cut the file short: hold signals. */
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	*kept = NULL;
	if (cli_check_profile(p, path, fmt, &err) < 0) {
		rc = -1;
	} else if (!strcmp(path, "-")) {
		rc = cli_write_stdout(cli_emit_cb, &a, &err);
		/* The line below says it, once. */
		cli_stdout_failed = rc < 0;
	} else {
		rc = cli_write_to(path, cli_emit_cb, &a, true, &err);
	}
	if (rc == 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return 0;
	}
	strbuf_init(&tries);
	*kept = cli_keep_recording(p, &tries);
	if (*kept)
		cli_error("%s; the recording is kept in %s%s", err.msg, *kept,
			  fmt->id == CLI_FMT_JSON
				  ? ""
				  : " (native JSON: scorch svg, fold or "
				    "export makes the other formats)");
	else
		cli_error("%s; the recording is lost, no fallback took it%s",
			  err.msg, tries.buf);
	strbuf_fini(&tries);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return -1;
}

void
cli_flame_defaults(const struct profile *p, struct flame_opts *fo, char *buf,
		   unsigned long bufsize)
{
	const char *event = profile_meta_str(p, "event");
	const char *cmd = profile_meta_str(p, "cmdline");
	int64_t hz = profile_meta_int(p, "frequency_hz", 0);
	int64_t ms = profile_duration_ms(p);

	struct stack_health h;
	char health[128];
	int len = 0;

	profile_stack_health(p, &h);
	/* Times in tooltips when a count's is known, unless --count-name
	 * said what the counts are. */
	if (!strcmp(fo->count_name, "samples") || !strcmp(fo->count_name, "ns"))
		fo->count_ms = profile_run_ms(p, 1);
	if (fo->subtitle)
		len = snprintf(buf, bufsize, "%s", fo->subtitle);
	else if (event)
		len = snprintf(buf, bufsize, "%s%s%s at %lld Hz for %.1f s",
			       cmd ? cmd : "", cmd ? ": " : "", event,
			       (long long)hz,
			       (double)(ms > 0 ? ms : 0) / 1000.0);
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
