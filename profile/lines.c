/* SPDX-License-Identifier: MIT */
/* profile/lines.c - the lines of a text profile (folded, perf script): read
 * through a buffer of bounded size, and the bad ones refused or skipped. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

void
lines_init(struct lines *in, FILE *fp, const char *name,
	   struct profile_read_opts *opts)
{
	memset(in, 0, sizeof(*in));
	in->fp = fp;
	in->name = name;
	in->opts = opts;
	in->cap = 2 * PROFILE_MAX_LINE;
	in->buf = xmalloc(in->cap + 1);
	if (opts) {
		opts->skipped = 0;
		opts->first_bad[0] = '\0';
	}
}

void
lines_fini(struct lines *in)
{
	free(in->buf);
	in->buf = NULL;
}

/* Read more after the unread bytes, moved to the front; 0 at EOF. */
static size_t
lines_fill(struct lines *in)
{
	size_t n;

	if (in->start) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	n = fread(in->buf + in->end, 1, in->cap - in->end, in->fp);
	in->end += n;
	if (!n)
		in->eof = true;
	return n;
}

/* Skip past the next newline (the rest of a line too long to keep). */
static void
lines_skip(struct lines *in)
{
	char *nl;

	while (!(nl = memchr(in->buf + in->start, '\n', in->end - in->start))) {
		in->start = in->end;
		if (!lines_fill(in))
			return;
	}
	in->start = (size_t)(nl + 1 - in->buf);
}

/*
 * The bytes of the next line: 1 with the line at buf[*start..*start+*len)
 * (its newline, if any, after), 0 at EOF, or -1 when PROFILE_MAX_LINE
 * bytes pass without a newline: those stay in buf[*start..in->end) and
 * the rest of the line is skipped by the next call.
 */
static int
lines_find(struct lines *in, size_t *start, size_t *len)
{
	size_t scanned = 0;
	char *nl;

	if (in->skip) {
		in->skip = false;
		lines_skip(in);
	}
	for (;;) {
		nl = memchr(in->buf + in->start + scanned, '\n',
			    in->end - in->start - scanned);
		if (nl || (in->eof && in->start < in->end)) {
			*start = in->start;
			*len = nl ? (size_t)(nl - (in->buf + in->start))
				  : in->end - in->start;
			in->start = nl ? (size_t)(nl + 1 - in->buf) : in->end;
			return 1;
		}
		if (in->eof)
			return 0;
		scanned = in->end - in->start;
		if (scanned > PROFILE_MAX_LINE)
			break;
		lines_fill(in);
	}
	*start = in->start;
	*len = scanned;
	in->start = in->end;
	in->skip = true;
	return -1;
}

int
lines_next(struct lines *in, char **line, size_t *len,
	   struct scorch_err *line_err)
{
	size_t start;
	int got = lines_find(in, &start, len);

	if (!got)
		return 0;
	in->lineno++;
	*line = in->buf + start;
	/* A NUL in what was read of the line, too long or not: binary. */
	if (memchr(*line, '\0', *len)) {
		err_set(line_err, "%s:%lu: binary data, not a profile",
			in->name, in->lineno);
		return -1;
	}
	if (got < 0 || *len > PROFILE_MAX_LINE) {
		err_set(line_err, "%s:%lu: line longer than %d bytes", in->name,
			in->lineno, PROFILE_MAX_LINE);
		return -1;
	}
	(*line)[*len] = '\0';
	return 1;
}

int
lines_bad(struct lines *in, const struct scorch_err *line_err,
	  struct scorch_err *err)
{
	struct profile_read_opts *opts = in->opts;

	if (!opts || !opts->skip_bad) {
		*err = *line_err;
		return -1;
	}
	if (!opts->skipped++)
		snprintf(opts->first_bad, sizeof(opts->first_bad), "%s",
			 line_err->msg);
	return 0;
}

int
lines_read_error(const struct lines *in, struct scorch_err *err)
{
	if (!ferror(in->fp))
		return 0;
	err_set(err, "%s: read error", in->name);
	return -1;
}

size_t
lines_trim(const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
		len--;
	return len;
}
