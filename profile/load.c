/* SPDX-License-Identifier: MIT */
/* profile/load.c - read a profile file of either format, sniffing which. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/common.h"
#include "profile.h"

#define LOAD_MAX_BYTES ((size_t)2 << 30) /* 2 GiB */
/* Format detection looks at most this far for the first non-blank byte. */
#define LOAD_SNIFF_MAX ((size_t)64 << 10)

static const char load_bom[3] = { '\xef', '\xbb', '\xbf' };

/* Blank as the readers see it: a NUL byte is not (strchr() finds it). */
static bool
load_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read all of fd into a NUL-terminated buffer; -errno or -EFBIG. */
static int
load_all(int fd, char **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap + 1);
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (cap >= LOAD_MAX_BYTES) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/*
 * A stream that first returns the bytes already read to sniff the format,
 * then the rest of the file descriptor: folded input is parsed as it is
 * read, never held whole in memory (a big profile is hundreds of MB).
 */
struct load_stream {
	const char *head; /* bytes read before the stream was opened */
	size_t head_len, head_off;
	int fd;
	bool seen; /* a non-blank byte has been read: the input is not empty */
};

static void
load_stream_see(struct load_stream *ls, const char *buf, ssize_t n)
{
	ssize_t i;

	for (i = 0; !ls->seen && i < n; i++)
		ls->seen = !load_blank(buf[i]);
}

static ssize_t
load_stream_read(void *cookie, char *buf, size_t size)
{
	struct load_stream *ls = cookie;
	ssize_t r;

	if (ls->head_off < ls->head_len) {
		size_t n = ls->head_len - ls->head_off;

		if (n > size)
			n = size;
		memcpy(buf, ls->head + ls->head_off, n);
		ls->head_off += n;
		load_stream_see(ls, buf, (ssize_t)n);
		return (ssize_t)n;
	}
	do
		r = read(ls->fd, buf, size);
	while (r < 0 && errno == EINTR);
	load_stream_see(ls, buf, r);
	return r;
}

/*
 * Read into buf (len bytes so far, cap allocated) until a non-blank byte,
 * EOF or LOAD_SNIFF_MAX bytes; a UTF-8 byte order mark first is skipped
 * (*bom = its length). Returns the offset of that byte (== *len at EOF or
 * at the bound) or -errno.
 */
static ssize_t
load_sniff(int fd, char **buf, size_t *len, size_t cap, size_t *bom, int *eof)
{
	size_t i = 0;
	ssize_t r;

	*bom = 0;
	for (;;) {
		if (!*bom && *len >= sizeof(load_bom) &&
		    !memcmp(*buf, load_bom, sizeof(load_bom)))
			i = *bom = sizeof(load_bom);
		/* A mark cut short by the read: wait for the rest of it. */
		if (*bom || *len >= sizeof(load_bom) ||
		    memcmp(*buf, load_bom, *len))
			for (; i < *len; i++)
				if (!load_blank((*buf)[i]))
					return (ssize_t)i;
		if (*len >= cap)
			return (ssize_t)*len;
		r = read(fd, *buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			*eof = 1;
			if (!*bom && *len < sizeof(load_bom))
				for (; i < *len; i++)
					if (!load_blank((*buf)[i]))
						return (ssize_t)i;
			return (ssize_t)*len;
		}
		*len += (size_t)r;
	}
}

/*
 * Is the text from data[first] perf script? Reads more of fd into data
 * (*len bytes so far, at most cap) until it can tell: 1 or 0, or -errno.
 * At the bound it is not (a folded file's first line can be that long).
 */
