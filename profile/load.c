/* SPDX-License-Identifier: MIT */
/* profile/load.c - read a profile file of either format, sniffing which. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/common.h"
#include "profile.h"

#define LOAD_MAX_BYTES ((size_t)2 << 30) /* 2 GiB */

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

struct profile *
profile_load(const char *path, struct scorch_err *err)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct profile *p = NULL;
	struct stat stbuf;
	char *data = NULL;
	size_t len = 0, i;
	int fd, ret;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		err_set(err, "%s: %s", name, strerror(errno));
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
	ret = load_all(fd, &data, &len);
	if (ret == -EFBIG) {
		err_set(err, "%s: larger than 2 GiB, not a profile", name);
		goto out_close;
	} else if (ret < 0) {
		err_set(err, "%s: %s", name, strerror(-ret));
		goto out_close;
	}
	p = profile_new();
	for (i = 0; i < len && strchr(" \t\r\n", data[i]); i++)
		;
	if (i < len && data[i] == '{') {
		ret = profile_read_json(p, data, len, name, err);
	} else if (len) {
		FILE *fp = fmemopen(data, len, "r");

		if (!fp) {
			err_set(err, "%s: %s", name, strerror(errno));
			ret = -1;
		} else {
			ret = profile_read_folded(p, fp, name, err);
			fclose(fp);
		}
	}
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
