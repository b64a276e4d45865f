/* SPDX-License-Identifier: MIT */
/*
 * cli/pidof.c - a process name to the processes of that name, the way
 * pidof(1) finds them: a process matches when NAME is its command name
 * (/proc/PID/comm), the last part of its argv[0], or the last part of the
 * path of its executable. scorch itself never matches.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/common.h"
#include "cli.h"

/* Read /proc/PID/NAME into buf (NUL-terminated); its length, or -1. */
static ssize_t
pidof_read(const char *pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static const char *
pidof_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool
pidof_matches(const char *pid, const char *name)
{
	char buf[PATH_MAX + 1];
	char path[64];
	ssize_t n;

	if (pidof_read(pid, "comm", buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (!strcmp(buf, name))
			return true;
	}
	/* argv[0] ends at the first NUL; the read keeps it terminated. */
	if (pidof_read(pid, "cmdline", buf, sizeof(buf)) > 0 &&
	    !strcmp(pidof_base(buf), name))
		return true;
	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		/* An executable replaced on disk reads "PATH (deleted)". */
		if (n > 10 && !strcmp(buf + n - 10, " (deleted)"))
			buf[n - 10] = '\0';
		if (!strcmp(pidof_base(buf), name))
			return true;
	}
	return false;
}

static int
pidof_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int
pidof_find(const char *name, pid_t **pids, size_t *npids)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	size_t first = *npids;
	pid_t self = getpid();

	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char *end;
		long v;

		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (errno || end == de->d_name || *end || v <= 0 ||
		    v > INT_MAX || (pid_t)v == self)
			continue;
		if (!pidof_matches(de->d_name, name))
			continue;
		*pids = xreallocarray(*pids, *npids + 1, sizeof(**pids));
		(*pids)[(*npids)++] = (pid_t)v;
	}
	closedir(dir);
	qsort(*pids + first, *npids - first, sizeof(**pids), pidof_cmp);
	return (int)(*npids - first);
}
