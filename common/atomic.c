/* SPDX-License-Identifier: MIT */
/* common/atomic.c - write-to-temporary-then-rename file output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int
atomic_open(struct atomic_file *af, const char *path, struct scorch_err *err)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int fd, saved;

	af->fp = NULL;
	af->path = xstrdup(path);
	/* Same directory as the target, so rename() cannot cross devices. */
	af->tmp =
		xasprintf("%.*s.%s.tmp.XXXXXX", (int)(base - path), path, base);
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		saved = errno;
		err_set(err, "%s: cannot create output file: %s", path,
			strerror(saved));
		goto out_free;
	}
	/* mkstemp makes 0600; an output file should follow the umask. */
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	af->fp = fdopen(fd, "w");
	if (!af->fp) {
		saved = errno;
		close(fd);
		unlink(af->tmp);
		err_set(err, "%s: %s", path, strerror(saved));
		goto out_free;
	}
	return 0;

out_free:
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	errno = saved;
	return -1;
}

int
atomic_commit(struct atomic_file *af, struct scorch_err *err)
{
	int failed = ferror(af->fp);
	int saved = failed ? EIO : 0;

	if (fclose(af->fp) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	af->fp = NULL;
	if (!failed && rename(af->tmp, af->path) != 0) {
		failed = 1;
		saved = errno;
	}
	if (failed) {
		err_set(err, "%s: cannot write output file: %s", af->path,
			strerror(saved));
		unlink(af->tmp);
	}
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	return failed ? -1 : 0;
}

void
atomic_abort(struct atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	af->fp = NULL;
	if (af->tmp)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
}