static int
load_is_perf_script(int fd, char *data, size_t *len, size_t first, size_t cap,
		    int *eof)
{
	ssize_t r;
	int is;

	for (;;) {
		is = profile_perf_script_sniff(data + first, *len - first,
					       *eof || *len >= cap);
		if (is >= 0)
			return is;
		r = read(fd, data + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			*eof = 1;
		*len += (size_t)r;
	}
}

/* JSON is parsed from memory: read the rest of fd after the len bytes
 * sniffed into *data (which grows), and parse it past the BOM. */
static int
load_json(struct profile *p, int fd, char **data, size_t len, size_t bom,
	  const char *name, struct scorch_err *err)
{
	char *rest = NULL;
	size_t rest_len = 0;
	int ret;

	ret = load_all(fd, &rest, &rest_len);
	if (ret == -EFBIG || (!ret && rest_len > LOAD_MAX_BYTES - len)) {
		err_set(err, "%s: larger than 2 GiB, not a profile", name);
		ret = -1;
	} else if (ret < 0) {
		err_set(err, "%s: %s", name, strerror(-ret));
	} else {
		*data = xrealloc(*data, len + rest_len + 1);
		memcpy(*data + len, rest, rest_len);
		len += rest_len;
		(*data)[len] = '\0';
		ret = profile_read_json(p, *data + bom, len - bom, name, err);
	}
	free(rest);
	return ret;
}

typedef int (*load_reader)(struct profile *p, FILE *fp, const char *name,
			   struct profile_read_opts *opts,
			   struct scorch_err *err);

/* Folded and perf script input streams: the sniffed bytes past the BOM,
 * then the rest of fd, through read. */
static int
load_stream(struct profile *p, int fd, const char *head, size_t head_len,
	    const char *name, load_reader read, struct profile_read_opts *opts,
	    struct scorch_err *err)
{
	struct load_stream ls = { head, head_len, 0, fd, false };
	cookie_io_functions_t io = { .read = load_stream_read };
	FILE *fp = fopencookie(&ls, "r", io);
	int ret;

	if (!fp) {
		err_set(err, "%s: %s", name, strerror(errno));
		ret = -1;
	} else {
		/* Big reads: the cookie copies, so fewer is faster. */
		setvbuf(fp, NULL, _IOFBF, 1 << 20);
		ret = read(p, fp, name, opts, err);
		fclose(fp);
	}
	/* Blank past the sniffed prefix, and to the end. */
	if (!ret && !ls.seen) {
		err_set(err, "%s: empty, not a profile", name);
		ret = -1;
	}
	return ret;
}

struct profile *
profile_load_opts(const char *path, struct profile_read_opts *opts,
		  struct scorch_err *err)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct profile *p = NULL;
	struct stat stbuf;
	size_t len = 0, cap = LOAD_SNIFF_MAX, bom = 0;
	char *data = xmalloc(cap + 1);
	ssize_t first;
	int fd, ret = 0, eof = 0, perf = 0;

	if (opts) {
		opts->skipped = 0;
		opts->first_bad[0] = '\0';
	}
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		err_set(err, "%s: %s", name, strerror(errno));
		free(data);
		return NULL;
	}
	if (fstat(fd, &stbuf) == 0 && S_ISDIR(stbuf.st_mode)) {
		err_set(err, "%s: is a directory, not a profile", name);
		goto out_close;
	}
	/* Refuse a huge regular file before reading any of it. */
	if (fstat(fd, &stbuf) == 0 && S_ISREG(stbuf.st_mode) &&
	    (unsigned long long)stbuf.st_size > LOAD_MAX_BYTES) {
		err_set(err, "%s: larger than 2 GiB, not a profile", name);
		goto out_close;
	}
	first = load_sniff(fd, &data, &len, cap, &bom, &eof);
	if (first < 0) {
		err_set(err, "%s: %s", name, strerror((int)-first));
		goto out_close;
	}
	if ((size_t)first == len && eof) {
		err_set(err, "%s: empty, not a profile", name);
		goto out_close;
	}
	if ((size_t)first < len && data[first] == '\0') {
		err_set(err, "%s: binary data, not a profile", name);
		goto out_close;
	}
	p = profile_new();
	if ((size_t)first < len && data[first] == '{')
		ret = load_json(p, fd, &data, len, bom, name, err);
	else if ((perf = load_is_perf_script(fd, data, &len, (size_t)first, cap,
					     &eof)) < 0)
		err_set(err, "%s: %s", name, strerror(-perf));
	else
		ret = load_stream(p, fd, data + bom, len - bom, name,
				  perf ? profile_read_perf_script
				       : profile_read_folded_opts,
				  opts, err);
	if (perf < 0)
		ret = -1;
	if (ret < 0) {
		profile_free(p);
		p = NULL;
	}
out_close:
	free(data);
	if (fd > 0)
		close(fd);
	return p;
}

struct profile *
profile_load(const char *path, struct scorch_err *err)
{
	return profile_load_opts(path, NULL, err);
}
