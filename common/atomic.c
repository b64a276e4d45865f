/* SPDX-License-Identifier: MIT */
/*
 * common/atomic.c - file output that damages nothing but the file named:
 * a regular file (or a new name) is written under a temporary name and
 * renamed into place; a character device, a FIFO or an alias of an open
 * descriptor (/dev/stdout, /dev/fd/N) is written in place; a symlink is
 * followed and its target replaced; anything else is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

enum atomic_kind { ATOMIC_RENAME, ATOMIC_DIRECT };

static const int atomic_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define ATOMIC_NSIG (sizeof(atomic_signals) / sizeof(atomic_signals[0]))

/* The temporary file being written, removed if a signal ends the run. */
static char *volatile atomic_live;
static struct sigaction atomic_saved[ATOMIC_NSIG];

static void
atomic_on_signal(int sig)
{
	char *tmp = atomic_live;
	int saved = errno;

	if (tmp)
		unlink(tmp);
	atomic_live = NULL;
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void
atomic_guard(char *tmp)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = atomic_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ATOMIC_NSIG; i++)
		sigaddset(&sa.sa_mask, atomic_signals[i]);
	atomic_live = tmp;
	for (i = 0; i < ATOMIC_NSIG; i++) {
		sigaction(atomic_signals[i], &sa, &atomic_saved[i]);
		/* An ignored signal (nohup, a background job) stays ignored. */
		if (atomic_saved[i].sa_handler == SIG_IGN)
			sigaction(atomic_signals[i], &atomic_saved[i], NULL);
	}
}

static void
atomic_unguard(void)
{
	size_t i;

	atomic_live = NULL;
	for (i = 0; i < ATOMIC_NSIG; i++)
		sigaction(atomic_signals[i], &atomic_saved[i], NULL);
}

/* /dev/stdout and friends name a descriptor already open: write to it. */
static int
atomic_fd_alias(const char *path)
{
	return !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr") ||
	       !strncmp(path, "/dev/fd/", 8) ||
	       !strncmp(path, "/proc/self/fd/", 14);
}

int
atomic_in_place(const char *path)
{
	struct stat st;

	if (atomic_fd_alias(path))
		return 1;
	return stat(path, &st) == 0 &&
	       (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

/*
 * Decide how to write PATH. *target is the name to replace (PATH, or the
 * file a symlink leads to), malloc'd, for ATOMIC_RENAME only.
 */
static int
atomic_classify(const char *path, char **target, struct scorch_err *err)
{
	struct stat st, lst;

	*target = NULL;
	if (atomic_fd_alias(path))
		return ATOMIC_DIRECT;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT) {
			err_set(err, "%s: cannot create output file: %s", path,
				strerror(errno));
			return -1;
		}
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			err_set(err,
				"%s: symlink to a missing file; not written",
				path);
			return -1;
		}
		*target = xstrdup(path);
		return ATOMIC_RENAME;
	}
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return ATOMIC_DIRECT;
	if (S_ISDIR(st.st_mode)) {
		err_set(err, "%s: is a directory", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, "%s: not a regular file, FIFO or character device",
			path);
		return -1;
	}
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		*target = realpath(path, NULL);
		if (!*target) {
			err_set(err, "%s: cannot resolve symlink: %s", path,
				strerror(errno));
			return -1;
		}
		return ATOMIC_RENAME;
	}
	*target = xstrdup(path);
	return ATOMIC_RENAME;
}

static int
atomic_open_direct(struct atomic_file *af, const char *path,
		   struct scorch_err *err)
{
	int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC;
	int fd, saved;

	/* An alias of an open descriptor keeps what is already there. */
	if (atomic_fd_alias(path))
		flags |= O_APPEND;
	fd = open(path, flags);
	if (fd < 0 || !(af->fp = fdopen(fd, "w"))) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		err_set(err, "%s: cannot open output: %s", path,
			strerror(saved));
		errno = saved;
		return -1;
	}
	af->path = xstrdup(path);
	af->tmp = NULL;
	return 0;
}

int
atomic_open(struct atomic_file *af, const char *path, struct scorch_err *err)
{
	const char *slash, *base;
	char *target;
	int fd, saved, kind;

	af->fp = NULL;
	af->path = af->tmp = NULL;
	kind = atomic_classify(path, &target, err);
	if (kind < 0) {
		errno = EINVAL;
		return -1;
	}
	if (kind == ATOMIC_DIRECT)
		return atomic_open_direct(af, path, err);
	af->path = target;
	slash = strrchr(target, '/');
	base = slash ? slash + 1 : target;
	/* Same directory as the target, so rename() cannot cross devices. */
	af->tmp = xasprintf("%.*s.%s.tmp.XXXXXX", (int)(base - target), target,
			    base);
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		saved = errno;
		err_set(err, "%s: cannot create output file: %s", path,
			strerror(saved));
		goto out_free;
	}
	atomic_guard(af->tmp);
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
		atomic_unguard();
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
atomic_check(const char *path, struct scorch_err *err)
{
	struct atomic_file af;
	char *target;
	int kind = atomic_classify(path, &target, err);

	free(target);
	if (kind < 0)
		return -1;
	if (kind == ATOMIC_DIRECT) {
		/* Opening a FIFO would wait for, and take, its reader. */
		if (!atomic_fd_alias(path) && access(path, W_OK) != 0) {
			err_set(err, "%s: cannot open output: %s", path,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if (atomic_open(&af, path, err) < 0)
		return -1;
	atomic_abort(&af);
	return 0;
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
	if (af->tmp && !failed && rename(af->tmp, af->path) != 0) {
		failed = 1;
		saved = errno;
	}
	if (failed)
		err_set(err, "%s: cannot write output file: %s", af->path,
			strerror(saved));
	if (af->tmp) {
		if (failed)
			unlink(af->tmp);
		atomic_unguard();
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
	if (af->tmp) {
		unlink(af->tmp);
		atomic_unguard();
	}
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
}
