/* SPDX-License-Identifier: MIT */
/*
 * cli/pidof.c - a process name to the processes of that name, the way
 * pidof(1) finds them: a process matches when NAME is its command name
 * (/proc/PID/comm), the last part of its argv[0], or the last part of the
 * path of its executable. scorch itself never matches. Also the -p
 * argument (pids and names) to pids, --tid, the one kind of target, why a
 * target gave no samples, and --split (svg, fold, report): the outputs
 * apart by the tasks the samples came from.
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
#include "../profile/profile.h"
#include "../sampler/sampler.h"
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

	/* A zombie has nothing left to sample (pidof -z aside). */
	if (pidof_read(pid, "stat", buf, sizeof(buf)) > 0) {
		char *paren = strrchr(buf, ')');

		if (paren && paren[1] == ' ' &&
		    (paren[2] == 'Z' || paren[2] == 'X'))
			return false;
	}
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
	if (*npids > first)
		qsort(*pids + first, *npids - first, sizeof(**pids), pidof_cmp);
	return (int)(*npids - first);
}

/* A pid not yet in pids[]: append it. */
static void
pidof_add(pid_t pid, pid_t **pids, size_t *npids)
{
	size_t i;

	for (i = 0; i < *npids; i++)
		if ((*pids)[i] == pid)
			return;
	*pids = xreallocarray(*pids, *npids + 1, sizeof(**pids));
	(*pids)[(*npids)++] = pid;
}

/*
 * A name: every process pidof finds by it, noted in *names for the
 * summary ("-p server: 2 processes (101, 102)").
 */
static int
pidof_parse_name(const char *name, pid_t **pids, size_t *npids,
		 struct strbuf *names)
{
	pid_t *found = NULL;
	size_t nfound = 0, i;
	int n = pidof_find(name, &found, &nfound);

	if (n <= 0) {
		if (n < 0)
			cli_error("-p %s: cannot read /proc: %s", name,
				  strerror(errno));
		else
			cli_error("-p %s: no process of that name", name);
		free(found);
		return -1;
	}
	strbuf_addf(names, "; -p %s: %s", name, n == 1 ? "pid " : "");
	if (n > 1)
		strbuf_addf(names, "%d processes (", n);
	for (i = 0; i < nfound; i++) {
		strbuf_addf(names, "%s%d", i ? ", " : "", (int)found[i]);
		pidof_add(found[i], pids, npids);
	}
	if (n > 1)
		strbuf_addch(names, ')');
	free(found);
	return 0;
}

/* -p PID|NAME[,PID|NAME...] */
int
pidof_parse_targets(const char *arg, pid_t **pids, size_t *npids,
		    struct strbuf *names)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;
	int ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v;

		if (strspn(tok, "0123456789") != strlen(tok) &&
		    !(tok[0] == '-' && tok[1] >= '0' && tok[1] <= '9')) {
			ret = pidof_parse_name(tok, pids, npids, names);
			continue;
		}
		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || end == tok || *end || v <= 0 || v > INT_MAX) {
			cli_error("'%s' is not a process id", tok);
			ret = -1;
			break;
		}
		pidof_add((pid_t)v, pids, npids);
	}
	free(copy);
	return ret;
}

/*
 * Why a process gave no samples, from its state now: "was stopped",
 * "is a kernel thread (no user stacks)", "has exited" or "did not run on
 * CPU".
 */
const char *
pidof_idle_reason(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return "has exited";
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold ')', the last one ends it. */
	paren = strrchr(buf, ')');
	if (!paren || paren[1] != ' ')
		return "did not run on CPU";
	switch (paren[2]) {
	case 'T':
	case 't':
		return "was stopped";
	case 'Z':
	case 'X':
		return "has exited";
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (readlink(path, buf, sizeof(buf)) < 0 && errno == ENOENT)
		return "is a kernel thread (no user stacks)";
	return "did not run on CPU";
}

/* --tid TID[,TID...]: thread ids (checked against /proc by the sampler). */
int
pidof_parse_tids(const char *arg, pid_t **tids, size_t *ntids)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!*arg) {
		cli_error("--tid: '' is not a thread id");
		ret = -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v;

		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || end == tok || *end || v <= 0 || v > INT_MAX) {
			cli_error("--tid: '%s' is not a thread id", tok);
			ret = -1;
			break;
		}
		pidof_add((pid_t)v, tids, ntids);
	}
	free(copy);
	return ret;
}

