/* SPDX-License-Identifier: MIT */
/*
 * common/atomic.c - file output that damages nothing but the file named:
 * a regular file (or a new name) is written under a temporary name and
 * renamed into place; a character device, a FIFO or an alias of an open
 * descriptor (/dev/stdout, /dev/fd/N) is written in place; a symlink is
 * followed and its target replaced; anything else is refused. Or a new
 * file under a unique name in a directory (atomic_open_new), for a
 * recording kept where it was not asked to go.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
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

/* The cookie of an atomic_stream(): where it writes, where errors go. */
struct atomic_sink {
	int fd;
	bool own;
	int *err;
};

static ssize_t
atomic_sink_write(void *cookie, const char *buf, size_t len)
{
	struct atomic_sink *sk = cookie;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(sk->fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!*sk->err)
				*sk->err = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
	}
	/* stdio takes a short count (0 included) as the error. */
	return (ssize_t)done;
}

static int
atomic_sink_close(void *cookie)
{
	struct atomic_sink *sk = cookie;
	int rc = 0;

	if (sk->own && close(sk->fd) != 0) {
		if (!*sk->err)
			*sk->err = errno;
		rc = -1;
	}
	free(sk);
	return rc;
}

FILE *
atomic_stream(int fd, bool own, int *err)
{
	static const cookie_io_functions_t io = {
		.write = atomic_sink_write,
		.close = atomic_sink_close,
	};
	struct atomic_sink *sk = xmalloc(sizeof(*sk));
	FILE *fp;

	sk->fd = fd;
	sk->own = own;
	sk->err = err;
	*err = 0;
	fp = fopencookie(sk, "w", io);
	if (!fp) {
		free(sk);
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	return fp;
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
	if (fd < 0 || !(af->fp = atomic_stream(fd, true, &af->werr))) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		err_set(err, "%s: cannot open output: %s", path,
			strerror(saved));
		errno = saved;
		return -1;
	}
	af->fd = fd;
	af->path = xstrdup(path);
	af->tmp = NULL;
	return 0;
}

/*
 * Create af->tmp from its mkstemps() pattern (suffixlen bytes of suffix
 * kept) and open it. The name is removed if a signal ends the run while it
 * exists. A new file follows the umask unless private (then 0600).
 */
static int
atomic_open_temp(struct atomic_file *af, int suffixlen, int private,
		 const char *name, struct scorch_err *err)
{
	int fd, saved;

	fd = mkstemps(af->tmp, suffixlen);
	if (fd < 0) {
		saved = errno;
		err_set(err, "%s: cannot create output file: %s", name,
			strerror(saved));
		errno = saved;
		return -1;
	}
	atomic_guard(af->tmp);
	if (!private) {
		/* mkstemp makes 0600; an output file follows the umask. */
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	af->fd = fd;
	af->fp = atomic_stream(fd, true, &af->werr);
	if (!af->fp) {
		saved = errno;
		close(fd);
		unlink(af->tmp);
		atomic_unguard();
		err_set(err, "%s: %s", name, strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

static void
atomic_init(struct atomic_file *af)
{
	af->fp = NULL;
	af->fd = -1;
	af->werr = 0;
	af->path = af->tmp = NULL;
	af->durable = false;
}

int
atomic_open(struct atomic_file *af, const char *path, struct scorch_err *err)
{
	const char *slash, *base;
	char *target;
	int kind, saved;

	atomic_init(af);
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
	if (atomic_open_temp(af, 0, 0, path, err) == 0)
		return 0;
	saved = errno;
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	errno = saved;
	return -1;
}

int
atomic_open_new(struct atomic_file *af, const char *dir, const char *prefix,
		const char *suffix, struct scorch_err *err)
{
	int saved;

	atomic_init(af);
	af->tmp = xasprintf("%s/%sXXXXXX%s", dir, prefix, suffix);
	if (atomic_open_temp(af, (int)strlen(suffix), 1, dir, err) < 0) {
		saved = errno;
		free(af->tmp);
		af->tmp = NULL;
		errno = saved;
		return -1;
	}
	/* The name is final: committing keeps it, failing removes it. */
	af->path = xstrdup(af->tmp);
	return 0;
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
	int saved = 0;

	/* The first failed write(), fsync(), close() or rename() is why. */
	if (fflush(af->fp) != 0 || ferror(af->fp))
		saved = af->werr ? af->werr : EIO;
	else if (af->durable && af->tmp && fsync(af->fd) != 0)
		saved = errno;
	if (fclose(af->fp) != 0 && !saved)
		saved = af->werr ? af->werr : EIO;
	af->fp = NULL;
	if (!saved && af->tmp && strcmp(af->tmp, af->path) &&
	    rename(af->tmp, af->path) != 0)
		saved = errno;
	if (saved)
		err_set(err, "%s: cannot write output file: %s", af->path,
			strerror(saved));
	if (af->tmp) {
		if (saved)
			unlink(af->tmp);
		atomic_unguard();
	}
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	return saved ? -1 : 0;
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