/*
 * The -p targets that gave no sample (no task of theirs in the profile),
 * each with why: "pid 1234 was stopped, pid 1240 did not run on CPU".
 */
void
pidof_idle_targets(const struct profile *p, const pid_t *pids, size_t npids,
		   struct strbuf *sb)
{
	size_t i, t, nt = profile_ntasks(p);

	for (i = 0; i < npids; i++) {
		for (t = 0; t < nt; t++)
			if (profile_task(p, (uint32_t)t)->pid == pids[i])
				break;
		if (t < nt)
			continue;
		strbuf_addf(sb, "%spid %d %s", sb->len ? ", " : "",
			    (int)pids[i], pidof_idle_reason(pids[i]));
	}
}

/* One kind of target: -p and --tid narrow, -a and --cgroup widen. */
int
pidof_check_targets(const struct record_opts *ro, size_t npids, size_t ntids)
{
	int kinds = !!npids + !!ntids + ro->system_wide + !!ro->cgroup;

	if (kinds > 1) {
		cli_error("record: -p, --tid, -a and --cgroup choose the "
			  "targets in different ways; give one of them");
		return -1;
	}
	if (!kinds && !ro->argv) {
		cli_error("record: nothing to record: give -p PID, --tid TID, "
			  "-a, --cgroup PATH or -- COMMAND (see 'scorch "
			  "record --help')");
		return -1;
	}
	return 0;
}

/* The targets in the metadata: "pids" (with the command's), "tids",
 * "target" ("system" for -a, the --cgroup PATH). */
void
pidof_meta_targets(struct profile *p, const struct record_opts *ro, pid_t child)
{
	struct strbuf pids, tids;
	size_t i;

	strbuf_init(&pids);
	strbuf_init(&tids);
	for (i = 0; i < ro->npids; i++)
		strbuf_addf(&pids, "%s%d", i ? "," : "", (int)ro->pids[i]);
	if (child)
		strbuf_addf(&pids, "%s%d", ro->npids ? "," : "", (int)child);
	profile_meta_set_str(p, "pids", pids.buf);
	for (i = 0; i < ro->ntids; i++)
		strbuf_addf(&tids, "%s%d", i ? "," : "", (int)ro->tids[i]);
	if (ro->ntids)
		profile_meta_set_str(p, "tids", tids.buf);
	if (ro->system_wide || ro->cgroup)
		profile_meta_set_str(p, "target",
				     ro->cgroup ? ro->cgroup : "system");
	strbuf_fini(&pids);
	strbuf_fini(&tids);
}

/* --split thread|process: 0, or -1 after a one-line error. */
int
cli_split_arg(const char *arg, enum profile_split *by)
{
	if (profile_split_parse(arg, by) == 0)
		return 0;
	cli_error("--split: unknown '%s' (known: thread, process)", arg);
	return -1;
}

/* *p with a root frame per process or thread (nothing for SPLIT_NONE); a
 * profile without tasks (folded input) is said to have nothing to split. */
void
cli_apply_no_inline(struct profile **p, bool no_inline)
{
	struct profile *q;

	if (!no_inline)
		return;
	q = profile_inline_fold(*p);
	profile_free(*p);
	*p = q;
}

void
cli_apply_split(struct profile **p, enum profile_split by, const char *input)
{
	struct profile *q;

	if (by == SPLIT_NONE)
		return;
	if (!profile_ntasks(*p))
		cli_warn("%s: no processes or threads recorded (folded "
			 "input): --split has nothing to split by",
			 strcmp(input, "-") ? input : "<stdin>");
	q = profile_split(*p, by);
	profile_free(*p);
	*p = q;
}
